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
    after_discriminator_step()           e.g. weight clipping

Shapes: ``z`` is ``[batch, latent_dim]``; images are NHWC float32 in [-1, 1];
2-D point data is ``[batch, 2]``.
"""

from __future__ import annotations

from typing import Any, Callable

import keras
import numpy as np
import tensorflow as tf

from ganzoo import losses as losses_lib
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
        if self.g_optimizer is self.d_optimizer:
            raise GanzooError(
                "ganzoo: g_optimizer and d_optimizer are the same object; each network "
                "needs its own optimizer (its own moments and step count)."
            )
        self.loss_fn = losses_lib.get(loss, label_smoothing=label_smoothing)
        self.d_steps = int(d_steps)
        self._gan_compile_config = {
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "loss": loss if isinstance(loss, str) else None,
            "d_steps": self.d_steps,
            "label_smoothing": float(label_smoothing),
            **{k: v for k, v in kwargs.items() if k in ("steps_per_execution", "jit_compile")},
        }
        # Build optimizer slots now, inside the caller's strategy scope: lazily
        # created slots inside a replicated step fail under MirroredStrategy.
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self._trackers = {}
        for name in self.metric_names():
            self._trackers[name] = keras.metrics.Mean(name=name)

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
        """Names of the ``keras.metrics.Mean`` trackers, in display order."""
        return ["d_loss", "g_loss", "d_real", "d_fake"]

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

        The seed stream is folded with the replica id: a SeedGenerator inside a
        replicated step otherwise draws the same numbers on every replica.
        """
        seed = self.noise_seed.next()
        context = tf.distribute.get_replica_context()
        if context is not None:
            seed = tf.random.experimental.stateless_fold_in(
                seed, tf.cast(context.replica_id_in_sync_group, tf.int64)
            )
        return tf.random.stateless_normal([batch_size, self.latent_dim], seed=seed)

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

    def after_discriminator_step(self) -> None:
        """Runs after each D update (WGAN clips the critic's weights here)."""

    # ------------------------------------------------------------------- steps

    def _d_outputs_for_display(self, outputs: Tensor) -> Tensor:
        if self.loss_fn.outputs_are_logits:
            outputs = tf.sigmoid(outputs)
        return tf.reduce_mean(outputs)

    def _discriminator_losses(self, real, condition, training):
        batch = tf.shape(real)[0]
        fake = self.generate_fakes(self.sample_noise(batch), condition, training=training)
        real_out = self.discriminate(real, condition, training=training)
        fake_out = self.discriminate(fake, condition, training=training)
        per_example = self.loss_fn.discriminator(real_out, fake_out)
        total = _average(per_example)
        logs = {
            "d_loss": tf.reduce_mean(per_example),
            "d_real": self._d_outputs_for_display(real_out),
            "d_fake": self._d_outputs_for_display(fake_out),
        }
        for name, term in self.discriminator_penalty(real, fake, condition).items():
            total += _average(term)
            logs[name] = tf.reduce_mean(term)
        if self.discriminator.losses:
            total += tf.nn.scale_regularization_loss(tf.add_n(self.discriminator.losses))
        return total, logs, real_out

    def _generator_losses(self, real, condition, real_out, training):
        batch = tf.shape(real)[0]
        fake = self.generate_fakes(self.sample_noise(batch), condition, training=training)
        fake_out = self.discriminate(fake, condition, training=training)
        per_example = self.loss_fn.generator(fake_out, real_out)
        total = _average(per_example)
        logs = {"g_loss": tf.reduce_mean(per_example)}
        for name, term in self.generator_penalty(real, fake, condition).items():
            total += _average(term)
            logs[name] = tf.reduce_mean(term)
        if self.generator.losses:
            total += tf.nn.scale_regularization_loss(tf.add_n(self.generator.losses))
        return total, logs

    @staticmethod
    def _apply(optimizer, tape, loss, variables) -> None:
        grads = tape.gradient(optimizer.scale_loss(loss), variables)
        optimizer.apply_gradients(zip(grads, variables))

    def train_step(self, data: Any) -> dict[str, Tensor]:
        """``d_steps`` discriminator updates on this batch, then one generator update."""
        real, condition = self.unpack(data)
        logs: dict[str, Tensor] = {}
        real_out = None
        for _ in range(self.d_steps):
            with tf.GradientTape() as tape:
                d_total, logs, real_out = self._discriminator_losses(real, condition, True)
            self._apply(self.d_optimizer, tape, d_total, self.discriminator.trainable_variables)
            self.after_discriminator_step()
        with tf.GradientTape() as tape:
            g_total, g_logs = self._generator_losses(real, condition, real_out, True)
        self._apply(self.g_optimizer, tape, g_total, self.generator.trainable_variables)
        return self._update_metrics({**logs, **g_logs})

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
        return super().fit(*args, **kwargs)

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
