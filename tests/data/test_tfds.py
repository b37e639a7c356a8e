"""tfds:<name> through tfds.testing.mock_data (no download, no prepared data)."""

import pytest
import tensorflow_datasets as tfds

from ganzoo import data
from ganzoo.errors import GanzooError


def test_tfds_mnist_is_resized_scaled_and_labelled():
    with tfds.testing.mock_data(num_examples=20):
        ds = data.load("tfds:mnist", batch_size=8, image_size=32, with_labels=True)
        images, labels = next(iter(ds))
    assert images.shape == (8, 32, 32, 1)
    assert images.numpy().min() >= -1.0 and images.numpy().max() <= 1.0
    assert labels.dtype == "int32"


def test_tfds_non_square_images_come_out_square_at_image_size():
    with tfds.testing.mock_data(num_examples=4):
        ds = data.load("tfds:celeb_a", batch_size=2, image_size=16, channels=3)
        images = next(iter(ds))
    assert images.shape == (2, 16, 16, 3)


def test_unknown_tfds_dataset_raises_one_clear_error():
    with pytest.raises(GanzooError, match="TFDS dataset 'no_such_dataset_xyz'.*could not be loaded"):
        data.load("tfds:no_such_dataset_xyz")


def test_tfds_missing_image_feature_names_the_option():
    with tfds.testing.mock_data(num_examples=4):
        with pytest.raises(GanzooError, match="has no 'pixels' feature"):
            data.load("tfds:mnist", image_key="pixels")


def test_tfds_sources_without_the_package_say_how_to_install_it(monkeypatch):
    import sys

    from ganzoo import GanzooError, data

    monkeypatch.setitem(sys.modules, "tensorflow_datasets", None)  # import fails as if not installed
    with pytest.raises(GanzooError, match=r"pip install 'ganzoo\[tfds\]'"):
        data.load("tfds:mnist", batch_size=2)
