"""Gaussian and Laplacian image pyramids in TensorFlow.

Burt & Adelson 1983, "The Laplacian Pyramid as a Compact Image Code", as used
by LAPGAN (Denton et al. 2015, arXiv 1506.05751, section 3.1):

    Gaussian pyramid    I_0 = I,   I_{k+1} = d(I_k)
    Laplacian pyramid   h_k = I_k − u(I_{k+1})  (k < K),   h_K = I_K
    reconstruction      I_k = u(I_{k+1}) + h_k

Indices here follow the paper: level 0 is the full-size image, the last level
the coarsest. (``ganzoo.models.LAPGAN`` numbers its GANs the other way round,
coarse to fine, because that is the order it samples in.)

The filter pair (the paper names d and u but not their kernels; we use Burt &
Adelson's):

- ``downsample`` (d): blur with the 5-tap binomial kernel [1, 4, 6, 4, 1] / 16
  along each axis, then keep every second pixel;
- ``upsample`` (u): Burt & Adelson's EXPAND — insert zeros between pixels and
  blur with the same kernel times 2 per axis, computed in its polyphase form:
  pixels on the old grid get (x[i−1] + 6·x[i] + x[i+1]) / 8 and the new ones
  between them (x[i] + x[i+1]) / 2.

Both mirror the image at its border with the edge pixel repeated (TF's
``SYMMETRIC`` padding), so a constant image stays constant and values stay in
the input's range (all weights are positive and sum to 1).

``reconstruct(laplacian(x))`` returns ``x`` up to float32 rounding whatever the
filters are: each band stores exactly what ``u`` of the coarser level misses.

All functions take NHWC float tensors with a static channel count; heights and
widths must be even wherever a level is downsampled.
"""

from __future__ import annotations

from typing import Sequence

import tensorflow as tf

from ganzoo.errors import GanzooError

Tensor = tf.Tensor

# Burt & Adelson's "a = 0.375" generating kernel: the binomial [1, 4, 6, 4, 1] / 16.
BINOMIAL_5 = (1.0 / 16, 4.0 / 16, 6.0 / 16, 4.0 / 16, 1.0 / 16)


def _check(images: Tensor, what: str) -> Tensor:
    images = tf.convert_to_tensor(images)
    if images.shape.rank != 4:
        raise GanzooError(
            f"ganzoo.ops.pyramid: {what} takes NHWC images [batch, height, width, channels], "
            f"got shape {images.shape}."
        )
    if not images.dtype.is_floating:
        raise GanzooError(f"ganzoo.ops.pyramid: {what} takes float images, got {images.dtype.name}.")
    return images


def _pad(x: Tensor, axis: int, amount: int) -> Tensor:
    paddings = [[0, 0]] * 4
    paddings[axis] = [amount, amount]
    return tf.pad(x, paddings, mode="SYMMETRIC")


def _slice(x: Tensor, axis: int, start: int, stop: int | None, step: int = 1) -> Tensor:
    index = [slice(None)] * 4
    index[axis] = slice(start, stop, step)
    return x[tuple(index)]


def _down_1d(x: Tensor, axis: int) -> Tensor:
    """Blur with BINOMIAL_5 along ``axis`` and keep the even pixels (``axis`` must be even)."""
    n = x.shape[axis] if x.shape[axis] is not None else tf.shape(x)[axis]
    p = _pad(x, axis, 2)
    # Output pixel i = Σ_j w_j · x[2i + j − 2], i.e. p[2i + j]: five strided slices.
    return tf.add_n([w * _slice(p, axis, j, j + n, 2) for j, w in enumerate(BINOMIAL_5)])


def _up_1d(x: Tensor, axis: int) -> Tensor:
    """Doubles ``axis``: zero insertion + BINOMIAL_5 × 2, as two interleaved phases."""
    p = _pad(x, axis, 1)
    left, centre, right = _slice(p, axis, 0, -2), _slice(p, axis, 1, -1), _slice(p, axis, 2, None)
    even = (left + 6.0 * centre + right) / 8.0
    odd = (centre + right) / 2.0
    stacked = tf.stack([even, odd], axis=axis + 1)
    shape = tf.shape(x)
    new_shape = [shape[i] for i in range(4)]
    new_shape[axis] = 2 * shape[axis]
    static = x.shape.as_list()
    out = tf.reshape(stacked, new_shape)
    if static[axis] is not None:
        static[axis] *= 2
    out.set_shape(static)
    return out


def downsample(images: Tensor) -> Tensor:
    """d(I): ``[b, h, w, c] -> [b, h/2, w/2, c]`` (binomial blur, then decimation)."""
    images = _check(images, "downsample")
    for axis in (1, 2):
        size = images.shape[axis]
        if size is not None and size % 2:
            raise GanzooError(
                f"ganzoo.ops.pyramid: downsample needs an even height and width, got "
                f"{images.shape[1]}x{images.shape[2]}; resize the images to a multiple of "
                "2^(levels - 1) first."
            )
    return _down_1d(_down_1d(images, 1), 2)


def upsample(images: Tensor) -> Tensor:
    """u(I): ``[b, h, w, c] -> [b, 2h, 2w, c]`` (zero insertion, then binomial blur × 4)."""
    images = _check(images, "upsample")
    return _up_1d(_up_1d(images, 1), 2)


def _check_levels(images: Tensor, levels: int) -> None:
    if int(levels) < 1:
        raise GanzooError(f"ganzoo.ops.pyramid: levels={levels} must be at least 1.")
    factor = 2 ** (int(levels) - 1)
    for axis in (1, 2):
        size = images.shape[axis]
        if size is not None and size % factor:
            raise GanzooError(
                f"ganzoo.ops.pyramid: a {levels}-level pyramid needs heights and widths that "
                f"are multiples of {factor}, got {images.shape[1]}x{images.shape[2]}."
            )


def gaussian(images: Tensor, levels: int) -> list[Tensor]:
    """``[I_0, d(I_0), d(d(I_0)), ...]``: ``levels`` images, full size first."""
    images = _check(images, "gaussian")
    _check_levels(images, levels)
    pyramid = [images]
    for _ in range(int(levels) - 1):
        pyramid.append(downsample(pyramid[-1]))
    return pyramid


def laplacian(images: Tensor, levels: int) -> list[Tensor]:
    """``[h_0, ..., h_{K−1}, I_K]``: band-pass images full size first, then the coarsest image.

    ``levels`` counts all entries (``levels = 3`` on 32×32: 32×32 and 16×16
    bands plus the 8×8 low-pass image).
    """
    g = gaussian(images, levels)
    bands = [fine - upsample(coarse) for fine, coarse in zip(g[:-1], g[1:])]
    return bands + [g[-1]]


def reconstruct(pyramid: Sequence[Tensor]) -> Tensor:
    """Inverts :func:`laplacian`: ``I_k = u(I_{k+1}) + h_k`` from the coarsest image up."""
    if not pyramid:
        raise GanzooError("ganzoo.ops.pyramid: reconstruct needs at least one level.")
    image = _check(pyramid[-1], "reconstruct")
    for band in reversed(pyramid[:-1]):
        image = upsample(image) + band
    return image
