"""What a GAN trains, declared: phases and the loss terms their objectives return.

A model lists its **phases** (``GAN.phases()``): each names the networks it
updates, the optimizer that updates them, the model method that computes its
objective, and how often it runs. The generic step (``ganzoo.training.step``)
decides how: global-batch averaging, loss scaling, gradients, metrics. This
follows the split of stylegan2-ada-pytorch's ``training/loss.py`` (one entry
point per phase: ``Gmain``, ``Dmain``, ``Dreg``) with a generic loop over them.

An objective returns a dict. A :class:`Term` is a loss: per-example values
``[batch]`` (or a scalar, shared by every example) and a weight; the step adds
``weight × value`` to the phase's loss. Any other value is display-only (a
scalar tensor such as ``d_real``). Every name an objective returns must be
declared in its phase's ``terms`` or ``logs``: the metrics are built from the
declarations before the first step.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import tensorflow as tf

from ganzoo.errors import GanzooError


@dataclasses.dataclass(frozen=True)
class Term:
    """One named loss term: ``weight × value`` is added to its phase's loss.

    Attributes:
        value: per-example values ``[batch]`` (float), or a scalar that every
            example shares (a batch statistic such as feature matching).
        weight: the term's weight in the phase's loss.
    """

    value: Any
    weight: float = 1.0

    def weighted(self) -> tf.Tensor:
        """``weight × value`` as float32."""
        value = tf.cast(self.value, tf.float32)
        return value if self.weight == 1.0 else float(self.weight) * value


@dataclasses.dataclass(frozen=True)
class Phase:
    """One update a training step makes.

    Attributes:
        name: short name; the phase's weighted total is logged as ``<name>_loss``.
        networks: model attributes whose trainable variables this phase updates,
            e.g. ``("discriminator",)``; ``"discriminators.2"`` indexes a list.
        optimizer: model attribute of the optimizer, e.g. ``"d_optimizer"``.
        objective: name of the model method ``objective(step) -> dict`` (a
            :class:`ganzoo.training.Step` in, :class:`Term` s and logs out).
        terms: the :class:`Term` names the objective returns. A phase with one
            term logs only its total.
        logs: display-only names the objective returns.
        repeats: updates per step (k discriminator steps, Goodfellow et al. 2014).
        every: runs on steps ``0, every, 2·every, …`` only (lazy regularization).
        first_steps: runs only while the step count is below it (pre-training).
        after_steps: runs only once the step count has reached it.
        after_update: name of a model method run after each update (WGAN's clipping).
        shares_fakes: the last repeat uses the G(z) that the *next* phase
            differentiates through (computed once, under the next phase's tape).
        evaluate: included in ``evaluate()`` (the test step).
        args: extra positional arguments of the objective, ``objective(step, *args)``
            (LAPGAN's pyramid level: one objective method serves every level).
    """

    name: str
    networks: tuple[str, ...]
    optimizer: str
    objective: str
    terms: tuple[str, ...] = ()
    logs: tuple[str, ...] = ()
    repeats: int = 1
    every: int = 1
    first_steps: int | None = None
    after_steps: int = 0
    after_update: str | None = None
    shares_fakes: bool = False
    evaluate: bool = True
    args: tuple = ()

    def __post_init__(self) -> None:
        if int(self.repeats) < 1 or int(self.every) < 1:
            raise GanzooError(
                f"ganzoo.training: phase '{self.name}' has repeats={self.repeats}, every={self.every}; "
                "both must be whole numbers >= 1."
            )
        if self.first_steps is not None and int(self.first_steps) < 0 or int(self.after_steps) < 0:
            raise GanzooError(
                f"ganzoo.training: phase '{self.name}' has first_steps={self.first_steps}, "
                f"after_steps={self.after_steps}; step counts must be >= 0."
            )

    @property
    def scheduled(self) -> bool:
        """True when whether it runs depends on the step count."""
        return self.every > 1 or self.first_steps is not None or self.after_steps > 0

    def active(self, step: int) -> bool:
        """Whether the phase runs at step ``step`` (counted from 0)."""
        if self.first_steps is not None and step >= self.first_steps:
            return False
        return step >= self.after_steps and step % self.every == 0

    def with_logs(self, *names: str) -> "Phase":
        """A copy that also declares the display-only ``names``."""
        return dataclasses.replace(self, logs=self.logs + tuple(n for n in names if n not in self.logs))

    def with_terms(self, *names: str) -> "Phase":
        """A copy that also declares the loss terms ``names``."""
        return dataclasses.replace(self, terms=self.terms + tuple(n for n in names if n not in self.terms))

    def metric_names(self) -> list[str]:
        """The metrics this phase reports, in display order."""
        names = [f"{self.name}_loss"]
        if len(self.terms) > 1:
            names += [t for t in self.terms if t != names[0]]
        return names + [name for name in self.logs if name not in names]


def resolve(model: Any, path: str) -> Any:
    """``model.a.b`` for ``"a.b"``; a numeric part indexes a list (``"optimizers.1"``)."""
    value = model
    for part in path.split("."):
        value = value[int(part)] if part.isdigit() else getattr(value, part)
    return value
