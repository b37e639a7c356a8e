"""The one generic GAN training step: runs a model's phases.

For every active phase (``GAN.phases()``, filtered by the step count), for each
of its ``repeats``: open a tape, call the phase's objective, add its
regularizers' terms, average every term over the **global** batch
(``tf.nn.compute_average_loss``, right on 1 or N replicas), scale the loss for
mixed precision (``optimizer.scale_loss``, on the tape), apply the gradients to
the phase's networks, run its ``after_update`` hooks, and update one ``Mean``
metric per name with the per-example mean on this replica (the value a user
expects to see; see STYLE.md on replica averaging).

Models never write ``train_step``; they declare phases and objectives.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from ganzoo.errors import GanzooError
from ganzoo.training.phases import Phase, Term, resolve

Tensor = tf.Tensor


def average(per_example: Tensor) -> Tensor:
    """Mean over the global batch: this replica's sum / (batch × replicas)."""
    return tf.nn.compute_average_loss(tf.cast(per_example, tf.float32))


class Step:
    """What one training (or test) step knows, handed to every objective.

    Attributes:
        model: the GAN.
        real: the real samples of this batch (``[batch, ...]``).
        condition: what else the batch holds (labels, text, LR images, …) or None.
        training: True in ``train_step``, False in ``test_step``.
        shared: values one phase leaves for a later one in the same step
            (the base stores D's outputs on the real batch as ``"real_out"``).

    ``noise()`` and ``fakes()`` are drawn once per update and cached, so every
    term of one update sees the same z and G(z); the loop renews them before
    the next update (Algorithm 1 draws fresh noise for every D and G step).
    """

    def __init__(self, model: Any, real: Any, condition: Any, training: bool) -> None:
        self.model = model
        self.real = real
        self.condition = condition
        self.training = training
        self.shared: dict[str, Any] = {}
        self._z: Tensor | None = None
        self._fakes: Tensor | None = None
        self._held = False

    @property
    def batch_size(self) -> Tensor:
        """This replica's batch size (a scalar int32 tensor)."""
        real = self.real[0] if isinstance(self.real, (list, tuple)) else self.real
        return tf.shape(real)[0]

    def noise(self) -> Tensor:
        """z for this update (``model.sample_noise``)."""
        if self._z is None:
            self._z = self.model.sample_noise(self.batch_size)
        return self._z

    def fakes(self) -> Tensor:
        """G(z) for this update (``model.generate_fakes``)."""
        if self._fakes is None:
            self._fakes = self.model.generate_fakes(self.noise(), self.condition, training=self.training)
        return self._fakes

    def hold(self, fakes: Tensor) -> None:
        """Uses ``fakes`` as G(z) until ``release()`` (shared between two phases)."""
        self._fakes, self._held = fakes, True

    def release(self) -> None:
        self._held = False

    def renew(self) -> None:
        """Forgets z and G(z): the next update draws its own (unless held)."""
        if not self._held:
            self._z = self._fakes = None

    def view(self, real: Any, condition: Any, noise: Tensor | None = None,
             shared: dict[str, Any] | None = None) -> "Step":
        """This update seen by one sub-problem of the model (a LAPGAN pyramid level).

        The view has its own ``real`` batch and ``condition``; ``noise()`` is ``noise`` (or a
        draw of ``model.sample_noise``) and ``fakes()`` is ``model.generate_fakes(noise,
        condition)``, cached as the step's. ``shared`` defaults to the step's dict. Returned by
        ``GAN.phase_step``, so the objective and the regularizers of a phase see the same view.
        """
        view = Step(self.model, real, condition, self.training)
        view.shared = self.shared if shared is None else shared
        view._z = noise
        return view


def phase_variables(model: Any, phase: Phase) -> list:
    """The trainable variables a phase updates."""
    variables = []
    for path in phase.networks:
        variables += list(resolve(model, path).trainable_variables)
    return variables


def evaluate_objective(model: Any, phase: Phase, step: Step) -> tuple[Tensor, dict[str, Tensor]]:
    """(the phase's loss to differentiate, its display values) for this update."""
    step = model.phase_step(step, phase)
    outputs = dict(getattr(model, phase.objective)(step, *phase.args))
    for regularizer in model.regularizers_for(phase.name):
        outputs.update(regularizer(model, step, outputs))
    declared = set(phase.terms) | set(phase.logs)
    for regularizer in model.regularizers_for(phase.name):
        declared |= set(regularizer.terms) | set(regularizer.logs)
    undeclared = sorted(set(outputs) - declared)
    if undeclared:
        raise GanzooError(
            f"ganzoo: {type(model).__name__}'s phase '{phase.name}' returned {', '.join(undeclared)}, "
            f"which the phase does not declare; add them to Phase(terms=...) (losses) or "
            f"Phase(logs=...) (display values) in {type(model).__name__}.phases()."
        )
    total = tf.constant(0.0, tf.float32)
    logs: dict[str, Tensor] = {}
    shown = tf.constant(0.0, tf.float32)
    batch = step.batch_size
    for name, value in outputs.items():
        if isinstance(value, Term):
            weighted = value.weighted()
            if weighted.shape.rank == 0:
                weighted = tf.fill([batch], weighted)
            total += average(weighted)
            mean = tf.reduce_mean(weighted)
            shown += mean
            logs[name] = mean
        else:
            logs[name] = value
    for path in phase.networks:
        network_losses = resolve(model, path).losses
        if network_losses:
            total += tf.nn.scale_regularization_loss(tf.add_n(network_losses))
    logs[f"{phase.name}_loss"] = shown
    return total, logs


def _apply(model: Any, phase: Phase, tape: tf.GradientTape, total: Tensor, logs: dict) -> None:
    optimizer = resolve(model, phase.optimizer)
    variables = phase_variables(model, phase)
    with tape:  # the loss scaling must be on the tape, or every gradient is None
        scaled = optimizer.scale_loss(total)
    gradients = tape.gradient(scaled, variables)
    optimizer.apply_gradients(list(zip(gradients, variables)))
    if phase.after_update is not None:
        getattr(model, phase.after_update)()
    for regularizer in model.regularizers_for(phase.name):
        regularizer.after_update(model, logs)


def _update(model: Any, phase: Phase, step: Step) -> dict[str, Tensor]:
    with tf.GradientTape() as tape:
        total, logs = evaluate_objective(model, phase, step)
    _apply(model, phase, tape, total, logs)
    return logs


def train_step(model: Any, data: Any) -> dict[str, Tensor]:
    """One training step of ``model`` on a batch: every active phase, in order."""
    real, condition = model.unpack(data)
    step = Step(model, real, condition, training=True)
    phases = model.active_phases()
    logs: dict[str, Tensor] = {}
    i = 0
    while i < len(phases):
        phase = phases[i]
        partner = phases[i + 1] if phase.shares_fakes and i + 1 < len(phases) else None
        for _ in range(phase.repeats - (1 if partner is not None else 0)):
            step.renew()
            logs.update(_update(model, phase, step))
        if partner is None:
            i += 1
            continue
        # One G(z) for this phase's last update and the partner's: G runs once, under the
        # partner's tape; this phase sees it without gradient.
        step.renew()
        with tf.GradientTape() as tape:
            fakes = step.fakes()
            with tape.stop_recording():
                step.hold(tf.stop_gradient(fakes))
                logs.update(_update(model, phase, step))
            step.hold(fakes)
            total, partner_logs = evaluate_objective(model, partner, step)
        step.release()
        _apply(model, partner, tape, total, partner_logs)
        logs.update(partner_logs)
        i += 2
    return model.update_metrics(logs)


def test_step(model: Any, data: Any) -> dict[str, Tensor]:
    """Every evaluated phase's objective on a batch, without updates, in inference mode."""
    real, condition = model.unpack(data)
    step = Step(model, real, condition, training=False)
    logs: dict[str, Tensor] = {}
    for phase in model.phases():
        if phase.evaluate:
            step.renew()
            logs.update(evaluate_objective(model, phase, step)[1])
    return model.update_metrics(logs)
