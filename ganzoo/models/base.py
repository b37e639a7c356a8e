"""GAN: the one contract every model in the zoo keeps.

A ``GAN`` owns a ``generator`` and a ``discriminator`` (Keras models) and
trains them with Keras' own ``fit``: each ``train_step`` makes ``d_steps``
discriminator updates and then one generator update (Goodfellow et al. 2014,
Algorithm 1, with k = ``d_steps``). Losses are averaged over the *global*
batch (``tf.nn.compute_average_loss``), so the same code is right on one
replica or many; the metrics show per-example means.

Subclasses change behaviour through small hooks, never by copying
``train_step``:

    sample_noise(batch_size)             z ~ N(0, I), per-replica distinct
    unpack(data)                         (real, condition) from a dataset element
    generate_fakes(z, condition, ...)    G(z) (or G(z, condition))
    discriminate(x, condition, ...)      D's outputs for x
    discriminator_penalty(real, fake, condition)   extra D terms, e.g. a gradient penalty
    generator_penalty(real, fake, condition)       extra G terms
    discriminator_logs(real_out, fake_out)         display-only values, e.g. w_distance
    after_discriminator_step()           e.g. weight clipping

Training remedies that work on any model are ``compile`` options (Salimans et
al. 2016; Zhao et al. 2016; Berthelot et al. 2017): ``label_smoothing``,
``feature_matching``, ``pulling_away`` and ``balance_gamma``; the
architectural ones are layers (``ganzoo.layers``) applied by ``ganzoo.remedies``.

Shapes: ``z`` is ``[batch, latent_dim]``; images are NHWC float32 in [-1, 1];
2-D point data is ``[batch, 2]``.
"""

from __future__ import annotations

from typing import Any, Callable

import keras
import numpy as np
import tensorflow as tf

from ganzoo import distribute
from ganzoo import losses as losses_lib
from ganzoo.distribute import global_batch_random
from ganzoo.errors import GanzooError

Tensor = tf.Tensor


def _average(per_example: Tensor) -> Tensor:
    """Mean over the global batch: sum on this replica / (batch × replicas)."""
    return tf.nn.compute_average_loss(tf.cast(per_example, tf.float32))


def _optimizer(identifier: Any, default: Callable[[], keras.optimizers.Optimizer]):
    if identifier is None:
        return default()
    try:
        return keras.optimizers.get(identifier)
    except ValueError as error:
        raise GanzooError(
            f"ganzoo: cannot make an optimizer from {identifier!r} ({error}); pass a "
            "keras.optimizers.Optimizer, a name such as 'adam', or its config dict."
        ) from None


def _single(inputs: list) -> Any:
    """A one-input model's input as a tensor, not a list (Keras warns when called otherwise)."""
    return inputs[0] if len(inputs) == 1 else inputs


def _feature_layer(network: keras.Model, name: str | None) -> keras.layers.Layer:
    """The named layer, or the last one whose output is a hidden representation."""
    if name is not None:
        try:
            return network.get_layer(name)
        except ValueError:
            names = [layer.name for layer in network.layers]
            raise GanzooError(
                f"ganzoo: {network.name} has no layer '{name}' for feature_layer; its layers are "
                f"{', '.join(names)}."
            ) from None
    final = int(np.prod(network.outputs[0].shape[1:]))
    for layer in reversed(network.layers[:-1]):
        if isinstance(layer, keras.layers.InputLayer):
            continue
        size = int(np.prod(layer.output.shape[1:]))
        if size not in (1, final):
            return layer
    raise GanzooError(
        f"ganzoo: cannot find a hidden layer in {network.name} for feature matching or the "
        "pulling-away term; pass compile(feature_layer='<layer name>')."
    )


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
        if latent_dim is None:
            latent_dim = int(generator.inputs[0].shape[-1])
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
        self.feature_matching = 0.0
        self.pulling_away = 0.0
        self.pulling_away_on = "discriminator"
        self.feature_layer: str | None = None
        self.balance_gamma: float | None = None
        self.balance_lambda_k = 0.001
        object.__setattr__(self, "_d_feature_model", None)
        object.__setattr__(self, "_g_feature_model", None)
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
        feature_matching: float = 0.0,
        pulling_away: float = 0.0,
        pulling_away_on: str = "discriminator",
        feature_layer: str | None = None,
        balance_gamma: float | None = None,
        balance_lambda_k: float = 0.001,
        reuse_fakes: bool = False,
        **kwargs: Any,
    ) -> None:
        """Configures training.

        Args:
            g_optimizer: the generator's optimizer (instance, name or config);
                None gives the model's paper default (``default_optimizers``).
            d_optimizer: the discriminator's optimizer, likewise.
            loss: a name from ``ganzoo.losses`` (``"non_saturating"``,
                ``"minimax"``, ``"wasserstein"``, ``"hinge"``,
                ``"least_squares"``), a ``GANLoss`` or a callable
                ``fn(real_outputs, fake_outputs) -> (d_loss, g_loss)``.
            d_steps: discriminator updates per generator update (k).
            label_smoothing: one-sided label smoothing of the real target
                (Salimans et al. 2016: 0.1 makes it 0.9).
            feature_matching: weight of ‖E f(x) − E f(G(z))‖² added to G's loss,
                f = D's ``feature_layer`` (Salimans et al. 2016); 0 = off. The
                paper *replaces* G's loss with it; here it is added, so it
                composes with any loss.
            pulling_away: weight of EBGAN's pulling-away term on a batch of
                G's samples' features (Zhao et al. 2016); 0 = off.
            pulling_away_on: ``"discriminator"`` (D's ``feature_layer`` on
                G(z), as EBGAN does with its encoder) or ``"generator"`` (G's
                last hidden layer on the same z).
            feature_layer: name of the D layer for feature matching and the
                pulling-away term; None picks D's last hidden layer (the last
                layer whose output is neither the final output's size nor 1).
            balance_gamma: BEGAN's equilibrium γ in (0, 1] (Berthelot et al.
                2017); needs ``loss="began"`` (D outputs energies L(v) >= 0).
                D minimises L(x) − k_t L(G(z)) and k_t follows
                k ← clip(k + λ_k(γ L(x) − L(G(z))), 0, 1) after each D step;
                ``k_t`` and ``convergence`` are logged. None = off.
            balance_lambda_k: λ_k, the learning rate of k_t (paper: 0.001).
            reuse_fakes: share one G(z) between the last D update and the G
                update (one generator forward pass fewer per step, 10-15% faster
                for DCGAN here). The G loss then sees the same z as that D
                update instead of fresh noise; off keeps Algorithm 1's math.
            **kwargs: passed to ``keras.Model.compile`` (``jit_compile``,
                ``steps_per_execution``, ``run_eagerly``).
        """
        if int(d_steps) < 1:
            raise GanzooError(f"ganzoo: d_steps={d_steps} must be a whole number >= 1.")
        for key in ("optimizer", "loss_weights", "metrics", "weighted_metrics"):
            if kwargs.get(key) is not None:
                raise GanzooError(
                    f"ganzoo: compile() got '{key}'; a GAN takes g_optimizer, d_optimizer and "
                    "loss instead, and tracks its own metrics."
                )
            kwargs.pop(key, None)
        super().compile(optimizer=None, **kwargs)
        default_g, default_d = (None, None)
        if g_optimizer is None or d_optimizer is None:
            default_g, default_d = self.default_optimizers()
        self.g_optimizer = _optimizer(g_optimizer, lambda: default_g)
        self.d_optimizer = _optimizer(d_optimizer, lambda: default_d)
        if self.dtype_policy.name == "mixed_float16":
            # float16 gradients underflow without loss scaling; losses stay float32.
            self.g_optimizer, self.d_optimizer = (
                opt if isinstance(opt, keras.optimizers.LossScaleOptimizer)
                else keras.optimizers.LossScaleOptimizer(opt)
                for opt in (self.g_optimizer, self.d_optimizer)
            )
        if self.g_optimizer is self.d_optimizer:
            raise GanzooError(
                "ganzoo: g_optimizer and d_optimizer are the same object; each network "
                "needs its own optimizer (its own moments and step count)."
            )
        self.loss_fn = losses_lib.get(loss, label_smoothing=label_smoothing)
        self.d_steps = int(d_steps)
        self.reuse_fakes = bool(reuse_fakes)
        self._set_remedies(
            feature_matching, pulling_away, pulling_away_on, feature_layer, balance_gamma, balance_lambda_k
        )
        self._gan_compile_config = {
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "loss": loss if isinstance(loss, str) else None,
            "d_steps": self.d_steps,
            "label_smoothing": float(label_smoothing),
            "reuse_fakes": self.reuse_fakes,
            **self._remedy_config(),
            **{k: v for k, v in kwargs.items() if k in ("steps_per_execution", "jit_compile")},
        }
        # Build optimizer slots now, inside the caller's strategy scope: lazily
        # created slots inside a replicated step fail under MirroredStrategy.
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self._trackers = {}
        for name in self.metric_names():
            self._trackers[name] = keras.metrics.Mean(name=name)

    # ---------------------------------------------------------------- remedies

    def _set_remedies(self, feature_matching, pulling_away, pulling_away_on, feature_layer, gamma, lambda_k):
        for name, value in (("feature_matching", feature_matching), ("pulling_away", pulling_away),
                            ("balance_lambda_k", lambda_k)):
            if not float(value) >= 0.0:
                raise GanzooError(f"ganzoo: compile({name}={value}) must be a weight >= 0 (0 turns it off).")
        if pulling_away_on not in ("discriminator", "generator"):
            raise GanzooError(
                f"ganzoo: compile(pulling_away_on='{pulling_away_on}') must be 'discriminator' or 'generator'."
            )
        if gamma is not None:
            if not 0.0 < float(gamma) <= 1.0:
                raise GanzooError(f"ganzoo: compile(balance_gamma={gamma}) must be in (0, 1]; BEGAN uses 0.3-0.7.")
            if self.loss_fn.name != "began":
                raise GanzooError(
                    f"ganzoo: balance_gamma needs loss='began' (a discriminator whose outputs are "
                    f"energies, e.g. ganzoo.remedies.build_autoencoder_discriminator), got loss "
                    f"'{self.loss_fn.name}'."
                )
        self.feature_matching = float(feature_matching)
        self.pulling_away = float(pulling_away)
        self.pulling_away_on = pulling_away_on
        self.feature_layer = feature_layer
        self.balance_gamma = None if gamma is None else float(gamma)
        self.balance_lambda_k = float(lambda_k)
        # Feature extractors share D's and G's layers; they are set without
        # Keras tracking so that model.save() writes the same weights as before.
        d_features = g_features = None
        if self.feature_matching or (self.pulling_away and pulling_away_on == "discriminator"):
            layer = _feature_layer(self.discriminator, feature_layer)
            d_features = keras.Model(
                _single(self.discriminator.inputs), [self.discriminator.outputs[0], layer.output]
            )
        if self.pulling_away and pulling_away_on == "generator":
            layer = _feature_layer(self.generator, None)
            g_features = keras.Model(_single(self.generator.inputs), [self.generator.outputs[0], layer.output])
        object.__setattr__(self, "_d_feature_model", d_features)
        object.__setattr__(self, "_g_feature_model", g_features)
        if self.balance_gamma is not None and not hasattr(self, "k_t"):
            # Averaged across replicas: each applies k + λ_k(...) from its own batch.
            self.k_t = keras.Variable(0.0, trainable=False, name="k_t", aggregation="mean")

    def _remedy_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {}
        if self.feature_matching:
            config["feature_matching"] = self.feature_matching
        if self.pulling_away:
            config["pulling_away"] = self.pulling_away
            config["pulling_away_on"] = self.pulling_away_on
        if self.feature_layer is not None:
            config["feature_layer"] = self.feature_layer
        if self.balance_gamma is not None:
            config["balance_gamma"] = self.balance_gamma
            config["balance_lambda_k"] = self.balance_lambda_k
        return config

    def _generator_remedies(self, real, z, fake, condition, fake_features=None) -> dict[str, Tensor]:
        """Feature matching and the pulling-away term, per example (batch statistics broadcast).

        ``fake_features``: D's features of ``fake`` when the caller already has them.
        """
        terms: dict[str, Tensor] = {}
        batch = tf.shape(real)[0]
        if self._d_feature_model is not None:
            if fake_features is None:
                _, fake_features = self._d_feature_model(fake, training=True)
            if self.feature_matching:
                _, real_features = self._d_feature_model(real, training=True)
                value = losses_lib.feature_matching_loss(real_features, fake_features)
                terms["feature_matching"] = self.feature_matching * tf.fill([batch], value)
            if self.pulling_away and self.pulling_away_on == "discriminator":
                value = losses_lib.pulling_away_term(fake_features)
                terms["pulling_away"] = self.pulling_away * tf.fill([batch], value)
        if self._g_feature_model is not None:
            _, g_features = self._g_feature_model(z, training=True)
            value = losses_lib.pulling_away_term(g_features)
            terms["pulling_away"] = self.pulling_away * tf.fill([batch], value)
        return terms

    def _update_balance(self, logs: dict[str, Tensor]) -> None:
        """BEGAN's k_t step from this D step's mean energies (d_real, d_fake)."""
        self.k_t.assign(
            losses_lib.began_k_update(
                self.k_t, logs["d_real"], logs["d_fake"], self.balance_gamma, self.balance_lambda_k
            )
        )

    def get_compile_config(self) -> dict[str, Any]:
        return dict(getattr(self, "_gan_compile_config", {}))

    def compile_from_config(self, config: dict[str, Any]) -> None:
        config = dict(config)
        if config.get("loss") is None:
            config["loss"] = "non_saturating"
        for key in ("g_optimizer", "d_optimizer"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        self.compile(**config)

    # ---------------------------------------------------------------- metrics

    def metric_names(self) -> list[str]:
        """Names of the ``keras.metrics.Mean`` trackers, in display order.

        Subclasses extend it: ``super().metric_names() + ["w_distance", ...]``.
        """
        names = ["d_loss", "g_loss", "d_real", "d_fake"]
        if getattr(self, "feature_matching", 0.0):
            names.append("feature_matching")
        if getattr(self, "pulling_away", 0.0):
            names.append("pulling_away")
        if getattr(self, "balance_gamma", None) is not None:
            names += ["k_t", "convergence"]
        return names

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        return list(self._trackers.values())

    def _update_metrics(self, values: dict[str, Tensor]) -> dict[str, Tensor]:
        for name, value in values.items():
            self._trackers[name].update_state(value)
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
        """D's raw outputs on ``x``, float32."""
        return tf.cast(self.discriminator(x, training=training), tf.float32)

    def discriminator_penalty(self, real: Tensor, fake: Tensor, condition: Any) -> dict[str, Tensor]:
        """Extra per-example D loss terms by metric name (none here)."""
        return {}

    def generator_penalty(self, real: Tensor, fake: Tensor, condition: Any) -> dict[str, Tensor]:
        """Extra per-example G loss terms by metric name (none here)."""
        return {}

    def discriminator_logs(self, real_outputs: Tensor, fake_outputs: Tensor) -> dict[str, Tensor]:
        """Display-only values from D's outputs, by metric name (none here)."""
        return {}

    def after_discriminator_step(self) -> None:
        """Runs after each D update (WGAN clips the critic's weights here)."""

    # ------------------------------------------------------------------- steps

    def _d_outputs_for_display(self, outputs: Tensor) -> Tensor:
        if self.loss_fn.outputs_are_logits:
            outputs = tf.sigmoid(outputs)
        return tf.reduce_mean(outputs)

    def _discriminator_losses(self, real, condition, training, fake=None):
        if fake is None:
            fake = self.generate_fakes(self.sample_noise(tf.shape(real)[0]), condition, training=training)
        else:  # G(z) of the generator step, computed under its tape: no gradient to G here
            fake = tf.stop_gradient(fake)
        real_out = self.discriminate(real, condition, training=training)
        fake_out = self.discriminate(fake, condition, training=training)
        if self.balance_gamma is not None:
            per_example = losses_lib.began_discriminator_loss(real_out, fake_out, self.k_t)
        else:
            per_example = self.loss_fn.discriminator(real_out, fake_out)
        total = _average(per_example)
        logs = {
            "d_loss": tf.reduce_mean(per_example),
            "d_real": self._d_outputs_for_display(real_out),
            "d_fake": self._d_outputs_for_display(fake_out),
        }
        logs.update(self.discriminator_logs(real_out, fake_out))
        if self.balance_gamma is not None:
            logs["k_t"] = tf.identity(self.k_t.value)
            logs["convergence"] = losses_lib.began_convergence(
                logs["d_real"], logs["d_fake"], self.balance_gamma
            )
        for name, term in self.discriminator_penalty(real, fake, condition).items():
            total += _average(term)
            logs[name] = tf.reduce_mean(term)
        if self.discriminator.losses:
            total += tf.nn.scale_regularization_loss(tf.add_n(self.discriminator.losses))
        return total, logs, real_out

    def _generator_losses(self, real, condition, real_out, training, z=None, fake=None):
        if fake is None:
            z = self.sample_noise(tf.shape(real)[0])
            fake = self.generate_fakes(z, condition, training=training)
        fake_features = None
        if self._d_feature_model is not None and type(self).discriminate is GAN.discriminate:
            # One D forward gives both the logits and the remedies' features.
            fake_out, fake_features = self._d_feature_model(fake, training=training)
            fake_out = tf.cast(fake_out, tf.float32)
        else:
            fake_out = self.discriminate(fake, condition, training=training)
        per_example = self.loss_fn.generator(fake_out, real_out)
        total = _average(per_example)
        logs = {"g_loss": tf.reduce_mean(per_example)}
        penalties = self.generator_penalty(real, fake, condition)
        penalties.update(self._generator_remedies(real, z, fake, condition, fake_features))
        for name, term in penalties.items():
            total += _average(term)
            logs[name] = tf.reduce_mean(term)
        if self.generator.losses:
            total += tf.nn.scale_regularization_loss(tf.add_n(self.generator.losses))
        return total, logs

    @staticmethod
    def _apply(optimizer, tape, loss, variables) -> None:
        with tape:  # the loss scaling must be on the tape, or every gradient is None
            loss = optimizer.scale_loss(loss)
        grads = tape.gradient(loss, variables)
        optimizer.apply_gradients(list(zip(grads, variables)))

    def train_step(self, data: Any) -> dict[str, Tensor]:
        """``d_steps`` discriminator updates on this batch, then one generator update.

        With ``compile(reuse_fakes=True)`` the last D update and the G update
        share one G(z): G's forward pass runs once under the generator's tape,
        the D update sees it without gradient, and G's loss is D(G(z)) with the
        freshly updated D (the PyTorch DCGAN example's order of operations).
        """
        real, condition = self.unpack(data)
        logs: dict[str, Tensor] = {}
        real_out = None
        shared = 1 if self.reuse_fakes else 0
        for _ in range(self.d_steps - shared):
            real_out, logs = self._discriminator_update(real, condition)
        with tf.GradientTape() as tape:
            z = fake = None
            if shared:
                z = self.sample_noise(tf.shape(real)[0])
                fake = self.generate_fakes(z, condition, training=True)
                with tape.stop_recording():
                    real_out, logs = self._discriminator_update(real, condition, fake)
            g_total, g_logs = self._generator_losses(real, condition, real_out, True, z, fake)
        self._apply(self.g_optimizer, tape, g_total, self.generator.trainable_variables)
        return self._update_metrics({**logs, **g_logs})

    def _discriminator_update(self, real, condition, fake=None):
        with tf.GradientTape() as tape:
            d_total, logs, real_out = self._discriminator_losses(real, condition, True, fake)
        self._apply(self.d_optimizer, tape, d_total, self.discriminator.trainable_variables)
        self.after_discriminator_step()
        if self.balance_gamma is not None:
            self._update_balance(logs)
        return real_out, logs

    def test_step(self, data: Any) -> dict[str, Tensor]:
        """The same losses as ``train_step``, without updates, in inference mode."""
        real, condition = self.unpack(data)
        _, logs, real_out = self._discriminator_losses(real, condition, False)
        _, g_logs = self._generator_losses(real, condition, real_out, False)
        return self._update_metrics({**logs, **g_logs})

    # ---------------------------------------------------------------- fit

    def fit(self, *args: Any, **kwargs: Any):
        self._check_compiled()
        # A tf.data pipeline shuffles itself; Keras would warn that shuffle=True is ignored.
        kwargs.setdefault("shuffle", False)
        history = super().fit(*args, **kwargs)
        self.finalize_ema()
        return history

    def _ema_targets(self) -> list[tuple[Any, list]]:
        """(optimizer, the variables it updates) for every generator optimizer."""
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
        for optimizer, variables in self._ema_targets():
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

    def evaluate(self, *args: Any, **kwargs: Any):
        self._check_compiled()
        return super().evaluate(*args, **kwargs)

    # ------------------------------------------------------------- sampling

    def call(self, z: Tensor, training: bool = False) -> Tensor:
        """Runs the generator, so ``predict(z)`` samples."""
        return self.generator(z, training=training)

    def noise(self, n: int, seed: int | None = None) -> np.ndarray:
        """``n`` latent vectors, ``[n, latent_dim]`` float32; fixed by ``seed``."""
        if seed is None:
            seed_tensor = self.noise_seed.next()
        else:
            seed_tensor = tf.constant([int(seed), 0], tf.int64)
        return tf.random.stateless_normal([int(n), self.latent_dim], seed=seed_tensor).numpy()

    def generate(
        self, n: int, seed: int | None = None, z: np.ndarray | None = None, batch_size: int = 256
    ) -> np.ndarray:
        """Samples ``n`` outputs of G.

        Args:
            n: how many samples.
            seed: fixes the noise; the same seed gives the same samples.
            z: explicit noise ``[n, latent_dim]`` (then ``n`` and ``seed`` are ignored).
            batch_size: generator batch size.

        Returns:
            float32 numpy ``[n, H, W, C]`` in [-1, 1] (``[n, *data_shape]`` for points).
        """
        if z is None:
            z = self.noise(n, seed)
        z = np.asarray(z, np.float32)
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise GanzooError(
                f"ganzoo: z has shape {z.shape}; {type(self).__name__} expects "
                f"[n, {self.latent_dim}] float32 noise."
            )
        chunks = [
            np.asarray(self.generator(z[i : i + batch_size], training=False), np.float32)
            for i in range(0, len(z), batch_size)
        ]
        return np.concatenate(chunks, axis=0) if chunks else np.zeros((0,), np.float32)

    def serving_networks(self) -> list[keras.Model]:
        """The networks a SavedModel of this model carries (G only here)."""
        return [self.generator]

    def serving_endpoints(self) -> dict[str, tuple[Callable, list[tf.TensorSpec]]]:
        """SavedModel signatures by name: ``{name: (function, input_signature)}``.

        ``serving_default``: ``z`` float32 ``[None, latent_dim]`` -> ``images``
        float32 ``[None, H, W, C]`` in [-1, 1] (``samples`` for non-image data).
        ``sample``: int32 scalars ``num`` and ``seed`` -> the same output plus the
        ``z`` drawn in the graph. ``ganzoo.export.save_generator`` writes them.
        """
        generator, latent_dim = self.generator, self.latent_dim
        key = "images" if len(self.data_shape) == 3 else "samples"

        def serve(z):
            return {key: tf.cast(generator(z, training=False), tf.float32)}

        def sample(num, seed):
            seed = tf.stack([tf.cast(seed, tf.int64), tf.constant(0, tf.int64)])
            z = tf.random.stateless_normal([num, latent_dim], seed=seed)
            return {key: tf.cast(generator(z, training=False), tf.float32), "z": z}

        return {
            "serving_default": (serve, [tf.TensorSpec([None, latent_dim], tf.float32, name="z")]),
            "sample": (
                sample,
                [tf.TensorSpec([], tf.int32, name="num"), tf.TensorSpec([], tf.int32, name="seed")],
            ),
        }

    @property
    def data_shape(self) -> tuple[int, ...]:
        """Shape of one generated sample, e.g. ``(32, 32, 1)``."""
        return tuple(int(d) for d in self.generator.outputs[0].shape[1:])

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
