"""SRGAN's objective (Ledig et al. 2017, arXiv 1609.04802, section 2.2): content + 1e-3 × adversarial.

The content loss is the pixel MSE (SRResNet, and SRGAN-MSE), the pixel L1 (EDSR, Lim et al. 2017,
arXiv 1707.02921, which found it converges better than MSE) or the MSE of VGG19's φ5,4 feature
maps rescaled by 1/12.75 (SRGAN-VGG54); the adversarial term is the non-saturating
−log D(G(lr)) of ``ganzoo.losses``. This module holds the pieces that are not a GAN loss: the
per-image MSE and PSNR, and the frozen VGG19 feature network (read from a local weights file,
never downloaded).
"""

from __future__ import annotations

import os

import keras
import numpy as np
import tensorflow as tf

from ganzoo.errors import GanzooError
from ganzoo.utils.images import BT601_YCBCR

Tensor = tf.Tensor

CONTENT_LOSSES = ("mse", "mse_y", "l1", "vgg")
# BT.601 rows for Y, Cb and Cr from RGB: the Y row is the one the evaluation reads
# (ganzoo.metrics.image_quality.rgb_to_y, up to its offset and 219/255 scale).
YCBCR_ROWS = BT601_YCBCR
CHROMA_WEIGHT = 0.25
VGG19_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
VGG19_ENV = "GANZOO_VGG19_WEIGHTS"
# Caffe-style VGG preprocessing: BGR, ImageNet channel means, [0, 255].
VGG_MEAN_BGR = (103.939, 116.779, 123.68)


def mse_per_example(predictions: Tensor, targets: Tensor) -> Tensor:
    """Pixel MSE per image, ``[batch]``: mean over H, W, C of (G(lr) − hr)²."""
    return tf.reduce_mean(tf.square(tf.cast(predictions, tf.float32) - tf.cast(targets, tf.float32)), axis=[1, 2, 3])


def mse_y_per_example(predictions: Tensor, targets: Tensor, chroma_weight: float = CHROMA_WEIGHT) -> Tensor:
    """Luma-weighted pixel MSE per image, ``[batch]``: the difference is taken to BT.601 YCbCr,
    then mean over H, W of ΔY² + ``chroma_weight`` × (ΔCb² + ΔCr²) / 2.

    The evaluation's PSNR reads Y only (as SRCNN and most SR papers measure it); the chroma term keeps
    colours from drifting. RGB MSE would spread the network's effort over all three equally.
    """
    diff = tf.cast(predictions, tf.float32) - tf.cast(targets, tf.float32)
    ycc = tf.tensordot(diff, tf.constant(YCBCR_ROWS, tf.float32), axes=[[3], [1]])
    per_pixel = tf.square(ycc[..., 0]) + float(chroma_weight) * 0.5 * (tf.square(ycc[..., 1]) + tf.square(ycc[..., 2]))
    return tf.reduce_mean(per_pixel, axis=[1, 2])


def l1_per_example(predictions: Tensor, targets: Tensor) -> Tensor:
    """Pixel L1 per image, ``[batch]``: mean over H, W, C of |G(lr) − hr| (EDSR's loss)."""
    return tf.reduce_mean(tf.abs(tf.cast(predictions, tf.float32) - tf.cast(targets, tf.float32)), axis=[1, 2, 3])


def psnr_per_example(predictions: Tensor, targets: Tensor) -> Tensor:
    """PSNR per image in dB for [-1, 1] RGB images (peak-to-peak 2), predictions clipped first.

    The training display; the evaluation number (Y channel, shaved border) is
    ``ganzoo.metrics.psnr``.
    """
    mse = mse_per_example(tf.clip_by_value(predictions, -1.0, 1.0), targets)
    return 10.0 * tf.math.log(4.0 / tf.maximum(mse, 1e-12)) / tf.math.log(10.0)


def vgg_content_per_example(features: keras.Model, predictions: Tensor, targets: Tensor, rescale: float) -> Tensor:
    """The paper's VGG loss per image, ``[batch]``: MSE of ``rescale`` × φ(G(lr)) and ``rescale`` × φ(hr).

    ``features`` is ``build_vgg_features``' network φ5,4; the targets' features carry no gradient.
    """
    fake = tf.cast(features(predictions, training=False), tf.float32) * rescale
    real = tf.stop_gradient(tf.cast(features(targets, training=False), tf.float32) * rescale)
    return mse_per_example(fake, real)


def vgg19_weights_path(path: str | None = None) -> str:
    """The local VGG19 weights file: ``path``, else ``$GANZOO_VGG19_WEIGHTS``; checked to exist."""
    path = path or os.environ.get(VGG19_ENV, "")
    if not path or not os.path.isfile(os.path.expanduser(path)):
        where = f"'{path}' does not exist" if path else f"no path given and ${VGG19_ENV} is not set"
        raise GanzooError(
            f"ganzoo: content_loss='vgg' needs VGG19 ImageNet weights {VGG19_FILE} at a local path ({where}); "
            f"set {VGG19_ENV} or model.vgg_weights to the file, or use content_loss='mse'."
        )
    return os.path.expanduser(path)


def build_vgg_features(weights: str | None) -> keras.Model:
    """VGG19 φ5,4: the conv5_4 feature maps *before* their ReLU, frozen.

    Input: images float32 in [-1, 1] (RGB, any size ≥ 16); caffe preprocessing is inside.
    ``weights``: a local ``.h5`` (``None`` gives random weights, for tests only).
    Shapes: ``[batch, H, W, 3] -> [batch, H/16, W/16, 512]``.
    """
    vgg = keras.applications.VGG19(include_top=False, weights=weights, input_shape=(None, None, 3))
    last = vgg.get_layer("block5_conv4")
    images = keras.Input((None, None, 3), name="images")
    x = keras.ops.flip((images + 1.0) * 127.5, axis=-1) - np.array(VGG_MEAN_BGR, np.float32)
    features = keras.Model(vgg.input, last.input, name="vgg19_to_conv5_3")(x)
    preact = keras.layers.Conv2D(512, 3, padding="same", activation=None, name="conv5_4_preact")
    output = preact(features)
    preact.set_weights(last.get_weights())
    model = keras.Model(images, output, name="vgg19_phi54")
    model.trainable = False
    return model


__all__ = ["CONTENT_LOSSES", "YCBCR_ROWS", "CHROMA_WEIGHT", "mse_y_per_example", "VGG19_FILE", "VGG19_ENV", "mse_per_example", "l1_per_example", "psnr_per_example",
           "vgg_content_per_example", "vgg19_weights_path", "build_vgg_features"]
