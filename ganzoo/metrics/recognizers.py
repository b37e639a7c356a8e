"""Face recognizers that judge frontalization from outside: none of them is used in training.

TP-GAN (Huang et al. 2017, arXiv 1704.04086) claims that frontalized profiles are recognised
better by a recognizer that struggles with profiles, *and* that identity is kept. A recognizer
that a generator was trained against (TP-GAN's L_ip network) can be flattered by it, so the
benchmark's judges are trained separately, on the training identities only, and score the
held-out identities by cosine nearest neighbour against one frontal per identity:

    build_recognizer(...)           a small ResNet (He et al. 2016) with an ``embedding`` layer,
                                    architecturally unlike the Light-CNN inside L_ip
    CosineMarginHead                CosFace's large-margin cosine logits (Wang et al. 2018,
                                    arXiv 1801.09414): s·(cos θ_y − m) for the true identity
    train_recognizer(...)           supervised training on (images, identities), seeded;
                                    ``max_blur`` adds random Gaussian blur (``random_blur``)
    embedder(model)                 images in [-1, 1] ``[n, H, W, 3]`` -> L2-normalised ``[n, D]``
    colour_histogram(images)        the colour-only baseline: a joint RGB histogram of the face
    identity_bootstrap(...)         a 95% interval by resampling identities (probes of one
                                    identity are not independent)

An "all-pose" recognizer (trained on every yaw) is the independent judge; a "pose-sensitive"
one (trained on |yaw| <= 15°) is the paper's situation. Shapes: images float32 ``[n, H, W, 3]``
in [-1, 1]; identities int ``[n]``.
"""

from __future__ import annotations

from typing import Callable, Sequence

import keras
import numpy as np
import tensorflow as tf

from ganzoo.errors import GanzooError

Embedder = Callable[[np.ndarray], np.ndarray]


def build_recognizer(image_shape: Sequence[int] = (64, 64, 3), width: int = 16, embedding_dim: int = 64,
                     blocks: int = 2) -> keras.Model:
    """A small pre-activation-free ResNet: ``[batch, H, W, C] -> [batch, embedding_dim]`` (layer ``embedding``).

    3×3 stem (``width``) → three stages of ``blocks`` residual blocks (two 3×3 convolutions with
    batch norm, ReLU, a strided 1×1 projection where the shape changes) at ``width``, 2·``width``
    and 4·``width`` channels, the last two starting with stride 2 → global average pooling →
    dense ``embedding``. No max-feature-map and no max pooling, unlike the L_ip network.
    """
    images = keras.Input(tuple(int(d) for d in image_shape), name="images")
    x = keras.layers.Conv2D(width, 3, padding="same", use_bias=False, name="stem")(images)
    x = keras.layers.ReLU(name="stem_relu")(keras.layers.BatchNormalization(name="stem_bn")(x))
    for stage in range(3):
        channels = width * 2**stage
        for block in range(int(blocks)):
            stride = 2 if stage > 0 and block == 0 else 1
            name = f"stage{stage + 1}_block{block + 1}"
            y = keras.layers.Conv2D(channels, 3, strides=stride, padding="same", use_bias=False, name=f"{name}_conv1")(x)
            y = keras.layers.ReLU(name=f"{name}_relu1")(keras.layers.BatchNormalization(name=f"{name}_bn1")(y))
            y = keras.layers.Conv2D(channels, 3, padding="same", use_bias=False, name=f"{name}_conv2")(y)
            y = keras.layers.BatchNormalization(name=f"{name}_bn2")(y)
            if stride != 1 or int(x.shape[-1]) != channels:
                x = keras.layers.Conv2D(channels, 1, strides=stride, use_bias=False, name=f"{name}_shortcut")(x)
            x = keras.layers.ReLU(name=f"{name}_out")(keras.layers.Add(name=f"{name}_add")([x, y]))
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    embedding = keras.layers.Dense(int(embedding_dim), name="embedding", dtype="float32")(x)
    return keras.Model(images, embedding, name="recognizer")


class CosineMarginHead(keras.layers.Layer):
    """CosFace logits ``[batch, classes]``: s·cos θ_j for every class, s·(cos θ_y − m) for the true one.

    cos θ_j = ⟨e/|e|, w_j/|w_j|⟩ for an embedding e ``[batch, D]`` and class weights w ``[D, classes]``
    (Wang et al. 2018, arXiv 1801.09414). Called as ``head(embeddings, labels)``; labels int ``[batch]``.
    """

    def __init__(self, classes: int, scale: float = 30.0, margin: float = 0.35, **kwargs):
        super().__init__(**kwargs)
        self.classes, self.scale, self.margin = int(classes), float(scale), float(margin)

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(int(input_shape[-1]), self.classes), initializer="glorot_uniform",
                                      name="kernel")

    def call(self, embeddings, labels):
        e = tf.math.l2_normalize(tf.cast(embeddings, tf.float32), axis=-1)
        w = tf.math.l2_normalize(tf.cast(self.kernel, tf.float32), axis=0)
        cosine = tf.matmul(e, w)
        return self.scale * (cosine - self.margin * tf.one_hot(labels, self.classes, dtype=cosine.dtype))

    def get_config(self):
        return {**super().get_config(), "classes": self.classes, "scale": self.scale, "margin": self.margin}


def random_blur(images: tf.Tensor, sigma: tf.Tensor, radius: int = 3) -> tf.Tensor:
    """Per image, a separable Gaussian blur of ``sigma[n]`` pixels (σ → 0 leaves it unchanged).

    Shapes: images ``[n, H, W, C]``, sigma ``[n]`` -> ``[n, H, W, C]``; edges mirrored, taps
    within ``radius`` pixels.
    """
    images = tf.convert_to_tensor(images, tf.float32)
    offsets = tf.range(-radius, radius + 1, dtype=tf.float32)
    sigma = tf.maximum(tf.cast(sigma, tf.float32), 1e-3)[:, None]
    taps = tf.exp(-tf.square(offsets)[None, :] / (2.0 * tf.square(sigma)))
    taps = taps / tf.reduce_sum(taps, axis=1, keepdims=True)                  # [n, 2r+1]
    h, w = int(images.shape[1]), int(images.shape[2])
    x = tf.pad(images, [[0, 0], [0, 0], [radius, radius], [0, 0]], mode="SYMMETRIC")
    x = tf.add_n([taps[:, i, None, None, None] * x[:, :, i:i + w] for i in range(2 * radius + 1)])
    x = tf.pad(x, [[0, 0], [radius, radius], [0, 0], [0, 0]], mode="SYMMETRIC")
    return tf.add_n([taps[:, i, None, None, None] * x[:, i:i + h] for i in range(2 * radius + 1)])


def train_recognizer(images: np.ndarray, identities: np.ndarray, steps: int = 2000, batch_size: int = 64,
                     learning_rate: float = 1e-3, seed: int = 0, width: int = 16, embedding_dim: int = 64,
                     log_every: int = 0, max_blur: float = 0.0) -> keras.Model:
    """Trains :func:`build_recognizer` with a :class:`CosineMarginHead` on ``(images, identities)``.

    ``images`` float32 ``[n, H, W, 3]`` in [-1, 1]; ``identities`` int ``[n]`` (any labels: they are
    re-indexed). Adam with a cosine decay to 0 over ``steps``; random shifts of up to 4 pixels;
    with ``max_blur`` > 0, each image also gets a Gaussian blur of σ drawn from U[0, max_blur]
    pixels (:func:`random_blur`), so identity is read apart from how crisp the image is.
    Returns the embedding network (the head is dropped: recognition is by cosine similarity).
    """
    images = np.asarray(images, np.float32)
    classes, labels = np.unique(np.asarray(identities), return_inverse=True)
    if len(images) != len(labels) or len(classes) < 2:
        raise GanzooError(f"ganzoo: a recognizer needs images and identities of the same length and >= 2 "
                          f"identities; got {len(images)} images, {len(labels)} labels, {len(classes)} identities.")
    keras.utils.set_random_seed(seed)
    network = build_recognizer(images.shape[1:], width=width, embedding_dim=embedding_dim)
    head = CosineMarginHead(len(classes), name="cosface")
    head.build((None, embedding_dim))
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, int(steps))
    optimizer = keras.optimizers.Adam(schedule)
    variables = network.trainable_variables + head.trainable_variables
    optimizer.build(variables)
    pad = 4

    @tf.function
    def step(x, y):
        x = tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]], mode="SYMMETRIC")
        x = tf.image.random_crop(x, tf.concat([tf.shape(x)[:1], tf.constant(images.shape[1:])], 0))
        if max_blur > 0:
            x = random_blur(x, tf.random.uniform(tf.shape(x)[:1], 0.0, float(max_blur)))
        with tf.GradientTape() as tape:
            logits = head(network(x, training=True), y)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    rng = np.random.default_rng(seed)
    for i in range(int(steps)):
        rows = rng.integers(0, len(images), int(batch_size))
        loss = step(tf.constant(images[rows]), tf.constant(labels[rows].astype(np.int32)))
        if log_every and (i + 1) % log_every == 0:
            print(f"recognizer step {i + 1}/{steps}: CosFace loss {float(loss):.3f}", flush=True)
    return network


def embedder(network: keras.Model, batch_size: int = 256) -> Embedder:
    """``images in [-1, 1] [n, H, W, 3] -> L2-normalised float64 embeddings [n, D]`` of ``network``."""

    def embed(images: np.ndarray) -> np.ndarray:
        chunks = [np.asarray(network(np.asarray(images[i : i + batch_size], np.float32), training=False))
                  for i in range(0, len(images), batch_size)]
        features = np.concatenate(chunks).astype(np.float64).reshape(len(images), -1)
        return features / (np.linalg.norm(features, axis=1, keepdims=True) + 1e-12)

    return embed


def colour_histogram(images: np.ndarray, bins: int = 4, background: Sequence[float] | None = None,
                     tolerance: float = 0.04) -> np.ndarray:
    """The colour-only baseline: a joint RGB histogram (``bins``³) of each image, L2-normalised ``[n, bins³]``.

    Pixels within ``tolerance`` (in [0, 1] units, every channel) of ``background`` (an RGB colour in
    [0, 1], e.g. synthfaces' ``BACKGROUND``) are left out, so the histogram describes the head. The
    square root of the normalised counts (Hellinger) makes cosine similarity the Bhattacharyya one.
    """
    x = np.clip((np.asarray(images, np.float64) + 1.0) / 2.0, 0.0, 1.0).reshape(len(images), -1, 3)
    keep = np.ones(x.shape[:2], bool)
    if background is not None:
        keep = np.any(np.abs(x - np.asarray(background, np.float64)) > tolerance, axis=-1)
    index = np.minimum((x * bins).astype(np.int64), bins - 1)
    flat = (index[..., 0] * bins + index[..., 1]) * bins + index[..., 2]
    hist = np.zeros((len(images), bins**3))
    for i in range(len(images)):
        hist[i] = np.bincount(flat[i][keep[i]], minlength=bins**3)
    hist = np.sqrt(hist / np.maximum(hist.sum(axis=1, keepdims=True), 1.0))
    return hist / (np.linalg.norm(hist, axis=1, keepdims=True) + 1e-12)


def nearest_correct(probe: np.ndarray, probe_ids: np.ndarray, gallery: np.ndarray, gallery_ids: np.ndarray) -> np.ndarray:
    """Per probe, whether its most cosine-similar gallery entry has its identity: bool ``[p]``."""
    nearest = np.argmax(np.asarray(probe) @ np.asarray(gallery).T, axis=1)
    return np.asarray(gallery_ids)[nearest] == np.asarray(probe_ids)


def identity_bootstrap(values: np.ndarray, identities: np.ndarray, samples: int = 1000, seed: int = 0,
                       level: float = 0.95) -> tuple[float, float]:
    """Percentile interval (in the units of ``values``, e.g. points) of the mean of per-probe ``values``.

    Identities are resampled with replacement (each draw takes all probes of the identities drawn),
    since the probes of one identity are correlated. ``values`` float ``[p]``, ``identities`` ``[p]``.
    """
    values, identities = np.asarray(values, np.float64), np.asarray(identities)
    ids, inverse = np.unique(identities, return_inverse=True)
    sums = np.bincount(inverse, weights=values, minlength=len(ids))
    counts = np.bincount(inverse, minlength=len(ids)).astype(np.float64)
    draws = np.random.default_rng(seed).integers(0, len(ids), (int(samples), len(ids)))
    means = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    tail = 100.0 * (1.0 - level) / 2.0
    low, high = np.percentile(means, [tail, 100.0 - tail])
    return float(low), float(high)


__all__ = ["CosineMarginHead", "Embedder", "build_recognizer", "colour_histogram", "embedder", "identity_bootstrap",
           "nearest_correct", "train_recognizer"]
