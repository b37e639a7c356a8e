"""A Light-CNN-style face-identity network: TP-GAN's identity-preserving loss and its evaluation.

Wu, He, Sun, Tan 2018, "A Light CNN for Deep Face Representation with Noisy Labels"
(arXiv 1511.02683): convolutions with max-feature-map (MFM) activations, pooling, one MFM
fully connected embedding and a softmax over identities. TP-GAN (Huang et al. 2017, arXiv
1704.04086) measures L_ip on the last two layers of a Light CNN trained on MS-Celeb-1M and
reports rank-1 recognition with its embedding (``ganzoo.metrics.face_identity`` here).

Departures: a narrow four-stage network for 32–128 px images instead of Light CNN-29 on 128 px;
ganzoo trains it on the identities of the training data (mostly near-frontal views, as face
recognition training sets are) and then freezes it, or loads users' weights from a local path.
Training it is a separate, supervised training (a classifier of identities, not a GAN phase):
``train`` runs it on the GAN's batches before the first GAN step.
"""

from __future__ import annotations

import os
from typing import Any, Sequence

import keras
import numpy as np
import tensorflow as tf

from ganzoo.errors import GanzooError
from ganzoo.layers.max_feature_map import MaxFeatureMap

FEATURE_LAYERS = ("conv_features", "embedding")  # the "last two layers" of L_ip


def build_identity_network(
    image_shape: Sequence[int] = (64, 64, 3), num_identities: int = 500, filters: int = 16, embedding_dim: int = 128
) -> keras.Model:
    """Light-CNN-style classifier: ``[batch, H, W, C] -> [batch, num_identities]`` logits.

    Stages (each conv has 2× the width and an MFM halving it): 5×5 conv (filters) → pool →
    1×1 + 3×3 conv (2·filters) → pool → 1×1 + 3×3 conv (4·filters) → pool → 3×3 conv
    (4·filters) → pool to 4×4 = ``conv_features`` → dense MFM ``embedding`` → dense logits.
    """
    size = int(image_shape[0])
    images = keras.Input(tuple(int(d) for d in image_shape), name="images")

    def conv(x, width, kernel, name):
        x = keras.layers.Conv2D(2 * width, kernel, padding="same", name=name)(x)
        return MaxFeatureMap(name=f"{name}_mfm")(x)

    x = conv(images, filters, 5, "conv1")
    x = keras.layers.MaxPooling2D(2, name="pool1")(x)
    x = conv(conv(x, 2 * filters, 1, "conv2a"), 2 * filters, 3, "conv2")
    x = keras.layers.MaxPooling2D(2, name="pool2")(x)
    x = conv(conv(x, 4 * filters, 1, "conv3a"), 4 * filters, 3, "conv3")
    x = keras.layers.MaxPooling2D(2, name="pool3")(x)
    x = conv(x, 4 * filters, 3, "conv4")
    pool = max(1, size // 8 // 4)
    x = keras.layers.MaxPooling2D(pool, name="conv_features")(x) if pool > 1 else keras.layers.Identity(name="conv_features")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(2 * embedding_dim, name="fc")(x)
    embedding = MaxFeatureMap(name="embedding")(x)
    logits = keras.layers.Dense(int(num_identities), name="logits", dtype="float32")(embedding)
    return keras.Model(images, logits, name="identity_network")


def feature_model(network: keras.Model) -> keras.Model:
    """``images -> [conv_features, embedding]`` sharing ``network``'s weights."""
    return keras.Model(network.inputs[0], [network.get_layer(n).output for n in FEATURE_LAYERS])


def load_weights(network: keras.Model, path: str) -> None:
    """Loads users' weights from a local ``.weights.h5`` or a ``.keras`` file of the same architecture."""
    if not os.path.exists(path):
        raise GanzooError(
            f"ganzoo: identity_weights '{path}' does not exist; give a local .weights.h5 or .keras file "
            "saved from ganzoo.models.frontalization.identity.build_identity_network, or None to train one."
        )
    try:
        if path.endswith(".keras"):
            network.set_weights(keras.models.load_model(path, compile=False).get_weights())
        else:
            network.load_weights(path)
    except (ValueError, KeyError) as error:
        raise GanzooError(
            f"ganzoo: identity_weights '{path}' do not fit the identity network ({error}); build it "
            "with the same image_shape, num_identities and identity_filters."
        ) from None


def _batch_images_labels(batch, max_yaw: float):
    """Frontals plus the poses within ±max_yaw of a (pose, info) batch, and their identities."""
    pose, info = batch
    if "identity" not in info:
        raise GanzooError(
            "ganzoo: training the identity network needs identity labels in the batches "
            "(info['identity']); use synthfaces or pairs:<path>, or pass identity_weights."
        )
    keep = tf.abs(tf.cast(info["yaw"], tf.float32)) <= max_yaw if "yaw" in info else tf.ones_like(info["identity"], tf.bool)
    images = tf.concat([info["frontal"], tf.boolean_mask(pose, keep)], axis=0)
    labels = tf.concat([info["identity"], tf.boolean_mask(info["identity"], keep)], axis=0)
    return images, tf.cast(labels, tf.int32)


def train(
    network: keras.Model,
    dataset: tf.data.Dataset,
    steps: int = 2000,
    learning_rate: float = 1e-3,
    max_yaw: float = 30.0,
    strategy: tf.distribute.Strategy | None = None,
    log_every: int = 0,
) -> list[float]:
    """Trains ``network`` to classify identities on ``dataset``'s (pose, info) batches.

    Each batch gives its frontals and the poses with |yaw| <= ``max_yaw``; a random shift of up
    to 2 px is the only augmentation. Returns the loss of every step (cross-entropy averaged
    over the global batch).
    """
    strategy = strategy or tf.distribute.get_strategy()
    num_classes = int(network.outputs[0].shape[-1])
    with strategy.scope():  # an optimizer belongs to the strategy it is created under
        optimizer = keras.optimizers.Adam(learning_rate, name="identity_adam")
        optimizer.build(network.trainable_variables)

    def step(batch):
        images, labels = _batch_images_labels(batch, max_yaw)
        tf.debugging.assert_less(
            labels, num_classes,
            message=f"ganzoo: an identity label is >= num_identities={num_classes}; set model.num_identities to the dataset's identity count",
        )
        shift = tf.random.uniform([2], -2, 3, tf.int32)
        images = tf.roll(images, shift, axis=[1, 2])
        with tf.GradientTape() as tape:
            logits = network(images, training=True)
            per_example = keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
            loss = tf.nn.compute_average_loss(per_example)
        grads = tape.gradient(loss, network.trainable_variables)
        optimizer.apply_gradients(zip(grads, network.trainable_variables))
        return loss

    @tf.function
    def distributed_step(batch):
        losses = strategy.run(step, args=(batch,))
        return strategy.reduce("SUM", losses, axis=None)

    history: list[float] = []
    while len(history) < steps:
        started = len(history)
        for batch in strategy.experimental_distribute_dataset(dataset):
            history.append(float(distributed_step(batch)))
            if log_every and len(history) % log_every == 0:
                print(f"identity network step {len(history)}: loss {np.mean(history[-log_every:]):.3f}", flush=True)
            if len(history) >= steps:
                break
        if len(history) == started:
            raise GanzooError("ganzoo: the dataset for the identity network is empty.")
    return history
