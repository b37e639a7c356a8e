"""LAPGAN's networks: the per-level G_k and D_k, the sampling chain, the pyramid's shapes.

Denton et al. 2015, arXiv 1506.05751, section 4 (the CIFAR-10 models). Levels
are numbered coarse to fine: level 0 is the small image's GAN (fully
connected), levels k > 0 draw band-pass residuals with convolutions. See
``ganzoo.models.lapgan`` for where ganzoo departs from the paper.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence

import keras
import tensorflow as tf

from ganzoo.errors import GanzooError
from ganzoo.layers import Pack
from ganzoo.ops import pyramid
from ganzoo.utils.networks import single_input

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


def _pack(x: keras.KerasTensor, packing: int, name: str) -> keras.KerasTensor:
    """PacGAN's packing of ``x`` (m samples concatenated on the last axis); no layer when m = 1."""
    return Pack(packing, name=name)(x) if packing > 1 else x


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
    image_shape: Sequence[int], units: int = 600, dropout: float = 0.5, num_classes: int = 0, packing: int = 1
) -> keras.Model:
    """D_0: ``images [b, h, w, c]`` (+ one-hot ``labels``) -> one logit ``[b / packing, 1]``.

    Two hidden ReLU layers of ``units`` (paper: 600) with dropout. ``packing`` m > 1:
    PacGAN (Lin et al. 2018, arXiv 1712.04086) — every m consecutive samples (and their
    labels) are concatenated and judged together, one logit per pack.
    """
    inputs = _inputs(("images", image_shape))
    x = _pack(keras.layers.Flatten(name="flatten")(inputs[0]), packing, "pack")
    if num_classes:
        inputs += _inputs(("labels", (num_classes,)))
        x = keras.layers.Concatenate(name="pixels_labels")([x, _pack(inputs[1], packing, "pack_labels")])
    for i in (1, 2):
        x = keras.layers.Dense(units, activation="relu", name=f"hidden{i}")(x)
        x = keras.layers.Dropout(dropout, name=f"dropout{i}")(x)
    logits = keras.layers.Dense(1, dtype="float32", name="logit")(x)
    return keras.Model(inputs, logits, name="discriminator_0")


def build_coarse_conv_generator(
    image_shape: Sequence[int], latent_dim: int = 100, filters: int = 64, num_classes: int = 0
) -> keras.Model:
    """G_0, convolutional (``coarse_network="conv"``): ``z`` (+ one-hot ``labels``) -> ``[b, h, w, c]`` in [-1, 1].

    A DCGAN-style stage (Radford et al. 2015, arXiv 1511.06434) at the coarsest size: a
    projection to (h/2)×(w/2)×2·``filters``, batch norm, ReLU, one stride-2 transposed 4×4
    convolution to h×w×``filters`` (batch norm, ReLU), a 3×3 convolution to the channels, tanh.
    """
    size, _, channels = image_shape
    inputs = _inputs(("z", (latent_dim,)))
    if num_classes:
        inputs += _inputs(("labels", (num_classes,)))
    x = keras.layers.Concatenate(name="z_labels")(inputs) if num_classes else inputs[0]
    x = keras.layers.Dense((size // 2) ** 2 * 2 * filters, use_bias=False, name="project")(x)
    x = keras.layers.Reshape((size // 2, size // 2, 2 * filters), name="project_map")(x)
    x = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name="project_bn")(x)
    x = keras.layers.ReLU(name="project_act")(x)
    x = keras.layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False, name="up")(x)
    x = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name="up_bn")(x)
    x = keras.layers.ReLU(name="up_act")(x)
    images = keras.layers.Conv2D(channels, 3, padding="same", activation="tanh", dtype="float32", name="images")(x)
    return keras.Model(inputs, images, name="generator_0")


def build_coarse_conv_discriminator(
    image_shape: Sequence[int], filters: int = 64, dropout: float = 0.5, num_classes: int = 0, packing: int = 1
) -> keras.Model:
    """D_0, convolutional (``coarse_network="conv"``): ``images`` (+ ``labels``) -> logit ``[b / packing, 1]``.

    A 3×3 convolution (``filters``) and a stride-2 4×4 one (2·``filters``), LeakyReLU(0.2)
    (DCGAN's D), dropout, linear; CC-LAPGAN concatenates the one-hot labels to the flattened
    features. ``packing`` as :func:`build_coarse_discriminator`.
    """
    inputs = _inputs(("images", image_shape))
    x = _pack(inputs[0], packing, "pack")
    x = keras.layers.Conv2D(filters, 3, padding="same", name="conv1")(x)
    x = keras.layers.LeakyReLU(0.2, name="conv1_act")(x)
    x = keras.layers.Conv2D(2 * filters, 4, strides=2, padding="same", name="conv2")(x)
    x = keras.layers.LeakyReLU(0.2, name="conv2_act")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    if num_classes:
        inputs += _inputs(("labels", (num_classes,)))
        x = keras.layers.Concatenate(name="features_labels")([x, _pack(inputs[1], packing, "pack_labels")])
    x = keras.layers.Dropout(dropout, name="dropout")(x)
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
    packing: int = 1,
) -> keras.Model:
    """D_k, k > 0: (``residual [b, h, w, c]``, ``coarse`` = u(I_{k−1}), [``labels``]) -> logit ``[b / packing, 1]``.

    Sees u(I) + h (the paper adds the low-pass image to the band) beside
    u(I); two 5×5 stride-2 convolutions with LeakyReLU(0.2), dropout, linear.
    ``packing`` m > 1 stacks m samples' channels (PacGAN), one logit per pack.
    """
    size = image_shape[0]
    inputs = _inputs(("residual", image_shape), ("coarse", image_shape))
    image = keras.layers.Add(name="image")(inputs)
    x = keras.layers.Concatenate(name="image_coarse")([image, inputs[1]])
    x = _pack(x, packing, "pack")
    x = keras.layers.Conv2D(filters, 5, strides=2, padding="same", name="conv1")(x)
    x = keras.layers.LeakyReLU(0.2, name="conv1_act")(x)
    if num_classes:
        inputs += _inputs(("labels", (num_classes,)))
        labels = _pack(inputs[2], packing, "pack_labels")
        x = keras.layers.Concatenate(name="conv1_labels")([x, _label_plane(labels, size // 2, "labels")])
    x = keras.layers.Conv2D(filters, 5, strides=2, padding="same", name="conv2")(x)
    x = keras.layers.LeakyReLU(0.2, name="conv2_act")(x)
    x = keras.layers.Dropout(dropout, name="dropout")(keras.layers.Flatten(name="flatten")(x))
    logits = keras.layers.Dense(1, dtype="float32", name="logit")(x)
    return keras.Model(inputs, logits, name=f"discriminator_{level}")


def build_level_networks(
    image_shape: Sequence[int], levels: int, coarse_latent_dim: int, num_classes: int,
    g_units: int, d_units: int, g_filters: int, d_filters: int, dropout: float, packing: int = 1,
    coarse_network: str = "mlp", coarse_g_filters: int = 0, coarse_d_filters: int = 0,
) -> tuple[list[keras.Model], list[keras.Model]]:
    """([G_0 ... G_{K−1}], [D_0 ... D_{K−1}]) for a checked ``image_shape``, coarse to fine.

    Built in this order (G_0, D_0, G_1, D_1, ...): saved weights are matched by it. The
    arguments are ``LAPGAN``'s, which holds the paper's defaults. ``coarse_network="conv"``
    makes G_0 and D_0 the convolutional pair with ``coarse_g_filters``/``coarse_d_filters``
    (0: ``g_filters``/``d_filters``; ``g_units`` and ``d_units`` then unused).
    """
    shapes = [(s, s, image_shape[2]) for s in level_sizes(image_shape[0], levels)]
    if coarse_network == "conv":
        generators = [build_coarse_conv_generator(shapes[0], coarse_latent_dim, coarse_g_filters or g_filters,
                                                  num_classes)]
        discriminators = [build_coarse_conv_discriminator(shapes[0], coarse_d_filters or d_filters, dropout,
                                                          num_classes, packing)]
    else:
        generators = [build_coarse_generator(shapes[0], coarse_latent_dim, g_units, num_classes)]
        discriminators = [build_coarse_discriminator(shapes[0], d_units, dropout, num_classes, packing)]
    for k in range(1, levels):
        generators.append(build_residual_generator(shapes[k], g_filters, num_classes, k))
        discriminators.append(build_residual_discriminator(shapes[k], d_filters, dropout, num_classes, k, packing))
    return generators, discriminators


class LevelCondition(NamedTuple):
    """What a level's D_k and G_k are conditioned on, besides their main input.

    ``level``: k; ``coarse``: u(I_{k−1}) ``[b, s_k, s_k, c]`` (None at level 0); ``labels``:
    ``[]`` or ``[one-hot labels [b, classes]]`` (CC-LAPGAN). The ``condition`` of a level's
    view of a training step (``LAPGAN.phase_step``).
    """

    level: int
    coarse: Tensor | None
    labels: list


def call_network(network: keras.Model, inputs: list[Tensor], training: bool) -> Tensor:
    """``network(inputs)`` as float32; a one-input network gets its tensor, not a list."""
    return tf.cast(network(single_input(inputs), training=training), tf.float32)


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
        image = call_network(self.networks[0], [zs[0]] + condition, training)
        images, residuals = [image], []
        for generator, z_k in zip(self.networks[1:], zs[1:]):
            coarse = pyramid.upsample(image)
            residual = call_network(generator, [coarse, z_k] + condition, training)
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
        return [call_network(d, list(x), training) for d, x in zip(self.networks, inputs)]
