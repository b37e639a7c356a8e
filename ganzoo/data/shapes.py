"""``shapes``: coloured shapes with captions, drawn by ganzoo (offline, deterministic).

Each image shows one coloured shape (``max_shapes=2``: one or two) on a plain
background, with ``captions_per_image`` captions written from templates and
synonyms: "a small red circle on the left", "there is a tiny crimson disk at
left on a black background", "in the middle, a big azure box".

Attributes (index order is the label order):

    shape     circle, square, triangle, diamond
    colour    red, green, blue, yellow
    size      small, large
    position  left, right, top, bottom, center   (with a little jitter)
    background black, gray, white               (in some captions only)

Splits (each drawn from its own seed stream, so they never share an image):

    train       10,000 images; no (colour, shape) pair in HELD_OUT
    test         1,000 images of the combinations seen in training
    heldout      1,000 images whose (colour, shape) pair is in HELD_OUT
                 (blue triangle, green circle, red square, yellow diamond):
                 composition never seen in training
    classifier   5,000 images of every combination, for an attribute classifier

Elements: ``(image, caption, mismatched_caption)`` — ``image`` float32
``[S, S, 3]`` in [-1, 1] (S = ``image_size``, default 64; 32 is quicker), a
caption of it chosen at random each epoch, and a caption of another image whose
attributes differ (the "wrong text" of the matching-aware discriminator). With
``with_labels`` a fourth element holds the first shape's attributes, int32
``[4]`` (shape, colour, size, position). Everything is fixed by
``content_seed``; ``seed`` only orders the examples and picks the captions.
``arrays(split, ...)`` gives the same data as numpy.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import tensorflow as tf

from ganzoo.data.registry import Source, register
from ganzoo.errors import GanzooError

SHAPES = ("circle", "square", "triangle", "diamond")
COLOURS = ("red", "green", "blue", "yellow")
SIZES = ("small", "large")
POSITIONS = ("left", "right", "top", "bottom", "center")
BACKGROUNDS = ("black", "gray", "white")
ATTRIBUTES = (("shape", SHAPES), ("colour", COLOURS), ("size", SIZES), ("position", POSITIONS))
HELD_OUT = frozenset({("blue", "triangle"), ("green", "circle"), ("red", "square"), ("yellow", "diamond")})

RGB = {
    "red": (220, 40, 40), "green": (40, 180, 60), "blue": (50, 80, 230), "yellow": (235, 210, 40),
    "black": (15, 15, 15), "gray": (115, 115, 115), "white": (240, 240, 240),
}
CENTRES = {"left": (0.27, 0.5), "right": (0.73, 0.5), "top": (0.5, 0.27), "bottom": (0.5, 0.73), "center": (0.5, 0.5)}
RADIUS = {"small": 0.13, "large": 0.24}  # fractions of the image side
JITTER = 0.035

SYNONYMS = {
    "circle": ("circle", "disk", "round shape"),
    "square": ("square", "box"),
    "triangle": ("triangle", "three-sided shape"),
    "diamond": ("diamond", "rhombus"),
    "red": ("red", "crimson", "scarlet"),
    "green": ("green", "emerald"),
    "blue": ("blue", "azure"),
    "yellow": ("yellow", "golden"),
    "small": ("small", "tiny", "little"),
    "large": ("large", "big", "huge"),
    "left": ("on the left", "at left", "to the left"),
    "right": ("on the right", "at right", "to the right"),
    "top": ("at the top", "near the top", "up top"),
    "bottom": ("at the bottom", "near the bottom", "down below"),
    "center": ("in the center", "in the middle", "at the centre"),
    "black": ("black", "dark"),
    "gray": ("gray", "grey"),
    "white": ("white", "pale"),
}
TEMPLATES = (
    "{a} {size} {colour} {shape} {position}{background}",
    "there is {a} {size} {colour} {shape} {position}{background}",
    "{position}, {a} {size} {colour} {shape}{background}",
    "{a} {colour} {shape}, {size}, {position}{background}",
    "this picture shows {a} {size} {colour} {shape} {position}{background}",
)
SPLITS = {"train": (0, 10_000), "test": (1, 1_000), "heldout": (2, 1_000), "classifier": (3, 5_000)}


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _describe(rng: np.random.Generator, attributes: tuple[str, str, str, str], template: str, background: str) -> str:
    shape, colour, size, position = (rng.choice(SYNONYMS[a]) for a in attributes)
    first = size if template.index("{size}") < template.index("{colour}") else colour
    return template.format(
        a=_article(first), size=size, colour=colour, shape=shape, position=position, background=background
    ).strip()


def caption(rng: np.random.Generator, shapes: list[tuple[str, str, str, str]], background: str) -> str:
    """One caption for an image of ``shapes`` (attribute tuples) on ``background``."""
    style = rng.integers(3)
    bg_word = rng.choice(SYNONYMS[background])
    suffix = ("", f" on a {bg_word} background", f" against {_article(bg_word)} {bg_word} backdrop")[style]
    parts = [_describe(rng, s, TEMPLATES[rng.integers(len(TEMPLATES))] if i == 0 else TEMPLATES[0], "")
             for i, s in enumerate(shapes)]
    return " and ".join(parts) + suffix


_WORDS = {
    attribute: sorted(((phrase, value) for value in values for phrase in SYNONYMS[value]),
                      key=lambda item: -len(item[0]))
    for attribute, values in ATTRIBUTES
}


def caption_attributes(text: str) -> list[tuple[int, int, int, int]]:
    """Reads the (shape, colour, size, position) indices back from a caption, per shape described."""
    found = []
    for part in re.split(r" and ", text.replace(" on a ", " | ").replace(" against ", " | ").split(" | ")[0]):
        indices = []
        for attribute, values in ATTRIBUTES:
            hit = next((value for phrase, value in _WORDS[attribute] if re.search(rf"\b{phrase}\b", part)), None)
            indices.append(-1 if hit is None else values.index(hit))
        found.append(tuple(indices))
    return found


def _mask(kind: str, x: np.ndarray, y: np.ndarray, r: float) -> np.ndarray:
    if kind == "circle":
        return x * x + y * y <= r * r
    if kind == "square":
        return np.maximum(np.abs(x), np.abs(y)) <= 0.85 * r
    if kind == "diamond":
        return np.abs(x) + np.abs(y) <= 1.15 * r
    r = 1.15 * r  # equilateral triangle pointing up, circumradius r
    return (y <= r / 2) & (np.abs(x) * np.sqrt(3.0) <= y + r)


def _render(size: int, shapes, centres, background: str) -> np.ndarray:
    """One image, 2× supersampled then averaged (soft edges)."""
    big = 2 * size
    grid = (np.arange(big) + 0.5) / big
    xx, yy = np.meshgrid(grid, grid)
    canvas = np.empty((big, big, 3), np.float32)
    canvas[:] = RGB[background]
    for (kind, colour, extent, _), (cx, cy) in zip(shapes, centres):
        canvas[_mask(kind, xx - cx, yy - cy, RADIUS[extent])] = RGB[colour]
    return canvas.reshape(size, 2, size, 2, 3).mean(axis=(1, 3)).round().astype(np.uint8)


def _combinations(split: str) -> list[tuple[str, str]]:
    pairs = [(c, s) for c in COLOURS for s in SHAPES]
    if split == "heldout":
        return [p for p in pairs if p in HELD_OUT]
    if split in ("train", "test"):
        return [p for p in pairs if p not in HELD_OUT]
    return pairs


@functools.lru_cache(maxsize=8)
def _generate(split, image_size, content_seed, num_examples, captions_per_image, max_shapes):
    stream, _ = SPLITS[split]
    rng = np.random.default_rng([int(content_seed), stream])
    pairs = _combinations(split)
    images = np.empty((num_examples, image_size, image_size, 3), np.uint8)
    captions = np.empty((num_examples, captions_per_image), object)
    labels = np.empty((num_examples, 4), np.int32)
    keys = np.empty((num_examples,), np.int64)
    for i in range(num_examples):
        count = 1 + (rng.integers(max_shapes) if max_shapes > 1 else 0)
        positions = rng.permutation(len(POSITIONS))[:count]
        shapes, centres = [], []
        for p in positions:
            colour, kind = pairs[rng.integers(len(pairs))]
            extent = SIZES[rng.integers(len(SIZES))]
            shapes.append((kind, colour, extent, POSITIONS[p]))
            cx, cy = CENTRES[POSITIONS[p]]
            centres.append((cx + rng.uniform(-JITTER, JITTER), cy + rng.uniform(-JITTER, JITTER)))
        background = BACKGROUNDS[rng.integers(len(BACKGROUNDS))]
        images[i] = _render(image_size, shapes, centres, background)
        captions[i] = [caption(rng, shapes, background) for _ in range(captions_per_image)]
        index = [(SHAPES.index(k), COLOURS.index(c), SIZES.index(e), POSITIONS.index(p)) for k, c, e, p in shapes]
        labels[i] = index[0]
        # The key says what a caption can say about the image (not the background):
        # two images with equal keys could share captions, so they never mismatch.
        key = 0
        for shape_index in sorted(index):
            for value, base in zip(shape_index, (4, 4, 2, 5)):
                key = key * base + value
            key = key * 2 + 1
        keys[i] = key
    for array in (images, captions, labels, keys):
        array.setflags(write=False)
    return images, captions, labels, keys


def arrays(
    split: str = "train",
    image_size: int = 64,
    content_seed: int = 0,
    num_examples: int | None = None,
    captions_per_image: int = 5,
    max_shapes: int = 1,
) -> dict[str, np.ndarray]:
    """The split as numpy (cached per process).

    Returns:
        ``images`` uint8 ``[n, S, S, 3]``, ``captions`` str ``[n, captions_per_image]``,
        ``labels`` int32 ``[n, 4]`` (first shape: shape, colour, size, position
        indices into SHAPES, COLOURS, SIZES, POSITIONS) and ``keys`` int64 ``[n]``
        (equal keys = captions that could describe either image).
    """
    if split not in SPLITS:
        raise GanzooError(f"ganzoo.data: shapes has splits {', '.join(SPLITS)}, not '{split}'.")
    image_size = int(image_size)
    if image_size < 16 or image_size > 256:
        raise GanzooError(f"ganzoo.data: shapes image_size={image_size}; use 16 to 256 (32 or 64 are usual).")
    if int(max_shapes) not in (1, 2):
        raise GanzooError(f"ganzoo.data: shapes max_shapes={max_shapes}; use 1 or 2.")
    if int(captions_per_image) < 1:
        raise GanzooError(f"ganzoo.data: shapes captions_per_image={captions_per_image} must be at least 1.")
    n = int(num_examples or SPLITS[split][1])
    if n < 2:
        raise GanzooError(f"ganzoo.data: shapes num_examples={n} must be at least 2 (mismatched captions need another image).")
    images, captions, labels, keys = _generate(
        split, image_size, int(content_seed), n, int(captions_per_image), int(max_shapes)
    )
    if len(np.unique(keys)) < 2:
        raise GanzooError("ganzoo.data: every shapes image has the same attributes; raise num_examples.")
    return {"images": images, "captions": captions, "labels": labels, "keys": keys}


def to_float(images: np.ndarray | tf.Tensor) -> tf.Tensor:
    """uint8 images -> float32 in [-1, 1]."""
    return tf.cast(images, tf.float32) / 127.5 - 1.0


def captioned_dataset(
    images, captions, counts, keys, shuffle: bool, seed: int, decode=None, labels=None
) -> tf.data.Dataset:
    """``(image, caption, mismatched caption)`` elements from per-image arrays.

    ``captions`` ``[n, k]`` strings with ``counts[i]`` valid entries in row i;
    ``keys[i] == keys[j]`` means image j's captions may describe image i, so a
    mismatched caption is drawn from an image with another key. Captions are
    re-drawn every pass (``Dataset.random`` re-randomised per iteration).
    ``decode`` maps ``images[i]`` to a float image (default: uint8 -> [-1, 1]);
    ``labels`` (``[n, ...]``), when given, is appended to each element.
    """
    n = len(keys)
    captions_t, counts_t = tf.constant(captions, tf.string), tf.constant(counts, tf.int64)
    keys_t = tf.constant(keys, tf.int64)
    images_t = tf.constant(images) if isinstance(images, np.ndarray) else images
    decode = decode or to_float
    labels_t = None if labels is None else tf.constant(labels)
    index = tf.data.Dataset.range(n)
    if shuffle:
        index = index.shuffle(n, seed=seed, reshuffle_each_iteration=True)
    randoms = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(3)

    def element(i, r):
        r = tf.math.floormod(r, tf.constant(2**31 - 1, tf.int64))
        text = captions_t[i, tf.math.floormod(r[0], counts_t[i])]
        j = tf.math.floormod(i + 1 + tf.math.floormod(r[1], n - 1), n)
        # Walk to the next image whose attributes differ (arrays() ensures one exists).
        j = tf.while_loop(lambda j: keys_t[j] == keys_t[i], lambda j: tf.math.floormod(j + 1, n), [j])[0]
        wrong = captions_t[j, tf.math.floormod(r[2], counts_t[j])]
        if labels_t is None:
            return decode(tf.gather(images_t, i)), text, wrong
        return decode(tf.gather(images_t, i)), text, wrong, tf.gather(labels_t, i)

    return tf.data.Dataset.zip((index, randoms)).map(element)


@register("shapes", description="ganzoo's captioned coloured shapes (64x64 default, 32 option; held-out combinations); offline")
def shapes(
    split="train", image_size=None, channels=None, with_labels=False, shuffle=True, seed=0,
    content_seed=0, num_examples=None, captions_per_image=5, max_shapes=1,
) -> Source:
    if channels not in (None, 3):
        raise GanzooError(f"ganzoo.data: shapes are RGB; channels={channels} is not available (use 3).")
    data = arrays(split, image_size or 64, content_seed, num_examples, captions_per_image, max_shapes)
    counts = np.full(len(data["keys"]), data["captions"].shape[1], np.int64)
    dataset = captioned_dataset(
        data["images"], data["captions"].astype(str), counts, data["keys"], shuffle, seed,
        labels=data["labels"] if with_labels else None,
    )
    return Source(dataset, len(counts), in_memory=True, shuffled=shuffle)
