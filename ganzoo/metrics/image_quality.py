"""PSNR and SSIM with the super-resolution conventions.

SR papers (e.g. Ledig et al. 2017, SRGAN, arXiv 1609.04802) report PSNR/SSIM on the luminance
(Y) channel of ITU-R BT.601 YCbCr, on the [0, 255] scale, after removing a border of ``scale``
pixels, and average the per-image values over a test set. On RGB in [0, 1]:

    Y = 16 + 65.481 R + 128.553 G + 24.966 B          (Y ∈ [16, 235])
    PSNR = 10 log10(255² / MSE)
    SSIM (Wang et al. 2004, "Image Quality Assessment: From Error Visibility to Structural
    Similarity"): mean over 'valid' window positions of
        (2μₓμᵧ + C₁)(2σₓᵧ + C₂) / ((μₓ² + μᵧ² + C₁)(σₓ² + σᵧ² + C₂)),
    with an 11×11 Gaussian window (σ = 1.5), C₁ = (0.01 · 255)², C₂ = (0.03 · 255)².

SSIM is ``tf.image.ssim``, whose conventions match the above (Gaussian 11/1.5, 'VALID'
filtering, biased local variances, K₁ = 0.01, K₂ = 0.03; channels averaged); a test checks it
against an independent scipy implementation. Both functions return one value per image; take
the mean for a test-set number. PSNR of identical images is ``inf`` (not capped).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ganzoo.errors import GanzooError
from ganzoo.utils.images import BT601_YCBCR

# ITU-R BT.601 luma on [0, 1] RGB, giving Y on the [0, 255] scale (MATLAB's rgb2ycbcr):
# 219 × (0.299, 0.587, 0.114) = (65.481, 128.553, 24.966).
_Y_WEIGHTS = 219.0 * np.array(BT601_YCBCR[0])
_Y_OFFSET = 16.0


def rgb_to_y(images: Any, value_range: tuple[float, float] = (-1.0, 1.0)) -> np.ndarray:
    """BT.601 luma of RGB images: ``[..., H, W, 3]`` in ``value_range`` → ``[..., H, W, 1]``
    in [16, 235] (the [0, 255] scale)."""
    x = _to_unit(np.asarray(images, np.float64), value_range, clip=False)
    if x.shape[-1] != 3:
        raise GanzooError(
            f"ganzoo.metrics: Y-channel conversion needs 3 RGB channels, got {x.shape[-1]}."
        )
    return (_Y_OFFSET + x @ _Y_WEIGHTS)[..., None]


def _to_unit(x: np.ndarray, value_range: tuple[float, float], clip: bool) -> np.ndarray:
    lo, hi = (float(v) for v in value_range)
    if not hi > lo:
        raise GanzooError(
            f"ganzoo.metrics: value_range must be (low, high) with low < high, got {value_range}."
        )
    x = (x - lo) / (hi - lo)
    return np.clip(x, 0.0, 1.0) if clip else x


def _prepare(
    images: Any,
    value_range: tuple[float, float],
    y_channel: bool,
    shave: int,
    quantize: bool,
    what: str,
) -> np.ndarray:
    """Images → float64 ``[N, H', W', C']`` on the [0, 255] scale, converted and shaved."""
    x = np.asarray(images, np.float64)
    if x.ndim == 3:
        x = x[None]
    if x.ndim != 4:
        raise GanzooError(
            f"ganzoo.metrics: {what} must be [N, H, W, C] or [H, W, C], got shape {x.shape}."
        )
    x = _to_unit(x, value_range, clip=True)
    if quantize:  # as if saved to an 8-bit image file first
        x = np.round(x * 255.0) / 255.0
    if y_channel:
        if x.shape[-1] != 3:
            raise GanzooError(
                f"ganzoo.metrics: y_channel=True needs RGB images, but {what} have {x.shape[-1]} "
                "channel(s); pass y_channel=False."
            )
        x = (_Y_OFFSET + x @ _Y_WEIGHTS)[..., None]
    else:
        x = x * 255.0
    if shave < 0:
        raise GanzooError(f"ganzoo.metrics: shave must be >= 0 pixels, got {shave}.")
    if shave:
        if min(x.shape[1], x.shape[2]) <= 2 * shave:
            raise GanzooError(
                f"ganzoo.metrics: shave={shave} removes all of the {x.shape[1]}x{x.shape[2]} "
                f"{what}."
            )
        x = x[:, shave:-shave, shave:-shave, :]
    return x


def _prepare_pair(a, b, value_range, y_channel, shave, quantize):
    x = _prepare(a, value_range, y_channel, shave, quantize, "predictions")
    y = _prepare(b, value_range, y_channel, shave, quantize, "targets")
    if x.shape != y.shape:
        raise GanzooError(
            f"ganzoo.metrics: predictions {np.shape(a)} and targets {np.shape(b)} differ in shape; "
            "compare images of one size."
        )
    return x, y


def psnr(
    predictions: Any,
    targets: Any,
    *,
    value_range: tuple[float, float] = (-1.0, 1.0),
    y_channel: bool = False,
    shave: int = 0,
    quantize: bool = False,
) -> np.ndarray:
    """Peak signal-to-noise ratio per image, in dB: 10 log10(255² / MSE).

    Args:
        predictions, targets: ``[N, H, W, C]`` (or one ``[H, W, C]``) images in ``value_range``.
        value_range: the images' (low, high); ganzoo images are (-1, 1), use (0, 1) for [0, 1].
            Values outside are clipped, as writing an image file would.
        y_channel: compare the BT.601 Y channel of RGB images (SR convention) instead of all
            channels.
        shave: pixels removed from each border before comparing (the SR scale factor).
        quantize: round to 8-bit levels first (as when evaluating saved PNGs).

    Returns:
        ``[N]`` float64; ``inf`` where an image equals its target.
    """
    x, y = _prepare_pair(predictions, targets, value_range, y_channel, shave, quantize)
    mse = np.mean((x - y) ** 2, axis=(1, 2, 3))
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(255.0**2 / mse)


def ssim(
    predictions: Any,
    targets: Any,
    *,
    value_range: tuple[float, float] = (-1.0, 1.0),
    y_channel: bool = False,
    shave: int = 0,
    quantize: bool = False,
    filter_size: int = 11,
    filter_sigma: float = 1.5,
) -> np.ndarray:
    """Structural similarity per image (Wang et al. 2004), via ``tf.image.ssim`` on the
    [0, 255] scale; arguments as ``psnr``. Images (after ``shave``) must be at least
    ``filter_size`` pixels high and wide.

    Returns:
        ``[N]`` float64 in [-1, 1]; 1 where an image equals its target.
    """
    import tensorflow as tf

    x, y = _prepare_pair(predictions, targets, value_range, y_channel, shave, quantize)
    if min(x.shape[1], x.shape[2]) < filter_size:
        raise GanzooError(
            f"ganzoo.metrics: SSIM's {filter_size}x{filter_size} window needs images at least that "
            f"large, got {x.shape[1]}x{x.shape[2]} after shaving {shave} pixels."
        )
    value = tf.image.ssim(
        tf.constant(x), tf.constant(y), max_val=255.0, filter_size=filter_size,
        filter_sigma=filter_sigma, k1=0.01, k2=0.03,
    )
    return np.asarray(value, np.float64)
