"""Histograms of oriented gradients, differentiable, and a shape descriptor built on them.

Dalal & Triggs 2005, "Histograms of Oriented Gradients for Human Detection" (CVPR). HOG
describes a picture by the directions of its edges, cell by cell, with each block of cells
normalised to unit length. It ignores which side of an edge is dark (unsigned orientations),
how strong the contrast is (block normalisation) and, mostly, blur and stroke width: what is
left is the layout of the strokes. That makes it a cue shared by two image domains that draw
the same shapes in different styles (handwritten and printed digits), which CycleGAN's
``structure_weight`` uses to keep a translation's shape (``ganzoo.models.CycleGAN``).

    hog(images, ...)                  [b, H, W, C] -> [b, features]; ``soft=False`` gives
                                      scikit-image's ``skimage.feature.hog`` (tested)
    foreground(images)                [b, H, W, C] in [-1, 1] -> [b, H, W, 1] in [0, 1]:
                                      distance from the border's mean (ink on any paper)
    fit_foreground(ink, threshold)    the foreground's bounding square, zoomed to fill the image
    shape_descriptor(images, size)    hog(fit_foreground(foreground(images) at size)): the
                                      descriptor of a drawn shape, whatever its polarity, size
                                      and place

Everything is differentiable with respect to the images (except where a bounding box or a
bin edge moves), and built from ops that XLA compiles.
"""

from __future__ import annotations

import math

import tensorflow as tf

from ganzoo.errors import GanzooError
from ganzoo.ops.resample import scale_shift_sample

Tensor = tf.Tensor


def _gradients(gray: Tensor) -> tuple[Tensor, Tensor]:
    """Central differences along rows and columns, zero on the border (as scikit-image)."""
    g_row = gray[:, 2:, :] - gray[:, :-2, :]
    g_col = gray[:, :, 2:] - gray[:, :, :-2]
    return tf.pad(g_row, [[0, 0], [1, 1], [0, 0]]), tf.pad(g_col, [[0, 0], [0, 0], [1, 1]])


def hog(images: Tensor, cell: int = 4, orientations: int = 9, block: int = 2, soft: bool = True,
        eps: float = 1e-5) -> Tensor:
    """HOG features of each image (Dalal & Triggs 2005), L2-Hys block normalisation.

    Args:
        images: ``[b, H, W, C]`` float; channels are averaged first. Cells that do not fit
            whole (``H // cell`` of them) are dropped, as scikit-image does.
        cell: pixels per cell side.
        orientations: bins over 0–180° (unsigned gradients).
        block: cells per block side; blocks overlap with a stride of one cell.
        soft: each gradient votes into its two nearest bins, linearly, so that the features
            change smoothly with edge directions (for losses). ``False`` votes into one bin,
            exactly as ``skimage.feature.hog(image, orientations, (cell, cell), (block, block))``.
        eps: the normalisation's ε.

    Returns:
        ``[b, blocks_y · blocks_x · block · block · orientations]`` float32, ordered as
        scikit-image's ``feature_vector=True``; each block has unit L2 norm (or is zero).
    """
    images = tf.convert_to_tensor(images, tf.float32)
    if images.shape.rank != 4:
        raise GanzooError(f"ganzoo.ops.hog: images must be [batch, height, width, channels]; got shape {images.shape}.")
    cells_y, cells_x = images.shape[1] // cell, images.shape[2] // cell
    if cells_y < block or cells_x < block:
        raise GanzooError(f"ganzoo.ops.hog: {images.shape[1]}x{images.shape[2]} images have fewer than {block} cells "
                         f"of {cell} pixels a side; use larger images or smaller cells.")
    gray = tf.reduce_mean(images, axis=-1)
    g_row, g_col = _gradients(gray)
    squared = g_row * g_row + g_col * g_col
    moving = squared > 0.0
    magnitude = tf.sqrt(tf.where(moving, squared, 1.0)) * tf.cast(moving, tf.float32)
    # atan2 of a zero gradient has no derivative: those pixels (magnitude 0) read a safe value
    angle = tf.math.floormod(tf.atan2(tf.where(moving, g_row, 0.0), tf.where(moving, g_col, 1.0)), math.pi)
    width = math.pi / orientations
    if soft:
        position = angle / width - 0.5                       # bin k's centre at (k + ½)·width
        low = tf.floor(position)
        frac = position - low
        low = tf.cast(tf.math.floormod(low, orientations), tf.int32)
        votes = (tf.one_hot(low, orientations) * (1.0 - frac)[..., None]
                 + tf.one_hot(tf.math.floormod(low + 1, orientations), orientations) * frac[..., None])
    else:
        index = tf.minimum(tf.cast(tf.floor(tf.stop_gradient(angle) / width), tf.int32), orientations - 1)
        votes = tf.one_hot(index, orientations)
    votes = votes * magnitude[..., None]                                     # [b, H, W, K]
    votes = votes[:, :cells_y * cell, :cells_x * cell]
    histogram = tf.nn.avg_pool2d(votes, cell, cell, "VALID")                 # [b, cy, cx, K]
    blocks_y, blocks_x = cells_y - block + 1, cells_x - block + 1
    parts = [[histogram[:, i:i + blocks_y, j:j + blocks_x] for j in range(block)] for i in range(block)]
    blocks = tf.stack([tf.stack(row, axis=3) for row in parts], axis=3)     # [b, by, bx, block, block, K]
    axes = [3, 4, 5]
    blocks = blocks / tf.sqrt(tf.reduce_sum(blocks * blocks, axis=axes, keepdims=True) + eps * eps)
    blocks = tf.minimum(blocks, 0.2)
    blocks = blocks / tf.sqrt(tf.reduce_sum(blocks * blocks, axis=axes, keepdims=True) + eps * eps)
    return tf.reshape(blocks, [tf.shape(blocks)[0], -1])


def foreground(images: Tensor) -> Tensor:
    """How far each pixel is from the image's paper: ``|x − mean of the border| / 2``, channels
    averaged. ``[b, H, W, C]`` in [-1, 1] -> ``[b, H, W, 1]`` in [0, 1]; light strokes on
    black and dark ink on white give the same map."""
    gray = tf.reduce_mean(tf.convert_to_tensor(images, tf.float32), axis=-1, keepdims=True)
    border = tf.concat([gray[:, 0], gray[:, -1], gray[:, 1:-1, 0], gray[:, 1:-1, -1]], axis=1)
    paper = tf.stop_gradient(tf.reduce_mean(border, axis=[1, 2]))
    return tf.abs(gray - paper[:, None, None, None]) / 2.0


def _extent(mask: Tensor, size: int) -> tuple[Tensor, Tensor]:
    """(centre, half side) in normalised coordinates of the first and last True of ``[b, size]``."""
    index = tf.range(size, dtype=tf.float32)
    first = tf.reduce_min(tf.where(mask, index, float(size)), axis=1)
    last = tf.reduce_max(tf.where(mask, index, -1.0), axis=1)
    top, bottom = 2.0 * first / size - 1.0, 2.0 * (last + 1.0) / size - 1.0
    return (top + bottom) / 2.0, (bottom - top) / 2.0


def fit_foreground(ink: Tensor, threshold: float = 0.25) -> Tensor:
    """Each image zoomed so that the bounding square of its pixels above ``threshold`` fills it
    (aspect kept, the square centred on the box; bilinear). An image with no such pixel is
    returned as it is. ``[b, H, W, C]`` -> the same shape."""
    ink = tf.convert_to_tensor(ink, tf.float32)
    mask = tf.reduce_max(tf.stop_gradient(ink), axis=-1) > threshold                 # [b, H, W]
    rows, cols = tf.reduce_any(mask, axis=2), tf.reduce_any(mask, axis=1)
    cy, hy = _extent(rows, ink.shape[1])
    cx, hx = _extent(cols, ink.shape[2])
    half = tf.maximum(hy, hx)
    found = tf.reduce_any(rows, axis=1)
    half = tf.where(found, half, 1.0)
    cy, cx = tf.where(found, cy, 0.0), tf.where(found, cx, 0.0)
    params = tf.stack([tf.math.log(half), tf.math.log(half), cy, cx], axis=1)
    return scale_shift_sample(ink, params)


def shape_descriptor(images: Tensor, size: int = 32, cell: int = 4, orientations: int = 12, block: int = 2,
                     threshold: float = 0.25) -> Tensor:
    """HOG of the drawn shape: ``foreground`` resized (bilinear) to ``size``², fitted to its
    bounding square (``fit_foreground``), then ``hog(soft=True)``. The same for a shape drawn
    light on dark or dark on light, large or small, anywhere in the image.
    ``[b, H, W, C]`` in [-1, 1] -> ``[b, features]``."""
    ink = foreground(images)
    if ink.shape[1] != size or ink.shape[2] != size:
        ink = tf.image.resize(ink, [size, size], method="bilinear")
    return hog(fit_foreground(ink, threshold), cell=cell, orientations=orientations, block=block, soft=True)


__all__ = ["hog", "foreground", "fit_foreground", "shape_descriptor"]
