"""``folder:<path>``: image files found recursively under a folder.

Files with the extensions in ``EXTENSIONS`` are listed (sorted, so runs are
reproducible), decoded and resized inside tf.data. With ``with_labels`` the
first-level sub-folder names are the classes, in sorted order.

Corrupt files: a file whose first bytes are not an image signature is skipped
with a warning that names it, when the folder is listed; a file that passes
that check but still fails to decode (e.g. truncated) is dropped inside the
pipeline by ``ignore_errors`` with TensorFlow's warning.
"""

from __future__ import annotations

import os
import pathlib

from absl import logging
import tensorflow as tf

from ganzoo.data.registry import Source, register, set_channels, square_resize, to_range
from ganzoo.errors import GanzooError

EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")

_SIGNATURES = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".bmp": (b"BM",),
    ".gif": (b"GIF87a", b"GIF89a"),
}


def _looks_like_image(path: str) -> bool:
    """True when the file starts with any image signature (names can lie about the type)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError:
        return False
    return any(head.startswith(sig) for sigs in _SIGNATURES.values() for sig in sigs)


def list_images(root: str) -> list[str]:
    """Sorted image paths under ``root``; corrupt files are skipped with a warning."""
    root_path = pathlib.Path(root).expanduser()
    if not root_path.is_dir():
        raise GanzooError(f"ganzoo.data: folder '{root}' does not exist or is not a directory.")
    found = sorted(
        str(p) for p in root_path.rglob("*") if p.is_file() and p.suffix.lower() in EXTENSIONS
    )
    if not found:
        raise GanzooError(
            f"ganzoo.data: folder '{root}' has no image files "
            f"(looked for {', '.join(EXTENSIONS)})."
        )
    good = []
    for path in found:
        if _looks_like_image(path):
            good.append(path)
        else:
            logging.warning("ganzoo.data: skipping '%s': not a readable image file.", path)
    if not good:
        raise GanzooError(f"ganzoo.data: folder '{root}' has no readable image files; all {len(found)} are corrupt.")
    return good


@register("folder", takes_argument=True, description="image files under a folder, e.g. folder:/data/faces")
def folder(
    path, split="train", image_size=None, channels=None, with_labels=False, shuffle=True, seed=0,
) -> Source:
    files = list_images(path)
    size = int(image_size or 64)
    decode_channels = channels or 3
    labels = None
    if with_labels:
        root = pathlib.Path(path).expanduser()
        classes = sorted({pathlib.Path(f).relative_to(root).parts[0] for f in files if len(pathlib.Path(f).relative_to(root).parts) > 1})
        if not classes:
            raise GanzooError(
                f"ganzoo.data: folder '{path}' has no class sub-folders; with_labels needs "
                "one sub-folder per class (e.g. cats/, dogs/)."
            )
        index = {name: i for i, name in enumerate(classes)}
        files = [f for f in files if len(pathlib.Path(f).relative_to(root).parts) > 1]
        labels = [index[pathlib.Path(f).relative_to(root).parts[0]] for f in files]
    elements = (files, labels) if with_labels else files
    dataset = tf.data.Dataset.from_tensor_slices(elements)
    if shuffle:
        dataset = dataset.shuffle(len(files), seed=seed, reshuffle_each_iteration=True)

    def decode(filename, label=None):
        raw = tf.io.read_file(filename)
        image = tf.io.decode_image(raw, channels=decode_channels, expand_animations=False)
        image = tf.ensure_shape(image, [None, None, decode_channels])
        image = to_range(square_resize(tf.cast(image, tf.float32), size), 255.0)
        image = tf.clip_by_value(set_channels(image, channels), -1.0, 1.0)
        return image if label is None else (image, tf.cast(label, tf.int32))

    dataset = dataset.map(decode, num_parallel_calls=tf.data.AUTOTUNE)
    dataset = dataset.ignore_errors(log_warning=True)
    return Source(dataset, len(files), in_memory=False, shuffled=shuffle)
