"""The non-adversarial losses of TP-GAN (Huang, Zhang, Li, He 2017, "Beyond Face Rotation:
Global and Local Perception GAN for Photorealistic and Identity Preserving Frontal View
Synthesis", arXiv 1704.04086, section 3.3).

Pure functions on NHWC float tensors; each returns a **per-example** loss ``[batch]`` float32,
which the model returns as a ``ganzoo.training.Term`` (the generic step averages it over the
global batch). The synthesis loss is
L_syn = L_pixel + λ1 L_sym + λ2 L_adv + λ3 L_ip + λ4 L_tv (λ1 0.3, λ2 1e-3, λ3 3e-3, λ4 1e-4);
L_adv is a ``ganzoo.losses`` generator loss. ``colour_statistics_loss`` is ganzoo's addition
(issue 27), not the paper's: it holds the output's per-channel colour mean and spread to the truth's.
"""

from __future__ import annotations

from typing import Sequence

import tensorflow as tf

Tensor = tf.Tensor


def _per_example_mean(x: Tensor) -> Tensor:
    x = tf.cast(x, tf.float32)
    return tf.reduce_mean(tf.reshape(x, [tf.shape(x)[0], -1]), axis=1)


def resize_like(target: Tensor, output: Tensor) -> Tensor:
    """``target`` average-pooled to ``output``'s spatial size (a power-of-two factor)."""
    factor = int(target.shape[1]) // int(output.shape[1])
    if factor == 1:
        return tf.cast(target, tf.float32)
    return tf.nn.avg_pool2d(tf.cast(target, tf.float32), factor, factor, "VALID")


def pixel_loss(outputs: Sequence[Tensor], target: Tensor) -> Tensor:
    """Multi-scale pixel-wise L1 to the ground-truth frontal (the paper's Eq. 3):

        L_pixel = 1/S Σ_s 1/(W_s H_s C) Σ_{x,y,c} |Î_s(x, y, c) − I_s^gt(x, y, c)|

    over the S outputs of the decoder (e.g. 16², 32², 64²), the truth average-pooled to each.

    Args:
        outputs: the generator's images at each scale, ``[batch, H_s, W_s, C]``.
        target: ground-truth frontal ``[batch, H, W, C]`` at the largest scale.
    """
    terms = [_per_example_mean(tf.abs(tf.cast(o, tf.float32) - resize_like(target, o))) for o in outputs]
    return tf.add_n(terms) / float(len(terms))


def symmetry_loss(images: Tensor) -> Tensor:
    """Symmetry of the output about its vertical centre line (Eq. 4):

        L_sym = 1/(W/2 · H) Σ_{x=1}^{W/2} Σ_y |Î(x, y) − Î(W − (x − 1), y)|

    (averaged over channels as well). Zero for a left-right symmetric image.
    """
    images = tf.cast(images, tf.float32)
    width = int(images.shape[2])
    left = images[:, :, : width // 2]
    mirrored_right = tf.reverse(images, axis=[2])[:, :, : width // 2]
    return _per_example_mean(tf.abs(left - mirrored_right))


def identity_preserving_loss(fake_features: Sequence[Tensor], real_features: Sequence[Tensor]) -> Tensor:
    """Distance of identity-network features of output and truth (Eq. 6):

        L_ip = Σ_i 1/(W_i H_i) Σ_{x,y} |F_i(Î)_{x,y} − F_i(I^gt)_{x,y}|

    over the identity network's last two layers i (Light CNN in the paper), each L1 distance
    averaged over its elements.
    """
    terms = [
        _per_example_mean(tf.abs(tf.cast(f, tf.float32) - tf.cast(r, tf.float32)))
        for f, r in zip(fake_features, real_features)
    ]
    return tf.add_n(terms)


def colour_statistics_loss(images: Tensor, target: Tensor) -> Tensor:
    """Colour statistics of the output against the truth (ganzoo's addition, issue 27; not in TP-GAN):

        L_colour = 1/C Σ_c |μ_c(Î) − μ_c(I^gt)| + |σ_c(Î) − σ_c(I^gt)|

    with μ_c, σ_c the mean and standard deviation of channel c over the image's pixels. Zero when
    the output has the truth's colour balance and contrast, whatever its layout; a per-pixel L1
    averages a global tint or darkening with everything else, this term sees it alone.

    Args:
        images: the output ``[batch, H, W, C]``; target: the truth, same shape. Returns ``[batch]``.
    """
    images, target = tf.cast(images, tf.float32), tf.cast(target, tf.float32)
    mean_i, var_i = tf.nn.moments(images, axes=[1, 2])
    mean_t, var_t = tf.nn.moments(target, axes=[1, 2])
    spread = tf.abs(tf.sqrt(var_i + 1e-8) - tf.sqrt(var_t + 1e-8))
    return tf.reduce_mean(tf.abs(mean_i - mean_t) + spread, axis=1)


def total_variation_loss(images: Tensor) -> Tensor:
    """Total variation, summed as in the paper (Eq. 7):

        L_tv = Σ_c Σ_{x,y} |Î(x+1, y, c) − Î(x, y, c)| + |Î(x, y+1, c) − Î(x, y, c)|

    Zero for a constant image. A sum, not a mean: λ4 = 1e-4 was set for the sum.
    """
    images = tf.cast(images, tf.float32)
    dx = tf.abs(images[:, :, 1:] - images[:, :, :-1])
    dy = tf.abs(images[:, 1:] - images[:, :-1])
    flat = lambda t: tf.reduce_sum(tf.reshape(t, [tf.shape(t)[0], -1]), axis=1)  # noqa: E731
    return flat(dx) + flat(dy)
