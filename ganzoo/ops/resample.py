"""Image resampling built from slices and gathers, so it compiles with XLA (``jit_compile=True``).

TensorFlow's ``ResizeBicubic`` and ``CropAndResize`` kernels have no XLA implementation, so a
training step that calls ``tf.image.resize(..., "bicubic")`` or ``tf.image.crop_and_resize``
cannot run on a TPU or be jit-compiled on a GPU. These two functions compute the same values
(to float32 rounding, tested) from ops that XLA has:

    bicubic_upsample(images, factor)   == tf.image.resize(images, [h·r, w·r], method="bicubic")
    bilinear_crop(images, corner, size)   a crop at unit pixel spacing (crop_and_resize's samples)

and ``scale_shift_sample(images, params)``, a learnable zoom and shift (a spatial transformer).

Both are differentiable with respect to ``images``.
"""

from __future__ import annotations

import functools
from typing import Sequence

import numpy as np
import tensorflow as tf

Tensor = tf.Tensor

# TensorFlow's bicubic kernel (resize_bicubic_op.cc) reads its weights from a table of
# 1024 steps per pixel, with Keys' a = -0.5 when half-pixel centres are on (resize v2).
_TABLE_SIZE = 1024
_KEYS_A = -0.5


def _keys_weight(distance: np.ndarray) -> np.ndarray:
    """Keys' cubic convolution kernel (Keys 1981, a = -0.5) at ``distance`` in [0, 2], float32 as TF."""
    a = np.float32(_KEYS_A)
    x = distance.astype(np.float32)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x <= 1, near, far).astype(np.float32)


@functools.lru_cache(maxsize=None)
def bicubic_taps(factor: int) -> tuple[tuple[int, ...], np.ndarray]:
    """Per output phase p of an ×``factor`` upsampling: (first input offset, 4 weights).

    Output pixel ``r·i + p`` reads input pixels ``i + offset[p] + t`` (t = 0..3) with
    ``weights[p, t]`` (half-pixel centres: input coordinate ``(o + 0.5) / r - 0.5``).
    """
    offsets, weights = [], []
    for p in range(int(factor)):
        coordinate = (p + 0.5) / factor - 0.5
        floor = int(np.floor(coordinate))
        step = int(np.rint((coordinate - floor) * _TABLE_SIZE))  # TF's table lookup
        delta = np.float32(step) / np.float32(_TABLE_SIZE)
        distances = np.array([1 + delta, delta, 1 - delta, 2 - delta], np.float32)
        offsets.append(floor - 1)
        weights.append(_keys_weight(distances))
    return tuple(offsets), np.stack(weights)


def _upsample_axis(x: Tensor, factor: int, axis: int) -> Tensor:
    """Bicubic ×``factor`` along ``axis`` (1 or 2) of ``[b, h, w, c]``; edges as TF: taps outside
    the image get weight 0 and the rest are renormalised to sum to 1."""
    offsets, weights = bicubic_taps(factor)
    size = tf.shape(x)[axis]
    pad = [[0, 0]] * 4
    pad[axis] = [2, 2]
    padded = tf.pad(x, pad)
    inside = tf.pad(tf.ones([size], x.dtype), [[2, 2]])

    def window(tensor: Tensor, start: int, along: int) -> Tensor:
        begin = [0] * len(tensor.shape)
        length = [-1] * len(tensor.shape)
        begin[along], length[along] = start + 2, size
        return tf.slice(tensor, begin, tf.stack(length) if isinstance(size, Tensor) else length)

    phases = []
    for offset, taps in zip(offsets, weights):
        taps = tf.constant(taps, x.dtype)
        total = tf.add_n([taps[t] * window(padded, offset + t, axis) for t in range(4)])
        norm = tf.add_n([taps[t] * window(inside, offset + t, 0) for t in range(4)])
        shape = [1, 1, 1, 1]
        shape[axis] = -1
        phases.append(total / tf.reshape(norm, shape))
    stacked = tf.stack(phases, axis=axis + 1)  # [..., n, r, ...]
    out_shape = tf.unstack(tf.shape(x))
    out_shape[axis] = size * factor
    static = x.shape.as_list()
    result = tf.reshape(stacked, tf.stack(out_shape))
    if static[axis] is not None:
        static[axis] *= factor
    return tf.ensure_shape(result, static)


def bicubic_upsample(images: Tensor, factor: int) -> Tensor:
    """Bicubic upsampling by an integer ``factor``: ``[b, h, w, c] -> [b, h·r, w·r, c]``.

    The values of ``tf.image.resize(images, [h·r, w·r], method="bicubic")`` (Keys' cubic
    convolution, a = -0.5, half-pixel centres, TF's border renormalisation and weight table;
    equal to float32 rounding), from pads, slices and sums, so it compiles with XLA.
    Separable: rows, then columns. Any h and w (dynamic shapes allowed).
    """
    factor = int(factor)
    if factor < 1:
        raise ValueError(f"ganzoo.ops: bicubic_upsample factor={factor} must be a whole number >= 1.")
    images = tf.convert_to_tensor(images)
    if factor == 1:
        return images
    return _upsample_axis(_upsample_axis(images, factor, 1), factor, 2)


def _bilinear_taps(start: Tensor, count: int, limit: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Sample ``start + k`` (k < count) on an axis of ``limit`` pixels: (low index, high index,
    high weight, inside mask), each ``[b, count]``, as crop_and_resize computes them."""
    coordinate = start[:, None] + tf.range(count, dtype=start.dtype)[None, :]
    low = tf.floor(coordinate)
    high = tf.math.ceil(coordinate)
    last = tf.cast(limit - 1, start.dtype)
    inside = tf.logical_and(coordinate >= 0.0, coordinate <= last)
    clip = lambda v: tf.cast(tf.clip_by_value(v, 0.0, tf.maximum(last, 0.0)), tf.int32)  # noqa: E731
    return clip(low), clip(high), coordinate - low, inside


def _bilinear_gather(images: Tensor, rows: tuple[Tensor, Tensor, Tensor], cols: tuple[Tensor, Tensor, Tensor]) -> Tensor:
    """Bilinear samples of ``images`` ``[b, H, W, C]`` on a separable grid: ``rows`` and ``cols``
    are (low index, high index, high weight), each ``[b, h]`` / ``[b, w]`` -> ``[b, h, w, C]``."""
    y_low, y_high, y_frac = rows
    x_low, x_high, x_frac = cols
    take_rows = lambda index: tf.gather(images, index, axis=1, batch_dims=1)  # noqa: E731  [b, h, W, C]
    take_cols = lambda part, index: tf.gather(part, index, axis=2, batch_dims=1)  # noqa: E731  [b, h, w, C]
    x_frac = x_frac[:, None, :, None]

    def along_x(part: Tensor) -> Tensor:
        left = take_cols(part, x_low)
        return left + (take_cols(part, x_high) - left) * x_frac

    top, bottom = along_x(take_rows(y_low)), along_x(take_rows(y_high))
    return top + (bottom - top) * y_frac[:, :, None, None]


def bilinear_crop(images: Tensor, corner: Tensor, size: Sequence[int], extrapolation_value: float = 0.0) -> Tensor:
    """Per image, a ``size`` = (h, w) crop sampled at unit pixel spacing, bilinearly.

    Sample (i, j) of image n is at pixel coordinates ``(corner[n, 0] + i, corner[n, 1] + j)``
    (y, x; pixel k's value sits at coordinate k). Samples outside ``[0, H-1] × [0, W-1]`` are
    ``extrapolation_value``. The values of ``tf.image.crop_and_resize`` with the box that
    spans the same samples (to float32 rounding), from gathers, so it compiles with XLA;
    differentiable with respect to ``images``.

    Shapes: images ``[b, H, W, C]``, corner ``[b, 2]`` float -> ``[b, h, w, C]``.
    """
    images = tf.convert_to_tensor(images)
    corner = tf.cast(corner, images.dtype)
    h, w = int(size[0]), int(size[1])
    y_low, y_high, y_frac, y_in = _bilinear_taps(corner[:, 0], h, tf.shape(images)[1])
    x_low, x_high, x_frac, x_in = _bilinear_taps(corner[:, 1], w, tf.shape(images)[2])
    patches = _bilinear_gather(images, (y_low, y_high, y_frac), (x_low, x_high, x_frac))
    inside = tf.logical_and(y_in[:, :, None, None], x_in[:, None, :, None])
    return tf.where(inside, patches, tf.cast(extrapolation_value, images.dtype))


def scale_shift_sample(images: Tensor, params: Tensor) -> Tensor:
    """Per image, the image seen through an axis-aligned zoom and shift, bilinearly, edges repeated.

    ``params[n] = (log sy, log sx, ty, tx)``: output pixel at normalised coordinates (y, x) in
    [-1, 1] (the image's edges; pixel k of H sits at ``(2k + 1) / H − 1``) reads the input at
    ``(sy·y + ty, sx·x + tx)``. Zeros are the identity; sy = sx = 2 shows the image at half size
    (the border pixels fill the rest); scales stay positive, so no image is ever mirrored. Any
    size, differentiable with respect to ``images`` and ``params`` (the spatial transformer of
    Jaderberg et al. 2015, arXiv 1506.02025, restricted to zoom and shift); gathers only, so it
    compiles with XLA.

    Shapes: images ``[b, H, W, C]``, params ``[b, 4]`` -> ``[b, H, W, C]``.
    """
    images = tf.convert_to_tensor(images)
    params = tf.cast(params, images.dtype)
    shape = tf.shape(images)
    h, w = shape[1], shape[2]

    def axis_taps(count: Tensor, log_scale: Tensor, shift: Tensor):
        size = tf.cast(count, images.dtype)
        normalised = (2.0 * tf.range(size) + 1.0) / size - 1.0                      # [count]
        source = tf.exp(log_scale)[:, None] * normalised[None, :] + shift[:, None]   # [b, count]
        pixel = tf.clip_by_value((source + 1.0) * size / 2.0 - 0.5, 0.0, size - 1.0)
        low = tf.floor(pixel)
        high = tf.minimum(low + 1.0, size - 1.0)
        return tf.cast(low, tf.int32), tf.cast(high, tf.int32), pixel - low

    y_low, y_high, y_frac = axis_taps(h, params[:, 0], params[:, 2])
    x_low, x_high, x_frac = axis_taps(w, params[:, 1], params[:, 3])
    return _bilinear_gather(images, (y_low, y_high, y_frac), (x_low, x_high, x_frac))


__all__ = ["bicubic_upsample", "bilinear_crop", "bicubic_taps", "scale_shift_sample"]
