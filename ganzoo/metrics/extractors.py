"""Feature extractors: images → feature vectors for FID, KID, precision/recall.

Every extractor is a callable with a ``name``:

    extractor(images: [N, H, W, C] float32 in [-1, 1]) -> np.ndarray [N, D] float32
    extractor.name  -> str, carried by every number computed from its features

Four kinds, all offline (nothing is ever downloaded):

    FIDInception(weights=PATH)     the standard FID network (TF "2015-12-05" Inception, pytorch-fid's
                                   .pth weights) with clean-fid's or TF1's resize: comparable with
                                   published FIDs (ganzoo.metrics.fid_inception)
    inception_v3(weights=PATH)     Keras InceptionV3 pool3 (2048-d) from a local weights file
                                   (argument or $GANZOO_INCEPTION_WEIGHTS), images resized to 299.
    domain_classifier(x, y, ...)   a small CNN trained on a labelled in-memory dataset (e.g. the
                                   scikit-learn digits) and cached as .keras; features are its
                                   128-d penultimate layer, so FID becomes "FCD" (Fréchet
                                   classifier distance) with no downloads.
    from_model(model, layer_name)  any Keras model, cut at a named layer.

``get_extractor(spec, **kwargs)`` accepts one of these names or an extractor object.

Comparability: published FIDs use the TF-slim "2015-12-05" Inception graph (pytorch-fid,
clean-fid, torch-fidelity ship ports of it); Keras' ImageNet InceptionV3 weights are a different
network, so ``inception_v3`` numbers rank models consistently but are not comparable with
published FIDs; ``FIDInception`` (``get_extractor("fid_inception", weights=PATH)``) is that graph.
Domain-classifier numbers are only comparable under the same extractor name.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any, Callable

import numpy as np

from ganzoo.errors import GanzooError
from ganzoo.metrics.resize import check_images

INCEPTION_WEIGHTS_ENV = "GANZOO_INCEPTION_WEIGHTS"
INCEPTION_WEIGHTS_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
INCEPTION_WEIGHTS_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
    + INCEPTION_WEIGHTS_FILE
)
CACHE_DIR_ENV = "GANZOO_CACHE_DIR"
_DOMAIN_ARCH_VERSION = "v1"  # bump when the domain classifier's architecture or training changes


def default_cache_dir() -> str:
    """``$GANZOO_CACHE_DIR`` or ``~/.cache/ganzoo``."""
    default = os.path.join(os.path.expanduser("~"), ".cache", "ganzoo")
    return os.environ.get(CACHE_DIR_ENV) or default


class FeatureExtractor:
    """The interface: ``name`` and ``__call__(images) -> [N, D]`` features."""

    name: str = "unnamed"

    def __call__(self, images: Any) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class FunctionExtractor(FeatureExtractor):
    """Wraps ``fn(batch) -> features`` with a name; features are flattened to ``[N, D]``."""

    def __init__(self, fn: Callable[[Any], Any], name: str) -> None:
        self.fn = fn
        self.name = str(name)

    def __call__(self, images: Any) -> np.ndarray:
        out = np.asarray(self.fn(images), np.float32)
        return out.reshape(out.shape[0], -1)


def from_function(fn: Callable[[Any], Any], name: str) -> FunctionExtractor:
    """An extractor from any callable; ``name`` is required so results say what they measure."""
    return FunctionExtractor(fn, name)


def identity() -> FunctionExtractor:
    """Flattened raw inputs as features (name ``identity``): for 2-D points and tests."""
    return FunctionExtractor(lambda x: np.asarray(x), "identity")


class KerasFeatureExtractor(FeatureExtractor):
    """A Keras model mapping ``[N, H, W, C]`` images in [-1, 1] to features.

    Args:
        model: the feature model (its output is flattened to ``[N, D]``).
        name: the name every result carries.
        resize: resize images (bilinear) to the model's input size; when False a size mismatch
            is an error (a classifier trained at 32×32 says little about other sizes).
        classifier: optional model on the same inputs returning class probabilities, used by
            ``probabilities`` (Inception-Score-style metrics).
        check_range: raise when images leave [-1, 1] (e.g. unscaled [0, 255] data).

    Grayscale inputs are repeated to 3 channels when the model takes RGB.
    """

    def __init__(
        self,
        model: Any,
        name: str,
        *,
        resize: bool = False,
        classifier: Any = None,
        check_range: bool = True,
    ) -> None:
        import tensorflow as tf

        self.model = model
        self.classifier = classifier
        self.name = str(name)
        self.resize = bool(resize)
        self.check_range = bool(check_range)
        shape = tuple(model.input_shape)
        if len(shape) != 4:
            raise GanzooError(
                f"ganzoo.metrics: extractor '{name}' needs a model on [N, H, W, C] images, its "
                f"input shape is {shape}."
            )
        self.input_shape = shape[1:]
        self._features = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
        self._probs = (
            None if classifier is None
            else tf.function(lambda x: classifier(x, training=False), reduce_retracing=True)
        )

    @property
    def image_size(self) -> tuple[int | None, int | None]:
        return self.input_shape[0], self.input_shape[1]

    def preprocess(self, images: Any):
        """Checks and adapts images (channels, size) to the model's input."""
        import tensorflow as tf

        x = np.asarray(images, np.float32)
        if self.check_range:
            check_images(x, self.name)
        elif x.ndim != 4:
            check_images(x, self.name)
        h, w, c = self.input_shape
        if c is not None and x.shape[-1] != c:
            if x.shape[-1] == 1 and c == 3:
                x = np.repeat(x, 3, axis=-1)
            else:
                raise GanzooError(
                    f"ganzoo.metrics: extractor '{self.name}' takes {c}-channel images, got "
                    f"{x.shape[-1]} channels."
                )
        t = tf.constant(x)
        if (h is not None and x.shape[1] != h) or (w is not None and x.shape[2] != w):
            if not self.resize:
                raise GanzooError(
                    f"ganzoo.metrics: extractor '{self.name}' takes {h}x{w} images, got "
                    f"{x.shape[1]}x{x.shape[2]}; resize the images to {h}x{w} (or build the "
                    "extractor for this size)."
                )
            t = tf.image.resize(t, (h, w), method="bilinear")
        return t

    def __call__(self, images: Any) -> np.ndarray:
        out = np.asarray(self._features(self.preprocess(images)), np.float32)
        return out.reshape(out.shape[0], -1)

    def probabilities(self, images: Any) -> np.ndarray:
        """``[N, classes]`` softmax outputs of the attached classifier."""
        if self._probs is None:
            raise GanzooError(
                f"ganzoo.metrics: extractor '{self.name}' has no classifier head for class "
                "probabilities; use domain_classifier(...) or pass classifier= to "
                "KerasFeatureExtractor."
            )
        return np.asarray(self._probs(self.preprocess(images)), np.float32)


def from_model(
    model: Any, layer_name: str, *, name: str | None = None, resize: bool = False
) -> KerasFeatureExtractor:
    """Features from the output of ``model.get_layer(layer_name)``.

    Args:
        model: a built functional or Sequential Keras model on ``[N, H, W, C]`` images in
            [-1, 1] (scale inside the model if it expects another range).
        layer_name: the layer whose output are the features.
        name: result label; defaults to ``"<model.name>/<layer_name>"``.
        resize: resize images to the model's input size instead of rejecting other sizes.
    """
    import keras

    names = [layer.name for layer in model.layers]
    if layer_name not in names:
        raise GanzooError(
            f"ganzoo.metrics: model '{model.name}' has no layer '{layer_name}'; its layers are "
            f"{names}."
        )
    try:
        inputs = model.inputs
    except (AttributeError, ValueError) as e:
        raise GanzooError(
            f"ganzoo.metrics: model '{model.name}' is not built; call it on a batch or give it "
            "an Input before using it as an extractor."
        ) from e
    feature_model = keras.Model(inputs, model.get_layer(layer_name).output)
    return KerasFeatureExtractor(feature_model, name or f"{model.name}/{layer_name}", resize=resize)


def inception_v3(weights: str | os.PathLike | None = None) -> KerasFeatureExtractor:
    """InceptionV3 pool3 features (2048-d, global average pool), offline.

    Args:
        weights: path to the Keras application weights file
            ``inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5`` (or a directory
            holding it); defaults to ``$GANZOO_INCEPTION_WEIGHTS``. Any weights file saved from
            ``keras.applications.InceptionV3(include_top=False)`` also loads.

    Images ``[N, H, W, C]`` in [-1, 1] (Inception's own input scale) are resized bilinearly to
    299×299; grayscale is repeated to RGB. The name is ``inception_v3`` (Keras weights; see the
    module docstring on comparability with published FIDs).
    """
    import keras

    path = weights if weights is not None else os.environ.get(INCEPTION_WEIGHTS_ENV)
    if not path:
        raise GanzooError(
            f"ganzoo.metrics: inception_v3 needs local weights: pass weights=PATH or set "
            f"${INCEPTION_WEIGHTS_ENV} to the file {INCEPTION_WEIGHTS_FILE} (download it once "
            f"from {INCEPTION_WEIGHTS_URL}); ganzoo never downloads it."
        )
    path = os.fspath(path)
    if os.path.isdir(path):
        path = os.path.join(path, INCEPTION_WEIGHTS_FILE)
    if not os.path.isfile(path):
        raise GanzooError(
            f"ganzoo.metrics: inception_v3 weights file '{path}' does not exist; put "
            f"{INCEPTION_WEIGHTS_FILE} there (download it once from {INCEPTION_WEIGHTS_URL}) or "
            f"point weights= / ${INCEPTION_WEIGHTS_ENV} at it; ganzoo never downloads it."
        )
    model = keras.applications.InceptionV3(
        include_top=False, pooling="avg", weights=path, input_shape=(299, 299, 3)
    )
    return KerasFeatureExtractor(model, "inception_v3", resize=True)


def _build_domain_classifier(input_shape: tuple[int, int, int], num_classes: int,
                             feature_dim: int, seed: int):
    """Three strided 3×3 convolutions (16, 32, 64), global average pool, a ``features`` dense
    layer, softmax. Small on purpose: ≈ 0.6 M multiply-adds per 32×32 image."""
    import keras

    def init(i: int):
        return keras.initializers.GlorotUniform(seed=seed + i)

    inputs = keras.Input(input_shape, name="images")
    x = inputs
    for i, filters in enumerate((16, 32, 64)):
        x = keras.layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu",
                                kernel_initializer=init(i), name=f"conv{i + 1}")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    features = keras.layers.Dense(feature_dim, activation="relu", kernel_initializer=init(3),
                                  name="features")(x)
    x = keras.layers.Dropout(0.2, seed=seed, name="dropout")(features)
    outputs = keras.layers.Dense(num_classes, activation="softmax", kernel_initializer=init(4),
                                 name="probabilities")(x)
    return keras.Model(inputs, outputs, name="domain_classifier")


def domain_classifier(
    images: Any,
    labels: Any,
    *,
    name: str = "digits",
    cache_dir: str | os.PathLike | None = None,
    epochs: int = 15,
    batch_size: int = 64,
    learning_rate: float = 3e-3,
    feature_dim: int = 128,
    seed: int = 0,
    retrain: bool = False,
    verbose: int = 0,
) -> KerasFeatureExtractor:
    """A small CNN classifier trained on ``(images, labels)`` and cached; features are its
    penultimate (``features``, ``feature_dim``-d, ReLU) layer.

    The cache file ``<cache_dir>/domain_classifier-<name>-<H>x<W>x<C>-<hash>.keras`` is keyed
    by a hash of the data and the training settings, so other data retrains and the same data
    reloads. The extractor's name, ``domain_classifier/<name>/<H>x<W>x<C>/<hash>``, says which
    network produced a number. Training is seeded (initializers, dropout, shuffling); on CPU,
    multi-threaded reductions can still differ in the last bits between machines.

    Args:
        images: ``[N, H, W, C]`` (or ``[N, H, W]``) float images in [-1, 1].
        labels: ``[N]`` integer class labels in [0, classes).
        name: dataset name, part of the cache key and the extractor name.
        cache_dir: directory of the cache; default ``$GANZOO_CACHE_DIR`` or ``~/.cache/ganzoo``.
        epochs, batch_size, learning_rate: Adam training settings (seconds on the digits).
        feature_dim: width of the feature layer.
        seed: seed of initialization, dropout and shuffling.
        retrain: ignore (and overwrite) a cached model.
        verbose: Keras ``fit`` verbosity.

    Returns:
        A ``KerasFeatureExtractor`` with ``classifier`` (softmax head) attached, and attributes
        ``cache_path`` and ``trained`` (False when loaded from the cache).
    """
    import keras
    import tensorflow as tf

    x = np.asarray(images, np.float32)
    if x.ndim == 3:
        x = x[..., None]
    check_images(x, f"domain_classifier/{name}")
    y = np.asarray(labels)
    if y.ndim != 1 or y.shape[0] != x.shape[0] or not np.issubdtype(y.dtype, np.integer):
        raise GanzooError(
            f"ganzoo.metrics: domain_classifier needs [N] integer labels for {x.shape[0]} images, "
            f"got an array of shape {y.shape} and dtype {y.dtype}."
        )
    if y.min() < 0:
        raise GanzooError(f"ganzoo.metrics: class labels must be >= 0, got {y.min()}.")
    y = y.astype(np.int64)
    num_classes = int(y.max()) + 1
    if num_classes < 2:
        raise GanzooError("ganzoo.metrics: domain_classifier needs at least 2 classes in labels.")
    h, w, c = x.shape[1:]
    digest = hashlib.sha1()
    for part in (x.tobytes(), y.tobytes(),
                 repr((_DOMAIN_ARCH_VERSION, epochs, batch_size, learning_rate, feature_dim,
                       seed)).encode()):
        digest.update(part)
    key = digest.hexdigest()[:10]
    cache_dir = os.fspath(cache_dir) if cache_dir is not None else default_cache_dir()
    cache_path = os.path.join(cache_dir, f"domain_classifier-{name}-{h}x{w}x{c}-{key}.keras")

    trained = False
    if os.path.isfile(cache_path) and not retrain:
        classifier = keras.saving.load_model(cache_path, compile=False)
    else:
        classifier = _build_domain_classifier((h, w, c), num_classes, feature_dim, seed)
        classifier.compile(optimizer=keras.optimizers.Adam(learning_rate),
                           loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        data = (tf.data.Dataset.from_tensor_slices((x, y))
                .shuffle(x.shape[0], seed=seed, reshuffle_each_iteration=True)
                .batch(batch_size))
        options = tf.data.Options()
        options.autotune.enabled = False  # short epochs: avoid the autotune end-of-epoch wait
        classifier.fit(data.with_options(options), epochs=epochs, shuffle=False, verbose=verbose)
        os.makedirs(cache_dir, exist_ok=True)
        tmp = f"{cache_path[:-6]}.tmp{os.getpid()}.keras"
        classifier.save(tmp)
        os.replace(tmp, cache_path)
        trained = True
    features = keras.Model(classifier.inputs, classifier.get_layer("features").output)
    extractor = KerasFeatureExtractor(
        features, f"domain_classifier/{name}/{h}x{w}x{c}/{key}", classifier=classifier
    )
    extractor.cache_path = cache_path
    extractor.trained = trained
    return extractor


def _fid_inception(weights: str | os.PathLike | None = None, **kwargs: Any):
    # Imported here: ganzoo.metrics.fid_inception is a heavier module most runs never need.
    from ganzoo.metrics.fid_inception import FIDInception

    return FIDInception(weights, **kwargs)


_BY_NAME: dict[str, Callable[..., FeatureExtractor]] = {
    "fid_inception": _fid_inception,
    "inception_v3": inception_v3,
    "domain_classifier": domain_classifier,
    "identity": identity,
}


def get_extractor(spec: Any, **kwargs: Any) -> FeatureExtractor:
    """An extractor from a name (``fid_inception``, ``inception_v3``, ``domain_classifier``, ``identity``; kwargs go
    to its factory), a Keras model on images (its outputs are the features, its name the
    extractor's; kwargs go to ``KerasFeatureExtractor``), or an object that already is one (a
    callable with a ``name``)."""
    if isinstance(spec, str):
        if spec not in _BY_NAME:
            raise GanzooError(
                f"ganzoo.metrics: unknown extractor '{spec}'; choose one of {sorted(_BY_NAME)} or "
                "pass an extractor object."
            )
        return _BY_NAME[spec](**kwargs)
    import keras

    if isinstance(spec, keras.Model):
        # A Keras model whose outputs are the features.
        return KerasFeatureExtractor(spec, spec.name, **kwargs)
    if callable(spec) and isinstance(getattr(spec, "name", None), str):
        if kwargs:
            raise GanzooError(
                f"ganzoo.metrics: options {sorted(kwargs)} only apply to extractors given by name."
            )
        return spec
    raise GanzooError(
        f"ganzoo.metrics: {spec!r} is not a feature extractor; pass a name, an extractor, or wrap "
        "a function with ganzoo.metrics.from_function(fn, name=...)."
    )
