"""MaxFeatureMap: the element-wise max of the two channel halves; serializable; clear error on odd widths."""

import numpy as np
import pytest
import keras

from ganzoo.errors import GanzooError
from ganzoo.layers.max_feature_map import MaxFeatureMap


def test_max_feature_map_keeps_the_larger_of_each_channel_pair():
    x = np.random.default_rng(0).normal(size=(2, 3, 3, 6)).astype("float32")
    out = MaxFeatureMap()(x).numpy()
    assert out.shape == (2, 3, 3, 3)
    np.testing.assert_array_equal(out, np.maximum(x[..., :3], x[..., 3:]))


def test_max_feature_map_on_dense_features_and_another_axis():
    x = np.arange(8, dtype="float32").reshape(2, 4)
    np.testing.assert_array_equal(MaxFeatureMap()(x).numpy(), [[2, 3], [6, 7]])
    np.testing.assert_array_equal(MaxFeatureMap(axis=0)(x).numpy(), [[4, 5, 6, 7]])


def test_odd_channel_count_is_a_clear_error():
    with pytest.raises(GanzooError, match="even number of channels"):
        MaxFeatureMap()(np.zeros((1, 5), "float32"))


def test_model_with_max_feature_map_round_trips(tmp_path):
    inputs = keras.Input((4,))
    model = keras.Model(inputs, MaxFeatureMap(name="mfm")(keras.layers.Dense(6)(inputs)))
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    x = np.random.default_rng(1).normal(size=(3, 4)).astype("float32")
    np.testing.assert_allclose(loaded(x).numpy(), model(x).numpy(), atol=1e-6)
    assert isinstance(loaded.get_layer("mfm"), MaxFeatureMap)
