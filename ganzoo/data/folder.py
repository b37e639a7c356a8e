"""``folder:<path>``: image files found recursively under a folder.

Files with the extensions in ``EXTENSIONS`` are listed (sorted, so runs are
reproducible), decoded and resized inside tf.data. With ``with_labels`` the
first-level sub-folder names are the classes, in sorted order. Mixed sizes,
grayscale, palette and RGBA files are all decoded as RGB, centre-cropped to a
square and resized to ``image_size``, then converted to ``channels``.

Splits (``split_files``): a folder with ``train/`` and ``test/`` sub-folders gives those;
otherwise ``test_fraction`` (default 0: no test split, which is then refused rather than
answered with the training images) holds out a deterministic share of the files, picked
by a hash of ``split_seed`` and each path, and ``train`` is the rest; ``all`` is every file.

Corrupt files are skipped, with a warning that names each one, when the folder
is listed (before training): a file whose first bytes are no image signature,
a truncated file — one whose end is not the format's end (PNG's IEND chunk,
JPEG's end-of-image marker, GIF's trailer, BMP's declared size) and that
TensorFlow then fails to decode — and a complete file that is corrupt inside.
The last needs every file decoded once: listing decodes them all in a parallel
tf.data pass (``verify_images``; about the cost of one epoch's decoding).
``verify_images=False`` skips that pass for huge folders; a corrupt file is
then dropped in the pipeline by ``ignore_errors``, whose warning does not name
it, and the next pass's first image takes its place, so an epoch keeps its
known length.
"""

from __future__ import annotations

import hashlib
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


def _signature_type(head: bytes) -> str | None:
    """The image type whose signature ``head`` starts with (names can lie about the type)."""
    for suffix, signatures in _SIGNATURES.items():
        if any(head.startswith(sig) for sig in signatures):
            return suffix
    return None


def _ends_whole(kind: str, head: bytes, tail: bytes, size: int) -> bool:
    """True when a file of type ``kind`` ends as a complete file of that type does."""
    if kind == ".png":
        return tail.endswith(b"IEND\xaeB`\x82")
    if kind in (".jpg", ".jpeg"):
        return tail.rstrip(b"\x00").endswith(b"\xff\xd9")
    if kind == ".gif":
        return tail.endswith(b";")
    return len(head) >= 6 and int.from_bytes(head[2:6], "little") <= size  # BMP's declared size


def _decode_error(path: str) -> str | None:
    """TensorFlow's reason why ``path`` does not decode, or None when it does."""
    try:
        tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
    except tf.errors.OpError as error:
        reason = error.message.split("\n")[0].split("}}")[-1]
        return reason.split(" [Op:")[0].strip()
    return None


def _problem(path: str) -> str | None:
    """Why ``path`` is not a usable image, or None. Reads its first and last bytes only,
    and decodes it only when its end looks wrong (trailing bytes after the end are allowed)."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
            head = handle.read(16)
            handle.seek(max(0, size - 16))
            tail = handle.read(16)
    except OSError as error:
        return f"it cannot be read ({error.strerror})"
    kind = _signature_type(head)
    if kind is None:
        return "not an image file (its first bytes are no PNG, JPEG, BMP or GIF signature)"
    if _ends_whole(kind, head, tail, size):
        return None
    reason = _decode_error(path)
    return None if reason is None else f"truncated or corrupt ({reason})"


def undecodable(files: list[str]) -> list[str]:
    """The files among ``files`` that TensorFlow fails to decode (decoded in parallel, once)."""
    if not files:
        return []

    def decodes(index, filename):
        image = tf.io.decode_image(tf.io.read_file(filename), channels=3, expand_animations=False)
        return index, tf.size(image)

    checked = (tf.data.Dataset.from_tensor_slices(files).enumerate()
               .map(decodes, num_parallel_calls=tf.data.AUTOTUNE, deterministic=False)
               .ignore_errors())
    good = {int(index) for index, _ in checked.as_numpy_iterator()}
    return [f for i, f in enumerate(files) if i not in good]


def list_images(root: str, verify_images: bool = True) -> list[str]:
    """Sorted image paths under ``root``; corrupt or truncated files are skipped with a warning naming each.

    ``verify_images`` also decodes every file once, to find those corrupt inside.
    """
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
    problems = {path: _problem(path) for path in found}
    if verify_images:
        for path in undecodable([p for p in found if problems[p] is None]):
            problems[path] = f"corrupt inside ({_decode_error(path) or 'it does not decode'})"
    good = []
    for path in found:
        if problems[path] is None:
            good.append(path)
        else:
            logging.warning("ganzoo.data: skipping '%s': %s.", path, problems[path])
    if not good:
        raise GanzooError(f"ganzoo.data: folder '{root}' has no readable image files; all {len(found)} are corrupt.")
    if len(good) < len(found):
        logging.warning("ganzoo.data: folder '%s': skipped %d of %d image files (named above).",
                        root, len(found) - len(good), len(found))
    return good


SPLITS = ("train", "test", "all")


def held_out(relative_path: str, test_fraction: float, split_seed: int) -> bool:
    """True when the file at ``relative_path`` (to the folder) belongs to the test split.

    A hash of the seed and the path, so a file keeps its split when others are added.
    """
    digest = hashlib.sha256(f"{split_seed}:{relative_path}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64 < test_fraction


def split_files(path: str, split: str = "train", test_fraction: float = 0.0, split_seed: int = 0,
                verify_images: bool = True) -> tuple[str, list[str]]:
    """(the folder the split reads, its sorted image files).

    A folder with ``train/`` and ``test/`` sub-folders gives those; otherwise ``test`` is the
    ``test_fraction`` of files picked by ``held_out`` and ``train`` the rest. ``all`` is every file.
    """
    if split not in SPLITS:
        raise GanzooError(f"ganzoo.data: folder '{path}' has no split '{split}'; choose one of {', '.join(SPLITS)}.")
    root = pathlib.Path(path).expanduser()
    if split != "all" and (root / "train").is_dir() and (root / "test").is_dir():
        return str(root / split), list_images(str(root / split), verify_images)
    files = list_images(path, verify_images)
    if split == "all":
        return path, files
    if not 0.0 <= float(test_fraction) < 1.0:
        raise GanzooError(f"ganzoo.data: test_fraction={test_fraction} must be in [0, 1).")
    test = [f for f in files if held_out(str(pathlib.Path(f).relative_to(root)), float(test_fraction), split_seed)]
    if split == "test" and not test:
        raise GanzooError(
            f"ganzoo.data: folder '{path}' has no test images; add train/ and test/ sub-folders "
            f"or hold some out with test_fraction=0.1 (now {test_fraction}; train with the same value)."
        )
    chosen = set(test)
    return path, test if split == "test" else [f for f in files if f not in chosen]


@register("folder", takes_argument=True, description="image files under a folder, e.g. folder:/data/faces")
def folder(
    path, split="train", image_size=None, channels=None, with_labels=False, shuffle=True, seed=0,
    verify_images=True, test_fraction=0.0, split_seed=0,
) -> Source:
    path, files = split_files(path, split, test_fraction, split_seed, verify_images)
    if not files:
        raise GanzooError(f"ganzoo.data: the {split} split of folder '{path}' has no images; lower test_fraction.")
    size = int(image_size or 64)
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
        # Always RGB first: decoding GIFs, CMYK JPEGs or colour BMPs straight to one
        # channel fails ("Unsupported color conversion"); set_channels converts after.
        image = tf.io.decode_image(raw, channels=3, expand_animations=False)
        image = tf.ensure_shape(image, [None, None, 3])
        image = to_range(square_resize(tf.cast(image, tf.float32), size), 255.0)
        image = tf.clip_by_value(set_channels(image, channels), -1.0, 1.0)
        return image if label is None else (image, tf.cast(label, tf.int32))

    dataset = dataset.map(decode, num_parallel_calls=tf.data.AUTOTUNE)
    dataset = dataset.ignore_errors(log_warning=True)  # corrupt inside, with verify_images=False
    # A known length: fit then never calls past the end of an epoch (Keras 3.15
    # counts an optimizer step on that call) and a backup can resume mid-epoch.
    # If a file was dropped above, the next pass's first image takes its place.
    dataset = dataset.repeat().take(len(files)).apply(tf.data.experimental.assert_cardinality(len(files)))
    return Source(dataset, len(files), in_memory=False, shuffled=shuffle)
