"""folder:<path> — recursive listing, decoding, labels from sub-folders, corrupt files."""

import numpy as np
import pytest
import tensorflow as tf

from ganzoo import data
from ganzoo.errors import GanzooError


def write_png(path, value, size=(10, 14)):
    path.parent.mkdir(parents=True, exist_ok=True)
    image = np.full(size + (3,), value, np.uint8)
    tf.io.write_file(str(path), tf.io.encode_png(image))


@pytest.fixture
def folder(tmp_path):
    write_png(tmp_path / "cats" / "a.png", 0)
    write_png(tmp_path / "cats" / "nested" / "b.PNG", 255)
    write_png(tmp_path / "dogs" / "c.png", 255)
    tf.io.write_file(str(tmp_path / "dogs" / "d.jpg"), tf.io.encode_jpeg(np.zeros((8, 8, 3), np.uint8)))
    (tmp_path / "notes.txt").write_text("not an image")
    return tmp_path


def test_folder_images_are_found_recursively_resized_and_scaled(folder):
    ds = data.load(f"folder:{folder}", batch_size=4, image_size=8, shuffle=False)
    (batch,) = list(ds)
    assert batch.shape == (4, 8, 8, 3)
    values = sorted(float(x) for x in batch.numpy().mean(axis=(1, 2, 3)))
    np.testing.assert_allclose(values, [-1.0, -1.0, 1.0, 1.0], atol=0.02)


def test_folder_labels_come_from_sub_folders(folder):
    ds = data.load(f"folder:{folder}", batch_size=4, image_size=8, shuffle=False, with_labels=True, channels=1)
    images, labels = next(iter(ds))
    assert images.shape == (4, 8, 8, 1)
    assert sorted(labels.numpy().tolist()) == [0, 0, 1, 1]


def test_corrupt_file_is_skipped_with_a_warning_naming_it(folder, caplog):
    (folder / "dogs" / "broken.png").write_bytes(b"this is not a png")
    with caplog.at_level("WARNING"):
        ds = data.load(f"folder:{folder}", batch_size=1, image_size=8, shuffle=False, drop_remainder=False)
    assert sum(1 for _ in ds) == 4
    assert "broken.png" in caplog.text


def test_truncated_image_is_dropped_in_the_pipeline(folder):
    good = (folder / "dogs" / "c.png").read_bytes()
    (folder / "dogs" / "truncated.png").write_bytes(good[: len(good) // 2])
    ds = data.load(f"folder:{folder}", batch_size=1, image_size=8, shuffle=False, drop_remainder=False)
    assert sum(1 for _ in ds) == 4


def test_empty_folder_and_missing_folder_raise_clear_errors(tmp_path):
    (tmp_path / "readme.txt").write_text("no images here")
    with pytest.raises(GanzooError, match=r"has no image files \(looked for .png, .jpg"):
        data.load(f"folder:{tmp_path}")
    with pytest.raises(GanzooError, match="does not exist"):
        data.load(f"folder:{tmp_path / 'missing'}")
