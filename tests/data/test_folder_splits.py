"""folder:<path> splits (issue 32, item 7): train/ and test/ sub-folders, a held-out fraction, refusals."""

import numpy as np
import pytest
import tensorflow as tf

from ganzoo import data
from ganzoo.data import folder as folder_lib
from ganzoo.errors import GanzooError


def write_images(directory, values):
    directory.mkdir(parents=True, exist_ok=True)
    for value in values:
        image = np.full((8, 8, 3), value, np.uint8)
        tf.io.write_file(str(directory / f"{value:03d}.png"), tf.io.encode_png(image))


def loaded_values(name, **options):
    ds = data.load(name, batch_size=1, image_size=8, shuffle=False, drop_remainder=False, **options)
    return sorted(int(round((float(x[0, 0, 0, 0]) + 1.0) * 127.5)) for x in ds)


def test_train_and_test_sub_folders_are_the_splits(tmp_path):
    write_images(tmp_path / "train", [10, 20, 30])
    write_images(tmp_path / "test", [200, 210])
    assert loaded_values(f"folder:{tmp_path}", split="train") == [10, 20, 30]
    assert loaded_values(f"folder:{tmp_path}", split="test") == [200, 210]
    assert loaded_values(f"folder:{tmp_path}", split="all") == [10, 20, 30, 200, 210]


def test_a_held_out_fraction_is_deterministic_disjoint_and_complete(tmp_path):
    values = list(range(0, 250, 5))  # 50 images
    write_images(tmp_path, values)
    train = loaded_values(f"folder:{tmp_path}", split="train", test_fraction=0.2)
    test = loaded_values(f"folder:{tmp_path}", split="test", test_fraction=0.2)
    assert not set(train) & set(test) and sorted(train + test) == values
    assert 4 <= len(test) <= 18  # about 10 of 50
    assert test == loaded_values(f"folder:{tmp_path}", split="test", test_fraction=0.2)
    assert test != loaded_values(f"folder:{tmp_path}", split="test", test_fraction=0.2, split_seed=1)
    # A file keeps its split when others are added.
    write_images(tmp_path, [251, 252, 253])
    more = loaded_values(f"folder:{tmp_path}", split="test", test_fraction=0.2)
    assert set(test) <= set(more)


def test_unknown_and_missing_test_splits_are_refused_not_answered_with_training_images(tmp_path):
    write_images(tmp_path, [10, 20, 30])
    with pytest.raises(GanzooError, match="has no split 'bogus'; choose one of train, test, all"):
        data.load(f"folder:{tmp_path}", split="bogus", batch_size=1)
    with pytest.raises(GanzooError, match="has no test images; add train/ and test/ sub-folders"):
        data.load(f"folder:{tmp_path}", split="test", batch_size=1)
    assert loaded_values(f"folder:{tmp_path}") == [10, 20, 30]  # train is every image by default
    assert folder_lib.split_files(str(tmp_path), "all")[1] == folder_lib.list_images(str(tmp_path))
