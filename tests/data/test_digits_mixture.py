"""The offline sources: digits and the 2-D mixtures, and the registry's errors."""

import numpy as np
import pytest

from ganzoo import data
from ganzoo.data import mixture2d
from ganzoo.errors import GanzooError


def test_digits_are_batched_images_in_range_with_balanced_labels():
    ds = data.load("digits", batch_size=64, with_labels=True, shuffle=False)
    images, labels = next(iter(ds))
    assert images.shape == (64, 32, 32, 1) and images.dtype == "float32"
    assert float(images.numpy().min()) == -1.0 and float(images.numpy().max()) <= 1.0
    all_labels = np.concatenate([y.numpy() for _, y in ds])
    assert len(all_labels) == 1438 // 64 * 64  # training split, remainder dropped
    assert set(np.unique(all_labels)) == set(range(10))


def test_digits_splits_are_disjoint_and_cover_the_data():
    train, _ = data.digits.arrays("train", 8, 1)
    test, _ = data.digits.arrays("test", 8, 1)
    everything, _ = data.digits.arrays("all", 8, 1)
    assert len(train) + len(test) == len(everything) == 1797
    assert not any((t == train).all(axis=(1, 2, 3)).any() for t in test[:20])


def test_digits_size_channels_and_eval_split_keeps_remainder():
    ds = data.load("digits", split="test", batch_size=100, image_size=16, channels=3)
    shapes = [x.shape for x in ds]
    assert shapes[0] == (100, 16, 16, 3) and sum(s[0] for s in shapes) == 359


def test_shuffling_is_seeded():
    first = lambda seed: next(iter(data.load("digits", batch_size=8, seed=seed))).numpy()  # noqa: E731
    np.testing.assert_array_equal(first(1), first(1))
    assert not np.array_equal(first(1), first(2))


@pytest.mark.parametrize("name, centres, std", [("ring8", mixture2d.ring8_centres(), 0.02), ("grid25", mixture2d.grid25_centres(), 0.05)])
def test_mixtures_have_the_published_geometry(name, centres, std):
    assert len(centres) == (8 if name == "ring8" else 25)
    if name == "ring8":
        np.testing.assert_allclose(np.linalg.norm(centres, axis=1), 2.0, rtol=1e-6)
    else:
        assert set(np.unique(centres)) == {-4.0, -2.0, 0.0, 2.0, 4.0}
    points, modes = mixture2d.sample(name, 20000, seed=0)
    offsets = points - centres[modes]
    np.testing.assert_allclose(offsets.std(axis=0), std, rtol=0.05)
    counts = np.bincount(modes, minlength=len(centres))
    assert counts.min() > 0.8 * counts.mean()


def test_mixture_dataset_batches_points():
    x = next(iter(data.load("mixture2d:ring8", batch_size=32, num_examples=64)))
    assert x.shape == (32, 2)


def test_mixture_stream_is_endless_fresh_and_fixed_by_seed():
    def first(seed, n=3, name="mixture2d:grid25"):
        ds = data.load(name, batch_size=64, num_examples=0, seed=seed, repeat=False)
        return [x.numpy() for x in ds.take(n)]

    batches = first(0, n=40)  # 2,560 points: past the stream's first in-graph draws
    assert all(b.shape == (64, 2) and b.dtype == np.float32 for b in batches)
    flat = np.concatenate(batches)
    assert len(np.unique(flat, axis=0)) == len(flat)  # no batch (or point) comes twice
    np.testing.assert_array_equal(np.stack(first(0)), np.stack(batches[:3]))
    assert not np.array_equal(np.stack(first(1)), np.stack(batches[:3]))
    # Every point lies near a grid25 centre, with the modes roughly balanced.
    centres = mixture2d.grid25_centres()
    nearest = np.linalg.norm(flat[:, None] - centres[None], axis=2).argmin(axis=1)
    assert np.abs(flat - centres[nearest]).max() < 6 * 0.05
    assert np.bincount(nearest, minlength=25).min() > 0.5 * len(flat) / 25
    test_points = [x.numpy() for x in data.load("mixture2d:grid25", split="test", batch_size=64,
                                               num_examples=0, repeat=False).take(3)]
    assert not np.array_equal(np.stack(test_points), np.stack(batches[:3]))


def test_mixture_stream_labels_name_the_mode_of_each_point():
    points, modes = next(iter(data.load("mixture2d:ring8", batch_size=128, num_examples=0, with_labels=True)))
    assert points.shape == (128, 2) and modes.dtype == np.int32
    offsets = points.numpy() - mixture2d.ring8_centres()[modes.numpy()]
    assert np.abs(offsets).max() < 6 * 0.02


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(name="mnist"), "unknown dataset 'mnist'; choose one of .*digits"),
        (dict(name="tfds"), "needs an argument after the colon"),
        (dict(name="digits:x"), "takes no ':x' argument"),
        (dict(name="mixture2d:ring9"), "unknown mixture 'ring9'"),
        (dict(name="digits", split="validation"), "digits has splits train, test, all"),
        (dict(name="digits", batch_size=0), "batch_size=0"),
        (dict(name="digits", colour=True), "has no option 'colour'"),
        (dict(name="mixture2d:ring8", image_size=32), "image_size and channels do not apply"),
        (dict(name="mixture2d:ring8", num_examples=-1), "num_examples=-1 must be >= 0"),
        (dict(name="mixture2d:ring9", num_examples=0), "unknown mixture 'ring9'"),
    ],
)
def test_bad_dataset_requests_raise_one_clear_error(kwargs, message):
    with pytest.raises(GanzooError, match=message):
        data.load(**kwargs)
