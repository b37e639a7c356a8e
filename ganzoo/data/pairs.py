"""``pairs:<path>``: real posed faces paired with frontal views, in a Multi-PIE-style folder.

Layout (identity / pose / image, as Multi-PIE's subject / camera folders, with the camera
renamed to its yaw in degrees)::

    <path>/
      landmarks.txt              one line per image: <relative path> x1 y1 x2 y2 x3 y3 x4 y4 x5 y5
      <identity>/<yaw>/<name>    e.g. 001/-45/s1_light07.png, 001/0/s1_light07.png

- ``<identity>``: any folder name; identities are numbered in sorted order (the label).
- ``<yaw>``: signed whole degrees (``0``, ``15``, ``-90``, ``+60``); ``0`` holds the frontals.
- a pose image ``<identity>/<yaw>/<name>`` is paired with the frontal ``<identity>/0/<name>``
  when it exists (same session and light, as TP-GAN pairs Multi-PIE), else with the first
  frontal of that identity in sorted order. Frontals are examples too (yaw 0).
- landmarks: (x, y) pixel positions *in the image file* of the left eye, right eye, nose tip,
  left and right mouth corner ("left" = image-left), whitespace-separated; ``#`` starts a
  comment. Images are centre-cropped to a square and resized to ``image_size`` (default 64),
  and the landmarks moved with them.

Splits are by identity: ``test`` holds every identity whose sorted index is 4 mod 5, ``train``
the rest, ``all`` both. The split is decoded into memory (uint8), so it suits up to about
100,000 images at 64×64; errors name the file and line.

Elements are those of ``synthfaces``: ``(pose, {"landmarks", "frontal", "identity", "yaw"})``.
"""

from __future__ import annotations

import os
import pathlib

import numpy as np
import tensorflow as tf

from ganzoo.data.folder import EXTENSIONS
from ganzoo.data.registry import Source, register, set_channels
from ganzoo.errors import GanzooError

LANDMARKS_FILE = "landmarks.txt"
NUM_LANDMARKS = 5
SPLITS = ("train", "test", "all")


def _yaw(name: str, path: pathlib.Path) -> int:
    try:
        return int(name)
    except ValueError:
        raise GanzooError(
            f"ganzoo.data: pairs folder '{path}' is not a yaw; pose folders are named by signed whole "
            "degrees such as 0, -45 or +60 (<path>/<identity>/<yaw>/<image>)."
        ) from None


def read_landmarks(root: pathlib.Path) -> dict[str, np.ndarray]:
    """``landmarks.txt`` as {relative path: float32 [5, 2]}."""
    path = root / LANDMARKS_FILE
    if not path.is_file():
        raise GanzooError(
            f"ganzoo.data: pairs folder '{root}' has no {LANDMARKS_FILE}; write one line per image: "
            "<relative path> followed by 10 numbers (x y of both eyes, nose tip, both mouth corners)."
        )
    table: dict[str, np.ndarray] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        try:
            values = np.array([float(v) for v in fields[1:]], np.float32)
        except ValueError:
            values = np.zeros(0, np.float32)
        if len(values) != 2 * NUM_LANDMARKS:
            raise GanzooError(
                f"ganzoo.data: {path} line {number} has {len(fields) - 1} values after the path; "
                f"give {2 * NUM_LANDMARKS} numbers (x y for 5 landmarks)."
            )
        table[pathlib.PurePosixPath(fields[0]).as_posix()] = values.reshape(NUM_LANDMARKS, 2)
    return table


def list_pairs(path: str) -> list[dict]:
    """Every image with its frontal, yaw, identity and landmarks (identities in sorted order)."""
    root = pathlib.Path(path).expanduser()
    if not root.is_dir():
        raise GanzooError(f"ganzoo.data: pairs folder '{path}' does not exist or is not a directory.")
    landmarks = read_landmarks(root)
    identities = sorted(p.name for p in root.iterdir() if p.is_dir())
    if not identities:
        raise GanzooError(f"ganzoo.data: pairs folder '{path}' has no identity folders (<path>/<identity>/<yaw>/<image>).")
    examples = []
    for label, identity in enumerate(identities):
        poses: dict[int, list[pathlib.Path]] = {}
        for pose_dir in sorted(p for p in (root / identity).iterdir() if p.is_dir()):
            files = sorted(f for f in pose_dir.iterdir() if f.suffix.lower() in EXTENSIONS)
            poses.setdefault(_yaw(pose_dir.name, pose_dir), []).extend(files)
        frontals = {f.name: f for f in poses.get(0, [])}
        if not frontals:
            raise GanzooError(
                f"ganzoo.data: identity '{identity}' in '{path}' has no frontal images; put them in "
                f"{root / identity / '0'}."
            )
        first_frontal = frontals[sorted(frontals)[0]]
        for yaw, files in sorted(poses.items()):
            for file in files:
                frontal = frontals.get(file.name, first_frontal)
                keys = [file.relative_to(root).as_posix(), frontal.relative_to(root).as_posix()]
                for key in keys:
                    if key not in landmarks:
                        raise GanzooError(
                            f"ganzoo.data: image '{key}' has no landmarks in {root / LANDMARKS_FILE}; add a "
                            "line '<relative path> x1 y1 ... x5 y5' for it."
                        )
                examples.append({"pose": str(file), "frontal": str(frontal), "yaw": yaw, "identity": label,
                                 "landmarks": landmarks[keys[0]], "key": keys[0]})
    return examples


def _load_image(path: str, size: int) -> tuple:
    """uint8 [size, size, 3], the (scale, left, top) that map file pixels to it, and the file's (width, height)."""
    image = tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False).numpy()
    height, width = image.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    square = image[top : top + side, left : left + side]
    resized = tf.image.resize(square, [size, size], method="bilinear", antialias=True).numpy()
    return np.clip(np.round(resized), 0, 255).astype(np.uint8), size / side, left, top, (width, height)


def arrays(path: str, split: str = "train", image_size: int = 64) -> dict[str, np.ndarray]:
    """One split as numpy, like ``synthfaces.arrays``: ``pose``/``frontal`` uint8, ``landmarks`` float32 pixels."""
    if split not in SPLITS:
        raise GanzooError(f"ganzoo.data: pairs has splits {', '.join(SPLITS)}, not '{split}'.")
    examples = list_pairs(path)
    if split != "all":
        test = split == "test"
        examples = [e for e in examples if (e["identity"] % 5 == 4) == test]
    if not examples:
        raise GanzooError(
            f"ganzoo.data: pairs '{path}' has no '{split}' identities (test = every 5th identity in sorted "
            "order); add identities or use split='all'."
        )
    cache: dict[str, np.ndarray] = {}
    pose, frontal, marks = [], [], []
    for e in examples:
        image, scale, left, top, (width, height) = _load_image(e["pose"], image_size)
        raw = e["landmarks"]
        if (raw < 0).any() or (raw[:, 0] > width - 1).any() or (raw[:, 1] > height - 1).any():
            raise GanzooError(
                f"ganzoo.data: landmarks of '{e['key']}' lie outside its {width}x{height} image "
                f"({raw.tolist()}); give (x, y) pixel positions inside the image."
            )
        moved = (raw - np.array([left, top], np.float32)) * scale + (scale - 1.0) / 2.0
        if (moved < 0).any() or (moved > image_size - 1).any():
            raise GanzooError(
                f"ganzoo.data: landmarks of '{e['key']}' fall outside the centre square crop of its "
                f"{width}x{height} image; crop the image around the face first."
            )
        if e["frontal"] not in cache:
            cache[e["frontal"]] = _load_image(e["frontal"], image_size)[0]
        pose.append(image)
        frontal.append(cache[e["frontal"]])
        marks.append(moved)
    return {
        "pose": np.stack(pose),
        "frontal": np.stack(frontal),
        "landmarks": np.stack(marks).astype(np.float32),
        "identity": np.array([e["identity"] for e in examples], np.int32),
        "yaw": np.array([e["yaw"] for e in examples], np.int32),
    }


@register("pairs", takes_argument=True,
          description="posed/frontal face pairs with landmarks: <path>/<identity>/<yaw>/<image> + landmarks.txt")
def pairs(path, split="train", image_size=None, channels=None, with_labels=False, shuffle=True, seed=0) -> Source:
    """Paired faces for frontalization (``with_labels`` is implied: identities always come along)."""
    data = arrays(path, split, int(image_size or 64))
    channels = channels or 3
    to_float = lambda x: set_channels(tf.cast(x, tf.float32) * (2.0 / 255.0) - 1.0, channels)  # noqa: E731

    def convert(pose, info):
        info = dict(info)
        info["frontal"] = to_float(info["frontal"])
        return to_float(pose), info

    info = {k: data[k] for k in ("landmarks", "frontal", "identity", "yaw")}
    dataset = tf.data.Dataset.from_tensor_slices((data["pose"], info)).map(convert)
    return Source(dataset, len(data["pose"]), in_memory=True)
