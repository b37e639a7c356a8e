"""What the web demo computes, as plain functions on the presets (no web library here).

Each function returns uint8 images (``[H, W, C]``, C = 1 or 3) and is what one demo button
runs; ``ganzoo.demo.app`` only lays them out. Presets load on first use and stay cached.
Sizes are part of the contract the browser test checks: ``SCALE``× nearest-neighbour
enlargement for the small generated images, and exactly ``scale``× for super-resolution.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ganzoo.errors import GanzooError

SCALE = 4                       # small samples are shown 4× larger (nearest neighbour)
SR_MAX_SIDE = 256               # the demo's limit on an uploaded photo's longer side, in pixels
MAX_SAMPLES = 64
SAMPLE_PRESETS = ("dcgan_digits", "lapgan_digits")
SR_PRESETS = ("srgan_photos", "srresnet_photos")
POINT_PRESETS = ("wgan_gp_grid25", "pacgan_grid25")
CLASS_PRESETS = ("acgan_digits",)   # class-conditional: generate(labels=...)
TEXT_PRESET = "text2image_shapes"
FACE_PRESET = "frontalization_synthfaces"
CYCLE_PRESET = "cyclegan_digits"


@functools.lru_cache(maxsize=None)
def load(name: str) -> Any:
    """The preset ``name``, loaded once per process."""
    from ganzoo import presets

    return presets.load(name)


def available(names: tuple[str, ...]) -> list[str]:
    """The names among ``names`` that ship with this install (a preset may be added later)."""
    from ganzoo import presets

    shipped = set(presets.available())
    return [name for name in names if name in shipped]


def enlarge(image: np.ndarray, factor: int = SCALE) -> np.ndarray:
    """Nearest-neighbour enlargement of a uint8 ``[H, W, C]`` image, so 32-pixel digits are visible;
    one channel comes back as ``[H, W]`` (what image libraries call grayscale)."""
    return plain(np.repeat(np.repeat(image, factor, axis=0), factor, axis=1))


def plain(image: np.ndarray) -> np.ndarray:
    """``[H, W, 1]`` -> ``[H, W]``; other shapes unchanged."""
    return image[..., 0] if image.ndim == 3 and image.shape[-1] == 1 else image


def grid(images: np.ndarray, columns: int | None = None) -> np.ndarray:
    """``[n, H, W, C]`` in [-1, 1] -> one uint8 grid, ``SCALE``× larger (1-pixel white gaps)."""
    from ganzoo.utils import images as image_utils

    return enlarge(image_utils.make_grid(np.asarray(images, np.float32), columns=columns))


def grid_size(n: int, height: int, width: int, columns: int | None = None) -> tuple[int, int]:
    """The ``(height, width)`` of ``grid`` for ``n`` images of ``height × width``."""
    import math

    columns = columns or int(math.ceil(math.sqrt(n)))
    rows = int(math.ceil(n / columns))
    return (rows * (height + 1) + 1) * SCALE, (columns * (width + 1) + 1) * SCALE


def _count(n: Any) -> int:
    n = int(n)
    if not 1 <= n <= MAX_SAMPLES:
        raise GanzooError(f"ganzoo.demo: draw between 1 and {MAX_SAMPLES} samples, not {n}.")
    return n


def samples(preset: str, seed: Any = 0, n: Any = 16) -> np.ndarray:
    """A grid of ``n`` samples of an unconditional image preset (DCGAN, LAPGAN) at noise ``seed``."""
    return grid(load(preset).generate(_count(n), seed=int(seed)))


def class_samples(preset: str, label: Any = "all", seed: Any = 0, n: Any = 16) -> np.ndarray:
    """A grid of a class-conditional preset's samples: ``n`` of one class (``label`` 0, 1, ...), or
    with ``"all"`` one row per class, each row the same noise."""
    gan = load(preset)
    classes = int(gan.num_classes)
    if str(label) == "all":
        z = np.random.default_rng(int(seed)).standard_normal((8, gan.latent_dim)).astype(np.float32)
        z, labels = np.tile(z, (classes, 1)), np.repeat(np.arange(classes), 8)
        return grid(gan.generate(len(z), z=z, labels=labels), columns=8)
    if not 0 <= int(label) < classes:
        raise GanzooError(f"ganzoo.demo: class {label} is not one of 0..{classes - 1} (or all).")
    n = _count(n)
    return grid(gan.generate(n, seed=int(seed), labels=np.full(n, int(label))))


def latent_walk(preset: str, seed_a: Any = 0, seed_b: Any = 1, steps: Any = 8) -> np.ndarray:
    """One row of ``steps`` images on the great circle from seed A's noise to seed B's (slerp)."""
    from ganzoo import latent

    gan, steps = load(preset), int(steps)
    if not 2 <= steps <= 16:
        raise GanzooError(f"ganzoo.demo: a latent walk takes 2 to 16 steps, not {steps}.")
    ends = [np.random.default_rng(int(s)).standard_normal(gan.latent_dim).astype(np.float32) for s in (seed_a, seed_b)]
    z = latent.interpolate(ends[0], ends[1], steps)
    return grid(gan.generate(steps, z=z), columns=steps)


def vocabulary() -> list[str]:
    """The text-to-image preset's words (padding and [UNK] left out)."""
    return [str(w) for w in load(TEXT_PRESET).vectorizer.get_vocabulary()[2:]]


def text_to_image(caption: str, seed: Any = 0, n: Any = 8) -> np.ndarray:
    """A grid of ``n`` images for one caption (one row), noise from ``seed``."""
    caption = str(caption or "").strip()
    if not caption:
        raise GanzooError("ganzoo.demo: type a caption, e.g. 'a large red circle at the top'.")
    n = _count(n)
    gan = load(TEXT_PRESET)
    z = np.random.default_rng(int(seed)).standard_normal((n, gan.latent_dim)).astype(np.float32)
    return grid(gan.generate(text=[caption] * n, z=z), columns=n)


def to_rgb_uint8(image: Any) -> np.ndarray:
    """An uploaded picture as uint8 ``[H, W, 3]`` (grayscale repeated, alpha dropped)."""
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3 or image.shape[-1] not in (1, 3, 4):
        raise GanzooError(f"ganzoo.demo: expected an image [height, width, channels], got shape {image.shape}.")
    if image.dtype != np.uint8:
        image = np.clip(np.asarray(image, np.float64), 0, 255).astype(np.uint8)
    return np.repeat(image, 3, axis=-1) if image.shape[-1] == 1 else image[..., :3]


def super_resolve(image: Any, preset: str = SR_PRESETS[0]) -> np.ndarray:
    """A photo ``scale``× larger (uint8 ``[scale·H, scale·W, 3]``); longer side at most ``SR_MAX_SIDE``."""
    if image is None:
        raise GanzooError("ganzoo.demo: upload a photo first (PNG or JPEG).")
    image = to_rgb_uint8(image)
    if max(image.shape[:2]) > SR_MAX_SIDE:
        raise GanzooError(
            f"ganzoo.demo: the photo is {image.shape[1]}×{image.shape[0]} pixels; this demo takes at most "
            f"{SR_MAX_SIDE} pixels a side (crop or shrink it; python -m ganzoo.sample takes any size)."
        )
    return np.asarray(load(preset).super_resolve(image))


def held_out(preset: str, n: int, seed: int):
    """``n`` held-out examples of the data ``preset`` trained on (its test split)."""
    from ganzoo import sample

    return sample.held_out_batch(None, preset, n, seed)


def frontalize(seed: Any = 0, n: Any = 4) -> np.ndarray:
    """Held-out synthetic profiles (top row), their frontal views by G (middle), the truth (bottom).

    Upload is not offered: G needs each face's five landmarks, which ganzoo does not detect.
    """
    from ganzoo import callbacks

    gan, n = load(FACE_PRESET), min(_count(n), 8)
    rows = callbacks.preview_rows(gan, held_out(FACE_PRESET, n, int(seed)), n)
    return grid(rows, columns=len(rows) // 3)


def translate_digit(image: Any = None, seed: Any = 0, n: Any = 8) -> np.ndarray:
    """CycleGAN digits A -> B: an uploaded picture translated (input | output), or held-out rows.

    Without an upload: ``n`` held-out digits of each domain, translated and translated back
    (the model's own preview rows).
    """
    gan = load(CYCLE_PRESET)
    if image is None:
        n = min(_count(n), 8)
        rows = gan.preview_rows(held_out(CYCLE_PRESET, n, int(seed)), n)
        return grid(rows, columns=n)
    gray = to_rgb_uint8(image).astype(np.float32).mean(axis=-1, keepdims=True)
    channels = int(gan.image_shape[2])
    a = np.repeat(gray, channels, axis=-1)[None] / 127.5 - 1.0
    return grid(np.concatenate([a, gan.a_to_b(a.astype(np.float32))]), columns=2)


def mode_coverage(preset: str, n: Any = 2500, seed: Any = 0) -> tuple[np.ndarray, str]:
    """Real points of the 25-Gaussian grid beside ``n`` samples, and the modes the samples cover."""
    from ganzoo.data import mixture2d
    from ganzoo.metrics.mode_coverage import GRID25_STD, grid25_centres, mode_coverage as count_modes
    from ganzoo.utils import images as image_utils

    n = int(n)
    if not 100 <= n <= 10_000:
        raise GanzooError(f"ganzoo.demo: draw 100 to 10,000 points, not {n}.")
    fake = load(preset).generate(n, seed=int(seed))
    real, _ = mixture2d.sample("grid25", n, seed=int(seed))
    extent = float(np.abs(real).max()) * 1.15
    gap = np.full((256, 8, 1), 255, np.uint8)
    picture = np.concatenate([image_utils.scatter_image(real, 256, extent), gap,
                              image_utils.scatter_image(fake, 256, extent)], axis=1)
    coverage = count_modes(fake, grid25_centres(), GRID25_STD)
    return plain(picture), (f"Real points (left), {n} samples of {preset} (right): {coverage.modes_captured} of "
                     f"{coverage.num_modes} modes captured, {coverage.high_quality_fraction:.0%} of the samples "
                     "within 3 std of a centre.")


__all__ = [
    "SCALE", "SR_MAX_SIDE", "load", "available", "samples", "class_samples", "latent_walk", "vocabulary", "text_to_image",
    "super_resolve", "frontalize", "translate_digit", "mode_coverage", "grid", "grid_size", "enlarge",
]
