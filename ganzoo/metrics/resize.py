"""The resizes that published FIDs feed the Inception network, reproduced exactly.

Parmar, Zhang, Zhu 2022, "On Aliased Resizing and Surprising Subtleties in GAN Evaluation"
(clean-fid, arXiv 2104.11222) showed that the resize to 299×299 alone moves FID by several
points (FFHQ: ≥ 6), so a FID is only comparable under the same resize. Two are implemented:

    "clean"       clean-fid's default: PIL bicubic (an antialiasing filter when downsampling)
                  on each channel as a 32-bit float image of values in [0, 255], clipped to
                  [0, 255] and not re-quantized.
    "legacy_tf"   what the TF "2015-12-05" graph did inside itself (TTUR's FID, torch-fidelity):
                  TF1 ``resize_bilinear`` with ``align_corners=False`` and no half-pixel centres
                  (``tf.raw_ops.ResizeBilinear``), no antialiasing.

Both take and return ``[N, H, W, 3]`` float32 images with values in [0, 255] (uint8 pixels as
floats). ``benchmarks/fid_parity.py`` compares them with clean-fid's and torch-fidelity's own
functions (maximum absolute difference in BUILD_NOTES.md, "FID parity (issue 25)").
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ganzoo.errors import GanzooError


def check_images(x: np.ndarray, name: str) -> None:
    """Refuses anything but ``[N, H, W, C]`` images in [-1, 1] (with a little slack), naming the
    extractor ``name`` and the fix."""
    if x.ndim != 4:
        raise GanzooError(
            f"ganzoo.metrics: extractor '{name}' expects [N, H, W, C] images, got shape {x.shape}."
        )
    if x.size and (x.min() < -1.01 or x.max() > 1.01):
        raise GanzooError(
            f"ganzoo.metrics: extractor '{name}' expects images in [-1, 1], got values in "
            f"[{x.min():.3g}, {x.max():.3g}]; scale [0, 255] images with x / 127.5 - 1."
        )


def resize_clean(images: Any, size: tuple[int, int] = (299, 299)) -> np.ndarray:
    """clean-fid's "clean" resize: PIL bicubic per channel on float pixels in [0, 255].

    Args:
        images: ``[N, H, W, C]`` values in [0, 255] (uint8 or float).
        size: output ``(height, width)``.

    Returns:
        ``[N, height, width, C]`` float32 in [0, 255].
    """
    from PIL import Image

    x = np.asarray(images, np.float32)
    h, w = int(size[0]), int(size[1])
    out = np.empty([x.shape[0], h, w, x.shape[3]], np.float32)
    for i in range(x.shape[0]):
        for c in range(x.shape[3]):
            channel = Image.fromarray(np.ascontiguousarray(x[i, :, :, c]), mode="F")
            out[i, :, :, c] = np.asarray(channel.resize((w, h), resample=Image.BICUBIC))
    return np.clip(out, 0.0, 255.0)


def resize_legacy_tf(images: Any, size: tuple[int, int] = (299, 299)) -> np.ndarray:
    """The TF1 bilinear resize of the 2015-12-05 graph (``align_corners=False``, no half-pixel
    centres, no antialiasing). ``[N, H, W, C]`` in [0, 255] → ``[N, height, width, C]`` float32."""
    import tensorflow as tf

    x = tf.constant(np.asarray(images, np.float32))
    out = tf.raw_ops.ResizeBilinear(images=x, size=[int(size[0]), int(size[1])], align_corners=False,
                                    half_pixel_centers=False)
    return out.numpy()


RESIZE_MODES: dict[str, Callable[..., np.ndarray]] = {
    "clean": resize_clean,
    "legacy_tf": resize_legacy_tf,
}


def get_resize(mode: str) -> Callable[..., np.ndarray]:
    """The resize function of ``mode`` (one of ``RESIZE_MODES``)."""
    if mode not in RESIZE_MODES:
        raise GanzooError(
            f"ganzoo.metrics: unknown resize mode '{mode}'; choose one of {sorted(RESIZE_MODES)} "
            "('clean' is clean-fid's PIL bicubic, 'legacy_tf' the TF1 bilinear of TTUR and "
            "torch-fidelity)."
        )
    return RESIZE_MODES[mode]
