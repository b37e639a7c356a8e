"""Caption strings -> token ids, in the input pipeline: the text-to-image model's preprocessor.

As in keras-hub, a task's ``fit`` maps its preprocessor over the dataset, so the
training step sees token ids, never strings:

    preprocessor = TextPreprocessor("words", max_length=32)
    preprocessor.adapt(dataset)                      # the word vocabulary, by frequency
    ids_dataset = preprocessor.map(dataset)          # (images, ids, wrong_ids) elements

The vectorizer (``ganzoo.text.make_vectorizer``) is a Keras layer: the model
tracks it (so its vocabulary is saved and exported with the model); this object
only decides when and where it runs.
"""

from __future__ import annotations

from typing import Any, Sequence

from absl import logging
import numpy as np
import tensorflow as tf

from ganzoo import text as text_lib
from ganzoo.errors import GanzooError

# Dataset positions that hold captions: (images, captions, mismatched captions, ...).
CAPTION_POSITIONS = slice(1, 3)


class TextPreprocessor:
    """Tokenizes the captions of ``(images, captions[, mismatched captions])`` elements.

    Args:
        tokens: ``"characters"`` or ``"words"`` (``ganzoo.text``).
        max_length: tokens kept per caption.
        vocabulary: the word vocabulary (``"words"``); None until ``adapt`` or
            ``set_vocabulary``. Ignored for characters.
        max_tokens: rows of the word embedding (vocabulary + padding + [UNK]).
    """

    def __init__(self, tokens: str = "characters", max_length: int = 128,
                 vocabulary: Sequence[str] | None = None, max_tokens: int = 1000) -> None:
        self.tokens = text_lib.check_tokens(tokens)
        self.max_length = int(max_length)
        self.max_tokens = int(max_tokens)
        self.vocabulary = None if vocabulary is None or self.tokens == "characters" else list(vocabulary)
        self.vectorizer = text_lib.make_vectorizer(self.tokens, self.max_length, vocabulary, self.max_tokens)

    @property
    def ready(self) -> bool:
        """False for a words preprocessor that has no vocabulary yet."""
        return self.tokens == "characters" or self.vocabulary is not None

    def check_ready(self) -> None:
        if not self.ready:
            raise GanzooError(
                "ganzoo: this text-to-image model reads words but has no vocabulary yet; pass "
                "vocabulary=[...] or fit() it on captioned data first (it builds one)."
            )

    def set_vocabulary(self, vocabulary: Sequence[str]) -> None:
        """Sets the word vocabulary (``tokens="words"``); most frequent words first."""
        if self.tokens != "words":
            raise GanzooError("ganzoo: set_vocabulary() is for tokens='words'; characters use a fixed alphabet.")
        fresh = text_lib.make_vectorizer("words", self.max_length, vocabulary, self.max_tokens)
        self.vectorizer.set_vocabulary(fresh.get_vocabulary())
        self.vocabulary = [w for w in vocabulary if w not in (text_lib.PAD, text_lib.UNKNOWN)]

    def adapt(self, dataset: tf.data.Dataset, batches: int = 200) -> None:
        """Builds the word vocabulary from the captions of the first ``batches`` elements."""
        texts = []
        for element in dataset.take(batches):
            for captions in element[CAPTION_POSITIONS]:
                texts.extend(np.asarray(captions).ravel().tolist())
        if not texts:
            raise GanzooError("ganzoo: cannot build a word vocabulary: the training data has no captions.")
        self.set_vocabulary(text_lib.word_vocabulary(texts, self.max_tokens))
        logging.info("TextToImageGAN: word vocabulary of %d words from the training captions.", len(self.vocabulary))

    def tokenize(self, text: Any) -> tf.Tensor:
        """Strings (any bytes) -> int64 token ids ``[n, max_length]``."""
        self.check_ready()
        return self.vectorizer(text_lib.prepare_text(text))

    def __call__(self, *element: Any) -> tuple:
        """One dataset element with its caption strings replaced by token ids."""
        captions = [self.tokenize(t) if t.dtype == tf.string else t for t in element[CAPTION_POSITIONS]]
        return (element[0], *captions, *element[3:])

    def map(self, dataset: Any) -> Any:
        """``dataset`` with its captions tokenized (in tf.data); anything else is returned as it is."""
        if isinstance(dataset, tf.data.Dataset):
            spec = dataset.element_spec
            if isinstance(spec, tuple) and any(s.dtype == tf.string for s in spec[CAPTION_POSITIONS]):
                return dataset.map(self, num_parallel_calls=2)
        return dataset

    def build(self) -> None:
        """Marks the vectorizer's lookup layers built.

        Under a strategy, ``fit`` calls the model on a data batch when any of its layers is
        unbuilt (and fails: ``call`` takes noise); a StringLookup never marks itself built.
        """
        for layer in self.vectorizer._flatten_layers():
            if not layer.built:
                layer.build(None)

    def get_config(self) -> dict[str, Any]:
        return {"tokens": self.tokens, "max_length": self.max_length, "max_tokens": self.max_tokens,
                "vocabulary": None if self.vocabulary is None else list(self.vocabulary)}


__all__ = ["TextPreprocessor"]
