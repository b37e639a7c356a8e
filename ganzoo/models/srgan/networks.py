"""SRGAN's networks (Ledig et al. 2017, arXiv 1609.04802, Figure 4): SRResNet and the VGG-style D.

``build_generator`` is SRResNet, fully convolutional (any input size); ``build_discriminator``
is the paper's eight-convolution classifier, whose dense layers fix its input size to the
training crop. ``PixelShuffle`` is the sub-pixel convolution's shuffle (Shi et al. 2016,
arXiv 1609.05158); ``BicubicUpsample`` serves ganzoo's optional residual-over-bicubic G.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import keras
import tensorflow as tf

from ganzoo.errors import GanzooError
from ganzoo.ops import resample

SCALES = (2, 3, 4)


@keras.saving.register_keras_serializable(package="ganzoo")
class PixelShuffle(keras.layers.Layer):
    """Sub-pixel convolution's shuffle (Shi et al. 2016): ``[b, h, w, c·r²] -> [b, h·r, w·r, c]``.

    ``tf.nn.depth_to_space``: output ``[b, h·r + i, w·r + j, k]`` = input ``[b, h, w, (i·r + j)·c + k]``.
    """

    def __init__(self, factor: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.factor = int(factor)

    def call(self, x):
        return tf.nn.depth_to_space(x, self.factor)

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        r = self.factor
        return (b, None if h is None else h * r, None if w is None else w * r, c // (r * r))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor}


@keras.saving.register_keras_serializable(package="ganzoo")
class BicubicUpsample(keras.layers.Layer):
    """Bicubic upsampling by an integer factor, for any input size: ``[b, h, w, c] -> [b, h·r, w·r, c]``."""

    def __init__(self, factor: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.factor = int(factor)

    def call(self, x):
        # tf.image.resize's values (tested), from ops with XLA kernels: the step compiles with XLA.
        return resample.bicubic_upsample(x, self.factor)

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        r = self.factor
        return (b, None if h is None else h * r, None if w is None else w * r, c)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor}


def check_scale(scale: int) -> int:
    """``scale`` as an int; one line naming 2, 3 and 4 otherwise."""
    if int(scale) not in SCALES:
        raise GanzooError(f"ganzoo: SRGAN scale={scale} is not supported; use 2, 3 or 4.")
    return int(scale)


def upsampling_factors(scale: int) -> list[int]:
    """The paper's two ×2 sub-pixel blocks for 4×; one ×2 or one ×3 block for 2× and 3×."""
    return {2: [2], 3: [3], 4: [2, 2]}[check_scale(scale)]


def norm_layer(batch_norm: bool, name: str) -> keras.layers.Layer:
    """The paper's batch norm (momentum 0.9, ε 1e-5), or an identity when it is off."""
    if batch_norm:
        return keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name)
    return keras.layers.Identity(name=name)


def build_generator(
    scale: int = 4,
    num_blocks: int = 16,
    filters: int = 64,
    batch_norm: bool = True,
    residual_to_bicubic: bool = False,
    channels: int = 3,
    residual_scale: float = 1.0,
) -> keras.Model:
    """SRResNet (the paper's Figure 4), fully convolutional.

    k9n64 conv + PReLU; B residual blocks (k3n64 conv, BN, PReLU, k3n64 conv, BN, + skip); k3n64
    conv, BN, + the long skip from the first layer; per ×r sub-pixel block a k3n(64·r²) conv, the
    pixel shuffle and PReLU; a k9n3 conv to the image (linear, as the paper).

    ``residual_scale`` multiplies each block's branch before its skip addition (EDSR, Lim et al.
    2017, arXiv 1707.02921, uses 0.1 with its wide networks and no batch norm; 1.0 is the paper's
    SRResNet and adds no layer, so older saved generators keep their layer list).

    Shapes: ``[batch, h, w, channels] -> [batch, h·scale, w·scale, channels]``, any h and w,
    float32 in [-1, 1] (not clipped in training; ``SRGAN.super_resolve`` clips).
    """
    scale = check_scale(scale)
    lr = keras.Input((None, None, channels), name="lr_images")
    x = keras.layers.Conv2D(filters, 9, padding="same", name="head")(lr)
    x = keras.layers.PReLU(shared_axes=[1, 2], name="head_prelu")(x)
    long_skip = x
    for b in range(1, num_blocks + 1):
        y = keras.layers.Conv2D(filters, 3, padding="same", use_bias=not batch_norm, name=f"block{b}_conv1")(x)
        y = norm_layer(batch_norm, f"block{b}_bn1")(y)
        y = keras.layers.PReLU(shared_axes=[1, 2], name=f"block{b}_prelu")(y)
        y = keras.layers.Conv2D(filters, 3, padding="same", use_bias=not batch_norm, name=f"block{b}_conv2")(y)
        y = norm_layer(batch_norm, f"block{b}_bn2")(y)
        if residual_scale != 1.0:
            y = keras.layers.Rescaling(residual_scale, name=f"block{b}_scale")(y)
        x = keras.layers.Add(name=f"block{b}_add")([x, y])
    x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=not batch_norm, name="body_conv")(x)
    x = norm_layer(batch_norm, "body_bn")(x)
    x = keras.layers.Add(name="long_skip")([long_skip, x])
    for i, factor in enumerate(upsampling_factors(scale), start=1):
        x = keras.layers.Conv2D(filters * factor * factor, 3, padding="same", name=f"up{i}_conv")(x)
        x = PixelShuffle(factor, name=f"up{i}_shuffle")(x)
        x = keras.layers.PReLU(shared_axes=[1, 2], name=f"up{i}_prelu")(x)
    # Starting the residual at zero makes the untrained network exactly bicubic.
    tail_init = "zeros" if residual_to_bicubic else "glorot_uniform"
    x = keras.layers.Conv2D(channels, 9, padding="same", kernel_initializer=tail_init, dtype="float32", name="tail")(x)
    if residual_to_bicubic:
        base = BicubicUpsample(scale, dtype="float32", name="bicubic")(lr)
        x = keras.layers.Add(dtype="float32", name="hr_images")([base, x])
    return keras.Model(lr, x, name="generator")


def receptive_radius(generator: keras.Model) -> int:
    """How many LR pixels away an output pixel of ``generator`` can see (its receptive-field radius).

    Each convolution adds ``(k − 1) / 2`` pixels at its own resolution, i.e. that divided by the
    upsampling done before it; bicubic upsampling reaches 2 LR pixels. Tiled inference
    (``ganzoo.ops.tiling``) with at least this overlap equals the whole image's result.
    """
    radius, factor = 0.0, 1
    for layer in generator.layers:
        if isinstance(layer, keras.layers.Conv2D):
            radius += (layer.kernel_size[0] - 1) / 2 / factor
        elif isinstance(layer, PixelShuffle):
            factor *= layer.factor
    return max(int(math.ceil(radius)), 2)


def build_discriminator(
    hr_shape: Sequence[int] = (96, 96, 3), filters: int = 64, dense_units: int = 1024, batch_norm: bool = True
) -> keras.Model:
    """The paper's VGG-style discriminator.

    k3n64s1 conv + LeakyReLU(0.2); seven conv–BN–LeakyReLU blocks k3n64s2, k3n128s1, k3n128s2,
    k3n256s1, k3n256s2, k3n512s1, k3n512s2 (``filters`` scales the widths); dense 1024 +
    LeakyReLU; dense 1 (a logit; the paper's sigmoid is in the loss).

    Shapes: ``[batch, *hr_shape] -> [batch, 1]``; H and W fixed (the dense layer needs them).
    """
    images = keras.Input(tuple(int(d) for d in hr_shape), name="hr_images")
    x = keras.layers.Conv2D(filters, 3, padding="same", name="conv1")(images)
    x = keras.layers.LeakyReLU(0.2, name="conv1_act")(x)
    blocks = [(1, 2), (2, 1), (2, 2), (4, 1), (4, 2), (8, 1), (8, 2)]
    for i, (width, stride) in enumerate(blocks, start=2):
        x = keras.layers.Conv2D(filters * width, 3, strides=stride, padding="same", use_bias=not batch_norm,
                                name=f"conv{i}")(x)
        x = norm_layer(batch_norm, f"conv{i}_bn")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"conv{i}_act")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(dense_units, name="dense")(x)
    x = keras.layers.LeakyReLU(0.2, name="dense_act")(x)
    logits = keras.layers.Dense(1, dtype="float32", name="logits")(x)
    return keras.Model(images, logits, name="discriminator")


def widen_generator(source: keras.Model, target: keras.Model) -> None:
    """Loads a trained SRResNet ``source`` into a wider, freshly built ``target``, keeping its function.

    Both must come from ``build_generator`` with the same scale, blocks and residual settings and no
    batch norm; ``target`` has at least as many filters. Each layer's old weights go to the first
    channels (the sub-pixel convolutions' outputs by shuffle position); weights from a new channel
    into an old one are zero, and the new channels keep ``target``'s initial weights, so the wider
    network computes exactly what ``source`` did, and training then puts the new channels to use.
    A zero-padded variant of Net2WiderNet (Chen et al. 2016, arXiv 1511.05641).
    """
    def width(model: keras.Model) -> int:
        return int(model.get_layer("head").filters)

    old, new = width(source), width(target)
    names = [layer.name for layer in source.layers if layer.weights]
    if new < old or names != [layer.name for layer in target.layers if layer.weights]:
        raise GanzooError(
            f"ganzoo: cannot widen a {old}-filter generator to {new} filters of another layout; widening keeps "
            "scale, num_blocks, residual_to_bicubic and residual_scale, needs batch_norm=False and more filters."
        )
    for name in names:
        src, dst = source.get_layer(name), target.get_layer(name)
        if isinstance(src, keras.layers.BatchNormalization):
            raise GanzooError("ganzoo: cannot widen a generator with batch norm; train it with batch_norm=False.")
        shuffled = name.startswith("up") and name.endswith("_conv")   # out index (i·r + j)·c + k
        values = []
        for s, d in zip(src.get_weights(), dst.get_weights()):
            shape, d = d.shape, d.copy()
            if shuffled:                                     # split the r² shuffle positions off
                s = s.reshape(s.shape[:-1] + (-1, old))
                d = d.reshape(d.shape[:-1] + (-1, new))
            out = s.shape[-1]
            if isinstance(src, keras.layers.Conv2D) and s.ndim >= 4:   # a kernel [k, k, in, (r²,) out]
                d[:, :, : s.shape[2], ..., :out] = s
                d[:, :, s.shape[2]:, ..., :out] = 0.0        # nothing new flows into an old channel
            else:                                            # a bias, or PReLU's alpha [1, 1, c]
                d[..., :out] = s
            values.append(d.reshape(shape))
        dst.set_weights(values)


__all__ = ["SCALES", "PixelShuffle", "BicubicUpsample", "check_scale", "upsampling_factors", "norm_layer",
           "build_generator", "build_discriminator", "receptive_radius", "widen_generator"]
