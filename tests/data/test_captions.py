"""captions:<path>: CUB-style caption files are read; a missing one is named."""

import pathlib

import numpy as np
import pytest
import tensorflow as tf

from ganzoo.data import captions, registry  # noqa: F401  (registers the source)
from ganzoo.errors import GanzooError


def write_png(path: pathlib.Path, value: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(tf.io.encode_png(np.full((10, 12, 3), value, np.uint8)).numpy())


def make_tree(root: pathlib.Path, missing: str | None = None) -> None:
    for klass, names in {"001.cardinal": ["a", "b"], "002.jay": ["c"]}.items():
        for i, name in enumerate(names):
            write_png(root / "images" / klass / f"{name}.png", 40 * (i + 1))
            if f"{klass}/{name}" != missing:
                text = root / "text_c10" / klass / f"{name}.txt"
                text.parent.mkdir(parents=True, exist_ok=True)
                text.write_text(f"{name} first caption\n\n{name} second caption\n")


def test_reads_every_caption_line_and_yields_a_caption_of_another_image(tmp_path):
    make_tree(tmp_path)
    files, texts = captions.read_captions(str(tmp_path))
    assert [pathlib.Path(f).stem for f in files] == ["a", "b", "c"]
    assert texts[0] == ["a first caption", "a second caption"]
    dataset = registry.load(f"captions:{tmp_path}", split="all", batch_size=3, image_size=16, shuffle=False)
    images, caption, wrong = next(iter(dataset))
    assert images.shape == (3, 16, 16, 3)
    for right, mismatch, name in zip(caption.numpy(), wrong.numpy(), "abc"):
        assert right.decode().startswith(name) and not mismatch.decode().startswith(name)


def test_an_image_without_captions_is_named(tmp_path):
    make_tree(tmp_path, missing="001.cardinal/b")
    with pytest.raises(GanzooError, match=r"image '.*001\.cardinal/b\.png' has no caption file"):
        registry.load(f"captions:{tmp_path}", batch_size=2)


def test_captions_beside_the_images_also_count(tmp_path):
    write_png(tmp_path / "x.png", 10)
    write_png(tmp_path / "y.png", 200)
    (tmp_path / "x.txt").write_text("a dark square\n")
    (tmp_path / "y.txt").write_text("a bright square\n")
    _, texts = captions.read_captions(str(tmp_path))
    assert texts == [["a dark square"], ["a bright square"]]


def test_an_empty_caption_file_is_named(tmp_path):
    make_tree(tmp_path)
    (tmp_path / "text_c10" / "002.jay" / "c.txt").write_text("\n\n")
    with pytest.raises(GanzooError, match=r"caption file '.*c\.txt' of image .* is empty"):
        captions.read_captions(str(tmp_path))


def test_a_corrupt_image_is_skipped_with_a_warning_naming_it(tmp_path, caplog):
    make_tree(tmp_path)
    image = np.random.default_rng(0).integers(0, 256, (16, 16, 3), np.uint8)
    encoded = bytearray(tf.io.encode_jpeg(image).numpy())
    encoded[200:-10] = bytes(len(encoded) - 210)  # the markers at both ends intact
    broken = tmp_path / "images" / "002.jay" / "d.jpg"
    broken.write_bytes(bytes(encoded))
    (tmp_path / "text_c10" / "002.jay" / "d.txt").write_text("d caption\n")
    with caplog.at_level("WARNING"):
        dataset = registry.load(f"captions:{tmp_path}", split="all", batch_size=3, image_size=16, shuffle=False)
    assert f"skipping '{broken}'" in caplog.text
    assert int(dataset.cardinality()) == 1
    images, _, _ = next(iter(dataset))
    assert images.shape == (3, 16, 16, 3)


def test_a_caption_file_that_is_not_utf8_is_named(tmp_path):
    make_tree(tmp_path)
    bad = tmp_path / "text_c10" / "002.jay" / "c.txt"
    bad.write_bytes("c caf\xe9 au lait\n".encode("latin-1"))
    with pytest.raises(GanzooError, match=rf"caption file '{bad}' is not UTF-8 \(byte 0xe9 at offset 5\)"):
        captions.read_captions(str(tmp_path))
