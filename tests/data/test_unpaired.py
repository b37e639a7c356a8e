"""unpaired:<A>|<B>, unpaired_folder:<root> and printed_digits: shapes, lengths, seeds, errors."""

import os

import numpy as np
import pytest
from PIL import Image

from ganzoo.data import load, printed_digits
from ganzoo.errors import GanzooError


def test_printed_digits_are_seeded_dark_ink_on_light_paper_with_balanced_labels():
    images, labels = printed_digits.arrays("train", 16, 1, num_examples=200)
    again, labels_again = printed_digits.arrays("train", 16, 1, num_examples=200)
    test, _ = printed_digits.arrays("test", 16, 1, num_examples=200)
    assert images.shape == (200, 16, 16, 1) and images.dtype == np.float32
    np.testing.assert_array_equal(images, again)
    np.testing.assert_array_equal(labels, labels_again)
    assert not np.array_equal(images, test)  # the test split draws other images
    assert np.bincount(labels, minlength=10).tolist() == [20] * 10
    assert -1.0 <= images.min() and images.max() <= 1.0
    # Paper is light: the border pixels are mostly 1; ink (near -1) covers a small part.
    assert np.median(images[:, 0, :, 0]) > 0.9
    assert 0.05 < np.mean(images < 0) < 0.5


def test_printed_digits_differ_by_font():
    directory = printed_digits.font_directory()
    glyphs = [printed_digits.render(4, os.path.join(directory, f), 16, np.random.default_rng(1))
              for f in printed_digits.FONTS[:4]]
    assert all(g.shape == (16, 16) and g.max() > 0.5 for g in glyphs)
    assert len({g.tobytes() for g in glyphs}) == 4


def test_unpaired_yields_two_independent_sides_as_long_as_the_larger():
    data = load("unpaired:digits|printed_digits", batch_size=8, image_size=16)
    a, b = next(iter(data))
    assert a.shape == b.shape == (8, 16, 16, 1)
    # digits (1,438 train) vs printed (2,000): an epoch is the larger side, in full batches.
    assert int(data.cardinality()) == 2000 // 8
    # Handwritten strokes are light on dark, printed ink dark on light.
    assert float(np.median(a[:, 0])) < -0.5 and float(np.median(b[:, 0])) > 0.9


def test_unpaired_with_labels_and_test_split():
    data = load("unpaired:digits|printed_digits", split="test", batch_size=500, image_size=8, with_labels=True)
    a, b, labels_a, labels_b = next(iter(data))
    assert a.shape[0] == b.shape[0] == 500  # the smaller side (359 handwritten) repeats
    _, want = printed_digits.arrays("test", 8, 1)
    assert sorted(labels_b.numpy().tolist()) == sorted(want.tolist())
    assert set(labels_a.numpy().tolist()) == set(range(10))


def test_unpaired_side_options_and_split_templates(tmp_path):
    data = load("unpaired:printed_digits|printed_digits", batch_size=4, image_size=8, shuffle=False,
                options_a={"num_examples": 4}, options_b={"num_examples": 12}, split_b="test")
    batches = list(data)
    assert len(batches) == 3
    a, _ = printed_digits.arrays("train", 8, 1, num_examples=4)
    b, _ = printed_digits.arrays("test", 8, 1, num_examples=12)
    np.testing.assert_array_equal(batches[0][0], a)
    np.testing.assert_array_equal(batches[2][1], b[8:])


@pytest.mark.parametrize("name, message", [
    ("unpaired:digits", "two sources separated by one '|'"),
    ("unpaired:digits|printed_digits|digits", "two sources separated by one '|'"),
    ("unpaired:digits|nothing", "unknown dataset 'nothing'"),
])
def test_bad_unpaired_names_fail_with_one_line(name, message):
    with pytest.raises(GanzooError, match=message):
        load(name, batch_size=2)


def test_mismatched_channels_between_sides_fail_clearly():
    with pytest.raises(GanzooError, match="1-channel images in A and 3-channel in B"):
        load("unpaired:digits|printed_digits", batch_size=2, image_size=8, options_b={"channels": 3})


def _folder(root, name, n, colour):
    os.makedirs(root / name)
    for i in range(n):
        Image.new("RGB", (12, 12), colour).save(root / name / f"{i}.png")


def test_unpaired_folder_reads_the_cyclegan_layout(tmp_path):
    for name, n, colour in (("trainA", 3, (255, 0, 0)), ("trainB", 5, (0, 0, 255)),
                            ("testA", 2, (255, 0, 0)), ("testB", 2, (0, 0, 255))):
        _folder(tmp_path, name, n, colour)
    data = load(f"unpaired_folder:{tmp_path}", batch_size=5, image_size=8)
    a, b = next(iter(data))
    assert a.shape == b.shape == (5, 8, 8, 3)
    np.testing.assert_allclose(a[..., 0], 1.0, atol=1e-5)
    np.testing.assert_allclose(b[..., 2], 1.0, atol=1e-5)
    a, b = next(iter(load(f"unpaired_folder:{tmp_path}", split="test", batch_size=2, image_size=8)))
    assert a.shape[0] == 2


def test_unpaired_folder_names_the_missing_folder(tmp_path):
    _folder(tmp_path, "trainA", 1, (0, 0, 0))
    with pytest.raises(GanzooError, match="no 'trainB' folder.*trainA/, trainB/, testA/, testB/"):
        load(f"unpaired_folder:{tmp_path}", batch_size=1)
