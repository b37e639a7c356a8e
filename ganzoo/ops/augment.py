"""Differentiable image augmentations for the discriminator's inputs.

DiffAugment (Zhao, Liu, Lin, Zhu, Han 2020, "Differentiable Augmentation for
Data-Efficient GAN Training", arXiv 2006.10738): D sees every image, real and
generated alike, through random colour, translation and cutout transforms that
are differentiable, so G's gradient passes through them. ADA (Karras et al.
2020, "Training Generative Adversarial Networks with Limited Data", arXiv
2006.06676) applies each transform to an image only with probability p; with
p < 1 G cannot learn the transforms ("non-leaking").

``augment(images, ops, uniforms, probability)`` applies ``ops`` in order; every
random number comes from ``uniforms`` (``[batch, uniforms_needed(ops)]`` in
[0, 1)), so one call is a pure function of its inputs: reproducible, the same on
1 and N replicas (``ganzoo.distribute.global_batch_random`` draws them), and
testable. Each op uses one gate number (apply when u < p) and its parameters:

    brightness   x + b, b ~ U[-0.5, 0.5)                      (DiffAugment's values)
    saturation   m + s·(x − m), m the per-pixel channel mean, s ~ U[0, 2)
    contrast     m + c·(x − m), m the per-image mean, c ~ U[0.5, 1.5)
    translation  integer shifts in [−⌊r·H + ½⌋, ⌊r·H + ½⌋] per axis, r = 1/8; zero-filled
    cutout       a zeroed square of side ⌊H/2 + ½⌋ at a random place (may hang over the edge)
    xflip        mirror left-right (ADA's blit group; leaks unless p < 1)
    rot90        rotate by 90°·k, k ~ {0, 1, 2, 3} (square images; ADA's blit group)

``"color"`` names brightness, saturation and contrast. Zero is mid-gray in
[-1, 1], so translation and cutout keep images in [-1, 1]; the colour ops follow
the paper and do not clip (brightness reaches [-1.5, 1.5]). Shapes: NHWC in,
the same shape and dtype out (computed in float32, so mixed precision is safe).
"""

from __future__ import annotations

from typing import Callable, Sequence

import tensorflow as tf

from ganzoo.errors import GanzooError

Tensor = tf.Tensor

# DiffAugment's ratios: translation by up to 1/8 of the side, cutout of half the side.
TRANSLATION_RATIO = 0.125
CUTOUT_RATIO = 0.5


def _where(gate: Tensor, changed: Tensor, images: Tensor) -> Tensor:
    return tf.where(gate[:, None, None, None], changed, images)


def brightness(images: Tensor, u: Tensor) -> Tensor:
    """``x + (u − 0.5)`` per image; ``u`` ``[batch]`` in [0, 1)."""
    return images + (u - 0.5)[:, None, None, None]


def saturation(images: Tensor, u: Tensor) -> Tensor:
    """Scales each pixel's deviation from its channel mean by ``2u`` (identity on 1 channel)."""
    mean = tf.reduce_mean(images, axis=3, keepdims=True)
    return mean + (images - mean) * (2.0 * u)[:, None, None, None]


def contrast(images: Tensor, u: Tensor) -> Tensor:
    """Scales each image's deviation from its mean by ``u + 0.5``."""
    mean = tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)
    return mean + (images - mean) * (u + 0.5)[:, None, None, None]


def _integers(u: Tensor, low: int, high: int) -> Tensor:
    """Integers uniform in [low, high] from ``u`` in [0, 1)."""
    count = high - low + 1
    return tf.minimum(tf.cast(tf.floor(u * count), tf.int32), count - 1) + low


def _shift_matrix(shift: Tensor, size: int) -> Tensor:
    """``[batch, size, size]`` one-hot rows: row i picks input i − shift (none when out of range)."""
    return tf.one_hot(tf.range(size)[None, :] - shift[:, None], size, dtype=tf.float32)


def translation(images: Tensor, u_rows: Tensor, u_cols: Tensor, ratio: float = TRANSLATION_RATIO) -> Tensor:
    """Shifts each image by whole pixels (up to ``ratio`` of its side), filling with 0.

    As matrix products with one-hot shift matrices, so the gradient is exact and the op
    runs the same under XLA and on every device.
    """
    height, width = int(images.shape[1]), int(images.shape[2])
    max_h, max_w = int(height * ratio + 0.5), int(width * ratio + 0.5)
    rows = _shift_matrix(_integers(u_rows, -max_h, max_h), height)
    cols = _shift_matrix(_integers(u_cols, -max_w, max_w), width)
    shifted = tf.einsum("nij,njwc->niwc", rows, images)
    return tf.einsum("nkw,niwc->nikc", cols, shifted)


def cutout(images: Tensor, u_rows: Tensor, u_cols: Tensor, ratio: float = CUTOUT_RATIO) -> Tensor:
    """Sets a square of side ``ratio`` × the image's side to 0, centred at a random pixel."""
    height, width = int(images.shape[1]), int(images.shape[2])
    size_h, size_w = int(height * ratio + 0.5), int(width * ratio + 0.5)
    centre_h = _integers(u_rows, 0, height - size_h % 2)
    centre_w = _integers(u_cols, 0, width - size_w % 2)
    start_h, start_w = centre_h - size_h // 2, centre_w - size_w // 2
    row = tf.range(height)[None, :]
    col = tf.range(width)[None, :]
    inside_h = tf.logical_and(row >= start_h[:, None], row < (start_h + size_h)[:, None])
    inside_w = tf.logical_and(col >= start_w[:, None], col < (start_w + size_w)[:, None])
    hole = tf.logical_and(inside_h[:, :, None], inside_w[:, None, :])
    return images * (1.0 - tf.cast(hole, tf.float32))[..., None]


def xflip(images: Tensor) -> Tensor:
    """Mirrors left-right."""
    return tf.reverse(images, axis=[2])


def rot90(images: Tensor, u: Tensor) -> Tensor:
    """Rotates each (square) image by 90°·k, k from ``u``."""
    k = _integers(u, 0, 3)
    turned = [images]
    for _ in range(3):
        turned.append(tf.reverse(tf.transpose(turned[-1], [0, 2, 1, 3]), axis=[1]))
    stacked = tf.stack(turned, axis=0)  # [4, batch, H, W, C]
    return tf.gather(tf.transpose(stacked, [1, 0, 2, 3, 4]), k, axis=1, batch_dims=1)


# name -> (function of (images, parameter uniforms), number of parameter uniforms)
OPS: dict[str, tuple[Callable[..., Tensor], int]] = {
    "brightness": (brightness, 1),
    "saturation": (saturation, 1),
    "contrast": (contrast, 1),
    "translation": (translation, 2),
    "cutout": (cutout, 2),
    "xflip": (lambda images: xflip(images), 0),
    "rot90": (rot90, 1),
}
GROUPS = {"color": ("brightness", "saturation", "contrast")}
DEFAULT_POLICY = "color,translation,cutout"


def parse_policy(policy: str | Sequence[str]) -> tuple[str, ...]:
    """``"color,translation,cutout"`` -> the op names in order (groups expanded)."""
    names = policy.split(",") if isinstance(policy, str) else list(policy)
    ops: list[str] = []
    for name in (n.strip().lower() for n in names):
        if not name:
            continue
        if name not in OPS and name not in GROUPS:
            known = ", ".join(list(GROUPS) + list(OPS))
            raise GanzooError(f"ganzoo: augmentation policy names '{name}'; use a comma-separated list of {known}.")
        ops += GROUPS.get(name, (name,))
    if not ops:
        raise GanzooError(f"ganzoo: augmentation policy {policy!r} names no op; e.g. '{DEFAULT_POLICY}'.")
    return tuple(ops)


def uniforms_needed(ops: Sequence[str]) -> int:
    """Random numbers per image that ``augment`` reads: one gate plus the parameters of each op."""
    return sum(1 + OPS[name][1] for name in ops)


def augment(images: Tensor, ops: Sequence[str], uniforms: Tensor, probability: Tensor | float = 1.0) -> Tensor:
    """Applies ``ops`` in order, each to an image with probability ``probability``.

    Args:
        images: ``[batch, H, W, C]`` (H = W for ``rot90``), any float dtype.
        ops: op names (``parse_policy``).
        uniforms: ``[batch, uniforms_needed(ops)]`` random numbers in [0, 1).
        probability: p of ADA (a scalar, may be a tensor); 1 applies every op (DiffAugment).

    Returns:
        The augmented images, ``[batch, H, W, C]``, in ``images``' dtype; differentiable in
        ``images``.
    """
    dtype = images.dtype
    x = tf.cast(images, tf.float32)
    uniforms = tf.cast(uniforms, tf.float32)
    probability = tf.cast(probability, tf.float32)
    column = 0
    for name in ops:
        op, count = OPS[name]
        gate = uniforms[:, column] < probability
        parameters = [uniforms[:, column + 1 + i] for i in range(count)]
        x = _where(gate, op(x, *parameters), x)
        column += 1 + count
    return tf.cast(x, dtype)
