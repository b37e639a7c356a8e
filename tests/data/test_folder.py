"""folder:<path> — recursive listing, decoding, labels from sub-folders, corrupt, truncated and mixed files."""

import numpy as np
import pytest
import tensorflow as tf

from ganzoo import data
from ganzoo.data import folder as folder_lib
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


@pytest.mark.parametrize("name, keep", [("truncated.png", 0.5), ("truncated.jpg", 0.9)])
def test_truncated_image_is_skipped_when_listed_with_a_warning_naming_it(folder, caplog, name, keep):
    image = np.random.default_rng(0).integers(0, 256, (16, 16, 3), np.uint8)
    encoded = (tf.io.encode_png if name.endswith(".png") else tf.io.encode_jpeg)(image).numpy()
    (folder / "dogs" / name).write_bytes(encoded[: int(len(encoded) * keep)])
    with caplog.at_level("WARNING"):
        ds = data.load(f"folder:{folder}", batch_size=1, image_size=8, shuffle=False, drop_remainder=False)
    assert f"skipping '{folder / 'dogs' / name}': truncated or corrupt" in caplog.text
    assert "skipped 1 of 5 image files" in caplog.text
    assert sum(1 for _ in ds) == 4
    # Known before the pipeline runs: only the 4 good files are listed.
    assert len(folder_lib.list_images(str(folder))) == 4


def write_scrambled_png(path):
    image = np.random.default_rng(0).integers(0, 256, (16, 16, 3), np.uint8)
    encoded = bytearray(tf.io.encode_png(image).numpy())
    encoded[60:80] = bytes(20)  # inside the pixel data: signature and end intact
    path.write_bytes(bytes(encoded))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.io.decode_png(bytes(encoded))


def test_complete_file_corrupt_inside_is_skipped_when_listed_with_a_warning_naming_it(folder, caplog):
    write_scrambled_png(folder / "dogs" / "scrambled.png")
    with caplog.at_level("WARNING"):
        ds = data.load(f"folder:{folder}", batch_size=1, image_size=8, shuffle=False, drop_remainder=False)
    assert f"skipping '{folder / 'dogs' / 'scrambled.png'}': corrupt inside (Invalid PNG data" in caplog.text
    assert int(ds.cardinality()) == 4 and sum(1 for _ in ds) == 4


def test_unverified_file_corrupt_inside_keeps_the_epoch_length(folder):
    write_scrambled_png(folder / "dogs" / "scrambled.png")
    ds = data.load(f"folder:{folder}", batch_size=1, image_size=8, shuffle=False, drop_remainder=False,
                   verify_images=False)
    # Listed (its ends look whole), dropped when decoded, and replaced by another image.
    assert int(ds.cardinality()) == 5 and sum(1 for _ in ds) == 5


def test_folder_of_only_corrupt_inside_images_is_one_error_naming_the_folder(tmp_path):
    write_scrambled_png(tmp_path / "a.png")
    write_scrambled_png(tmp_path / "b.png")
    with pytest.raises(GanzooError, match="has no readable image files; all 2 are corrupt"):
        data.load(f"folder:{tmp_path}", batch_size=1)


def test_bytes_after_a_complete_image_do_not_make_it_corrupt(folder, caplog):
    good = (folder / "dogs" / "c.png").read_bytes()
    (folder / "dogs" / "padded.png").write_bytes(good + b"\x00" * 100)
    with caplog.at_level("WARNING"):
        files = folder_lib.list_images(str(folder))
    assert str(folder / "dogs" / "padded.png") in files and "skipping" not in caplog.text


def test_mixed_sizes_modes_and_formats_are_all_converted(tmp_path):
    image_lib = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(0)
    pixels = lambda *shape: rng.integers(0, 256, shape, np.uint8)  # noqa: E731
    image_lib.fromarray(pixels(10, 14, 3)).save(tmp_path / "rgb.png")
    image_lib.fromarray(pixels(20, 9)).save(tmp_path / "gray.png")
    image_lib.fromarray(pixels(12, 12, 4)).save(tmp_path / "rgba.png")
    image_lib.fromarray(pixels(12, 16)).convert("P").save(tmp_path / "palette.png")
    image_lib.fromarray(pixels(12, 16, 3)).save(tmp_path / "colour.gif")
    image_lib.fromarray(pixels(12, 16, 3)).save(tmp_path / "colour.bmp")
    image_lib.fromarray(pixels(7, 30)).convert("CMYK").save(tmp_path / "cmyk.jpg")
    for channels in (1, 3):
        ds = data.load(f"folder:{tmp_path}", batch_size=7, image_size=8, channels=channels, shuffle=False)
        (batch,) = list(ds)  # none dropped: decoding a GIF straight to 1 channel used to fail
        assert batch.shape == (7, 8, 8, channels)
        assert float(batch.numpy().min()) >= -1.0 and float(batch.numpy().max()) <= 1.0


def test_empty_folder_and_missing_folder_raise_clear_errors(tmp_path):
    (tmp_path / "readme.txt").write_text("no images here")
    with pytest.raises(GanzooError, match=r"has no image files \(looked for .png, .jpg"):
        data.load(f"folder:{tmp_path}")
    with pytest.raises(GanzooError, match="does not exist"):
        data.load(f"folder:{tmp_path / 'missing'}")
