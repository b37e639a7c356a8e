"""pairs:<path>: Multi-PIE-style identity/yaw/image folders with a landmarks file; clear errors."""

import os

import numpy as np
import pytest
import tensorflow as tf

from ganzoo.data import pairs, registry
from ganzoo.errors import GanzooError

LANDMARKS = "20 24 44 24 32 34 24 46 40 46"  # in 64x64 files


def write_png(path, value, size=(64, 64)):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    image = np.full(size + (3,), value, np.uint8)
    tf.io.write_file(path, tf.io.encode_png(image))


def make_folder(root, identities=5, yaws=(0, -45, 60), landmarks=LANDMARKS, skip=None):
    lines = []
    for i in range(identities):
        for yaw in yaws:
            for light in ("a", "b"):
                rel = f"id{i:02d}/{yaw}/{light}.png"
                write_png(os.path.join(root, rel), 10 * i + (0 if yaw == 0 else 100) + (5 if light == "b" else 0))
                if rel != skip:
                    lines.append(f"{rel} {landmarks}")
    with open(os.path.join(root, "landmarks.txt"), "w") as handle:
        handle.write("# path x1 y1 ... x5 y5\n" + "\n".join(lines) + "\n")
    return str(root)


def test_pairs_match_frontals_by_name_and_split_by_identity(tmp_path):
    root = make_folder(tmp_path)
    train = pairs.arrays(root, "train", image_size=32)
    test = pairs.arrays(root, "test", image_size=32)
    assert sorted(set(train["identity"])) == [0, 1, 2, 3] and sorted(set(test["identity"])) == [4]
    assert len(test["pose"]) == 6 and sorted(set(test["yaw"])) == [-45, 0, 60]
    # Identity 4, light b, yaw 60 pairs with the frontal of light b (value 45).
    row = np.flatnonzero((test["yaw"] == 60))[1]
    assert test["pose"][row, 0, 0, 0] == 145 and test["frontal"][row, 0, 0, 0] == 45


def test_landmarks_move_with_the_resize(tmp_path):
    root = make_folder(tmp_path, identities=5)
    data = pairs.arrays(root, "all", image_size=32)
    raw = np.array(LANDMARKS.split(), np.float32).reshape(5, 2)
    np.testing.assert_allclose(data["landmarks"][0], raw * 0.5 - 0.25, atol=1e-5)


def test_load_gives_synthfaces_style_elements(tmp_path):
    root = make_folder(tmp_path)
    pose, info = next(iter(registry.load(f"pairs:{root}", batch_size=3, image_size=32)))
    assert pose.shape == (3, 32, 32, 3) and info["frontal"].shape == (3, 32, 32, 3)
    assert info["landmarks"].shape == (3, 5, 2) and set(info) == {"landmarks", "frontal", "identity", "yaw"}


def test_image_without_landmarks_is_named(tmp_path):
    root = make_folder(tmp_path, skip="id01/-45/a.png")
    with pytest.raises(GanzooError, match="id01/-45/a.png.*no landmarks"):
        pairs.arrays(root, "train")


def test_landmarks_outside_the_image_are_refused(tmp_path):
    root = make_folder(tmp_path, landmarks="20 24 44 24 32 34 24 46 70 46")
    with pytest.raises(GanzooError, match="outside its 64x64 image"):
        pairs.arrays(root, "train")


def test_bad_layouts_are_clear_errors(tmp_path):
    with pytest.raises(GanzooError, match="does not exist"):
        pairs.arrays(str(tmp_path / "nowhere"))
    root = make_folder(tmp_path / "a", yaws=(-45, 60))
    with pytest.raises(GanzooError, match="no frontal images"):
        pairs.arrays(root)
    root = make_folder(tmp_path / "b")
    os.makedirs(os.path.join(root, "id00", "left"))
    with pytest.raises(GanzooError, match="not a yaw"):
        pairs.arrays(root)
    root = make_folder(tmp_path / "c", landmarks="1 2 3")
    with pytest.raises(GanzooError, match="line 2 has 3 values"):
        pairs.arrays(root)
    root = make_folder(tmp_path / "d")
    os.remove(os.path.join(root, "landmarks.txt"))
    with pytest.raises(GanzooError, match="no landmarks.txt"):
        pairs.arrays(root)
