"""``printed_digits``: digits 0-9 printed in the fonts matplotlib ships, rendered by ganzoo (offline).

The other side of the handwritten ``digits`` for unpaired translation (CycleGAN's
benchmark): each image is one digit in dark ink on light paper, in one of ``FONTS`` (DejaVu
Sans, Sans Mono, Serif and their bold/italic cuts, STIX, Computer Modern — the TrueType files
in ``matplotlib/mpl-data/fonts/ttf``), with a random size, stroke (extra outline of 0-1.5
pixels at 4× scale), rotation (±12°) and position (±10% of the side). Drawn at 4× size with
Pillow, then reduced with an antialiased resize to ``image_size`` (default 32) and mapped to
[-1, 1] (paper 1, ink −1). Labels are the digits. Deterministic: ``train`` uses the content
seed ``seed`` and ``test`` ``seed + 1`` (disjoint draws of the same distribution); the
shuffling seed of ``load`` does not change the images.
"""

from __future__ import annotations

import functools
import os

import numpy as np
import tensorflow as tf

from ganzoo.data.registry import Source, register, set_channels
from ganzoo.errors import GanzooError

FONTS = (
    "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf",
    "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf", "DejaVuSansMono-Oblique.ttf", "DejaVuSansMono-BoldOblique.ttf",
    "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSerif-BoldItalic.ttf",
    "STIXGeneral.ttf", "STIXGeneralBol.ttf", "STIXGeneralItalic.ttf", "STIXGeneralBolIta.ttf",
    "cmr10.ttf", "cmss10.ttf", "cmtt10.ttf", "cmb10.ttf",
)
SPLITS = {"train": 0, "test": 1}
DEFAULT_EXAMPLES = {"train": 2000, "test": 500}
SCALE = 4  # drawn at SCALE × image_size, then reduced (antialiasing)


def font_directory() -> str:
    """matplotlib's folder of TrueType fonts (a one-line error when matplotlib is missing)."""
    try:
        import matplotlib
    except ImportError:
        raise GanzooError(
            "ganzoo.data: printed_digits renders matplotlib's bundled fonts; `pip install matplotlib` "
            "(ganzoo's setup.py lists it)."
        ) from None
    return os.path.join(os.path.dirname(matplotlib.__file__), "mpl-data", "fonts", "ttf")


def render(label: int, font_path: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """One digit, ``[size, size]`` float32 ink coverage in [0, 1] (1 = ink)."""
    from PIL import Image, ImageDraw, ImageFont

    big = size * SCALE
    height = rng.uniform(0.55, 0.85) * big
    font = ImageFont.truetype(font_path, int(round(height * 1.2)))
    stroke = int(rng.integers(0, int(1.5 * SCALE / 2) + 1))
    canvas = Image.new("L", (2 * big, 2 * big), 0)
    draw = ImageDraw.Draw(canvas)
    text = str(int(label))
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font, stroke_width=stroke)
    draw.text((big - (left + right) / 2, big - (top + bottom) / 2), text, fill=255, font=font,
              stroke_width=stroke, stroke_fill=255)
    canvas = canvas.rotate(rng.uniform(-12.0, 12.0), resample=Image.BILINEAR, center=(big, big))
    # Scale the glyph to the drawn height, then place its centre with a random shift.
    box = canvas.getbbox() or (0, 0, 2 * big, 2 * big)
    glyph = canvas.crop(box)
    factor = height / max(glyph.height, 1)
    width = max(1, min(big, int(round(glyph.width * factor))))
    glyph = glyph.resize((width, max(1, min(big, int(round(height))))), Image.BILINEAR)
    page = Image.new("L", (big, big), 0)
    shift = rng.uniform(-0.1, 0.1, size=2) * big
    x = int(round((big - glyph.width) / 2 + shift[0]))
    y = int(round((big - glyph.height) / 2 + shift[1]))
    page.paste(glyph, (min(max(x, 0), big - glyph.width), min(max(y, 0), big - glyph.height)))
    small = page.resize((size, size), Image.LANCZOS)
    return np.asarray(small, np.float32) / 255.0


@functools.lru_cache(maxsize=8)
def _cached(split: str, image_size: int, num_examples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng([int(seed), SPLITS[split], 20261206])
    directory = font_directory()
    labels = np.arange(num_examples, dtype=np.int32) % 10
    rng.shuffle(labels)
    fonts = rng.integers(len(FONTS), size=num_examples)
    ink = np.stack([render(label, os.path.join(directory, FONTS[f]), image_size, rng)
                    for label, f in zip(labels, fonts)])
    images = (1.0 - 2.0 * ink)[..., None].astype(np.float32)  # dark ink on light paper
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def arrays(split: str = "train", image_size: int = 32, channels: int = 1, num_examples: int | None = None,
           seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The printed digits as numpy: images ``[n, size, size, channels]`` float32 in [-1, 1], labels int32."""
    if split not in SPLITS:
        raise GanzooError(f"ganzoo.data: printed_digits has splits {', '.join(SPLITS)}, not '{split}'.")
    num_examples = DEFAULT_EXAMPLES[split] if num_examples is None else int(num_examples)
    if num_examples < 1 or int(image_size) < 4:
        raise GanzooError(
            f"ganzoo.data: printed_digits needs num_examples >= 1 and image_size >= 4; got {num_examples}, {image_size}."
        )
    images, labels = _cached(split, int(image_size), num_examples, int(seed))
    images = set_channels(tf.constant(images), channels).numpy()
    return images, labels.copy()


@register("printed_digits", description="digits 0-9 printed in matplotlib's bundled fonts, varied and seeded; offline")
def printed_digits(split="train", image_size=None, channels=None, with_labels=False, shuffle=True, seed=0,
                   num_examples=None, content_seed=0) -> Source:
    images, labels = arrays(split, image_size or 32, channels or 1, num_examples, content_seed)
    elements = (images, labels) if with_labels else images
    return Source(tf.data.Dataset.from_tensor_slices(elements), len(images), in_memory=True)
