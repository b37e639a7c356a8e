"""Caption accuracy: does a text-to-image model draw what its caption says?

For captions that name attributes (ganzoo's ``shapes``: shape, colour, size,
position of one shape), a generated image can be checked against its caption.
The judge is a small CNN with one softmax head per attribute, trained on real
images of *every* combination; its own accuracy on real images says how far to
trust it. A model then draws one image per caption, and each image is scored
per attribute and on all attributes at once ("all": every head right).

    judge = train_attribute_classifier(images, labels, shapes.ATTRIBUTES)   # ~30 s at 32x32
    judge.accuracy(images, labels)                  # {"shape": %, ..., "all": %}
    caption_accuracy(model, judge, {"seen": (captions, labels), "heldout": (...)}, seed=0)

Reed et al. 2016 (arXiv 1605.05396) judge text-to-image models by eye and by
retrieval; this is the analogue of a class-conditional GAN's classifier
accuracy for compositional captions. ``benchmarks/text_to_image.py`` runs it on
``shapes`` (seen and held-out colour-shape pairs) and the ``text2image_shapes``
preset records its figures. The data comes in as arrays, so this module reads
no dataset itself.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Sequence

import keras
import numpy as np

from ganzoo.errors import GanzooError


@dataclasses.dataclass
class AttributeJudge:
    """A classifier with one softmax head per attribute, and the heads' order in the labels.

    Attributes:
        model: ``[n, S, S, C]`` in [-1, 1] -> ``{head: [n, values]}`` probabilities.
        heads: the attribute names, in the order of the labels' columns.
    """

    model: Any
    heads: tuple[str, ...]

    def accuracy(self, images: np.ndarray, labels: np.ndarray) -> dict[str, float]:
        """Per-attribute accuracy and all-attribute accuracy (every head right), in %, one decimal.

        ``labels`` ``[n, len(heads)]``: each image's attribute indices.
        """
        labels = np.asarray(labels)
        if labels.ndim != 2 or labels.shape[1] != len(self.heads) or len(labels) != len(images):
            raise GanzooError(
                f"ganzoo.metrics: labels have shape {labels.shape}; expected [{len(images)}, {len(self.heads)}] "
                f"(one column per attribute: {', '.join(self.heads)})."
            )
        predicted = self.model.predict(np.asarray(images, np.float32), batch_size=256, verbose=0)
        right = np.stack([np.argmax(predicted[h], axis=1) == labels[:, i] for i, h in enumerate(self.heads)], axis=1)
        result = {h: round(100.0 * float(right[:, i].mean()), 1) for i, h in enumerate(self.heads)}
        result["all"] = round(100.0 * float(right.all(axis=1).mean()), 1)
        return result


def train_attribute_classifier(
    images: np.ndarray,
    labels: np.ndarray,
    attributes: Sequence[tuple[str, Sequence[Any]]],
    epochs: int = 8,
    seed: int = 0,
) -> AttributeJudge:
    """The judge: conv(32, 64, 128) with 2x2 max-pooling, dense(128), a softmax head per attribute.

    Args:
        images: real images ``[n, S, S, C]`` in [-1, 1], of every attribute combination.
        labels: ``[n, len(attributes)]`` attribute indices.
        attributes: ``(name, values)`` per label column (e.g. ``ganzoo.data.shapes.ATTRIBUTES``).
        epochs: Adam (1e-3) epochs, batch 64.
        seed: seeds Keras (weights, shuffling).
    """
    heads = tuple(name for name, _ in attributes)
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(tuple(np.shape(images)[1:]))
    x = inputs
    for width in (32, 64, 128):
        x = keras.layers.Conv2D(width, 3, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Dense(128, activation="relu")(keras.layers.Flatten()(x))
    outputs = {name: keras.layers.Dense(len(values), activation="softmax", name=name)(x) for name, values in attributes}
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.Adam(1e-3), loss={h: "sparse_categorical_crossentropy" for h in heads})
    targets = {h: np.asarray(labels)[:, i] for i, h in enumerate(heads)}
    model.fit(np.asarray(images, np.float32), targets, epochs=epochs, batch_size=64, verbose=0)
    return AttributeJudge(model, heads)


def caption_accuracy(
    model: Any, judge: AttributeJudge, splits: Mapping[str, tuple[Sequence[str], np.ndarray]], seed: int = 0
) -> dict[str, dict[str, float]]:
    """A model's images for captions, judged against the captions' attributes.

    Args:
        model: anything with ``generate(n, seed=seed, text=captions)`` -> ``[n, S, S, C]`` in [-1, 1].
        judge: from ``train_attribute_classifier``.
        splits: ``{name: (captions, labels)}``, one caption per image to draw and its
            attribute indices ``[n, len(judge.heads)]``.
        seed: the noise seed of every split.

    Returns:
        ``{name: judge.accuracy(...)}`` per split.
    """
    result = {}
    for name, (captions, labels) in splits.items():
        captions = list(captions)
        result[name] = judge.accuracy(model.generate(len(captions), seed=seed, text=captions), labels)
    return result


__all__ = ["AttributeJudge", "caption_accuracy", "train_attribute_classifier"]
