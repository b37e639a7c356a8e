"""Regularizers and training remedies as objects passed to ``GAN.compile``.

``model.compile(regularizers=[FeatureMatching(1.0), PullingAway(0.1)])``: each
object names the phase it joins (``"d"`` or ``"g"``), the terms and display
values it adds, what it needs from the model (checked in ``build``, before the
first step), and its own ``get_config``. Any model whose discriminator exposes
features (``GAN.discriminate_features``) can use the feature-based ones.

    GradientPenalty(weight=10)      WGAN-GP, Gulrajani et al. 2017 (arXiv 1704.00028)
    FeatureMatching(weight)         Salimans et al. 2016 (arXiv 1606.03498), section 3.1
    PullingAway(weight, on=...)     EBGAN, Zhao et al. 2016 (arXiv 1609.03126)
    BEGANBalance(gamma, lambda_k)   BEGAN, Berthelot et al. 2017 (arXiv 1703.10717)

A regularizer is called inside the phase's tape as
``regularizer(model, step, outputs) -> {name: Term or display value}``, where
``outputs`` is what the phase's objective returned (plus, in ``step.shared``,
what the objective stored, e.g. ``"fake_out"`` and ``"fake_features"``).
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from ganzoo import losses as losses_lib
from ganzoo.distribute import global_batch_random
from ganzoo.errors import GanzooError
from ganzoo.training.phases import Term


class Regularizer:
    """Base class: a set of extra terms in one phase.

    Attributes:
        phase: the phase it joins, ``"d"`` or ``"g"``.
        terms: names of the loss terms it adds. logs: its display-only values.
        needs_fake_features: True when it reads D's features of G(z), so that
            the generator objective computes them in the same D forward pass.
    """

    phase = "g"
    terms: tuple[str, ...] = ()
    logs: tuple[str, ...] = ()
    needs_fake_features = False
    feature_layer: str | None = None

    def build(self, model: Any) -> None:
        """Checks that ``model`` offers what this needs; creates state. Called by ``compile``."""

    def __call__(self, model: Any, step: Any, outputs: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def after_update(self, model: Any, logs: dict[str, tf.Tensor]) -> None:
        """Runs after each update of its phase (BEGAN's k_t step)."""

    def discriminator_inputs(self, model: Any, x: tf.Tensor) -> tf.Tensor:
        """What D sees of ``x`` in training (``GAN.augment_inputs``); ``x`` itself unless it augments."""
        return x

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Regularizer":
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _check_weight(owner: str, weight: float) -> float:
    if not float(weight) >= 0.0:
        raise GanzooError(f"ganzoo: {owner}(weight={weight}) must be a weight >= 0.")
    return float(weight)


@keras.saving.register_keras_serializable(package="ganzoo")
class GradientPenalty(Regularizer):
    """WGAN-GP's penalty λ·E[(‖∇_x̂ D(x̂)‖₂ − 1)²], x̂ = εx + (1 − ε)G(z), ε ~ U[0, 1].

    Gulrajani et al. 2017, "Improved Training of Wasserstein GANs", arXiv 1704.00028,
    Algorithm 1 (λ = 10). With a packing discriminator (``model.packing`` = m) whole packs
    are interpolated and the norm is taken per pack. ε is drawn per global-batch row from
    ``model.gp_seed`` when the model has one (kept in checkpoints), else from this
    object's own stream. Logged as ``gradient_penalty`` (the weighted term).
    """

    phase = "d"
    terms = ("gradient_penalty",)

    def __init__(self, weight: float = 10.0, seed: int = 1) -> None:
        self.weight = _check_weight("GradientPenalty", weight)
        self.seed = int(seed)
        self._seed_generator = None

    def build(self, model: Any) -> None:
        if getattr(model, "gp_seed", None) is None and self._seed_generator is None:
            self._seed_generator = keras.random.SeedGenerator(self.seed, name="gp_seed")

    def __call__(self, model, step, outputs):
        real, fake = step.real, step.fakes()
        rank, m = len(real.shape), int(getattr(model, "packing", 1))
        seeds = getattr(model, "gp_seed", None) or self._seed_generator
        epsilon = global_batch_random(
            lambda n, seed: losses_lib.interpolation_weights(n, rank, seed), tf.shape(real)[0] // m, seeds.next()
        )
        penalty = losses_lib.gradient_penalty(
            lambda x: model.discriminate(x, step.condition, training=step.training), real, fake,
            epsilon=tf.repeat(epsilon, m, axis=0), packing=m,
        )
        return {"gradient_penalty": Term(penalty, self.weight)}

    def get_config(self):
        return {"weight": self.weight, "seed": self.seed}


@keras.saving.register_keras_serializable(package="ganzoo")
class FeatureMatching(Regularizer):
    """G also matches D's mean hidden features: weight · ‖E_x f(x) − E_z f(G(z))‖².

    Salimans et al. 2016, section 3.1 (arXiv 1606.03498); f = D's ``layer`` (None: its last
    hidden layer). The paper *replaces* G's loss with it; here it is added, so it composes
    with any loss. Needs ``model.discriminate_features``.
    """

    phase = "g"
    terms = ("feature_matching",)
    needs_fake_features = True

    def __init__(self, weight: float = 1.0, layer: str | None = None) -> None:
        self.weight = _check_weight("FeatureMatching", weight)
        self.feature_layer = layer

    def build(self, model: Any) -> None:
        model.check_feature_layer(self.feature_layer, type(self).__name__)

    def __call__(self, model, step, outputs):
        fake_features = step.shared.get(("fake_features", self.feature_layer))
        if fake_features is None:
            _, fake_features = model.discriminate_features(step.fakes(), step.condition, step.training,
                                                           self.feature_layer)
        _, real_features = model.discriminate_features(step.real, step.condition, step.training, self.feature_layer)
        return {"feature_matching": Term(losses_lib.feature_matching_loss(real_features, fake_features), self.weight)}

    def get_config(self):
        return {"weight": self.weight, "layer": self.feature_layer}


@keras.saving.register_keras_serializable(package="ganzoo")
class PullingAway(Regularizer):
    """EBGAN's pulling-away term on a batch of G's samples' features, times ``weight``.

    Zhao et al. 2016, arXiv 1609.03126: f_PT(S) = 1/(N(N−1)) Σ_i Σ_{j≠i} cos²(S_i, S_j).
    ``on="discriminator"``: S = D's ``layer`` features of G(z) (as EBGAN's encoder);
    ``on="generator"``: S = G's last hidden layer on the same z.
    """

    phase = "g"
    terms = ("pulling_away",)

    def __init__(self, weight: float = 0.1, on: str = "discriminator", layer: str | None = None) -> None:
        if on not in ("discriminator", "generator"):
            raise GanzooError(f"ganzoo: PullingAway(on='{on}') must be 'discriminator' or 'generator'.")
        self.weight = _check_weight("PullingAway", weight)
        self.on = on
        self.feature_layer = layer
        self.needs_fake_features = on == "discriminator"

    def build(self, model: Any) -> None:
        if self.on == "discriminator":
            model.check_feature_layer(self.feature_layer, type(self).__name__)
        else:
            model.generator_features(None)  # fails with a clear line when G has none

    def __call__(self, model, step, outputs):
        if self.on == "generator":
            features = model.generator_features(step.noise())
        else:
            features = step.shared.get(("fake_features", self.feature_layer))
            if features is None:
                _, features = model.discriminate_features(step.fakes(), step.condition, step.training,
                                                          self.feature_layer)
        return {"pulling_away": Term(losses_lib.pulling_away_term(features), self.weight)}

    def get_config(self):
        return {"weight": self.weight, "on": self.on, "layer": self.feature_layer}


@keras.saving.register_keras_serializable(package="ganzoo")
class BEGANBalance(Regularizer):
    """BEGAN's equilibrium: D minimises L(x) − k_t L(G(z)), k_t ← clip(k_t + λ_k(γL(x) − L(G(z))), 0, 1).

    Berthelot et al. 2017, arXiv 1703.10717 (λ_k = 0.001, γ in (0, 1]). Needs ``loss="began"``
    (D outputs energies). The ``began`` loss gives D the term L(x) − L(G(z)); this adds
    (1 − k_t)·L(G(z)), so D's total is the paper's. Logs ``k_t`` and the convergence
    measure M = L(x) + |γL(x) − L(G(z))|. k_t is the model's variable ``k_t`` (in checkpoints).
    """

    phase = "d"
    terms = ("balance",)
    logs = ("k_t", "convergence")

    def __init__(self, gamma: float = 0.5, lambda_k: float = 0.001) -> None:
        if not 0.0 < float(gamma) <= 1.0:
            raise GanzooError(f"ganzoo: BEGANBalance(gamma={gamma}) must be in (0, 1]; BEGAN uses 0.3-0.7.")
        if not float(lambda_k) >= 0.0:
            raise GanzooError(f"ganzoo: BEGANBalance(lambda_k={lambda_k}) must be >= 0.")
        self.gamma, self.lambda_k = float(gamma), float(lambda_k)

    def build(self, model: Any) -> None:
        if model.loss_fn.name != "began":
            raise GanzooError(
                "ganzoo: BEGANBalance (balance_gamma) needs loss='began' (a discriminator whose outputs are "
                "energies, e.g. ganzoo.remedies.build_autoencoder_discriminator), got loss "
                f"'{model.loss_fn.name}'."
            )
        if not hasattr(model, "k_t"):
            # Averaged across replicas: each applies k + λ_k(...) from its own batch.
            model.k_t = keras.Variable(0.0, trainable=False, name="k_t", aggregation="mean")

    def __call__(self, model, step, outputs):
        fake_energy = losses_lib.began_generator_loss(step.shared["fake_out"])
        return {
            "balance": Term((1.0 - tf.cast(model.k_t.value, tf.float32)) * fake_energy),
            "k_t": tf.identity(model.k_t.value),
            "convergence": losses_lib.began_convergence(outputs["d_real"], outputs["d_fake"], self.gamma),
        }

    def after_update(self, model, logs):
        model.k_t.assign(losses_lib.began_k_update(model.k_t, logs["d_real"], logs["d_fake"], self.gamma,
                                                   self.lambda_k))

    def get_config(self):
        return {"gamma": self.gamma, "lambda_k": self.lambda_k}


# compile()'s keyword shorthands (and the keys of configs' ``train`` group) -> objects.
SHORTHANDS = ("feature_matching", "pulling_away", "pulling_away_on", "feature_layer", "balance_gamma",
              "balance_lambda_k")


def from_shorthands(options: dict[str, Any]) -> list[Regularizer]:
    """Regularizers for ``compile(feature_matching=w, pulling_away=w, balance_gamma=γ, ...)``.

    Pops the shorthand keys from ``options``; a weight of 0 (or γ None) means off.
    """
    values = {key: options.pop(key) for key in SHORTHANDS if key in options}
    layer = values.get("feature_layer") or None
    result: list[Regularizer] = []
    if float(values.get("feature_matching") or 0.0):
        result.append(FeatureMatching(values["feature_matching"], layer=layer))
    if float(values.get("pulling_away") or 0.0):
        result.append(PullingAway(values["pulling_away"], on=values.get("pulling_away_on") or "discriminator",
                                  layer=layer))
    elif values.get("pulling_away_on") not in (None, "discriminator", "generator"):
        PullingAway(0.0, on=values["pulling_away_on"])  # the same clear error
    if values.get("balance_gamma") is not None:
        result.append(BEGANBalance(values["balance_gamma"], values.get("balance_lambda_k", 0.001)))
    for name in ("feature_matching", "pulling_away"):
        if name in values and not float(values[name] or 0.0) >= 0.0:
            raise GanzooError(f"ganzoo: compile({name}={values[name]}) must be a weight >= 0 (0 turns it off).")
    return result


def from_spec(spec: Any) -> list[Regularizer]:
    """Regularizers from a config's ``train.regularizers``: ``{"FeatureMatching": {"weight": 1.0}, ...}``.

    Keys are class names registered with Keras under the ``ganzoo`` package (every class in this
    module, and any user class registered the same way); values are constructor arguments.
    """
    result = []
    for name, options in dict(spec or {}).items():
        cls = keras.saving.get_registered_object(f"ganzoo>{name}")
        if not (isinstance(cls, type) and issubclass(cls, Regularizer)):
            known = ", ".join(sorted(c.__name__ for c in (GradientPenalty, FeatureMatching, PullingAway, BEGANBalance)))
            raise GanzooError(
                f"ganzoo: train.regularizers names '{name}', which is not a registered regularizer; "
                f"use one of {known} (or register your own with keras.saving.register_keras_serializable("
                "package='ganzoo'))."
            )
        try:
            result.append(cls(**dict(options or {})))
        except TypeError as error:
            raise GanzooError(f"ganzoo: train.regularizers.{name} has options {dict(options or {})} that "
                              f"{name} does not take ({error}).") from None
    return result


def get(identifier: Any) -> Regularizer:
    """A regularizer from an instance or its serialized config."""
    if isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, dict):
        value = keras.saving.deserialize_keras_object(identifier)
        if isinstance(value, Regularizer):
            return value
    raise GanzooError(
        f"ganzoo: cannot use {identifier!r} as a regularizer; pass objects such as "
        "ganzoo.training.FeatureMatching(1.0) or ganzoo.training.GradientPenalty(10.0)."
    )
