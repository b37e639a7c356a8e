"""Shape classes shared by two unpaired domains, found without labels (``CycleGAN(semantic_weight=...)``).

Cycle consistency is satisfied by any permutation of a domain's classes: a translator that
draws every handwritten 4 as a printed 9 (and every printed 9 as a handwritten 4) loses nothing
by it. CyCADA (Hoffman et al. 2018, arXiv 1711.03213) adds a *semantic consistency* loss, a
classifier's label of the input kept by the translation, using the source domain's labels.
This module finds such classes without any label:

1. each image's shape descriptor (``ganzoo.ops.hog.shape_descriptor``: HOG of its foreground
   fitted to its bounding square, so polarity, size and place aside);
2. k-means in each domain: domain B's ``classes`` clusters are the classes; domain A gets
   ``clusters_a`` (more: a domain whose styles vary more splits a class into several modes);
3. each A cluster is named after a B cluster by the votes of its members' nearest B images
   (cosine of descriptors), with a balanced assignment: an entropic optimal transport between
   the clusters' masses (Sinkhorn), so that two A modes cannot both take one B class when
   another class is left with none;
4. the names are refined by local search (``refine_names``) on the votes, the classes' masses
   and the clusters' relations: a 4 and a 9 are near each other in both domains, a 0 and a 1
   far apart, so names under which A's clusters relate to each other as their classes do in B
   are preferred (a fused Gromov-Wasserstein objective, Vayer et al. 2019, solved greedily).

``ShapeClasses`` keeps the result as weights (saved with the model, so resume does not fit it
again) and gives, inside the training step, each image's class and differentiable class logits
of a translation (a cosine classifier over the centroids, ``temperature`` · cos).

Or (``CycleGAN(semantic_classifier="cnn")``) the classes train a small CNN per domain
(``build_class_net``, ``train_class_net``), as CyCADA's task network but on classes found
without labels: a CNN reads the drawn image, not only its edge layout (on the digits
benchmark, CNNs trained on the classes of 2,000 training images of each side gave 94.2% of the
held-out handwritten and 95.8% of the held-out printed digits the right class; BUILD_NOTES.md).

Shapes: descriptors ``[n, features]``; ``centroids_a`` ``[clusters_a, features]``,
``names_a`` ``[clusters_a, classes]`` (one-hot: the class of each A cluster), ``centroids_b``
``[classes, features]``.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from ganzoo.errors import GanzooError

Tensor = tf.Tensor


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float64)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def nearest(queries: np.ndarray, keys: np.ndarray, chunk: int = 1024) -> np.ndarray:
    """Index of each query's nearest key by cosine, ``[n]`` int (chunked: flat memory)."""
    q, k = _unit(queries), _unit(keys)
    return np.concatenate([np.argmax(q[i: i + chunk] @ k.T, axis=1) for i in range(0, len(q), chunk)]) \
        if len(q) else np.zeros([0], np.int64)


def balanced_assignment(votes: np.ndarray, mass_rows: np.ndarray, mass_cols: np.ndarray, eps: float = 0.1,
                        iterations: int = 2000) -> np.ndarray:
    """Column of each row: the argmax of each row of the entropic optimal-transport plan between
    ``mass_rows`` and ``mass_cols`` (Sinkhorn; Cuturi 2013) with cost −log(vote share).

    ``votes`` ``[r, c]`` non-negative counts; ``mass_*`` sum to 1. A row whose votes all go to
    a column that other rows fill up is moved to the column it votes for next.
    """
    votes = np.asarray(votes, np.float64)
    share = votes / np.maximum(votes.sum(axis=1, keepdims=True), 1e-12)
    log_kernel = np.log(share + 1e-3) / eps
    log_kernel -= log_kernel.max()
    kernel = np.exp(log_kernel)
    u, v = np.ones(len(mass_rows)), np.ones(len(mass_cols))
    for _ in range(iterations):
        u = mass_rows / np.maximum(kernel @ v, 1e-300)
        v = mass_cols / np.maximum(kernel.T @ u, 1e-300)
    return np.argmax(u[:, None] * kernel * v[None, :], axis=1)


def refine_names(votes: np.ndarray, mass_rows: np.ndarray, mass_cols: np.ndarray, relations_rows: np.ndarray,
                 relations_cols: np.ndarray, names: np.ndarray, relation_weight: float = 100.0,
                 balance_weight: float = 10.0, rounds: int = 20) -> np.ndarray:
    """Names (a column for each row) that locally maximise

        Σ_i m_i log share[i, n_i] − relation_weight · Σ_ij m_i m_j (R_ij − C_{n_i n_j})²
                                   − balance_weight · Σ_c (Σ_{i: n_i = c} m_i − M_c)²

    from ``names``, changing one row's name at a time while that raises it (sweeps over the rows
    until none does, at most ``rounds``). ``votes`` ``[r, c]``
    counts; ``mass_rows`` m and ``mass_cols`` M sum to 1; ``relations_rows`` R ``[r, r]`` and
    ``relations_cols`` C ``[c, c]`` the cosines between the rows' and the columns' centroids.
    """
    votes = np.asarray(votes, np.float64)
    log_share = np.log(votes / np.maximum(votes.sum(axis=1, keepdims=True), 1e-12) + 1e-3)
    rows = np.arange(len(names))
    pair_mass = mass_rows[:, None] * mass_rows[None, :]

    def objective(n: np.ndarray) -> float:
        fit = np.sum(mass_rows * log_share[rows, n])
        relations = np.sum(pair_mass * (relations_rows - relations_cols[n][:, n]) ** 2)
        balance = np.sum((np.bincount(n, weights=mass_rows, minlength=len(mass_cols)) - mass_cols) ** 2)
        return fit - relation_weight * relations - balance_weight * balance

    names = np.asarray(names).copy()
    best = objective(names)
    for _ in range(rounds):
        improved = False
        for i in rows:
            for c in range(votes.shape[1]):
                if c == names[i]:
                    continue
                trial = names.copy()
                trial[i] = c
                value = objective(trial)
                if value > best + 1e-12:
                    best, names, improved = value, trial, True
        if not improved:
            break
    return names


def match_shape_classes(desc_a: np.ndarray, desc_b: np.ndarray, clusters_a: int, classes: int,
                        seed: int = 0) -> dict[str, np.ndarray]:
    """Classes shared by two domains from their descriptors alone (see the module's steps).

    Args:
        desc_a, desc_b: ``[n_a, F]`` and ``[n_b, F]`` descriptors of each domain's images.
        clusters_a: k-means clusters of domain A (≥ ``classes``).
        classes: k-means clusters of domain B, which are the classes.
        seed: k-means' seed.

    Returns:
        ``centroids_a`` ``[clusters_a, F]``, ``names_a`` ``[clusters_a]`` (the class of each A
        cluster), ``centroids_b`` ``[classes, F]`` (unit rows), ``labels_a`` ``[n_a]`` and
        ``labels_b`` ``[n_b]`` (each image's class).
    """
    from sklearn.cluster import KMeans

    desc_a, desc_b = _unit(desc_a), _unit(desc_b)
    if len(desc_a) < clusters_a or len(desc_b) < classes:
        raise GanzooError(
            f"ganzoo: shape classes need at least {clusters_a} images of A and {classes} of B; got "
            f"{len(desc_a)} and {len(desc_b)} (lower semantic_clusters / semantic_classes, or give more data)."
        )
    # 50 restarts: with 10, one order of the digits' images in 10 gave B a best clustering that
    # merged two digits (inertia 670.9 against 658.9); with 50, none of 10 did.
    km_a = KMeans(clusters_a, n_init=10, random_state=seed).fit(desc_a)
    km_b = KMeans(classes, n_init=50, random_state=seed).fit(desc_b)
    cluster_a, cluster_b = km_a.labels_, km_b.labels_
    votes = np.zeros([clusters_a, classes])
    np.add.at(votes, (cluster_a, cluster_b[nearest(desc_a, desc_b)]), 1.0)
    mass_a = np.bincount(cluster_a, minlength=clusters_a) / len(cluster_a)
    mass_b = np.bincount(cluster_b, minlength=classes) / len(cluster_b)
    centroids_a, centroids_b = _unit(km_a.cluster_centers_), _unit(km_b.cluster_centers_)
    names_a = refine_names(votes, mass_a, mass_b, centroids_a @ centroids_a.T, centroids_b @ centroids_b.T,
                           balanced_assignment(votes, mass_a, mass_b))
    return {"centroids_a": centroids_a.astype(np.float32), "names_a": names_a.astype(np.int64),
            "centroids_b": centroids_b.astype(np.float32),
            "labels_a": names_a[cluster_a].astype(np.int64), "labels_b": cluster_b.astype(np.int64)}


def build_class_net(image_shape: tuple[int, int, int], classes: int, name: str, seed: int = 0) -> keras.Model:
    """A small CNN classifier, ``[b, H, W, C]`` in [-1, 1] -> logits ``[b, classes]`` (float32 even
    under a mixed policy): 3×3 conv 32, max-pool, 3×3 conv 64, max-pool, average-pooled to at most
    4×4, dropout 0.3, dense. Seeded.

    Not ``ganzoo.metrics.domain_classifier`` on purpose: that network (strided convolutions, global
    pooling) is the translation benchmark's judge, and the model must not train against it."""
    height, width, channels = (int(d) for d in image_shape)

    def init(i: int):
        return keras.initializers.HeNormal(seed=seed + i)

    inputs = keras.Input((height, width, channels), name="images")
    x = keras.layers.Conv2D(32, 3, padding="same", activation="relu", kernel_initializer=init(0),
                            dtype="float32", name="conv1")(inputs)
    x = keras.layers.MaxPooling2D(dtype="float32", name="pool1")(x)
    x = keras.layers.Conv2D(64, 3, padding="same", activation="relu", kernel_initializer=init(1),
                            dtype="float32", name="conv2")(x)
    x = keras.layers.MaxPooling2D(dtype="float32", name="pool2")(x)
    pool = (max(1, height // 16), max(1, width // 16))
    if pool != (1, 1):
        x = keras.layers.AveragePooling2D(pool, dtype="float32", name="pool3")(x)
    x = keras.layers.Flatten(dtype="float32", name="flatten")(x)
    x = keras.layers.Dropout(0.3, seed=seed, dtype="float32", name="dropout")(x)
    outputs = keras.layers.Dense(classes, kernel_initializer=init(2), dtype="float32", name="logits")(x)
    return keras.Model(inputs, outputs, name=name)


def train_class_net(net: keras.Model, images: np.ndarray, labels: np.ndarray, epochs: int = 10,
                    batch_size: int = 64, learning_rate: float = 1e-3, seed: int = 0) -> float:
    """Train ``net`` (``build_class_net``) on ``images`` ``[n, H, W, C]`` and integer ``labels`` ``[n]``
    with Adam and cross-entropy, seeded; a copy is trained and its weights copied into ``net``, so
    ``net`` needs no optimizer of its own. Returns the share of ``images`` it then labels as
    ``labels``."""
    images, labels = np.asarray(images, np.float32), np.asarray(labels, np.int64)
    shape = tuple(int(d) for d in net.input_shape[1:])
    classes = int(net.output_shape[-1])
    copy = build_class_net(shape, classes, name=f"{net.name}_training", seed=seed)
    copy.compile(keras.optimizers.Adam(learning_rate),
                 keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    data = (tf.data.Dataset.from_tensor_slices((images, labels))
            .shuffle(len(images), seed=seed, reshuffle_each_iteration=True).batch(batch_size))
    copy.fit(data, epochs=int(epochs), shuffle=False, verbose=0)  # the dataset shuffles
    net.set_weights(copy.get_weights())
    predicted = np.argmax(net.predict(images, batch_size=256, verbose=0), axis=1)
    return float(np.mean(predicted == labels))


@keras.saving.register_keras_serializable(package="ganzoo")
class ShapeClasses(keras.layers.Layer):
    """The shape classes of two domains (``match_shape_classes``), kept as weights.

    Args:
        features: descriptor length F.
        clusters_a: domain A's clusters.
        classes: the classes (domain B's clusters).
        temperature: scale of the cosine logits (``logits_*``).

    ``fitted`` is 0 until ``assign`` stores a match; the weights save and restore with the model.
    """

    def __init__(self, features: int, clusters_a: int = 20, classes: int = 10, temperature: float = 20.0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.features, self.clusters_a, self.classes = int(features), int(clusters_a), int(classes)
        self.temperature = float(temperature)
        self.centroids_a = self.add_weight(shape=(self.clusters_a, self.features), initializer="zeros",
                                           trainable=False, name="centroids_a")
        self.names_a = self.add_weight(shape=(self.clusters_a, self.classes), initializer="zeros",
                                       trainable=False, name="names_a")
        self.centroids_b = self.add_weight(shape=(self.classes, self.features), initializer="zeros",
                                           trainable=False, name="centroids_b")
        self.fitted = self.add_weight(shape=(), dtype="int32", initializer="zeros", trainable=False, name="fitted")
        self.built = True

    def assign(self, match: dict[str, np.ndarray]) -> None:
        """Store ``match_shape_classes``'s result and mark the layer fitted."""
        self.centroids_a.assign(match["centroids_a"])
        self.names_a.assign(np.eye(self.classes, dtype=np.float32)[match["names_a"]])
        self.centroids_b.assign(match["centroids_b"])
        self.fitted.assign(1)

    @property
    def is_fitted(self) -> bool:
        return bool(int(keras.ops.convert_to_numpy(self.fitted)))

    def _cosines(self, desc: Tensor, centroids) -> Tensor:
        d = tf.math.l2_normalize(tf.cast(desc, tf.float32), axis=1)
        return tf.matmul(d, tf.cast(centroids, tf.float32), transpose_b=True)

    def logits_b(self, desc: Tensor) -> Tensor:
        """``[n, classes]``: temperature · cos to each class's B centroid."""
        return self.temperature * self._cosines(desc, self.centroids_b)

    def logits_a(self, desc: Tensor) -> Tensor:
        """``[n, classes]``: temperature · the highest cos to an A centroid of that class (a class
        with no A cluster gets −temperature, below any cosine)."""
        cos = self._cosines(desc, self.centroids_a)                                        # [n, clusters_a]
        names = tf.cast(self.names_a, tf.float32)                                          # [clusters_a, classes]
        masked = cos[:, :, None] * names[None] + (names[None] - 1.0) * 2.0                 # absent: cos − 2
        return self.temperature * tf.maximum(tf.reduce_max(masked, axis=1), -1.0)

    def classes_of_a(self, desc: Tensor) -> Tensor:
        """``[n]`` int32: the class of the nearest A centroid."""
        nearest_cluster = tf.argmax(self._cosines(desc, self.centroids_a), axis=1)
        return tf.cast(tf.argmax(tf.gather(tf.cast(self.names_a, tf.float32), nearest_cluster), axis=1), tf.int32)

    def classes_of_b(self, desc: Tensor) -> Tensor:
        """``[n]`` int32: the nearest B centroid."""
        return tf.cast(tf.argmax(self._cosines(desc, self.centroids_b), axis=1), tf.int32)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "features": self.features, "clusters_a": self.clusters_a,
                "classes": self.classes, "temperature": self.temperature}


__all__ = ["ShapeClasses", "balanced_assignment", "build_class_net", "match_shape_classes", "nearest", "refine_names",
           "train_class_net"]
