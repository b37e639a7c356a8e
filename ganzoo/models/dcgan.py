"""DCGAN: deep convolutional GANs.

Radford, Metz, Chintala 2015, "Unsupervised Representation Learning with Deep
Convolutional Generative Adversarial Networks", arXiv 1511.06434.

The idea: all-convolutional G and D that train stably — strided convolutions
instead of pooling, fractionally-strided ones in G, batch norm in both (not on
G's output nor D's input), no hidden fully connected layers, ReLU + tanh in G,
LeakyReLU(0.2) in D, weights from N(0, 0.02), Adam(2e-4, β1 = 0.5).

Where ganzoo departs from the paper:
- any square power-of-two size from 16 to 128 (the paper shows 64×64); the
  networks gain or lose a stride-2 stage per octave, so a 32×32 model has the
  64×64 model's stages less the largest;
- D ends in a 4×4 valid convolution to one logit (as in the authors' released
  code) rather than a flatten + dense;
- batch-norm momentum 0.9 and ε 1e-5 (the reference implementations' values).
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import keras
import numpy as np

from ganzoo import latent, remedies
from ganzoo.errors import GanzooError
from ganzoo.models.base import GAN

def init() -> keras.initializers.Initializer:
    """The paper's weight initialisation, N(0, 0.02); other models' DCGAN-style layers use it too.

    A fresh initializer per layer: its seed comes from Python's ``random`` when the layer is
    made, so ``keras.utils.set_random_seed`` before building fixes every layer's weights, and
    no two layers share one draw (one module-level object would fix its seed at import).
    """
    return keras.initializers.RandomNormal(0.0, 0.02)


def batch_norm_layer(name: str, synchronized: bool = False) -> keras.layers.Layer:
    """Batch norm as the reference DCGAN code has it: momentum 0.9, ε 1e-5, γ ~ N(1, 0.02)."""
    return keras.layers.BatchNormalization(
        momentum=0.9,
        epsilon=1e-5,
        gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02),
        synchronized=synchronized,
        name=name,
    )


def check_image_shape(image_shape: Sequence[int], low: int = 16, high: int = 128) -> tuple[int, int, int]:
    """Validates a square power-of-two NHWC image shape, e.g. ``(32, 32, 1)``."""
    shape = tuple(int(d) for d in image_shape)
    if len(shape) != 3:
        raise GanzooError(
            f"ganzoo: image_shape={shape} must be (height, width, channels), e.g. (32, 32, 1)."
        )
    size, width, channels = shape
    if size != width or size < low or size > high or size & (size - 1):
        raise GanzooError(
            f"ganzoo: DCGAN image size {size}x{width} is not supported; use a square power "
            f"of two from {low} to {high} (e.g. set data.image_size=32)."
        )
    if channels not in (1, 3):
        raise GanzooError(f"ganzoo: image_shape has {channels} channels; DCGAN takes 1 or 3.")
    return shape


def stages(size: int) -> int:
    """Stride-2 stages between 4×4 and ``size``."""
    return int(math.log2(size // 4))


def build_generator(
    image_shape: Sequence[int] = (64, 64, 3),
    latent_dim: int = 100,
    filters: int = 64,
    batch_norm: bool = True,
    sync_batch_norm: bool = False,
) -> keras.Model:
    """DCGAN generator: z -> 4×4×(filters·2^(n−1)) -> ... -> size×size×channels.

    Project-and-reshape (a matrix multiplication, BN, ReLU), then n = log2(size/4)
    fractionally-strided 4×4 convolutions halving the channels, the last one to
    the image channels with tanh. Shapes: ``[batch, latent_dim] -> [batch, H, W, C]``.
    """
    size, _, channels = check_image_shape(image_shape)
    n = stages(size)
    width = filters * 2 ** (n - 1)
    z = keras.Input((latent_dim,), name="z")
    x = keras.layers.Dense(4 * 4 * width, use_bias=False, kernel_initializer=init(), name="project")(z)
    x = keras.layers.Reshape((4, 4, width))(x)
    if batch_norm:
        norm = lambda name: batch_norm_layer(name, sync_batch_norm)  # noqa: E731
    else:
        norm = lambda name: keras.layers.Identity(name=name)  # noqa: E731
    x = keras.layers.ReLU()(norm("project_bn")(x))
    for stage in range(1, n):
        width //= 2
        x = keras.layers.Conv2DTranspose(
            width, 4, strides=2, padding="same", use_bias=False,
            kernel_initializer=init(), name=f"up{stage}",
        )(x)
        x = keras.layers.ReLU()(norm(f"up{stage}_bn")(x))
    x = keras.layers.Conv2DTranspose(
        channels, 4, strides=2, padding="same", kernel_initializer=init(), name=f"up{n}"
    )(x)
    images = keras.layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(z, images, name="generator")


def build_discriminator(
    image_shape: Sequence[int] = (64, 64, 3),
    filters: int = 64,
    batch_norm: bool = True,
    sync_batch_norm: bool = False,
) -> keras.Model:
    """DCGAN discriminator: strided 4×4 convolutions doubling the channels to 4×4, then one logit.

    No batch norm on the first stage (the paper: not on D's input).
    Shapes: ``[batch, H, W, C] -> [batch, 1]`` (a logit).
    """
    size, _, _ = check_image_shape(image_shape)
    images = keras.Input(tuple(image_shape), name="images")
    x = images
    width = filters
    for stage in range(1, stages(size) + 1):
        x = keras.layers.Conv2D(
            width, 4, strides=2, padding="same", use_bias=stage == 1,
            kernel_initializer=init(), name=f"down{stage}",
        )(x)
        if stage > 1 and batch_norm:
            x = batch_norm_layer(f"down{stage}_bn", sync_batch_norm)(x)
        x = keras.layers.LeakyReLU(0.2, name=f"down{stage}_act")(x)
        width *= 2
    x = keras.layers.Conv2D(1, 4, padding="valid", kernel_initializer=init(), name="logit")(x)
    logits = keras.layers.Flatten(dtype="float32", name="logits")(x)
    return keras.Model(images, logits, name="discriminator")


@keras.saving.register_keras_serializable(package="ganzoo")
class DCGAN(GAN):
    """Deep convolutional GAN (Radford et al. 2015, arXiv 1511.06434).

    Args:
        image_shape: ``(size, size, channels)``, size a power of two in [16, 128],
            channels 1 or 3.
        latent_dim: noise size (paper: 100).
        g_filters: channels of G's last hidden stage (ngf, paper 64 at 64×64).
        d_filters: channels of D's first stage (ndf, paper 64).
        batch_norm: the paper's batch norm in G and D (off for, e.g., exact
            replica-count-independent updates: BN statistics are per replica).
        sync_batch_norm: batch-norm statistics over the global batch, across
            replicas (one all-reduce per BN layer and step).
        minibatch_kernels: minibatch discrimination on D's last hidden stage
            (Salimans et al. 2016; 0 = off).
        spectral_norm: spectral normalization of D's layers (Miyato et al. 2018).
        packing: m, the images D judges at once, stacked on the channel axis
            (PacGAN, Lin et al. 2018; 1 = off); the batch size must be a multiple of it.
        seed: noise seed.

    ``compile()`` with no optimizers uses Adam(2e-4, β1 = 0.5) for both.
    Shapes: ``z [batch, latent_dim] -> images [batch, size, size, channels]`` in [-1, 1].
    """

    def __init__(
        self,
        image_shape: Sequence[int] = (64, 64, 3),
        latent_dim: int = 100,
        g_filters: int = 64,
        d_filters: int = 64,
        batch_norm: bool = True,
        sync_batch_norm: bool = False,
        minibatch_kernels: int = 0,
        spectral_norm: bool = False,
        packing: int = 1,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        image_shape = check_image_shape(image_shape)
        kwargs.pop("generator", None)
        kwargs.pop("discriminator", None)
        super().__init__(
            generator=build_generator(image_shape, latent_dim, g_filters, batch_norm, sync_batch_norm),
            discriminator=remedies.apply_to_discriminator(
                build_discriminator(image_shape, d_filters, batch_norm, sync_batch_norm),
                minibatch_kernels,
                spectral_norm,
                packing,
            ),
            latent_dim=latent_dim,
            seed=seed,
            **kwargs,
        )
        self.image_shape = image_shape
        self.g_filters = int(g_filters)
        self.d_filters = int(d_filters)
        self.batch_norm = bool(batch_norm)
        self.sync_batch_norm = bool(sync_batch_norm)
        self.minibatch_kernels = int(minibatch_kernels)
        self.spectral_norm = bool(spectral_norm)
        self.packing = int(packing)

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "image_shape": list(self.image_shape),
            "latent_dim": self.latent_dim,
            "g_filters": self.g_filters,
            "d_filters": self.d_filters,
            "batch_norm": self.batch_norm,
            "sync_batch_norm": self.sync_batch_norm,
            "minibatch_kernels": self.minibatch_kernels,
            "spectral_norm": self.spectral_norm,
            "packing": self.packing,
            "seed": self.seed,
        }

    def discriminator_features(self, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """D as a feature extractor (the paper's section 5.1).

        Every stage's activations are max-pooled to a 4×4 grid, flattened and
        concatenated. Shapes: ``[n, H, W, C] -> [n, features]``.
        """
        stages = [
            layer.output for layer in self.discriminator.layers
            if layer.name.startswith("down") and layer.name.endswith("_act")
        ]
        pooled = []
        for output in stages:
            pool = max(1, int(output.shape[1]) // 4)
            x = keras.layers.MaxPooling2D(pool)(output) if pool > 1 else output
            pooled.append(keras.layers.Flatten()(x))
        features = keras.layers.Concatenate()(pooled) if len(pooled) > 1 else pooled[0]
        # Built per call, not cached on self: an extra tracked sub-model would
        # change what model.save() writes.
        model = keras.Model(self.discriminator.inputs[0], features)
        images = np.asarray(images, np.float32)
        return np.concatenate(
            [
                np.asarray(model(images[i : i + batch_size], training=False))
                for i in range(0, len(images), batch_size)
            ]
        )

    def interpolate(self, z1: np.ndarray, z2: np.ndarray, steps: int = 8, spherical: bool = True) -> np.ndarray:
        """Images along a path from z1 to z2 (``[steps, H, W, C]``); see ganzoo.latent."""
        return self.generate(0, z=latent.interpolate(z1, z2, steps, spherical=spherical))

    def arithmetic(self, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        """The paper's vector arithmetic: G(mean(a) − mean(b) + mean(c)), ``[1, H, W, C]``.

        Each argument holds one or more latent vectors of a concept, e.g. three
        z of "smiling woman" (the paper averages three per concept).
        """
        return self.generate(0, z=latent.arithmetic(a, b, c))
