"""Config helpers: optimizers from plain dicts, learning-rate schedules included."""

import keras
from ml_collections import config_dict
import pytest

from ganzoo import config as config_lib
from ganzoo.errors import GanzooError

COSINE = {"class_name": "CosineDecay", "config": {"initial_learning_rate": 1e-3, "decay_steps": 10}}


def test_plain_learning_rate_builds_the_named_optimizer():
    optimizer = config_lib.make_optimizer({"name": "adam", "learning_rate": 2e-4, "beta_1": 0.5}, "g_optimizer")
    assert isinstance(optimizer, keras.optimizers.Adam)
    assert float(optimizer.learning_rate) == pytest.approx(2e-4)
    assert float(optimizer.beta_1) == pytest.approx(0.5)


@pytest.mark.parametrize("wrap", [dict, config_dict.ConfigDict])
def test_serialized_schedule_becomes_a_keras_schedule(wrap):
    spec = wrap({"name": "adam", "learning_rate": COSINE})
    optimizer = config_lib.make_optimizer(spec, "g_optimizer")
    assert isinstance(optimizer._learning_rate, keras.optimizers.schedules.CosineDecay)
    assert float(optimizer._learning_rate(0)) == pytest.approx(1e-3)
    assert float(optimizer._learning_rate(10)) == pytest.approx(0.0, abs=1e-9)


def test_schedule_without_config_names_the_expected_form():
    with pytest.raises(GanzooError, match="not a Keras learning-rate schedule.*CosineDecay"):
        config_lib.make_optimizer({"name": "adam", "learning_rate": {"class_name": "CosineDecay"}},
                                  "g_optimizer")
