"""Running an image-to-image function over a large image in overlapping tiles.

A super-resolution generator's activations grow with the image: one 2000x2000
request to a x4 SRGAN needs tens of GB at once. ``tiled_apply`` runs the
function on fixed-size windows, one at a time, and keeps from each window only
its core, so the peak memory is that of one window plus the output.

Each core (``tile`` x ``tile`` input pixels) is run inside a window that adds
``overlap`` pixels of context on every side, clamped to stay inside the image;
windows on the image's border keep the border where the whole image has it. A
function whose output pixel depends only on input pixels at most ``overlap``
away (a stack of convolutions whose receptive-field radius is at most
``overlap``, nearest or bicubic upsampling) therefore gives, tile by tile, the
whole image's result up to float rounding. Every window has the same shape, so
a ``tf.function`` traces ``fn`` once per image size; the loop over windows is a
``tf.map_fn`` with ``parallel_iterations=1``, so it works inside a SavedModel
signature with dynamic height and width.
"""

from __future__ import annotations

from typing import Callable

import tensorflow as tf


def tiled_apply(
    fn: Callable[[tf.Tensor], tf.Tensor],
    images,
    scale: int = 1,
    tile: int = 128,
    overlap: int = 16,
    max_pixels: int | None = None,
    dtype: tf.DType = tf.float32,
) -> tf.Tensor:
    """``fn(images)`` computed in overlapping tiles.

    Args:
        fn: maps ``[n, h, w, C]`` images to ``[n, h·scale, w·scale, C_out]`` (e.g. an
            SR generator); called on ``[n, window, window, C]`` crops.
        images: ``[n, H, W, C]`` (any size; smaller than ``tile`` means one tile).
        scale: the output's size per input pixel (4 for a x4 SR generator).
        tile: side of each tile's core in input pixels.
        overlap: context in input pixels on each side of a core; at least the
            receptive-field radius of ``fn`` for a seamless result.
        max_pixels: refuse images with more than this many input pixels (H·W)
            with ``tf.errors.InvalidArgumentError`` naming the limit, in eager
            and graph mode alike.
        dtype: ``fn``'s output dtype.

    Returns:
        ``[n, H·scale, W·scale, C_out]`` of ``dtype``.
    """
    if tile < 1 or overlap < 0 or scale < 1:
        raise ValueError(f"tiled_apply: tile={tile}, overlap={overlap}, scale={scale}; need tile >= 1, "
                         "overlap >= 0, scale >= 1.")
    images = tf.convert_to_tensor(images)
    shape = tf.shape(images)
    height, width = shape[1], shape[2]
    checks = []
    if max_pixels is not None:
        checks.append(tf.debugging.assert_less_equal(
            tf.cast(height, tf.int64) * tf.cast(width, tf.int64), tf.constant(max_pixels, tf.int64),
            message=f"tiled_apply: the image has more than max_pixels={max_pixels} pixels (height x width); "
                    "send a smaller image",
        ))
    with tf.control_dependencies(checks):
        core_h, core_w = tf.minimum(tile, height), tf.minimum(tile, width)
    window_h, window_w = tf.minimum(core_h + 2 * overlap, height), tf.minimum(core_w + 2 * overlap, width)
    rows, cols = -(-height // core_h), -(-width // core_w)
    # The last core of a row or column ends at the image's edge (it overlaps the one before).
    core_y = tf.minimum(tf.range(rows) * core_h, height - core_h)
    core_x = tf.minimum(tf.range(cols) * core_w, width - core_w)
    window_y = tf.clip_by_value(core_y - overlap, 0, height - window_h)
    window_x = tf.clip_by_value(core_x - overlap, 0, width - window_w)

    def one_tile(index):
        i, j = index // cols, index % cols
        window = images[:, window_y[i]:window_y[i] + window_h, window_x[j]:window_x[j] + window_w, :]
        out = tf.cast(fn(window), dtype)
        top, left = (core_y[i] - window_y[i]) * scale, (core_x[j] - window_x[j]) * scale
        return out[:, top:top + core_h * scale, left:left + core_w * scale, :]

    tiles = tf.map_fn(one_tile, tf.range(rows * cols), parallel_iterations=1,
                      fn_output_signature=tf.TensorSpec(None, dtype))
    tile_shape = tf.shape(tiles)  # [rows·cols, n, core_h·s, core_w·s, C]
    grid = tf.reshape(tiles, tf.concat([[rows, cols], tile_shape[1:]], 0))
    grid = tf.transpose(grid, [2, 0, 3, 1, 4, 5])  # [n, rows, core_h·s, cols, core_w·s, C]
    n, channels = tile_shape[1], tile_shape[4]
    full = tf.reshape(grid, [n, rows * core_h * scale, cols * core_w * scale, channels])
    # Drop the part of the last row and column that repeats the tile before it.
    extra_h, extra_w = (rows * core_h - height) * scale, (cols * core_w - width) * scale
    last_row, last_col = (rows - 1) * core_h * scale, (cols - 1) * core_w * scale
    full = tf.concat([full[:, :last_row], full[:, last_row + extra_h:]], axis=1)
    return tf.concat([full[:, :, :last_col], full[:, :, last_col + extra_w:]], axis=2)


__all__ = ["tiled_apply"]
