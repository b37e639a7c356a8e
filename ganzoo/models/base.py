"""GAN: the one contract every model in the zoo keeps.

A ``GAN`` owns a ``generator`` and a ``discriminator`` (Keras models) and
trains them with Keras' own ``fit``. It declares **what** it trains: its
**phases** (``phases()``: which networks an update trains, with which
optimizer, how often) and, for each, an **objective** method that returns
named per-example loss terms (``ganzoo.training.Term``) and display values.
The generic step (``ganzoo.training.train_step``) decides **how**: global-batch
averaging, loss scaling, gradients, one ``Mean`` metric per name. The base's
phases are Goodfellow et al. 2014, Algorithm 1: ``d_steps`` (k) discriminator
updates, then one generator update.

A subclass changes behaviour through public hooks, never by writing
``train_step``:

    phases()                         the updates of one step (add, replace or extend them)
    discriminator_objective(step)    D's terms: ``d_adv`` + display values ``d_real``, ``d_fake``
    generator_objective(step)        G's terms: ``g_adv``

Each phase's weighted total is logged as ``<phase>_loss`` (``d_loss``, ``g_loss``); its
terms are logged by name too when it has more than one (with a regularizer, say).
    sample_noise(batch_size)         z ~ N(0, I), per-replica distinct
    unpack(data)                     (real, condition) from a dataset element
    generate_fakes(z, condition, ...)    G(z) (or G(z, condition))
    discriminate(x, condition, ...)  D's outputs for x

Remedies are objects passed to ``compile(regularizers=[...])``
(``ganzoo.training``: ``GradientPenalty``, ``FeatureMatching``, ``PullingAway``,
``BEGANBalance``); ``label_smoothing`` is a loss option. The architectural
remedies are layers (``ganzoo.layers``) applied by ``ganzoo.remedies``.

Shapes: ``z`` is ``[batch, latent_dim]``; images are NHWC float32 in [-1, 1];
2-D point data is ``[batch, 2]``.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import keras
import numpy as np
import tensorflow as tf

from ganzoo import distribute
from ganzoo import losses as losses_lib
from ganzoo import training
from ganzoo.distribute import global_batch_random
from ganzoo.errors import GanzooError
from ganzoo.training import Phase, Term
from ganzoo.training import regularizers as regularizers_lib
from ganzoo.utils import networks

Tensor = tf.Tensor

# compile() arguments that keras.Model.compile takes but a GAN does not.
_KERAS_ONLY = ("optimizer", "loss_weights", "metrics", "weighted_metrics")


@keras.saving.register_keras_serializable(package="ganzoo")
class GAN(keras.Model):
    """A generative adversarial network trained with ``fit``.

    Reference: Goodfellow et al. 2014, "Generative Adversarial Nets",
    arXiv 1406.2661.

    Args:
        generator: Keras model ``[batch, latent_dim] -> [batch, *data_shape]``.
        discriminator: Keras model ``[batch, *data_shape] -> [batch, 1]`` (or a
            patch map); raw outputs (logits or critic values).
        latent_dim: size of the noise vector; read from ``generator`` when None.
        seed: seed of the noise stream used in training.

    Example:
        >>> gan = ganzoo.models.DCGAN(image_shape=(32, 32, 1), latent_dim=100)
        >>> gan.compile()                       # the paper's optimizers
        >>> gan.fit(ganzoo.data.load("digits"), epochs=1)
        >>> images = gan.generate(16, seed=0)   # [16, 32, 32, 1] in [-1, 1]
    """

    def __init__(
        self,
        generator: keras.Model | None = None,
        discriminator: keras.Model | None = None,
        latent_dim: int | None = None,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if generator is None or discriminator is None:
            raise GanzooError(
                f"ganzoo: {type(self).__name__} needs both a generator and a discriminator "
                "(Keras models); build them first or use a model such as ganzoo.models.DCGAN."
            )
        for role, network in (("generator", generator), ("discriminator", discriminator)):
            if not isinstance(network, keras.layers.Layer):
                raise GanzooError(f"ganzoo: the {role} is a {type(network).__name__}; pass a Keras model.")
        if latent_dim is None:
            if not getattr(generator, "inputs", None):
                raise GanzooError(
                    f"ganzoo: {type(self).__name__} cannot read latent_dim from the generator "
                    f"'{generator.name}' (it has no keras.Input: subclassed or unbuilt); pass latent_dim=."
                )
            latent_dim = int(generator.inputs[0].shape[-1])
        if not (generator.built and discriminator.built):
            # compile() builds the optimizers on the networks' variables: create them now.
            fakes = generator(tf.zeros([1, int(latent_dim)]))
            if not discriminator.built:
                discriminator(fakes)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.seed = int(seed)
        self.noise_seed = keras.random.SeedGenerator(self.seed, name="noise_seed")
        # The sub-networks are built, so the GAN is: fit() must not try to
        # build it by calling it on a data batch.
        self.built = True
        self.loss_fn: losses_lib.GANLoss | None = None
        self.d_steps = 1
        self.reuse_fakes = False
        # Untracked, so that model.save() writes the same variables with or without them.
        object.__setattr__(self, "regularizers", [])
        object.__setattr__(self, "_feature_models", networks.NetworkCache())
        object.__setattr__(self, "_phase_step", 0)
        object.__setattr__(self, "_phase_key", None)
        object.__setattr__(self, "_train_functions", {})
        self._trackers: dict[str, keras.metrics.Mean] = {}

    # ------------------------------------------------------------------ compile

    def default_optimizers(self) -> tuple[keras.optimizers.Optimizer, keras.optimizers.Optimizer]:
        """The paper's (generator, discriminator) optimizers; DCGAN's Adam here."""
        return (
            keras.optimizers.Adam(2e-4, beta_1=0.5, name="g_adam"),
            keras.optimizers.Adam(2e-4, beta_1=0.5, name="d_adam"),
        )

    def compile(
        self,
        g_optimizer: Any = None,
        d_optimizer: Any = None,
        loss: str | losses_lib.GANLoss | Callable = "non_saturating",
        d_steps: int = 1,
        label_smoothing: float = 0.0,
        regularizers: Sequence[Any] = (),
        reuse_fakes: bool = False,
        augment: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Configures training.

        Args:
            g_optimizer: the generator's optimizer (instance, name or config);
                None gives the model's paper default (``default_optimizers``).
            d_optimizer: the discriminator's optimizer, likewise.
            loss: a name from ``ganzoo.losses`` (``"non_saturating"``,
                ``"minimax"``, ``"wasserstein"``, ``"hinge"``,
                ``"least_squares"``, ``"began"``), a ``GANLoss`` or a callable
                ``fn(real_outputs, fake_outputs) -> (d_loss, g_loss)``.
            d_steps: discriminator updates per generator update (k).
            label_smoothing: one-sided label smoothing of the real target
                (Salimans et al. 2016: 0.1 makes it 0.9).
            regularizers: ``ganzoo.training`` objects (``FeatureMatching(1.0)``,
                ``PullingAway(0.1)``, ``GradientPenalty(10.0)``,
                ``BEGANBalance(gamma=0.5)``) or their serialized configs.
                Shorthands: ``feature_matching=w``, ``pulling_away=w``
                (``pulling_away_on``, ``feature_layer``), ``balance_gamma=γ``
                (``balance_lambda_k``) add the same objects.
            reuse_fakes: share one G(z) between the last D update and the G
                update (one generator forward pass fewer per step, 10-15% faster
                for DCGAN here). The G loss then sees the same z as that D
                update instead of fresh noise; off keeps Algorithm 1's math.
            augment: differentiable augmentation of every image D judges in
                training: ``"diffaugment"`` (Zhao et al. 2020) or ``"ada"``
                (Karras et al. 2020), optionally with ops,
                ``"diffaugment:color,translation,cutout"``; adds the
                ``ganzoo.training`` object (``DiffAugment``, ``AdaptiveAugment``).
            **kwargs: passed to ``keras.Model.compile`` (``jit_compile``,
                ``steps_per_execution``, ``run_eagerly``).
        """
        if int(d_steps) < 1:
            raise GanzooError(f"ganzoo: d_steps={d_steps} must be a whole number >= 1.")
        regularizers = [regularizers_lib.get(r) for r in regularizers]
        regularizers += regularizers_lib.from_shorthands(kwargs)
        regularizers += training.augment.from_option(augment)
        for key in _KERAS_ONLY:
            if kwargs.get(key) is not None:
                raise GanzooError(
                    f"ganzoo: compile() got '{key}'; a GAN takes g_optimizer, d_optimizer and "
                    "loss instead, and tracks its own metrics."
                )
            kwargs.pop(key, None)
        super().compile(optimizer=None, **{**kwargs, "jit_compile": distribute.resolve_jit_compile(
            kwargs.get("jit_compile", "auto"), self.distribute_strategy)})
        optimizer_config = self.set_optimizers(g_optimizer, d_optimizer)
        self.loss_fn = losses_lib.get(loss, label_smoothing=label_smoothing)
        self.d_steps = int(d_steps)
        self.reuse_fakes = bool(reuse_fakes)
        object.__setattr__(self, "regularizers", list(self.default_regularizers()) + regularizers)
        self._check_regularizers()
        for regularizer in self.regularizers:
            regularizer.build(self)
        self._gan_compile_config = {
            **optimizer_config,
            "loss": loss,
            "d_steps": self.d_steps,
            "label_smoothing": float(label_smoothing),
            "reuse_fakes": self.reuse_fakes,
            "regularizers": [keras.saving.serialize_keras_object(r) for r in regularizers],
            **{k: v for k, v in kwargs.items() if k in ("steps_per_execution", "jit_compile")},
        }
        self.build_optimizers()
        self._trackers = {name: keras.metrics.Mean(name=name) for name in self.metric_names()}
        object.__setattr__(self, "_train_functions", {})
        object.__setattr__(self, "_phase_key", None)

    def set_optimizers(self, g_optimizer: Any, d_optimizer: Any) -> dict[str, Any]:
        """Sets ``g_optimizer``/``d_optimizer`` from compile's arguments; returns their compile config.

        Wrapped for the dtype policy (``networks.for_policy``). Models with other optimizers
        (LAPGAN: one pair per pyramid level) override it.
        """
        default_g, default_d = (None, None)
        if g_optimizer is None or d_optimizer is None:
            default_g, default_d = self.default_optimizers()
        policy = self.dtype_policy.name
        self.g_optimizer = networks.for_policy(networks.make_optimizer(g_optimizer, lambda: default_g), policy)
        self.d_optimizer = networks.for_policy(networks.make_optimizer(d_optimizer, lambda: default_d), policy)
        if self.g_optimizer is self.d_optimizer:
            raise GanzooError(
                "ganzoo: g_optimizer and d_optimizer are the same object; each network "
                "needs its own optimizer (its own moments and step count)."
            )
        return {
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
        }

    def default_regularizers(self) -> list[regularizers_lib.Regularizer]:
        """Regularizers the model itself needs (WGAN-GP's penalty); none here."""
        return []

    def _check_regularizers(self) -> None:
        names = {phase.name for phase in self.phases()}
        seen: set[str] = set()
        for regularizer in self.regularizers:
            if not any(regularizer in self.regularizers_for(name) for name in names):
                raise GanzooError(
                    f"ganzoo: {type(self).__name__} has no '{regularizer.phase}' phase for {regularizer!r}; "
                    f"its phases are {', '.join(sorted(names))}."
                )
            clash = seen & set(regularizer.terms)
            if clash:
                raise GanzooError(f"ganzoo: two regularizers add the term {', '.join(sorted(clash))}; keep one.")
            seen |= set(regularizer.terms)

    def build_optimizers(self) -> None:
        """Builds every phase's optimizer on the variables it updates.

        Runs in ``compile``, inside the caller's strategy scope: slots created lazily inside a
        replicated step fail under MirroredStrategy.
        """
        by_optimizer: dict[int, tuple[Any, list]] = {}
        for phase in self.phases():
            optimizer = training.resolve(self, phase.optimizer)
            _, variables = by_optimizer.setdefault(id(optimizer), (optimizer, []))
            known = {id(v) for v in variables}
            variables += [v for v in training.step.phase_variables(self, phase) if id(v) not in known]
        for optimizer, variables in by_optimizer.values():
            if not optimizer.built:
                optimizer.build(variables)

    def get_compile_config(self) -> dict[str, Any]:
        config = dict(getattr(self, "_gan_compile_config", {}))
        if config:
            # Refuses, at save time, a loss that load_model could not restore.
            config["loss"] = losses_lib.serialize(config["loss"])
        return config

    def compile_from_config(self, config: dict[str, Any]) -> None:
        config = dict(config)
        config["loss"] = losses_lib.deserialize(config.get("loss"))
        for key in ("g_optimizer", "d_optimizer"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        self.compile(**config)

    # ------------------------------------------------------------------ phases

    def phases(self) -> list[Phase]:
        """The updates of one training step: ``d_steps`` D updates, then one G update.

        Goodfellow et al. 2014, Algorithm 1 (k = ``d_steps``). Subclasses extend the list
        (``phase.with_logs(...)``) or replace it.
        """
        return [
            Phase("d", ("discriminator",), "d_optimizer", "discriminator_objective",
                  terms=("d_adv",), logs=("d_real", "d_fake"), repeats=self.d_steps,
                  shares_fakes=self.reuse_fakes),
            Phase("g", ("generator",), "g_optimizer", "generator_objective", terms=("g_adv",)),
        ]

    def regularizers_for(self, phase: str) -> list[regularizers_lib.Regularizer]:
        """The compiled regularizers that join ``phase``."""
        return [r for r in self.regularizers if r.phase == phase]

    def phase_step(self, step: training.Step, phase: Phase) -> training.Step:
        """The step that ``phase``'s objective and regularizers see (``step`` itself here).

        A model made of sub-problems returns ``step.view(...)`` with the sub-problem's real
        batch, condition and noise (LAPGAN: one pyramid level per phase pair), so that the
        regularizers act on that level's D and G.
        """
        return step

    def step_count(self) -> int:
        """Training steps taken: the generator optimizer's update count (G updates once a step).

        Phase schedules (``first_steps``, ``after_steps``, ``every``) count in it; it is in
        checkpoints, so a resumed run continues where it was.
        """
        return int(tf.convert_to_tensor(self.g_optimizer.iterations.value).numpy())

    def active_phases(self) -> list[Phase]:
        """The phases that run at the current step (fixed when the step is traced)."""
        return [phase for phase in self.phases() if phase.active(self._phase_step)]

    def phase_key(self) -> tuple[str, ...]:
        """The names of the phases that run at the current step count.

        Also fixes the step that the next trace of the train step uses. Loops other than
        ``fit`` (``ganzoo.distribute.custom_fit``) keep one traced step per key.
        """
        if not any(phase.scheduled for phase in self.phases()):
            return tuple(phase.name for phase in self.phases())
        step = self.step_count()
        object.__setattr__(self, "_phase_step", step)
        return tuple(phase.name for phase in self.phases() if phase.active(step))

    def sync_phases(self) -> bool:
        """Points ``train_function`` at the step traced for this step's phases; True if it changed."""
        if not any(phase.scheduled for phase in self.phases()):
            return False
        key = self.phase_key()
        if key == self._phase_key:
            return False
        if self._phase_key is not None and self.train_function is not None:
            self._train_functions[self._phase_key] = self.train_function
        object.__setattr__(self, "_phase_key", key)
        self.train_function = self._train_functions.get(key)
        return True

    def discriminator_objective(self, step: training.Step) -> dict[str, Any]:
        """D's adversarial loss on a real batch and G(z): ``d_adv``; shows mean D outputs (σ for logits)."""
        fake = step.fakes()
        real_out = self.discriminate(step.real, step.condition, training=step.training)
        fake_out = self.discriminate(fake, step.condition, training=step.training)
        step.shared["real_out"], step.shared["fake_out"] = real_out, fake_out
        return {
            "d_adv": Term(self.loss_fn.discriminator(real_out, fake_out)),
            "d_real": self._mean_output(real_out),
            "d_fake": self._mean_output(fake_out),
        }

    def generator_objective(self, step: training.Step) -> dict[str, Any]:
        """G's adversarial loss on D(G(z)): ``g_adv`` (relativistic losses also see D's real outputs)."""
        fake = step.fakes()
        layers = {r.feature_layer for r in self.regularizers_for("g") if r.needs_fake_features}
        if len(layers) == 1:
            # One D forward gives both the outputs and the regularizers' features.
            layer = layers.pop()
            fake_out, features = self.discriminate_features(fake, step.condition, step.training, layer)
            step.shared[("fake_features", layer)] = features
        else:
            fake_out = self.discriminate(fake, step.condition, training=step.training)
        real_out = step.shared.get("real_out")
        if real_out is None:
            real_out = self.discriminate(step.real, step.condition, training=step.training)
        return {"g_adv": Term(self.loss_fn.generator(fake_out, tf.stop_gradient(real_out)))}

    def _mean_output(self, outputs: Tensor) -> Tensor:
        if self.loss_fn.outputs_are_logits:
            outputs = tf.sigmoid(outputs)
        return tf.reduce_mean(outputs)

    # ---------------------------------------------------------------- features

    def check_feature_layer(self, layer: str | None, user: str) -> None:
        """Fails with one line when D has no usable feature layer for ``user``."""
        if not hasattr(self.discriminator, "outputs") or len(self.discriminator.inputs) != 1:
            raise GanzooError(
                f"ganzoo: {user} reads the discriminator's hidden features, which "
                f"{type(self).__name__} does not expose (override discriminate_features)."
            )
        networks.feature_layer(self.discriminator, layer)

    def discriminate_features(self, x: Tensor, condition: Any, training: bool, layer: str | None = None):
        """(D's outputs, D's ``layer`` features) for ``x``, from one forward pass.

        ``layer`` None picks D's last hidden layer. Models whose D takes a condition override it.
        """
        def build() -> keras.Model:
            hidden = networks.feature_layer(self.discriminator, layer)
            return keras.Model(networks.single_input(self.discriminator.inputs),
                               [self.discriminator.outputs[0], hidden.output])

        model = self._feature_models.get(("discriminator", layer), build)
        outputs, features = model(self.augment_inputs(x, training), training=training)
        return tf.cast(outputs, tf.float32), features

    def generator_features(self, z: Tensor | None) -> Tensor | None:
        """G's last hidden layer on ``z`` (``None`` only checks that G has one)."""
        def build() -> keras.Model:
            hidden = networks.feature_layer(self.generator, None)
            return keras.Model(networks.single_input(self.generator.inputs), hidden.output)

        model = self._feature_models.get(("generator", None), build)
        return None if z is None else model(z, training=True)

    # ---------------------------------------------------------------- metrics

    def metric_names(self) -> list[str]:
        """Names of the ``keras.metrics.Mean`` trackers, in display order (from the phases).

        Each phase shows ``<name>_loss``, its terms when it has more than one (its own and
        its regularizers'), then its display values.
        """
        names: list[str] = []
        for phase in self.phases():
            regularizers = self.regularizers_for(phase.name)
            extra_terms = tuple(t for r in regularizers for t in r.terms)
            if extra_terms:
                phase = phase.with_terms(*extra_terms)
            phase = phase.with_logs(*(n for r in regularizers for n in r.logs))
            names += [n for n in phase.metric_names() if n not in names]
        return names

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        return list(self._trackers.values())

    def update_metrics(self, values: dict[str, Tensor]) -> dict[str, Tensor]:
        """Feeds the tracked names among ``values`` to their ``Mean``; returns every result."""
        for name, value in values.items():
            tracker = self._trackers.get(name)
            if tracker is not None:
                tracker.update_state(value)
        return {name: tracker.result() for name, tracker in self._trackers.items()}

    def _check_compiled(self) -> None:
        if self.loss_fn is None:
            raise GanzooError(
                f"ganzoo: {type(self).__name__} is not compiled; call model.compile() "
                "(no arguments gives the paper's optimizers) before fit() or evaluate()."
            )

    # ------------------------------------------------------------------ hooks

    def sample_noise(self, batch_size: Tensor | int) -> Tensor:
        """z ~ N(0, I), ``[batch_size, latent_dim]``.

        Each replica takes its rows of one global draw (``global_batch_random``),
        so 1 and N replicas see the same noise for the same global batch.
        """
        latent_dim = self.latent_dim
        return global_batch_random(
            lambda n, seed: tf.random.stateless_normal([n, latent_dim], seed=seed),
            batch_size,
            self.noise_seed.next(),
        )

    def unpack(self, data: Any) -> tuple[Tensor, Any]:
        """Splits a dataset element into (real samples, condition or None)."""
        if isinstance(data, (tuple, list)):
            return data[0], None
        return data, None

    def generate_fakes(self, z: Tensor, condition: Any = None, training: bool = False) -> Tensor:
        """G(z): ``[batch, latent_dim] -> [batch, *data_shape]``, float32."""
        return tf.cast(self.generator(z, training=training), tf.float32)

    def discriminate(self, x: Tensor, condition: Any = None, training: bool = False) -> Tensor:
        """D's raw outputs on ``x``, float32 (``x`` augmented in training: ``augment_inputs``)."""
        return tf.cast(self.discriminator(self.augment_inputs(x, training), training=training), tf.float32)

    def augment_inputs(self, x: Tensor, training: bool) -> Tensor:
        """``x`` as D sees it: through the compiled augmentations (DiffAugment, ADA) in training.

        Every D input — real, G(z), a penalty's interpolates — passes here, so G's gradient
        flows through the (differentiable) augmentation. Models that call their discriminator
        elsewhere route those inputs through this too and override ``check_augmentable``.
        """
        if training:
            for regularizer in self.regularizers:
                x = regularizer.discriminator_inputs(self, x)
        return x

    def check_augmentable(self, user: str) -> None:
        """Fails in one line unless D's inputs are images that all pass ``augment_inputs``.

        True of a model that keeps the base's ``discriminate`` and ``discriminate_features``
        and whose objectives are the base's or extend them through ``super()`` (DCGAN, WGAN);
        a model that routes its own D calls through ``augment_inputs`` overrides this.
        """
        if len(self.data_shape) != 3:
            raise GanzooError(f"ganzoo: {user} augments images; {type(self).__name__} makes samples of "
                              f"shape {self.data_shape}.")
        cls = type(self)
        own = [name for name in ("discriminate", "discriminate_features") if getattr(cls, name) is not getattr(GAN, name)]
        own += [name for name in ("discriminator_objective", "generator_objective")
                if getattr(cls, name) is not getattr(GAN, name) and "super" not in getattr(cls, name).__code__.co_names]
        objectives = {phase.objective for phase in self.phases()} - {"discriminator_objective", "generator_objective"}
        own += sorted(objectives)
        if own:
            raise GanzooError(
                f"ganzoo: {user} needs every discriminator input to pass GAN.augment_inputs, and "
                f"{type(self).__name__} has its own {', '.join(own)}; augmentation is not available for it."
            )

    # ------------------------------------------------------------------- steps

    def train_step(self, data: Any) -> dict[str, Tensor]:
        """The generic step (``ganzoo.training.train_step``): every active phase, in order."""
        return training.train_step(self, data)

    def test_step(self, data: Any) -> dict[str, Tensor]:
        """Every evaluated phase's terms, without updates, in inference mode.

        Also ``loss``: the total of the phases that update a generator (``g_loss`` here), so that
        Keras callbacks' default monitors (``val_loss``) have a value. For a GAN it shows
        divergence rather than quality: lower is not always better.
        """
        results = training.test_step(self, data)
        totals = [results[f"{phase.name}_loss"] for phase in self.phases()
                  if phase.evaluate and f"{phase.name}_loss" in results
                  and any("generator" in network for network in phase.networks)]
        if totals:
            results["loss"] = tf.add_n(totals)
        return results

    # ---------------------------------------------------------------- fit

    def fit(self, *args: Any, callbacks: Any = None, **kwargs: Any):
        self._check_compiled()
        # A tf.data pipeline shuffles itself; Keras would warn that shuffle=True is ignored.
        kwargs.setdefault("shuffle", False)
        callbacks = list(callbacks or [])
        for callback in callbacks:
            if isinstance(callback, (keras.callbacks.LearningRateScheduler, keras.callbacks.ReduceLROnPlateau)):
                name = type(callback).__name__
                raise GanzooError(
                    f"ganzoo: keras.callbacks.{name} changes model.optimizer, which a GAN does not have "
                    f"(it has one per phase); use ganzoo.callbacks.GAN{name}, which adjusts both (or either)."
                )
        if any(phase.scheduled for phase in self.phases()):
            self.sync_phases()
            callbacks.append(PhaseSchedule())
        with distribute.device_datasets_untuned():  # no autotuning wait when fit deletes its iterator
            history = super().fit(*args, callbacks=callbacks, **kwargs)
        self.finalize_ema()
        return history

    def ema_targets(self) -> list[tuple[Any, list]]:
        """(optimizer, the variables it updates) for every generator optimizer (``finalize_ema``)."""
        return [(self.g_optimizer, self.generator.trainable_variables)]

    def finalize_ema(self) -> None:
        """Copies G's moving average of weights into G (when G's optimizer has ``use_ema=True``).

        Averaging the generator's weights over the last steps (Yazıcı et al. 2019, "The Unusual
        Effectiveness of Averaging in GAN Training", arXiv 1806.04498; Karras et al. 2018 sample
        from such an average) smooths the oscillation of GAN training: switch it on with
        ``g_optimizer=dict(name="adam", ..., use_ema=True, ema_momentum=0.999)``. Keras keeps the
        average inside the optimizer (so checkpoints carry it); ``fit`` calls this at its end, as
        Keras's own ``fit`` does for a single optimizer, so sampling and export use the average.
        A further ``fit`` continues from the averaged weights. Does nothing without ``use_ema``.
        """
        for optimizer, variables in self.ema_targets():
            if optimizer is not None and getattr(optimizer, "use_ema", False) and optimizer.built:
                optimizer.finalize_variable_values(variables)

    def make_train_function(self, force: bool = False):
        # Keras 3.15's multi-step loop fails under MirroredStrategy (see
        # ganzoo.distribute.needs_own_multi_step); ganzoo runs its own there.
        if not distribute.needs_own_multi_step(self):
            return super().make_train_function(force)
        if self.train_function is None or force:
            self.train_function = distribute.multi_step_train_function(self)
        return self.train_function

    @property
    def jit_compile(self) -> bool:
        return keras.Model.jit_compile.fget(self)

    @jit_compile.setter
    def jit_compile(self, value: Any) -> None:
        # Keras refuses XLA when any tracked layer lacks an XLA kernel; the steps run only jit_layers().
        if value is True and all(layer.supports_jit for layer in self.jit_layers()):
            self._jit_compile = True
        else:
            keras.Model.jit_compile.fset(self, value)

    def jit_layers(self) -> list[keras.layers.Layer]:
        """The layers the train and test steps run, which XLA must compile (every tracked layer here).

        A model whose preprocessing layers run in the input pipeline, not in the step (text to
        image's vectorizer), leaves them out, so ``jit_compile=True`` is not refused for them.
        """
        return list(self._flatten_layers())

    def evaluate(self, *args: Any, **kwargs: Any):
        self._check_compiled()
        with distribute.device_datasets_untuned():
            return super().evaluate(*args, **kwargs)

    # ------------------------------------------------------------- sampling

    def call(self, z: Tensor, training: bool = False) -> Tensor:
        """Runs the generator, so ``predict(z)`` samples: ``z`` is ``[n, latent_dim]`` noise."""
        self.check_noise_shape(getattr(z, "shape", None))
        return self.generator(z, training=training)

    def check_noise_shape(self, shape: Any) -> None:
        """Fails in one line when ``shape`` (of what ``call``/``predict`` got) is not ``[n, latent_dim]``."""
        if shape is not None and (len(shape) != 2 or (shape[-1] is not None and shape[-1] != self.latent_dim)):
            raise GanzooError(
                f"ganzoo: {type(self).__name__} predicts from noise z of shape [n, {self.latent_dim}], got "
                f"{tuple(shape)}; use model.predict(model.noise(n, seed)) or model.generate(n, seed=...)."
            )

    def predict(self, x: Any, *args: Any, **kwargs: Any):
        """``generate`` through Keras: ``x`` is noise ``[n, latent_dim]`` (an array or a dataset of it)."""
        if type(self).call is GAN.call:
            spec = getattr(x, "element_spec", None)
            self.check_noise_shape(getattr(spec, "shape", None) if spec is not None else np.shape(x))
        with distribute.device_datasets_untuned():
            return super().predict(x, *args, **kwargs)

    def noise(self, n: int, seed: int | None = None, truncation: float | None = None) -> np.ndarray:
        """``n`` latent vectors, ``[n, latent_dim]`` float32; fixed by ``seed``.

        ``truncation`` ψ: entries with |z| > ψ are redrawn (``ganzoo.latent.truncate``).
        """
        if seed is None:
            seed_tensor = self.noise_seed.next()
        else:
            seed_tensor = tf.constant([int(seed), 0], tf.int64)
        z = tf.random.stateless_normal([int(n), self.latent_dim], seed=seed_tensor).numpy()
        if truncation is None:
            return z
        from ganzoo import latent

        return latent.truncate(z, truncation, tuple(int(s) for s in np.asarray(seed_tensor)))

    def sampling_noise(self, n: int, seed: int | None = None, z: np.ndarray | None = None,
                       truncation: float | None = None) -> np.ndarray:
        """``z`` checked to be ``[n, latent_dim]`` finite float32 (n >= 1), or (``z`` None) ``noise(n, seed)``.

        ``truncation`` ψ applies to either (``ganzoo.latent.truncate``).
        """
        if z is None:
            if not int(n) >= 1:
                raise GanzooError(f"ganzoo: generate(n={n}) must ask for at least one sample.")
            z = self.noise(n, seed, truncation)
        elif truncation is not None:
            from ganzoo import latent

            z = latent.truncate(z, truncation, (0 if seed is None else int(seed), 0))
        z = np.asarray(z, np.float32)
        if z.ndim != 2 or z.shape[1] != self.latent_dim or not len(z):
            raise GanzooError(
                f"ganzoo: z has shape {z.shape}; {type(self).__name__} expects "
                f"[n, {self.latent_dim}] float32 noise with n >= 1."
            )
        if not np.isfinite(z).all():
            raise GanzooError(f"ganzoo: z has {int((~np.isfinite(z)).sum())} NaN or infinite values; "
                              "noise must be finite (draw it with model.noise(n, seed)).")
        return z

    def generate(
        self, n: int, seed: int | None = None, z: np.ndarray | None = None, batch_size: int = 256,
        truncation: float | None = None,
    ) -> np.ndarray:
        """Samples ``n`` outputs of G.

        Args:
            n: how many samples.
            seed: fixes the noise; the same seed gives the same samples.
            z: explicit noise ``[n, latent_dim]`` (then ``n`` and ``seed`` are ignored).
            batch_size: generator batch size.
            truncation: ψ of the truncation trick (Brock et al. 2019): entries of z with
                |z| > ψ are redrawn, trading variety for typical samples; None: off.

        Returns:
            float32 numpy ``[n, H, W, C]`` in [-1, 1] (``[n, *data_shape]`` for points).
        """
        z = self.sampling_noise(n, seed, z, truncation)
        chunks = [
            np.asarray(self.generator(z[i : i + batch_size], training=False), np.float32)
            for i in range(0, len(z), batch_size)
        ]
        return np.concatenate(chunks, axis=0) if chunks else np.zeros((0,), np.float32)

    def export(self, filepath: str, format: str = "tf_saved_model", verbose: Any = None,
               input_signature: Any = None, **kwargs: Any) -> Any:
        """Exports the sampler: a SavedModel is ``ganzoo.export.save_generator``'s.

        ``format="tf_saved_model"`` (without ``input_signature``) writes the signatures of
        ``serving_endpoints()`` (``serving_default``: ``z`` -> ``images``; ``sample``);
        other formats (``"onnx"``, ``"litert"``) export the generator after one call.
        """
        if format == "tf_saved_model" and input_signature is None:
            from ganzoo import export

            return export.save_generator(self, filepath, overwrite=bool(kwargs.get("overwrite", False)))
        self.generator(tf.zeros([1, self.latent_dim]))  # Keras exports only called models
        return self.generator.export(filepath, format=format, verbose=verbose,
                                     input_signature=input_signature, **kwargs)

    def serving_networks(self) -> list[keras.Model]:
        """The networks a SavedModel of this model carries (G only here)."""
        return [self.generator]

    def serving_endpoints(self) -> dict[str, tuple[Callable, list[tf.TensorSpec]]]:
        """SavedModel signatures by name: ``{name: (function, input_signature)}``.

        ``serving_default``: ``z`` float32 ``[None, latent_dim]`` -> ``images``
        float32 ``[None, H, W, C]`` in [-1, 1] (``samples`` for non-image data).
        ``sample``: int32 scalars ``num`` and ``seed`` -> the same output plus the
        ``z`` drawn in the graph. For images also ``sample_uint8``: the same inputs ->
        ``images_uint8`` uint8 ``[None, H, W, C]`` in [0, 255] (a quarter of the float JSON over
        REST). ``ganzoo.export.save_generator`` writes them.
        """
        generator, latent_dim = self.generator, self.latent_dim
        key = "images" if len(self.data_shape) == 3 else "samples"

        def serve(z):
            z = tf.debugging.assert_all_finite(z, "ganzoo: z has NaN or infinite values; noise must be finite.")
            return {key: tf.cast(generator(z, training=False), tf.float32)}

        def sample(num, seed):
            seed = tf.stack([tf.cast(seed, tf.int64), tf.constant(0, tf.int64)])
            z = tf.random.stateless_normal([num, latent_dim], seed=seed)
            return {key: tf.cast(generator(z, training=False), tf.float32), "z": z}

        def sample_uint8(num, seed):
            images = sample(num, seed)[key]
            return {"images_uint8": tf.cast(tf.round(tf.clip_by_value((images + 1.0) * 127.5, 0.0, 255.0)), tf.uint8)}

        scalars = [tf.TensorSpec([], tf.int32, name="num"), tf.TensorSpec([], tf.int32, name="seed")]
        endpoints = {
            "serving_default": (serve, [tf.TensorSpec([None, latent_dim], tf.float32, name="z")]),
            "sample": (sample, scalars),
        }
        if key == "images":
            endpoints["sample_uint8"] = (sample_uint8, scalars)
        return endpoints

    @property
    def data_shape(self) -> tuple[int, ...]:
        """Shape of one generated sample, e.g. ``(32, 32, 1)``."""
        outputs = getattr(self.generator, "outputs", None)
        if not outputs:  # a subclassed generator: trace it on one z
            outputs = [self.generator(tf.zeros([1, self.latent_dim]), training=False)]
        return tuple(int(d) for d in outputs[0].shape[1:])

    # --------------------------------------------------------- serialization

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "GAN":
        config = dict(config)
        for key in ("generator", "discriminator"):
            if isinstance(config.get(key), dict):
                config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)

    @classmethod
    def from_preset(cls, preset: str) -> "GAN":
        """A trained model that ships with ganzoo, uncompiled: ``DCGAN.from_preset("dcgan_digits")``.

        ``preset`` is a name from ``ganzoo.presets.available()`` (or a preset folder); a preset
        of another model class is refused before any weight is read. ``compile()`` the model
        to fine-tune it.
        """
        from ganzoo import presets

        return presets.load(preset, expect=cls)


class PhaseSchedule(keras.callbacks.Callback):
    """Switches ``fit`` to the step traced for the phases of the coming step.

    Added by ``GAN.fit`` when a phase has a schedule (``first_steps``, ``after_steps``,
    ``every``). Phases are chosen in Python, not with ``tf.cond``: optimizer updates inside
    control flow fail under MirroredStrategy. Checked before every batch (so also after
    ``BackupAndRestore`` restored a run); with ``steps_per_execution`` = k, at every k-th step.
    """

    def on_train_batch_begin(self, batch, logs=None):
        if self.model.sync_phases() and self.model.train_function is None:
            self.model.make_train_function(force=True)
