"""CycleGAN's networks (Zhu et al. 2017, appendix 7.2), as plain builder functions.

Generator (Johnson et al. 2016's residual network), with k = ``base_filters`` (paper 64) and
``downsamplings`` = 2:

    c7s1-k, d2k, d4k, R4k × num_blocks, u2k, uk, c7s1-C, tanh

c7s1-k: reflection padding 3, 7×7 convolution of k filters, stride 1, instance norm, ReLU;
dk: 3×3 convolution stride 2, instance norm, ReLU; Rk: two reflection-padded 3×3 convolutions
with instance norm (ReLU between), added to the input; uk: 3×3 fractionally-strided
convolution stride ½, instance norm, ReLU. Fully convolutional: any input whose sides are
multiples of ``size_multiple(...)`` (the model pads other sizes).

Discriminator (pix2pix's 70×70 PatchGAN for ``stride2_layers=3``), k = ``base_filters``:

    C(k) C(2k) C(4k) [stride 2] C(8k) [stride 1] → 1 channel per patch

C(k): 4×4 convolution, instance norm (not on the first), LeakyReLU 0.2. Outputs one raw
score per overlapping patch (least-squares targets, no sigmoid).

Instance norm is ``GroupNormalization(groups=-1)`` without affine parameters (the official
code's ``InstanceNorm2d(affine=False)``); weights start from N(0, 0.02) as in the paper.
"""

from __future__ import annotations

from typing import Any

import keras

from ganzoo.models.dcgan import init as dcgan_init
from ganzoo.ops import resample


@keras.saving.register_keras_serializable(package="ganzoo")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads the two spatial axes of NHWC images by mirroring ``padding`` pixels (any size)."""

    def __init__(self, padding: int = 1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.padding = int(padding)

    def call(self, x):
        p = self.padding
        return keras.ops.pad(x, [[0, 0], [p, p], [p, p], [0, 0]], mode="reflect")

    def compute_output_shape(self, input_shape):
        grow = lambda d: None if d is None else d + 2 * self.padding  # noqa: E731
        return (input_shape[0], grow(input_shape[1]), grow(input_shape[2]), input_shape[3])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "padding": self.padding}


@keras.saving.register_keras_serializable(package="ganzoo")
class ScaleShiftWarp(keras.layers.Layer):
    """``[images, params]`` -> the images zoomed and shifted by ``params`` ``[b, 4]`` = (log sy,
    log sx, ty, tx) (``ganzoo.ops.resample.scale_shift_sample``); float32, any size."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{**kwargs, "dtype": "float32"})

    def call(self, inputs):
        images, params = inputs
        return resample.scale_shift_sample(keras.ops.cast(images, "float32"), keras.ops.cast(params, "float32"))

    def compute_output_shape(self, input_shape):
        return input_shape[0]


def warp_input(images, filters: int):
    """A learned zoom and shift of the whole input, one per image (a spatial transformer, Jaderberg
    et al. 2015): two stride-2 convolutions, global average pooling and a dense layer that starts
    at zero (the identity). Layers are named ``warp_*``."""
    x = images
    for i in range(2):
        x = keras.layers.ReLU(name=f"warp_c{i}_relu")(conv(filters, 3, strides=2, name=f"warp_c{i}")(x))
    x = keras.layers.GlobalAveragePooling2D(name="warp_pool")(x)
    params = keras.layers.Dense(4, kernel_initializer="zeros", bias_initializer="zeros", dtype="float32",
                                name="warp_params")(x)
    return ScaleShiftWarp(name="warp")([images, params])


def instance_norm(name: str) -> keras.layers.Layer:
    """Instance normalization without affine parameters (the official code's default)."""
    return keras.layers.GroupNormalization(groups=-1, center=False, scale=False, epsilon=1e-5, name=name)


def conv(filters: int, kernel: int, strides: int = 1, padding: str = "same", name: str = "") -> keras.layers.Layer:
    return keras.layers.Conv2D(filters, kernel, strides=strides, padding=padding, kernel_initializer=dcgan_init(), name=name)


def c7s1(x, filters: int, name: str, kernel: int = 7):
    """c7s1-k: reflection pad 3, 7×7 convolution, stride 1 (norm and activation by the caller);
    another odd ``kernel`` pads ``kernel // 2``."""
    x = ReflectionPadding2D(kernel // 2, name=f"{name}_pad")(x)
    return conv(filters, kernel, padding="valid", name=name)(x)


def residual_block(x, filters: int, name: str):
    """Rk: x + IN(conv3(pad(ReLU(IN(conv3(pad(x))))))), reflection padding 1 on each convolution."""
    y = ReflectionPadding2D(1, name=f"{name}_pad1")(x)
    y = conv(filters, 3, padding="valid", name=f"{name}_conv1")(y)
    y = keras.layers.ReLU(name=f"{name}_relu")(instance_norm(f"{name}_norm1")(y))
    y = ReflectionPadding2D(1, name=f"{name}_pad2")(y)
    y = conv(filters, 3, padding="valid", name=f"{name}_conv2")(y)
    y = instance_norm(f"{name}_norm2")(y)
    return keras.layers.Add(name=f"{name}_add")([x, y])


def size_multiple(num_downsamplings: int = 2) -> int:
    """The generator maps H×W to H×W when H and W are multiples of this (2 per stride-2 layer)."""
    return 2 ** int(num_downsamplings)


def build_generator(channels: int, base_filters: int = 64, num_blocks: int = 9, downsamplings: int = 2,
                    name: str = "generator", edge_kernel: int = 7, warp: bool = False) -> keras.Model:
    """The ResNet generator ``[b, H, W, channels] -> [b, H, W, channels]`` in [-1, 1] (float32).

    Paper: ``base_filters=64``, ``downsamplings=2`` (d2k, d4k and u2k, uk); 6 blocks at 128², 9 at
    256². Each downsampling doubles the width; ``downsamplings=0`` keeps full resolution.
    ``edge_kernel`` is the side of the first and last convolutions (paper 7, c7s1; odd).
    ``warp`` (not in the paper) first zooms and shifts each input as a whole (``warp_input``), so
    that a generator that sees a few pixels can still resize and move the content.
    """
    k, steps = int(base_filters), int(downsamplings)
    images = keras.Input((None, None, channels), name="images")
    x = warp_input(images, k) if warp else images
    x = c7s1(x, k, "c7s1", edge_kernel)
    x = keras.layers.ReLU(name="c7s1_relu")(instance_norm("c7s1_norm")(x))
    for i in range(steps):
        x = conv(k * 2 ** (i + 1), 3, strides=2, name=f"d{i}")(x)
        x = keras.layers.ReLU(name=f"d{i}_relu")(instance_norm(f"d{i}_norm")(x))
    for i in range(int(num_blocks)):
        x = residual_block(x, k * 2 ** steps, f"r{i}")
    for i, filters in enumerate(k * 2 ** j for j in reversed(range(steps))):
        x = keras.layers.Conv2DTranspose(filters, 3, strides=2, padding="same", kernel_initializer=dcgan_init(),
                                         name=f"u{i}")(x)
        x = keras.layers.ReLU(name=f"u{i}_relu")(instance_norm(f"u{i}_norm")(x))
    x = c7s1(x, channels, "out", edge_kernel)
    # float32 output under mixed precision: losses and serving see full-precision images.
    out = keras.layers.Activation("tanh", dtype="float32", name="tanh")(x)
    return keras.Model(images, out, name=name)


def build_discriminator(channels: int, base_filters: int = 64, stride2_layers: int = 3,
                        name: str = "discriminator") -> keras.Model:
    """The PatchGAN ``[b, H, W, channels] -> [b, H', W', 1]`` raw scores, one per patch.

    ``stride2_layers=3`` is the paper's 70×70 PatchGAN (C64-C128-C256 at stride 2, C512 at
    stride 1); 2 gives the 34×34 PatchGAN for small images. Any input size.
    """
    k = int(base_filters)
    images = keras.Input((None, None, channels), name="images")
    x = images
    for i in range(int(stride2_layers) + 1):
        filters = k * 2 ** min(i, 3)
        x = conv(filters, 4, strides=2 if i < int(stride2_layers) else 1, name=f"c{i}")(x)
        if i > 0:  # the paper: no normalization on the first layer
            x = instance_norm(f"c{i}_norm")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"c{i}_lrelu")(x)
    out = keras.layers.Conv2D(1, 4, padding="same", kernel_initializer=dcgan_init(), dtype="float32", name="patches")(x)
    return keras.Model(images, out, name=name)


def receptive_field(network: keras.Model) -> int:
    """Side, in input pixels, of the window one output pixel of ``network`` sees (its convolutions
    in layer order; residual branches lie on the longest path; a ``warp`` input transform, which
    sees the whole image, is not counted). Paper G at 256²: 175 (68%)."""
    field, jump = 1.0, 1.0
    for layer in network.layers:
        if layer.name.startswith("warp"):
            continue
        if isinstance(layer, keras.layers.Conv2DTranspose):
            jump /= layer.strides[0]
            field += (layer.kernel_size[0] - 1) * jump
        elif isinstance(layer, keras.layers.Conv2D):
            field += (layer.kernel_size[0] - 1) * jump
            jump *= layer.strides[0]
    return int(round(field))
