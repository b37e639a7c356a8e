"""ganzoo.metrics.captions: the attribute judge's accuracy and caption accuracy, on hand-made answers."""

import numpy as np
import pytest

from ganzoo.errors import GanzooError
from ganzoo.metrics import AttributeJudge, caption_accuracy, train_attribute_classifier

ATTRIBUTES = (("shape", ("circle", "square", "triangle")), ("colour", ("red", "blue")))


class LookupModel:
    """A "classifier" that answers, for each image, the attributes written in its first pixel."""

    def predict(self, images, batch_size=None, verbose=0):
        codes = np.rint(np.asarray(images)[:, 0, 0, :2]).astype(int)
        return {name: np.eye(len(values))[codes[:, i]] for i, (name, values) in enumerate(ATTRIBUTES)}


def images_for(labels):
    images = np.zeros((len(labels), 4, 4, 3), np.float32)
    images[:, 0, 0, :2] = labels
    return images


def test_accuracy_counts_each_attribute_and_all_of_them_at_once():
    judge = AttributeJudge(LookupModel(), ("shape", "colour"))
    drawn = np.array([[0, 1], [2, 0], [1, 1], [0, 0]])
    asked = np.array([[0, 1], [2, 1], [0, 1], [0, 0]])  # row 1: wrong colour; row 2: wrong shape
    assert judge.accuracy(images_for(drawn), asked) == {"shape": 75.0, "colour": 75.0, "all": 50.0}
    with pytest.raises(GanzooError, match=r"expected \[4, 2\]"):
        judge.accuracy(images_for(drawn), asked[:, :1])


def test_caption_accuracy_draws_each_caption_and_judges_it_against_its_labels():
    words = {"circle": 0, "square": 1, "triangle": 2, "red": 0, "blue": 1}

    class Model:  # draws exactly what the caption says, except that it cannot draw blue
        def generate(self, n, seed=None, text=None):
            assert len(text) == n and seed == 5
            labels = [[words[w] for w in caption.split()] for caption in text]
            return images_for(np.minimum(np.array(labels), [2, 0]))

    judge = AttributeJudge(LookupModel(), ("shape", "colour"))
    splits = {"seen": (["circle red", "square red"], np.array([[0, 0], [1, 0]])),
              "heldout": (["triangle blue", "circle red"], np.array([[2, 1], [0, 0]]))}
    result = caption_accuracy(Model(), judge, splits, seed=5)
    assert result["seen"] == {"shape": 100.0, "colour": 100.0, "all": 100.0}
    assert result["heldout"] == {"shape": 100.0, "colour": 50.0, "all": 50.0}


def test_trained_judge_learns_attributes_it_can_see():
    rng = np.random.default_rng(0)
    labels = np.stack([rng.integers(0, 3, 256), rng.integers(0, 2, 256)], axis=1)
    # Shape: which third of the image is lit; colour: which channel.
    images = -np.ones((256, 12, 12, 3), np.float32)
    for i, (shape, colour) in enumerate(labels):
        images[i, 4 * shape : 4 * shape + 4, :, colour] = 1.0
    judge = train_attribute_classifier(images, labels, ATTRIBUTES, epochs=8, seed=0)
    assert judge.heads == ("shape", "colour")
    assert judge.accuracy(images, labels)["all"] > 90.0
    assert judge.accuracy(images, labels[::-1])["all"] < 50.0
