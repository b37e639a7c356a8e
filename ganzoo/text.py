"""Text encoders for text-to-image models: raw strings -> sentence embeddings.

Reed, Akata, Lee, Schiele 2016, "Learning Deep Representations of Fine-Grained
Visual Descriptions" (arXiv 1605.05395) embed a caption with a char-CNN-RNN —
characters, a temporal convolution stack with max-pooling, a recurrent layer on
top, its hidden states averaged — trained so that an image and its captions
score higher together than with other captions ("deep symmetric structured
joint embedding"). Reed et al. 2016, "Generative Adversarial Text to Image
Synthesis" (arXiv 1605.05396) then freeze it and feed its 1024-d output to the GAN.

Pieces, each usable on its own:

    prepare_text(text)          tf.string [None] -> valid UTF-8, at most MAX_BYTES each
    make_vectorizer(...)        keras.layers.TextVectorization: strings -> int ids [None, max_length]
    build_text_encoder(...)     ids -> embedding [None, embedding_dim] (conv-recurrent or bag of words)
    build_image_encoder(...)    images -> embedding, the image side of the joint space
    contrastive_loss(...)       the symmetric image<->text objective, per example
    pretrain(...)               a few thousand steps of it, then freeze the text encoder

Tokens: ``"characters"`` (the paper's char-CNN-RNN; a fixed alphabet, so there
is no vocabulary to learn and no word is ever out of vocabulary — only unknown
characters, which map to [UNK]) or ``"words"`` (a vocabulary of at most
``max_tokens`` words, given or built from the training captions by frequency;
unknown words map to [UNK]). Any string gets an embedding: the empty caption is
all padding (its embedding is the encoder's response to "nothing"), a caption
longer than ``max_length`` tokens is cut, and bytes that are not UTF-8 are
replaced by U+FFFD (then [UNK]).

Encoders: ``"conv_gru"`` (the paper's char-CNN-RNN, smaller) or
``"bag_of_words"`` (word embeddings averaged, then a linear map: the sentence
embedding is a sum of one vector per word, so unseen combinations of known words
still get the sum of their parts; it loses word order).

Where ganzoo departs from the papers:
- the objective is a symmetric InfoNCE over the batch (image->text and
  text->image softmax cross-entropies, as in CLIP) instead of the class-level
  structured hinge loss: it needs no class labels, so it works on any captions;
- the recurrent layer is a GRU (the paper: an LSTM) and the default widths are
  small (embedding 256, not 1024) for CPU training;
- the image side is a small CNN trained from scratch, not GoogLeNet features;
- the sentence embedding is rescaled to unit root-mean-square (length
  sqrt(embedding_dim)): the contrastive loss only sees its direction, and its
  drifting length (0.08 a dimension after 1,000 steps on ``shapes``) made the
  text ~12x weaker than the noise in G and D (numbers in BUILD_NOTES.md).
"""

from __future__ import annotations

import collections
import re
from typing import Any, Iterable, Sequence

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from ganzoo.errors import GanzooError

# Lowercase letters, digits, space and common punctuation: what captions use.
ALPHABET = tuple("abcdefghijklmnopqrstuvwxyz0123456789 ,.;:!?'\"-()/&")
TOKENS = ("characters", "words")
# How the token embeddings become a sentence embedding (``build_text_encoder``).
ENCODERS = ("conv_gru", "bag_of_words")
# Longest input accepted, in bytes; longer strings are cut before tokenising
# (the vectorizer keeps max_length tokens anyway) so a huge request stays cheap.
MAX_BYTES = 4096
PAD, UNKNOWN = "", "[UNK]"


def check_tokens(tokens: str) -> str:
    if tokens not in TOKENS:
        raise GanzooError(f"ganzoo.text: tokens='{tokens}' is unknown; use 'characters' or 'words'.")
    return tokens


def check_encoder(encoder: str, tokens: str) -> str:
    if encoder not in ENCODERS:
        raise GanzooError(f"ganzoo.text: encoder='{encoder}' is unknown; use 'conv_gru' or 'bag_of_words'.")
    if encoder == "bag_of_words" and check_tokens(tokens) != "words":
        raise GanzooError(
            "ganzoo.text: encoder='bag_of_words' averages word embeddings and needs tokens='words' "
            f"(a bag of characters does not tell 'red' from 'der'); got tokens='{tokens}'."
        )
    return encoder


def vocabulary_size(tokens: str, max_tokens: int) -> int:
    """Rows of the token embedding: the alphabet (+ pad, [UNK]) or ``max_tokens`` words."""
    return len(ALPHABET) + 2 if check_tokens(tokens) == "characters" else int(max_tokens)


def prepare_text(text: Any) -> tf.Tensor:
    """Any string input -> tf.string ``[None]`` of valid UTF-8, at most ``MAX_BYTES`` bytes each.

    Scalars become one-element batches; invalid UTF-8 bytes become U+FFFD.
    """
    text = tf.convert_to_tensor(text, tf.string)
    text = tf.reshape(text, [-1])
    text = tf.strings.substr(text, 0, MAX_BYTES)
    return tf.strings.unicode_transcode(
        text, "UTF-8", "UTF-8", errors="replace", replacement_char=0xFFFD
    )


def word_vocabulary(texts: Iterable[str | bytes], max_tokens: int = 1000) -> list[str]:
    """The ``max_tokens - 2`` most frequent words (ties alphabetically): deterministic.

    Words are what the ``"words"`` vectorizer sees: lowercased, ASCII
    punctuation stripped, split on whitespace.
    """
    counts: collections.Counter = collections.Counter()
    strip = re.compile(r"[!\"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~']")
    for text in texts:
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        counts.update(strip.sub("", text.lower()).split())
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [word for word, _ in ranked[: int(max_tokens) - 2]]


def make_vectorizer(
    tokens: str = "characters",
    max_length: int = 128,
    vocabulary: Sequence[str] | None = None,
    max_tokens: int = 1000,
    name: str = "vectorizer",
) -> keras.layers.TextVectorization:
    """strings -> int64 ids ``[None, max_length]`` (0 = padding, 1 = [UNK]).

    ``"characters"`` uses ``ALPHABET`` and ignores ``vocabulary``; ``"words"``
    takes ``vocabulary`` (without the padding and [UNK] entries) or, when None,
    must be given one later with ``set_vocabulary`` before it is called.
    """
    if int(max_length) < 1:
        raise GanzooError(f"ganzoo.text: max_length={max_length} must be at least 1 token.")
    if check_tokens(tokens) == "characters":
        return keras.layers.TextVectorization(
            standardize="lower", split="character", output_mode="int",
            output_sequence_length=int(max_length), vocabulary=list(ALPHABET), name=name,
        )
    if vocabulary is not None:
        vocabulary = [w for w in vocabulary if w not in (PAD, UNKNOWN)]
        if len(vocabulary) > int(max_tokens) - 2:
            raise GanzooError(
                f"ganzoo.text: the vocabulary has {len(vocabulary)} words but max_tokens={max_tokens} "
                f"leaves room for {int(max_tokens) - 2}; raise max_tokens or cut the vocabulary."
            )
    return keras.layers.TextVectorization(
        max_tokens=int(max_tokens), standardize="lower_and_strip_punctuation", split="whitespace",
        output_mode="int", output_sequence_length=int(max_length),
        vocabulary=list(vocabulary) if vocabulary else None, name=name,
    )


def build_text_encoder(
    tokens: str = "characters",
    max_length: int = 128,
    max_tokens: int = 1000,
    embedding_dim: int = 256,
    width: int = 256,
    token_dim: int = 64,
    encoder: str = "conv_gru",
) -> keras.Model:
    """The caption encoder: ids ``[None, max_length]`` -> ``[None, embedding_dim]``.

    ``encoder="conv_gru"`` (the paper's char-CNN-RNN, smaller): token embedding
    -> two temporal convolutions (kernel 4 for characters, 3 for words), each
    followed by max-pooling over 3 characters (none for words) -> GRU -> the
    GRU's states averaged over the non-padding positions -> a linear map to
    ``embedding_dim``.

    ``encoder="bag_of_words"`` (``tokens="words"`` only): ``width``-d word
    embeddings averaged over the caption's words -> a linear map. The
    embedding is then a weighted sum of per-word vectors, so "blue triangle"
    is "blue" plus "triangle" even when training never showed that pair: what
    a projection discriminator needs to judge colour and shape separately
    (BUILD_NOTES.md, text to image). It cannot tell "a red circle and a blue
    square" from "a blue circle and a red square": word order is lost.

    Both are rescaled to unit root-mean-square (norm ``sqrt(embedding_dim)``).
    """
    characters = check_tokens(tokens) == "characters"
    bag_of_words = check_encoder(encoder, tokens) == "bag_of_words"
    kernel, pool = (4, 3) if characters else (3, 1)
    ids = keras.Input((int(max_length),), dtype="int64", name="token_ids")
    mask = ops.expand_dims(ops.cast(ops.not_equal(ids, 0), "float32"), -1)
    x = keras.layers.Embedding(vocabulary_size(tokens, max_tokens), width if bag_of_words else token_dim,
                               name="token_embedding")(ids)
    if bag_of_words:
        return _sentence_embedding(ids, x, mask, embedding_dim)
    for stage in (1, 2):
        x = keras.layers.Conv1D(width, kernel, padding="same", activation="relu", name=f"conv{stage}")(x)
        if pool > 1 and x.shape[1] >= pool:
            x = keras.layers.MaxPooling1D(pool, padding="same", name=f"pool{stage}")(x)
            mask = keras.layers.MaxPooling1D(pool, padding="same", name=f"mask_pool{stage}")(mask)
    states = keras.layers.GRU(width, return_sequences=True, name="gru")(x)
    return _sentence_embedding(ids, states, mask, embedding_dim)


def _sentence_embedding(ids, states, mask, embedding_dim: int) -> keras.Model:
    """Per-token states -> their mean over real tokens -> linear map -> unit RMS."""
    # Average over real tokens only; an empty caption (no tokens) averages to 0.
    total = ops.sum(states * mask, axis=1)
    count = ops.maximum(ops.sum(mask, axis=1), 1.0)
    pooled = total / count
    embedding = keras.layers.Dense(embedding_dim, name="sentence_embedding")(pooled)
    # The contrastive loss sees only the direction of the embedding, so its length
    # drifts (about 0.08 a dimension after pretraining here: the text reached G and D
    # ~12x weaker than the noise). Unit RMS fixes the scale the GAN's layers see.
    embedding = keras.layers.UnitNormalization(name="unit_length")(embedding)
    embedding = keras.layers.Rescaling(float(np.sqrt(embedding_dim)), name="unit_rms")(embedding)
    return keras.Model(ids, embedding, name="text_encoder")


def build_image_encoder(image_shape: Sequence[int], embedding_dim: int = 256, filters: int = 32) -> keras.Model:
    """The image side of the joint space: strided 4×4 convolutions, global average, linear map.

    Shapes: ``[None, H, W, C]`` in [-1, 1] -> ``[None, embedding_dim]``.
    """
    images = keras.Input(tuple(int(d) for d in image_shape), name="images")
    x, width = images, int(filters)
    while x.shape[1] > 4:
        x = keras.layers.Conv2D(width, 4, strides=2, padding="same", name=f"down{int(np.log2(width))}")(x)
        x = keras.layers.LeakyReLU(0.2)(x)
        width *= 2
    x = keras.layers.GlobalAveragePooling2D()(x)
    embedding = keras.layers.Dense(embedding_dim, name="image_embedding")(x)
    return keras.Model(images, embedding, name="image_encoder")


def contrastive_loss(image_embeddings: tf.Tensor, text_embeddings: tf.Tensor, temperature: float = 0.1) -> tf.Tensor:
    """Symmetric InfoNCE, per example ``[batch]``.

    With unit-normalised u_i (images) and v_i (texts) and s_ij = u_i·v_j / τ,
    pair i's loss is ½[−log softmax_j(s_ij)_i − log softmax_j(s_ji)_i]: each image
    must pick its own caption among the batch's, and each caption its image.
    Inside ``strategy.run`` with N replicas the candidates j are the *global*
    batch's (gathered from every replica, gradients flowing back to each), so the
    loss is the one a single replica computes on the whole batch.
    """
    u = tf.math.l2_normalize(tf.cast(image_embeddings, tf.float32), axis=-1)
    v = tf.math.l2_normalize(tf.cast(text_embeddings, tf.float32), axis=-1)
    all_u, all_v, offset = u, v, 0
    context = tf.distribute.get_replica_context()
    if context is not None and context.num_replicas_in_sync > 1:
        all_u, all_v = context.all_gather(u, axis=0), context.all_gather(v, axis=0)
        sizes = context.all_gather(tf.shape(u)[:1], axis=0)
        offset = tf.reduce_sum(sizes[: context.replica_id_in_sync_group])
    labels = offset + tf.range(tf.shape(u)[0])
    scale = 1.0 / float(temperature)
    image_to_text = tf.nn.sparse_softmax_cross_entropy_with_logits(labels, scale * tf.matmul(u, all_v, transpose_b=True))
    text_to_image = tf.nn.sparse_softmax_cross_entropy_with_logits(labels, scale * tf.matmul(v, all_u, transpose_b=True))
    return 0.5 * (image_to_text + text_to_image)


def pretrain(
    text_encoder: keras.Model,
    image_encoder: keras.Model,
    batches: Iterable[tuple[tf.Tensor, tf.Tensor]],
    steps: int,
    learning_rate: float = 1e-3,
    temperature: float = 0.1,
    strategy: tf.distribute.Strategy | None = None,
) -> list[float]:
    """Trains both encoders with :func:`contrastive_loss` for ``steps`` batches.

    ``batches`` yields ``(images [b, H, W, C], token_ids [b, max_length])``;
    it is cycled when shorter than ``steps``. Returns the loss of each step.
    Under a ``strategy`` with N replicas (the encoders built in its scope), a
    ``tf.data.Dataset`` is split across them and each pair's negatives are the
    captions and images of the whole global batch, as on one replica.
    """
    strategy = strategy or tf.distribute.get_strategy()
    variables = text_encoder.trainable_variables + image_encoder.trainable_variables
    with strategy.scope():  # an optimizer belongs to the strategy it is created under
        optimizer = keras.optimizers.Adam(learning_rate)
        optimizer.build(variables)

    def replica_step(images, ids):
        with tf.GradientTape() as tape:
            loss = tf.nn.compute_average_loss(
                contrastive_loss(image_encoder(images, training=True), text_encoder(ids, training=True), temperature)
            )
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    @tf.function
    def step(images, ids):
        return strategy.reduce("SUM", strategy.run(replica_step, args=(images, ids)), axis=None)

    if isinstance(batches, tf.data.Dataset):
        batches = strategy.experimental_distribute_dataset(batches)
    history: list[float] = []
    while len(history) < int(steps):
        produced = False
        for images, ids in batches:
            produced = True
            history.append(float(step(images, ids)))
            if len(history) >= int(steps):
                break
        if not produced:
            raise GanzooError("ganzoo.text: the pretraining data is empty; pass batches of (images, captions).")
    return history


def retrieval_accuracy(image_embeddings: np.ndarray, text_embeddings: np.ndarray) -> float:
    """Fraction of images whose own caption is the nearest (cosine) among the batch's captions."""
    u = tf.math.l2_normalize(tf.cast(image_embeddings, tf.float32), axis=-1)
    v = tf.math.l2_normalize(tf.cast(text_embeddings, tf.float32), axis=-1)
    best = tf.argmax(tf.matmul(u, v, transpose_b=True), axis=1, output_type=tf.int32)
    return float(tf.reduce_mean(tf.cast(best == tf.range(tf.shape(best)[0]), tf.float32)))


__all__ = [
    "ALPHABET", "TOKENS", "ENCODERS", "MAX_BYTES", "check_encoder", "prepare_text", "word_vocabulary", "make_vectorizer",
    "vocabulary_size", "build_text_encoder", "build_image_encoder", "contrastive_loss", "pretrain",
    "retrieval_accuracy",
]
