"""The captioned shapes: deterministic, held-out combinations kept out, captions true, mismatches real."""

import numpy as np
import pytest

from ganzoo.data import registry, shapes
from ganzoo.errors import GanzooError


def small(split="train", **kwargs):
    return shapes.arrays(split, image_size=16, num_examples=kwargs.pop("num_examples", 200), **kwargs)


def test_same_content_seed_gives_the_same_images_and_captions():
    a, b = small(content_seed=3), shapes._generate.__wrapped__("train", 16, 3, 200, 5, 1)
    np.testing.assert_array_equal(a["images"], b[0])
    np.testing.assert_array_equal(a["captions"], b[1])
    other = small(content_seed=4)
    assert not np.array_equal(a["images"], other["images"])


def test_held_out_combinations_are_absent_from_train_and_test_and_alone_in_heldout():
    def pairs(split):
        labels = small(split, num_examples=400)["labels"]
        return {(shapes.COLOURS[c], shapes.SHAPES[s]) for s, c, _, _ in labels}

    assert not pairs("train") & shapes.HELD_OUT
    assert not pairs("test") & shapes.HELD_OUT
    assert pairs("heldout") == set(shapes.HELD_OUT)
    assert len(pairs("train")) == 12


def test_every_caption_states_its_images_attributes():
    data = small(num_examples=60)
    for row, label in zip(data["captions"], data["labels"]):
        for caption in row:
            assert shapes.caption_attributes(caption)[0] == tuple(label), caption
    assert len({c for row in data["captions"] for c in row}) > 200  # templates and synonyms vary


def test_images_show_the_colour_the_label_says():
    data = shapes.arrays("train", image_size=32, num_examples=50)
    for image, (_, colour, _, _) in zip(data["images"], data["labels"]):
        rgb = np.array(shapes.RGB[shapes.COLOURS[colour]])
        assert (np.abs(image.astype(int) - rgb).sum(axis=-1) < 30).sum() >= 4


def test_mismatched_captions_really_mismatch_and_labels_follow_the_shuffle():
    dataset = registry.load("shapes", batch_size=50, image_size=16, num_examples=100, with_labels=True, seed=1)
    data = small(num_examples=100)
    for images, captions, wrong, labels in dataset.take(2):
        for image, caption, mismatch, label in zip(images.numpy(), captions.numpy(), wrong.numpy(), labels.numpy()):
            assert shapes.caption_attributes(caption.decode())[0] == tuple(label)
            assert shapes.caption_attributes(mismatch.decode())[0] != tuple(label)
            index = np.flatnonzero((data["images"] == np.round((image + 1) * 127.5)).all(axis=(1, 2, 3)))
            assert len(index) >= 1 and tuple(data["labels"][index[0]]) == tuple(label)


def test_loading_is_deterministic_by_seed():
    def first(seed):
        batch = next(iter(registry.load("shapes", batch_size=8, image_size=16, num_examples=40, seed=seed)))
        return batch[0].numpy(), batch[1].numpy()

    (a_images, a_text), (b_images, b_text) = first(2), first(2)
    np.testing.assert_array_equal(a_images, b_images)
    np.testing.assert_array_equal(a_text, b_text)
    assert not np.array_equal(a_images, first(3)[0])


def test_shapes_and_range():
    images, captions, wrong = next(iter(registry.load("shapes", batch_size=4, image_size=32, num_examples=20)))
    assert images.shape == (4, 32, 32, 3) and captions.shape == (4,) and wrong.dtype.name == "string"
    assert images.numpy().min() >= -1.0 and images.numpy().max() <= 1.0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(split="val"), "shapes has splits"),
        (dict(channels=1), "shapes are RGB"),
        (dict(max_shapes=3), "max_shapes=3"),
        (dict(num_examples=1), "num_examples=1"),
    ],
)
def test_bad_options_are_clear_errors(kwargs, message):
    with pytest.raises(GanzooError, match=message):
        registry.load("shapes", batch_size=2, image_size=16, **kwargs)


def test_two_shapes_per_image_are_both_described():
    data = small(num_examples=40, max_shapes=2)
    described = [len(shapes.caption_attributes(c)) for c in data["captions"][:, 0]]
    assert set(described) == {1, 2}
