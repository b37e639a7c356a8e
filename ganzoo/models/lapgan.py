"""LAPGAN: a Laplacian pyramid of generative adversarial networks.

Denton, Chintala, Szlam, Fergus 2015, "Deep Generative Image Models using a
Laplacian Pyramid of Adversarial Networks", arXiv 1506.05751.

The idea: generate coarse to fine. A GAN draws a small image (8×8); at each
finer scale a conditional GAN draws only the band-pass residual h̃_k given the
upsampled coarser image u(Ĩ), and Ĩ_k = u(Ĩ) + h̃_k. Each level's GAN is
trained on its own, on the Laplacian pyramid of real images (section 3.2);
CC-LAPGAN also gives every G_k and D_k a one-hot class label.

Levels are numbered here in sampling order: level 0 is the coarsest GAN, level
K − 1 the full-size one (the paper numbers them the other way round). For
32×32 images and ``levels=3``: 8×8 → 16×16 → 32×32.

Networks (the paper's CIFAR-10 models, section 4):
- level 0: fully connected G (2 hidden ReLU layers, 1200 units) and D (2
  hidden ReLU layers, 600 units, dropout);
- level k > 0: G is 3 convolutions (5×5, ReLU) on the upsampled coarse image
  with the noise as one extra "colour plane", so its noise has H_k·W_k values;
  D is 2 convolutions (5×5) and a linear output on the image u(I) + h, which
  the paper forms by adding the low-pass image to the band before D's first
  layer; CC-LAPGAN projects the one-hot label linearly to one feature plane and
  concatenates it with the first layer's maps.

Noise: one vector ``z`` per sample, ``[batch, latent_dim]`` with ``latent_dim
= coarse_latent_dim + Σ_{k>0} H_k·W_k`` (100 + 16² + 32² = 1380 for 32×32),
split into the levels' parts in order (coarse first). ``generate``, the
training step and the SavedModel all use this one layout.

Where ganzoo departs from the paper:
- the paper's CIFAR-10 pyramid was 8 → 14 → 28 on 28×28 crops; ganzoo keeps
  whole 32×32 images and a power-of-two pyramid (any square size divisible by
  2^(levels − 1) with a coarsest level of at least 4×4);
- G_0's hidden layers are batch-normalised (DCGAN's remedy, which postdates
  the paper): the paper's plain MLP collapsed to 1–3 of the 10 digit classes
  in 40 epochs here, with batch norm it covers all 10 (measured, BUILD_NOTES.md);
- noise is N(0, I) (the paper: U[−1, 1]) so ganzoo's shared noise helpers apply;
- D_k also sees the low-pass image u(I) as extra input channels beside u(I) + h,
  so it judges the band against its condition; D's hidden layers use
  LeakyReLU(0.2) and its convolutions stride 2 (the paper: ReLU, stride not
  stated), which trains faster on CPU;
- G_k's residual output is linear (unbounded, as in the paper) and every
  sampled level u(Ĩ) + h̃ is clipped to [−1, 1], the range of real pyramid
  levels;
- optimizers: the paper used SGD (lr 0.02, decay, momentum ramp 0.5 → 0.8)
  and kept the best model by a Parzen-window estimate; ``compile()`` defaults to
  DCGAN's Adam(2e-4, β1 = 0.5) per level, and there is no model selection;
- all levels train in the same ``fit``, each step updating every level once
  (the paper trained them separately; the levels share no parameters, so this
  is the same objective).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import keras
import numpy as np
import tensorflow as tf

from ganzoo import losses as losses_lib
from ganzoo.errors import GanzooError
from ganzoo.models.base import GAN
from ganzoo.training import average as _average
from ganzoo.utils.networks import make_optimizer as _optimizer
from ganzoo.ops import pyramid

Tensor = tf.Tensor


# ------------------------------------------------------------------ shapes


def check_image_shape(image_shape: Sequence[int], levels: int) -> tuple[int, int, int]:
    """Validates a square ``(size, size, channels)`` that a ``levels``-level pyramid divides."""
    shape = tuple(int(d) for d in image_shape)
    if len(shape) != 3:
        raise GanzooError(
            f"ganzoo: image_shape={shape} must be (height, width, channels), e.g. (32, 32, 3)."
        )
    if int(levels) < 1:
        raise GanzooError(f"ganzoo: LAPGAN levels={levels} must be at least 1 (3 gives 8 -> 16 -> 32).")
    size, width, channels = shape
    factor = 2 ** (int(levels) - 1)
    if size != width or size % factor or size // factor < 4:
        raise GanzooError(
            f"ganzoo: LAPGAN cannot make a {levels}-level pyramid of {size}x{width} images; use "
            f"square images whose size is a multiple of {factor} and at least {4 * factor} "
            "(e.g. data.image_size=32 with levels=3), or change model.levels."
        )
    if channels not in (1, 3):
        raise GanzooError(f"ganzoo: image_shape has {channels} channels; LAPGAN takes 1 or 3.")
    return shape


def level_sizes(size: int, levels: int) -> list[int]:
    """Image sizes coarse to fine, e.g. ``level_sizes(32, 3) == [8, 16, 32]``."""
    return [size // 2 ** (levels - 1 - k) for k in range(levels)]


def noise_dims(size: int, levels: int, coarse_latent_dim: int) -> list[int]:
    """Each level's part of ``z``: ``coarse_latent_dim``, then one H_k·W_k noise plane per level."""
    return [int(coarse_latent_dim)] + [s * s for s in level_sizes(size, levels)[1:]]


# ---------------------------------------------------------------- networks


def _inputs(*pairs: tuple[str, Sequence[int]]) -> list[keras.KerasTensor]:
    return [keras.Input(tuple(shape), name=name) for name, shape in pairs]


def _label_plane(labels: keras.KerasTensor, size: int, name: str) -> keras.KerasTensor:
    """CC-LAPGAN: the one-hot label through a linear layer, reshaped to one feature plane."""
    x = keras.layers.Dense(size * size, name=f"{name}_project")(labels)
    return keras.layers.Reshape((size, size, 1), name=f"{name}_plane")(x)


def build_coarse_generator(
    image_shape: Sequence[int], latent_dim: int = 100, units: int = 1200, num_classes: int = 0
) -> keras.Model:
    """G_0: ``z [b, latent_dim]`` (+ one-hot ``labels [b, classes]``) -> ``[b, h, w, c]`` in [-1, 1].

    Two hidden layers of ``units`` (paper: 1200), each batch-normalised (a
    ganzoo addition, from DCGAN: without it this MLP collapsed to 1–3 digit
    classes) before its ReLU; tanh output.
    """
    size, _, channels = image_shape
    inputs = _inputs(("z", (latent_dim,)))
    if num_classes:
        inputs += _inputs(("labels", (num_classes,)))
    x = keras.layers.Concatenate(name="z_labels")(inputs) if num_classes else inputs[0]
    for i in (1, 2):
        x = keras.layers.Dense(units, use_bias=False, name=f"hidden{i}")(x)
        x = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=f"hidden{i}_bn")(x)
        x = keras.layers.ReLU(name=f"hidden{i}_act")(x)
    x = keras.layers.Dense(size * size * channels, activation="tanh", dtype="float32", name="pixels")(x)
    images = keras.layers.Reshape((size, size, channels), name="images")(x)
    return keras.Model(inputs, images, name="generator_0")


def build_coarse_discriminator(
    image_shape: Sequence[int], units: int = 600, dropout: float = 0.5, num_classes: int = 0
) -> keras.Model:
    """D_0: ``images [b, h, w, c]`` (+ one-hot ``labels``) -> one logit ``[b, 1]``.

    Two hidden ReLU layers of ``units`` (paper: 600) with dropout.
    """
    inputs = _inputs(("images", image_shape))
    x = keras.layers.Flatten(name="flatten")(inputs[0])
    if num_classes:
        inputs += _inputs(("labels", (num_classes,)))
        x = keras.layers.Concatenate(name="pixels_labels")([x, inputs[1]])
    for i in (1, 2):
        x = keras.layers.Dense(units, activation="relu", name=f"hidden{i}")(x)
        x = keras.layers.Dropout(dropout, name=f"dropout{i}")(x)
    logits = keras.layers.Dense(1, dtype="float32", name="logit")(x)
    return keras.Model(inputs, logits, name="discriminator_0")


def build_residual_generator(
    image_shape: Sequence[int], filters: int = 64, num_classes: int = 0, level: int = 1
) -> keras.Model:
    """G_k, k > 0: (``coarse [b, h, w, c]`` = u(I_{k−1}), ``z [b, h·w]``, [``labels``]) -> residual h̃_k.

    The noise is reshaped to one extra input plane (the paper's 4th "colour
    plane"); three 5×5 convolutions, ReLU between, a linear output with the
    image's channels.
    """
    size, _, channels = image_shape
    inputs = _inputs(("coarse", image_shape), ("z", (size * size,)))
    noise = keras.layers.Reshape((size, size, 1), name="noise_plane")(inputs[1])
    x = keras.layers.Concatenate(name="coarse_noise")([inputs[0], noise])
    x = keras.layers.Conv2D(filters, 5, padding="same", activation="relu", name="conv1")(x)
    if num_classes:
        inputs += _inputs(("labels", (num_classes,)))
        x = keras.layers.Concatenate(name="conv1_labels")([x, _label_plane(inputs[2], size, "labels")])
    x = keras.layers.Conv2D(filters, 5, padding="same", activation="relu", name="conv2")(x)
    residual = keras.layers.Conv2D(channels, 5, padding="same", dtype="float32", name="residual")(x)
    return keras.Model(inputs, residual, name=f"generator_{level}")


def build_residual_discriminator(
    image_shape: Sequence[int],
    filters: int = 64,
    dropout: float = 0.5,
    num_classes: int = 0,
    level: int = 1,
) -> keras.Model:
    """D_k, k > 0: (``residual [b, h, w, c]``, ``coarse`` = u(I_{k−1}), [``labels``]) -> logit ``[b, 1]``.

    Sees u(I) + h (the paper adds the low-pass image to the band) beside
    u(I); two 5×5 stride-2 convolutions with LeakyReLU(0.2), dropout, linear.
    """
    size = image_shape[0]
    inputs = _inputs(("residual", image_shape), ("coarse", image_shape))
    image = keras.layers.Add(name="image")(inputs)
    x = keras.layers.Concatenate(name="image_coarse")([image, inputs[1]])
    x = keras.layers.Conv2D(filters, 5, strides=2, padding="same", name="conv1")(x)
    x = keras.layers.LeakyReLU(0.2, name="conv1_act")(x)
    if num_classes:
        inputs += _inputs(("labels", (num_classes,)))
        x = keras.layers.Concatenate(name="conv1_labels")([x, _label_plane(inputs[2], size // 2, "labels")])
    x = keras.layers.Conv2D(filters, 5, strides=2, padding="same", name="conv2")(x)
    x = keras.layers.LeakyReLU(0.2, name="conv2_act")(x)
    x = keras.layers.Dropout(dropout, name="dropout")(keras.layers.Flatten(name="flatten")(x))
    logits = keras.layers.Dense(1, dtype="float32", name="logit")(x)
    return keras.Model(inputs, logits, name=f"discriminator_{level}")


def _run(network: keras.Model, inputs: list[Tensor], training: bool) -> Tensor:
    return tf.cast(network(inputs if len(inputs) > 1 else inputs[0], training=training), tf.float32)


class PyramidSampler(keras.Model):
    """The LAPGAN generator: the level generators and the coarse-to-fine chain that joins them.

    ``call(z)`` (or ``call((z, labels))`` for CC-LAPGAN; ``labels`` int32
    ``[b]``) returns the sampled image of every level, coarse to fine, each
    float32 in [-1, 1]. ``networks`` holds G_0 ... G_{K−1}.
    """

    def __init__(
        self, generators: Sequence[keras.Model], noise_dims: Sequence[int], num_classes: int = 0, **kwargs
    ):
        super().__init__(**kwargs)
        self.networks = list(generators)
        self.noise_dims = [int(d) for d in noise_dims]
        self.num_classes = int(num_classes)
        self.built = True

    def condition(self, labels: Tensor | None) -> list[Tensor]:
        """``[]``, or ``[one-hot labels]`` for CC-LAPGAN."""
        if not self.num_classes:
            return []
        return [tf.one_hot(tf.cast(labels, tf.int32), self.num_classes, dtype=tf.float32)]

    def chain(
        self, z: Tensor, labels: Tensor | None = None, training: bool = False
    ) -> tuple[list[Tensor], list[Tensor]]:
        """(images per level, residuals per level k > 0), coarse to fine."""
        condition = self.condition(labels)
        zs = tf.split(tf.cast(z, tf.float32), self.noise_dims, axis=-1)
        image = _run(self.networks[0], [zs[0]] + condition, training)
        images, residuals = [image], []
        for generator, z_k in zip(self.networks[1:], zs[1:]):
            coarse = pyramid.upsample(image)
            residual = _run(generator, [coarse, z_k] + condition, training)
            image = tf.clip_by_value(coarse + residual, -1.0, 1.0)
            images.append(image)
            residuals.append(residual)
        return images, residuals

    def call(self, inputs: Any, training: bool = False) -> list[Tensor]:
        z, labels = (inputs[0], inputs[1]) if self.num_classes else (inputs, None)
        return self.chain(z, labels, training)[0]


class LevelDiscriminators(keras.Model):
    """The LAPGAN discriminator: D_0 ... D_{K−1} in ``networks``; each level calls its own."""

    def __init__(self, discriminators: Sequence[keras.Model], **kwargs):
        super().__init__(**kwargs)
        self.networks = list(discriminators)
        self.built = True

    def call(self, inputs: Sequence[list[Tensor]], training: bool = False) -> list[Tensor]:
        """One input list per level -> one logit tensor per level."""
        return [_run(d, list(x), training) for d, x in zip(self.networks, inputs)]


# ------------------------------------------------------------------- model


def _clone(optimizer: keras.optimizers.Optimizer, suffix: str) -> keras.optimizers.Optimizer:
    """A fresh optimizer with ``optimizer``'s settings (no state), named ``<name>_<suffix>``."""
    config = optimizer.get_config()
    config["name"] = f"{config.get('name') or 'optimizer'}_{suffix}"
    return optimizer.__class__.from_config(config)


@keras.saving.register_keras_serializable(package="ganzoo")
class LAPGAN(GAN):
    """Laplacian pyramid GAN (Denton et al. 2015, arXiv 1506.05751); CC-LAPGAN with ``num_classes``.

    Args:
        image_shape: ``(size, size, channels)``; ``size`` a multiple of
            2^(levels − 1) with a coarsest level of at least 4×4; 1 or 3 channels.
        levels: pyramid levels K (paper's CIFAR-10 model: 3, i.e. 8 → 16 → 32).
        coarse_latent_dim: noise size of the coarsest GAN (paper: 100); finer
            levels take one noise plane each, so ``latent_dim`` is the total.
        num_classes: 0 for LAPGAN; the number of classes for CC-LAPGAN (then
            batches are ``(images, int labels)`` and sampling takes labels).
        g_units: hidden units of G_0 (paper: 1200).
        d_units: hidden units of D_0 (paper: 600).
        g_filters: channels of G_k's convolutions, k > 0.
        d_filters: channels of D_k's convolutions, k > 0.
        dropout: D's dropout rate.
        seed: noise seed.

    ``compile(g_optimizer, d_optimizer, loss, d_steps, label_smoothing)`` takes
    the base's arguments; each optimizer is copied once per level (fresh state,
    named ``<name>_g0``, ``<name>_d1``, ...), or a list of one per level is used
    as given. The metrics are the base's per level: ``d_loss_0``, ``g_loss_0``,
    ``d_real_0``, ``d_fake_0``, ``d_loss_1``, ...

    Shapes: ``z [batch, latent_dim]`` (+ ``labels [batch]`` int) -> images
    ``[batch, size, size, channels]`` in [-1, 1].

    Example:
        >>> gan = ganzoo.models.LAPGAN(image_shape=(32, 32, 1), num_classes=10)
        >>> gan.compile()
        >>> gan.fit(ganzoo.data.load("digits", with_labels=True), epochs=1)
        >>> sevens = gan.generate(8, seed=0, labels=[7] * 8)
    """

    def __init__(
        self,
        image_shape: Sequence[int] = (32, 32, 3),
        levels: int = 3,
        coarse_latent_dim: int = 100,
        num_classes: int = 0,
        g_units: int = 1200,
        d_units: int = 600,
        g_filters: int = 64,
        d_filters: int = 64,
        dropout: float = 0.5,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        image_shape = check_image_shape(image_shape, levels)
        if int(num_classes) < 0 or int(num_classes) == 1:
            raise GanzooError(
                f"ganzoo: LAPGAN num_classes={num_classes}; use 0 (unconditional) or the number "
                "of classes (>= 2) for the class-conditional CC-LAPGAN."
            )
        levels, num_classes = int(levels), int(num_classes)
        sizes = level_sizes(image_shape[0], levels)
        shapes = [(s, s, image_shape[2]) for s in sizes]
        generators = [build_coarse_generator(shapes[0], coarse_latent_dim, g_units, num_classes)]
        discriminators = [build_coarse_discriminator(shapes[0], d_units, dropout, num_classes)]
        for k in range(1, levels):
            generators.append(build_residual_generator(shapes[k], g_filters, num_classes, k))
            discriminators.append(build_residual_discriminator(shapes[k], d_filters, dropout, num_classes, k))
        dims = noise_dims(image_shape[0], levels, coarse_latent_dim)
        for key in ("generator", "discriminator", "latent_dim"):
            kwargs.pop(key, None)
        super().__init__(
            generator=PyramidSampler(generators, dims, num_classes, name="generator"),
            discriminator=LevelDiscriminators(discriminators, name="discriminator"),
            latent_dim=sum(dims),
            seed=seed,
            **kwargs,
        )
        self.image_shape = image_shape
        self.levels = levels
        self.coarse_latent_dim = int(coarse_latent_dim)
        self.num_classes = num_classes
        self.g_units, self.d_units = int(g_units), int(d_units)
        self.g_filters, self.d_filters = int(g_filters), int(d_filters)
        self.dropout = float(dropout)
        self.noise_dims = dims
        self.g_optimizers: list[keras.optimizers.Optimizer] = []
        self.d_optimizers: list[keras.optimizers.Optimizer] = []

    # ------------------------------------------------------------- levels

    @property
    def generators(self) -> list[keras.Model]:
        """G_0 ... G_{K−1}, coarse to fine."""
        return self.generator.networks

    @property
    def discriminators(self) -> list[keras.Model]:
        """D_0 ... D_{K−1}, coarse to fine."""
        return self.discriminator.networks

    @property
    def g_optimizer(self) -> keras.optimizers.Optimizer:
        """Level 0's generator optimizer (every level steps together; scripts read its ``iterations``)."""
        return self.g_optimizers[0] if self.g_optimizers else None

    def _ema_targets(self) -> list[tuple[Any, list]]:
        return [(o, g.trainable_variables) for o, g in zip(self.g_optimizers, self.generators)]

    @property
    def d_optimizer(self) -> keras.optimizers.Optimizer:
        """Level 0's discriminator optimizer."""
        return self.d_optimizers[0] if self.d_optimizers else None

    @property
    def data_shape(self) -> tuple[int, ...]:
        return tuple(self.image_shape)

    # ------------------------------------------------------------ compile

    def _level_optimizers(self, identifier: Any, default: keras.optimizers.Optimizer, role: str):
        if isinstance(identifier, (list, tuple)):
            if len(identifier) != self.levels:
                raise GanzooError(
                    f"ganzoo: LAPGAN has {self.levels} levels but got {len(identifier)} {role} "
                    "optimizers; pass one optimizer (copied per level) or one per level."
                )
            optimizers = [
                _optimizer(item, lambda k=k: _clone(default, f"{role[0]}{k}"))
                for k, item in enumerate(identifier)
            ]
            if len({id(o) for o in optimizers}) != len(optimizers):
                raise GanzooError(f"ganzoo: the per-level {role} optimizers must be distinct objects.")
            return optimizers
        template = _optimizer(identifier, lambda: default)
        return [_clone(template, f"{role[0]}{k}") for k in range(self.levels)]

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
        """Configures training; the arguments are :meth:`GAN.compile`'s.

        The base's remedies (``feature_matching``, ``pulling_away``,
        ``balance_gamma`` and their options) are accepted so that trainers can
        pass their defaults, but LAPGAN's levels support none of them yet.

        ``g_optimizer``/``d_optimizer``: one optimizer (instance, name or
        config; None = ``default_optimizers()``) that is copied for every level,
        or a list with one per level, used as given.
        ``jit_compile`` defaults to False here, not Keras' "auto" (XLA on CPU):
        XLA made a LAPGAN step 3.7x slower on 2 CPU cores (41 vs 156 images/s).
        """
        if int(d_steps) < 1:
            raise GanzooError(f"ganzoo: d_steps={d_steps} must be a whole number >= 1.")
        if reuse_fakes:
            raise GanzooError(
                "ganzoo: LAPGAN does not support compile(reuse_fakes=True); each level draws its own "
                "fakes for D and G. Leave it unset (train.reuse_fakes at its default, False)."
            )
        remedies = {"feature_matching": feature_matching, "pulling_away": pulling_away,
                    "balance_gamma": balance_gamma, "feature_layer": feature_layer}
        for key, value in remedies.items():
            if value:
                raise GanzooError(
                    f"ganzoo: LAPGAN does not support compile({key}={value!r}); its per-level "
                    f"training has no remedies yet; leave it unset (train.{key} at its default)."
                )
        for key in ("optimizer", "loss_weights", "metrics", "weighted_metrics"):
            if kwargs.get(key) is not None:
                raise GanzooError(
                    f"ganzoo: compile() got '{key}'; a GAN takes g_optimizer, d_optimizer and "
                    "loss instead, and tracks its own metrics."
                )
            kwargs.pop(key, None)
        kwargs.setdefault("jit_compile", False)
        keras.Model.compile(self, optimizer=None, **kwargs)
        default_g, default_d = self.default_optimizers()
        self.g_optimizers = self._level_optimizers(g_optimizer, default_g, "generator")
        self.d_optimizers = self._level_optimizers(d_optimizer, default_d, "discriminator")
        if {id(o) for o in self.g_optimizers} & {id(o) for o in self.d_optimizers}:
            raise GanzooError(
                "ganzoo: a generator and a discriminator share an optimizer object; each "
                "network needs its own optimizer (its own moments and step count)."
            )
        self.loss_fn = losses_lib.get(loss, label_smoothing=label_smoothing)
        self.d_steps = int(d_steps)
        self._gan_compile_config = {
            "g_optimizer": [keras.saving.serialize_keras_object(o) for o in self.g_optimizers],
            "d_optimizer": [keras.saving.serialize_keras_object(o) for o in self.d_optimizers],
            "loss": loss if isinstance(loss, str) else None,
            "d_steps": self.d_steps,
            "label_smoothing": float(label_smoothing),
            **{k: v for k, v in kwargs.items() if k in ("steps_per_execution", "jit_compile")},
        }
        # Build every slot now, inside the caller's strategy scope (see GAN.compile).
        for optimizer, network in zip(self.g_optimizers, self.generators):
            optimizer.build(network.trainable_variables)
        for optimizer, network in zip(self.d_optimizers, self.discriminators):
            optimizer.build(network.trainable_variables)
        self._trackers = {name: keras.metrics.Mean(name=name) for name in self.metric_names()}

    def compile_from_config(self, config: dict[str, Any]) -> None:
        config = dict(config)
        if config.get("loss") is None:
            config["loss"] = "non_saturating"
        for key in ("g_optimizer", "d_optimizer"):
            value = config[key]
            if isinstance(value, (list, tuple)):
                config[key] = [keras.saving.deserialize_keras_object(v) for v in value]
            else:
                config[key] = keras.saving.deserialize_keras_object(value)
        self.compile(**config)

    def metric_names(self) -> list[str]:
        """``d_loss_k``, ``g_loss_k``, ``d_real_k``, ``d_fake_k`` for each level k, coarse first."""
        names = ("d_loss", "g_loss", "d_real", "d_fake")
        return [f"{name}_{k}" for k in range(self.levels) for name in names]

    # ------------------------------------------------------------ training

    def unpack(self, data: Any) -> tuple[Tensor, Tensor | None]:
        """(images, labels or None); CC-LAPGAN needs ``(images, labels)`` batches."""
        if isinstance(data, (tuple, list)):
            images, labels = data[0], (data[1] if len(data) > 1 else None)
        else:
            images, labels = data, None
        if self.num_classes and labels is None:
            raise GanzooError(
                f"ganzoo: LAPGAN(num_classes={self.num_classes}) trains on (images, labels) "
                "batches; load the data with labels (ganzoo.data.load(..., with_labels=True), "
                "or config.data.with_labels = True)."
            )
        return images, (labels if self.num_classes else None)

    def real_levels(self, images: Tensor) -> list[tuple[Tensor, Tensor | None]]:
        """Per level, coarse first: (what D_k sees as real, G_k's coarse input or None).

        Level 0: (I_0, None), the coarsest Gaussian level; level k > 0:
        (h_k = I_k − u(I_{k−1}), u(I_{k−1})), from the pyramid of the real batch.
        """
        gaussian = pyramid.gaussian(tf.cast(images, tf.float32), self.levels)[::-1]
        levels = [(gaussian[0], None)]
        for coarse, fine in zip(gaussian[:-1], gaussian[1:]):
            up = pyramid.upsample(coarse)
            levels.append((fine - up, up))
        return levels

    def _level_fakes(self, k: int, z: Tensor, coarse: Tensor | None, condition, training: bool) -> Tensor:
        inputs = [z] if coarse is None else [coarse, z]
        return _run(self.generators[k], inputs + condition, training)

    def _level_logits(self, k: int, x: Tensor, coarse: Tensor | None, condition, training: bool) -> Tensor:
        inputs = [x] if coarse is None else [x, coarse]
        return _run(self.discriminators[k], inputs + condition, training)

    def _level_d_losses(self, k, real, coarse, condition, z, training):
        fake = self._level_fakes(k, z, coarse, condition, training)
        real_out = self._level_logits(k, real, coarse, condition, training)
        fake_out = self._level_logits(k, fake, coarse, condition, training)
        per_example = self.loss_fn.discriminator(real_out, fake_out)
        total = _average(per_example)
        logs = {
            f"d_loss_{k}": tf.reduce_mean(per_example),
            f"d_real_{k}": self._d_outputs_for_display(real_out),
            f"d_fake_{k}": self._d_outputs_for_display(fake_out),
        }
        if self.discriminators[k].losses:
            total += tf.nn.scale_regularization_loss(tf.add_n(self.discriminators[k].losses))
        return total, logs, real_out

    def _level_g_losses(self, k, coarse, condition, z, real_out, training):
        fake = self._level_fakes(k, z, coarse, condition, training)
        fake_out = self._level_logits(k, fake, coarse, condition, training)
        per_example = self.loss_fn.generator(fake_out, real_out)
        total = _average(per_example)
        if self.generators[k].losses:
            total += tf.nn.scale_regularization_loss(tf.add_n(self.generators[k].losses))
        return total, {f"g_loss_{k}": tf.reduce_mean(per_example)}

    def _noise(self, batch: Tensor) -> list[Tensor]:
        """One draw of the full ``z`` (seeded, per-replica distinct), split into the levels' parts."""
        return tf.split(self.sample_noise(batch), self.noise_dims, axis=-1)

    def train_step(self, data: Any) -> dict[str, Tensor]:
        """Algorithm 1 at every level: ``d_steps`` updates of each D_k, then one of each G_k.

        Each level learns from the real batch's own pyramid (its real coarse
        image), never from the coarser generators' samples, as in the paper.
        """
        images, labels = self.unpack(data)
        condition = self.generator.condition(labels)
        levels = self.real_levels(images)
        batch = tf.shape(images)[0]
        logs: dict[str, Tensor] = {}
        real_outs: list[Tensor | None] = [None] * self.levels
        for _ in range(self.d_steps):
            zs = self._noise(batch)
            for k, (real, coarse) in enumerate(levels):
                with tf.GradientTape() as tape:
                    total, level_logs, real_outs[k] = self._level_d_losses(
                        k, real, coarse, condition, zs[k], True
                    )
                self._apply(self.d_optimizers[k], tape, total, self.discriminators[k].trainable_variables)
                logs.update(level_logs)
            self.after_discriminator_step()
        zs = self._noise(batch)
        for k, (_, coarse) in enumerate(levels):
            with tf.GradientTape() as tape:
                total, level_logs = self._level_g_losses(k, coarse, condition, zs[k], real_outs[k], True)
            self._apply(self.g_optimizers[k], tape, total, self.generators[k].trainable_variables)
            logs.update(level_logs)
        return self._update_metrics(logs)

    def test_step(self, data: Any) -> dict[str, Tensor]:
        """The same per-level losses, without updates, in inference mode."""
        images, labels = self.unpack(data)
        condition = self.generator.condition(labels)
        batch = tf.shape(images)[0]
        zs_d, zs_g = self._noise(batch), self._noise(batch)
        logs: dict[str, Tensor] = {}
        for k, (real, coarse) in enumerate(self.real_levels(images)):
            _, level_logs, real_out = self._level_d_losses(k, real, coarse, condition, zs_d[k], False)
            _, g_logs = self._level_g_losses(k, coarse, condition, zs_g[k], real_out, False)
            logs.update({**level_logs, **g_logs})
        return self._update_metrics(logs)

    # ------------------------------------------------------------ sampling

    def call(self, inputs: Any, training: bool = False) -> Tensor:
        """The full-size sample: ``z`` (or ``(z, labels)`` for CC-LAPGAN) -> images."""
        return self.generator(inputs, training=training)[-1]

    def _labels(self, n: int, labels: Any) -> np.ndarray | None:
        if not self.num_classes:
            if labels is not None:
                raise GanzooError(
                    "ganzoo: this LAPGAN is unconditional (num_classes=0) and takes no labels; "
                    "train one with num_classes set to sample chosen classes."
                )
            return None
        if labels is None:
            return (np.arange(n) % self.num_classes).astype(np.int32)
        labels = np.asarray(labels)
        if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
            raise GanzooError(
                f"ganzoo: labels have shape {labels.shape} and dtype {labels.dtype}; pass {n} "
                "integer class ids, one per sample."
            )
        if labels.size and (labels.min() < 0 or labels.max() >= self.num_classes):
            raise GanzooError(
                f"ganzoo: labels must lie in [0, {self.num_classes}); got values from "
                f"{labels.min()} to {labels.max()}."
            )
        return labels.astype(np.int32)

    def generate_levels(
        self,
        n: int,
        seed: int | None = None,
        z: np.ndarray | None = None,
        labels: Any = None,
        batch_size: int = 256,
    ) -> list[np.ndarray]:
        """Samples every level, coarse to fine: a list of float32 ``[n, s_k, s_k, c]`` in [-1, 1].

        Arguments as :meth:`generate`.
        """
        if z is None:
            z = self.noise(n, seed)
        z = np.asarray(z, np.float32)
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise GanzooError(
                f"ganzoo: z has shape {z.shape}; LAPGAN expects [n, {self.latent_dim}] float32 "
                f"noise (the levels' parts {self.noise_dims} side by side)."
            )
        labels = self._labels(len(z), labels)
        chunks = []
        for i in range(0, len(z), batch_size):
            z_i = tf.constant(z[i : i + batch_size])
            l_i = None if labels is None else tf.constant(labels[i : i + batch_size])
            chunks.append([np.asarray(x, np.float32) for x in self.generator.chain(z_i, l_i)[0]])
        if not chunks:
            return [np.zeros((0, s, s, self.image_shape[2]), np.float32)
                    for s in level_sizes(self.image_shape[0], self.levels)]
        return [np.concatenate(level, axis=0) for level in zip(*chunks)]

    def generate(
        self,
        n: int,
        seed: int | None = None,
        z: np.ndarray | None = None,
        labels: Any = None,
        batch_size: int = 256,
    ) -> np.ndarray:
        """Samples ``n`` images coarse to fine.

        Args:
            n: how many samples.
            seed: fixes the noise; the same seed gives the same samples.
            z: explicit noise ``[n, latent_dim]`` (then ``n`` and ``seed`` are ignored).
            labels: CC-LAPGAN only: ``n`` class ids; default ``0, 1, 2, ...``
                cycling through the classes (so a grid shows every class).
            batch_size: sampling batch size.

        Returns:
            float32 numpy ``[n, size, size, channels]`` in [-1, 1].
        """
        return self.generate_levels(n, seed, z, labels, batch_size)[-1]

    # -------------------------------------------------------------- export

    def serving_endpoints(self) -> dict[str, tuple[Callable, list[tf.TensorSpec]]]:
        """SavedModel signatures; every one runs the whole coarse-to-fine chain.

        ``serving_default``: ``z`` float32 ``[None, latent_dim]`` (the levels'
        noise side by side, coarse first) [+ ``labels`` int32 ``[None]`` for
        CC-LAPGAN] -> ``images`` float32 ``[None, size, size, channels]`` in [-1, 1].
        ``levels``: the same inputs -> ``level_0`` ... ``level_{K−1}`` (each
        level's image, coarse to fine, in [-1, 1]) and ``residual_1`` ...
        (the sampled band-pass images h̃_k, unbounded).
        ``sample``: int32 scalars ``num`` and ``seed`` -> ``images`` and the
        ``z`` drawn in the graph (+ ``labels`` 0, 1, 2, ... cycling for CC).
        """
        sampler, latent_dim, classes = self.generator, self.latent_dim, self.num_classes
        z_spec = tf.TensorSpec([None, latent_dim], tf.float32, name="z")
        specs = [z_spec] + ([tf.TensorSpec([None], tf.int32, name="labels")] if classes else [])

        def level_outputs(z, labels=None):
            images, residuals = sampler.chain(z, labels)
            outputs = {f"level_{k}": image for k, image in enumerate(images)}
            outputs.update({f"residual_{k + 1}": r for k, r in enumerate(residuals)})
            return outputs

        def sample(num, seed):
            seed = tf.stack([tf.cast(seed, tf.int64), tf.constant(0, tf.int64)])
            z = tf.random.stateless_normal([num, latent_dim], seed=seed)
            if not classes:
                return {"images": sampler.chain(z)[0][-1], "z": z}
            labels = tf.range(num, dtype=tf.int32) % classes
            return {"images": sampler.chain(z, labels)[0][-1], "z": z, "labels": labels}

        if classes:
            def serve(z, labels):
                return {"images": sampler.chain(z, labels)[0][-1]}

            def levels(z, labels):
                return level_outputs(z, labels)
        else:
            def serve(z):
                return {"images": sampler.chain(z)[0][-1]}

            def levels(z):
                return level_outputs(z)

        return {
            "serving_default": (serve, specs),
            "levels": (levels, specs),
            "sample": (
                sample,
                [tf.TensorSpec([], tf.int32, name="num"), tf.TensorSpec([], tf.int32, name="seed")],
            ),
        }

    # ------------------------------------------------------- serialization

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "image_shape": list(self.image_shape),
            "levels": self.levels,
            "coarse_latent_dim": self.coarse_latent_dim,
            "num_classes": self.num_classes,
            "g_units": self.g_units,
            "d_units": self.d_units,
            "g_filters": self.g_filters,
            "d_filters": self.d_filters,
            "dropout": self.dropout,
            "seed": self.seed,
        }
