"""Feature extractors: offline Inception errors, from_model, the cached domain classifier."""

import os

import keras
import numpy as np
import pytest
from sklearn.datasets import load_digits

from ganzoo.errors import GanzooError
from ganzoo.metrics import (
    FeatureStatistics,
    domain_classifier,
    fid_from_statistics,
    from_function,
    from_model,
    get_extractor,
    identity,
    inception_v3,
)
from ganzoo.metrics.extractors import INCEPTION_WEIGHTS_ENV, INCEPTION_WEIGHTS_FILE


def _digits():
    d = load_digits()
    return (d.images / 8.0 - 1.0).astype(np.float32)[..., None], d.target


def _small_model():
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Flatten()(inputs)
    x = keras.layers.Dense(5, activation="tanh", name="hidden",
                           kernel_initializer=keras.initializers.GlorotUniform(seed=1))(x)
    outputs = keras.layers.Dense(2, name="head")(x)
    return keras.Model(inputs, outputs, name="tiny")


def test_inception_without_weights_names_the_file_and_never_downloads(monkeypatch):
    monkeypatch.delenv(INCEPTION_WEIGHTS_ENV, raising=False)
    with pytest.raises(GanzooError, match=INCEPTION_WEIGHTS_FILE) as info:
        inception_v3()
    assert INCEPTION_WEIGHTS_ENV in str(info.value)


def test_inception_with_a_missing_file_names_the_path(monkeypatch, tmp_path):
    missing = str(tmp_path / "nowhere.h5")
    monkeypatch.setenv(INCEPTION_WEIGHTS_ENV, missing)
    with pytest.raises(GanzooError, match="nowhere.h5") as info:
        inception_v3()
    assert INCEPTION_WEIGHTS_FILE in str(info.value)
    # A directory without the file: the expected file inside it is named.
    with pytest.raises(GanzooError, match=os.path.join(str(tmp_path), INCEPTION_WEIGHTS_FILE)):
        inception_v3(weights=tmp_path)


@pytest.mark.slow
def test_inception_loads_local_weights_and_gives_2048_features(tmp_path):
    reference = keras.applications.InceptionV3(include_top=False, pooling="avg", weights=None,
                                               input_shape=(299, 299, 3))
    path = str(tmp_path / "inception.weights.h5")
    reference.save_weights(path)
    extractor = inception_v3(weights=path)
    images = np.random.default_rng(0).uniform(-1, 1, size=(2, 16, 16, 1)).astype(np.float32)
    features = extractor(images)
    assert extractor.name == "inception_v3" and features.shape == (2, 2048)
    import tensorflow as tf

    resized = tf.image.resize(np.repeat(images, 3, axis=-1), (299, 299))
    np.testing.assert_allclose(features, reference(resized, training=False), rtol=1e-4, atol=1e-5)


def test_from_model_returns_the_named_layer_output():
    model = _small_model()
    extractor = from_model(model, "hidden")
    x = np.random.default_rng(0).uniform(-1, 1, size=(4, 8, 8, 1)).astype(np.float32)
    w, b = model.get_layer("hidden").get_weights()
    expected = np.tanh(x.reshape(4, -1) @ w + b)
    np.testing.assert_allclose(extractor(x), expected, rtol=1e-5, atol=1e-6)
    assert extractor.name == "tiny/hidden"


def test_grayscale_images_are_repeated_for_an_rgb_model():
    inputs = keras.Input((4, 4, 3))
    outputs = keras.layers.Flatten(name="flat")(inputs)
    extractor = from_model(keras.Model(inputs, outputs), "flat")
    gray = np.random.default_rng(1).uniform(-1, 1, size=(2, 4, 4, 1)).astype(np.float32)
    np.testing.assert_array_equal(extractor(gray), np.repeat(gray, 3, axis=-1).reshape(2, -1))


def test_from_model_errors_name_the_problem():
    model = _small_model()
    with pytest.raises(GanzooError, match=r"no layer 'pool3'.*hidden"):
        from_model(model, "pool3")
    extractor = from_model(model, "hidden")
    with pytest.raises(GanzooError, match="takes 8x8 images, got 16x16"):
        extractor(np.zeros((2, 16, 16, 1), np.float32))
    with pytest.raises(GanzooError, match=r"\[-1, 1\].*127.5"):
        extractor(np.full((2, 8, 8, 1), 255.0, np.float32))


def test_get_extractor_accepts_names_objects_and_keras_models_only():
    assert get_extractor("identity").name == "identity"
    named = from_function(lambda x: np.asarray(x)[:, :1], name="first")
    assert get_extractor(named) is named
    assert get_extractor(_small_model()).name == "tiny"
    with pytest.raises(GanzooError, match="unknown extractor 'fidnet'"):
        get_extractor("fidnet")
    with pytest.raises(GanzooError, match="from_function"):
        get_extractor(lambda x: x)
    np.testing.assert_array_equal(identity()(np.ones((3, 2, 2))), np.ones((3, 4)))


def test_domain_classifier_trains_caches_and_separates_real_from_noise(tmp_path):
    x, y = _digits()
    train, test = slice(0, 1200), slice(1200, None)
    extractor = domain_classifier(x[train], y[train], cache_dir=tmp_path, epochs=8)
    assert extractor.trained and os.path.isfile(extractor.cache_path)
    assert extractor.name.startswith("domain_classifier/digits/8x8x1/")
    accuracy = np.mean(extractor.probabilities(x[test]).argmax(axis=1) == y[test])
    assert accuracy > 0.85
    features = extractor(x[test])
    assert features.shape == (597, 128)

    again = domain_classifier(x[train], y[train], cache_dir=tmp_path, epochs=8)
    assert not again.trained and again.name == extractor.name
    np.testing.assert_allclose(again(x[test]), features, rtol=1e-6)

    # FCD: held-out real digits are far closer to the training digits than uniform noise is.
    ref = FeatureStatistics(extractor=extractor.name).update(extractor(x[train]))
    real = FeatureStatistics(extractor=extractor.name).update(features)
    noise = np.random.default_rng(0).uniform(-1, 1, size=x[test].shape).astype(np.float32)
    fake = FeatureStatistics(extractor=extractor.name).update(extractor(noise))
    assert 5 * fid_from_statistics(ref, real) < fid_from_statistics(ref, fake)


def test_domain_classifier_cache_key_follows_the_data(tmp_path):
    x, y = _digits()
    a = domain_classifier(x[:200], y[:200], cache_dir=tmp_path, epochs=1)
    b = domain_classifier(x[200:400], y[200:400], cache_dir=tmp_path, epochs=1)
    assert a.cache_path != b.cache_path and a.name != b.name and b.trained


def test_domain_classifier_rejects_bad_labels(tmp_path):
    x, y = _digits()
    with pytest.raises(GanzooError, match="integer labels"):
        domain_classifier(x[:10], y[:9], cache_dir=tmp_path)
    with pytest.raises(GanzooError, match=r"\[-1, 1\]"):
        domain_classifier(x[:10] * 16, y[:10], cache_dir=tmp_path)
