"""Image grids and PNG/JPEG files (no dependency beyond TensorFlow)."""

from __future__ import annotations

import math
import os

import numpy as np
import tensorflow as tf

from ganzoo.errors import GanzooError

# ITU-R BT.601 rows for Y, Cb and Cr from RGB (full range): the SR evaluation's luma
# (ganzoo.metrics.image_quality, scaled by 219 with offset 16) and the luma-weighted SR loss
# (ganzoo.models.srgan.objective) both read these.
BT601_YCBCR = ((0.299, 0.587, 0.114), (-0.168736, -0.331264, 0.5), (0.5, -0.418688, -0.081312))


def to_uint8(images: np.ndarray) -> np.ndarray:
    """float images in [-1, 1] -> uint8 [0, 255]."""
    images = np.asarray(images, np.float32)
    return np.clip(np.round((images + 1.0) * 127.5), 0, 255).astype(np.uint8)


def make_grid(images: np.ndarray, columns: int | None = None, padding: int = 1) -> np.ndarray:
    """Tiles ``[n, H, W, C]`` images in [-1, 1] into one uint8 ``[rows·H, columns·W, C]`` image."""
    images = to_uint8(images)
    n, height, width, channels = images.shape
    columns = columns or int(math.ceil(math.sqrt(n)))
    rows = int(math.ceil(n / columns))
    grid = np.full(
        (rows * (height + padding) + padding, columns * (width + padding) + padding, channels),
        255,
        np.uint8,
    )
    for i in range(n):
        r, c = divmod(i, columns)
        top, left = padding + r * (height + padding), padding + c * (width + padding)
        grid[top : top + height, left : left + width] = images[i]
    return grid


def scatter_image(points: np.ndarray, size: int = 256, extent: float | None = None) -> np.ndarray:
    """Rasterises 2-D points into a uint8 ``[size, size, 1]`` image (dark dots on white)."""
    points = np.asarray(points, np.float64)
    if extent is None:
        extent = max(1.0, float(np.percentile(np.abs(points), 99.5)) * 1.15) if len(points) else 1.0
    counts, _, _ = np.histogram2d(
        -points[:, 1], points[:, 0], bins=size, range=[[-extent, extent], [-extent, extent]]
    )
    shade = np.clip(counts / max(1.0, np.percentile(counts[counts > 0], 90) if counts.any() else 1.0), 0, 1)
    return (255 - 255 * shade).astype(np.uint8)[..., None]


# Image files by suffix: the bytes written always match the name.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


def check_image_path(path: str, tool: str = "ganzoo") -> None:
    """Refuses a file name whose suffix is no image format ganzoo writes."""
    if os.path.splitext(path)[1].lower() not in IMAGE_SUFFIXES:
        raise GanzooError(
            f"{tool}: cannot write an image to '{path}'; name it .png (lossless) or .jpg/.jpeg."
        )


def save_png(path: str, image: np.ndarray) -> None:
    """Writes a uint8 ``[H, W, C]`` image (C = 1 or 3) to ``path`` as PNG or JPEG by its suffix
    (``.png``, ``.jpg``, ``.jpeg``; others are refused), creating folders."""
    check_image_path(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    image = np.asarray(image, np.uint8)
    jpeg = os.path.splitext(path)[1].lower() in (".jpg", ".jpeg")
    data = tf.io.encode_jpeg(image, quality=95) if jpeg else tf.io.encode_png(image)
    tf.io.write_file(path, data)


def save_samples(path: str, samples: np.ndarray, columns: int | None = None) -> np.ndarray:
    """Saves generated samples as an image (PNG or JPEG by suffix): a grid, or a scatter plot for 2-D points."""
    samples = np.asarray(samples)
    image = scatter_image(samples) if samples.ndim == 2 else make_grid(samples, columns)
    save_png(path, image)
    return image
