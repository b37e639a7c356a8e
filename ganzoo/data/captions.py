"""``captions:<path>``: your images, each with a text file of captions (CUB-200 / Oxford-102 layout).

The released caption sets of Reed et al. 2016 put one ``.txt`` per image, one
caption per line, in a tree that mirrors the images'::

    <path>/images/<class>/<name>.jpg        (any of .png .jpg .jpeg .bmp .gif)
    <path>/text_c10/<class>/<name>.txt      (or <path>/text/<class>/<name>.txt)

A caption file next to its image (``<class>/<name>.txt`` beside
``<class>/<name>.jpg``) also counts. When ``<path>/images`` does not exist the
images are every image file under ``<path>``. Blank lines are ignored; an image
without a caption file, or with an empty one, is an error that names it, and so
is a caption file that is not UTF-8 (a UTF-8 byte-order mark is allowed).
Corrupt or truncated images are skipped with a warning naming each, as
``folder:`` does.

Elements: ``(image, caption, mismatched_caption)`` — the image float32
``[S, S, 3]`` in [-1, 1] (S = ``image_size``, default 64; centre-cropped to a
square), one of its captions drawn at random each epoch, and a caption of
another image. Splits: ``train`` (every image whose index in the sorted list
is not 9 mod 10), ``test`` (the rest) and ``all``.
"""

from __future__ import annotations

import pathlib

import numpy as np
import tensorflow as tf

from ganzoo.data.folder import list_images
from ganzoo.data.registry import Source, register, set_channels, square_resize, to_range
from ganzoo.data.shapes import captioned_dataset
from ganzoo.errors import GanzooError

TEXT_FOLDERS = ("text_c10", "text")
SPLITS = ("train", "test", "all")


def caption_candidates(root: pathlib.Path, image_root: pathlib.Path, image: pathlib.Path) -> list[pathlib.Path]:
    """Where the captions of ``image`` may be, in the order they are looked for."""
    relative = image.relative_to(image_root).with_suffix(".txt")
    return [root / folder / relative for folder in TEXT_FOLDERS] + [image.with_suffix(".txt")]


def read_captions(path: str, split: str = "all") -> tuple[list[str], list[list[str]]]:
    """Image paths and their captions (non-blank lines), sorted by path; errors name the first bad image."""
    if split not in SPLITS:
        raise GanzooError(f"ganzoo.data: captions has splits {', '.join(SPLITS)}, not '{split}'.")
    root = pathlib.Path(path).expanduser()
    image_root = root / "images" if (root / "images").is_dir() else root
    files = list_images(str(image_root))
    if image_root == root:
        files = [f for f in files if not any(pathlib.Path(f).relative_to(root).parts[0] == t for t in TEXT_FOLDERS)]
    captions = []
    for file in files:
        candidates = caption_candidates(root, image_root, pathlib.Path(file))
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise GanzooError(
                f"ganzoo.data: image '{file}' has no caption file (looked for "
                f"{', '.join(repr(str(c)) for c in candidates)}); captions:<path> needs one .txt per image, "
                "one caption per line."
            )
        try:
            text = found.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise GanzooError(
                f"ganzoo.data: caption file '{found}' is not UTF-8 (byte 0x{found.read_bytes()[error.start]:02x} "
                f"at offset {error.start}); save it as UTF-8, e.g. iconv -f latin1 -t utf-8."
            ) from None
        lines = [line.strip() for line in text.splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            raise GanzooError(f"ganzoo.data: caption file '{found}' of image '{file}' is empty; write one caption per line.")
        captions.append(lines)
    if split != "all":
        keep = [(i % 10 == 9) == (split == "test") for i in range(len(files))]
        files = [f for f, k in zip(files, keep) if k]
        captions = [c for c, k in zip(captions, keep) if k]
    if len(files) < 2:
        raise GanzooError(
            f"ganzoo.data: captions:{path} split '{split}' has {len(files)} image(s); mismatched captions need at least 2."
        )
    return files, captions


@register("captions", takes_argument=True,
          description="your images with one caption .txt each (CUB/Oxford-102 layout), e.g. captions:/data/birds")
def captions(path, split="train", image_size=None, channels=None, with_labels=False, shuffle=True, seed=0) -> Source:
    if with_labels:
        raise GanzooError("ganzoo.data: captions:<path> has no labels; its elements are (image, caption, mismatched caption).")
    files, texts = read_captions(path, split)
    width = max(len(t) for t in texts)
    table = np.array([t + [""] * (width - len(t)) for t in texts], dtype=object).astype(str)
    counts = np.array([len(t) for t in texts], np.int64)
    size, decode_channels = int(image_size or 64), channels or 3

    def decode(filename):
        image = tf.io.decode_image(tf.io.read_file(filename), channels=decode_channels, expand_animations=False)
        image = tf.ensure_shape(image, [None, None, decode_channels])
        image = to_range(square_resize(tf.cast(image, tf.float32), size), 255.0)
        return tf.clip_by_value(set_channels(image, channels), -1.0, 1.0)

    # Every image is its own "key": a caption of another image is a mismatch (as in the paper).
    dataset = captioned_dataset(
        tf.constant(files), table, counts, np.arange(len(files), dtype=np.int64), shuffle, seed, decode=decode
    )
    # Listing skipped corrupt files by name (as folder: does); this only backs it up.
    dataset = dataset.ignore_errors(log_warning=True)
    dataset = dataset.repeat().take(len(files)).apply(tf.data.experimental.assert_cardinality(len(files)))
    return Source(dataset, len(files), in_memory=False, shuffled=shuffle)
