"""`.keras` files of finished runs from before the one-contract redesign still load, compiled as saved.

tests/legacy/*.keras were written by ganzoo at d17742d (tests/legacy/make_legacy.py): their compile
configs hold the remedy shorthands (feature_matching=..., balance_gamma=...) that now become
regularizer objects, and their weights the variables of the old models.
"""

import pathlib

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo.models  # noqa: F401  (registers the classes)
from ganzoo.training import BEGANBalance, FeatureMatching, GradientPenalty, PullingAway

LEGACY = pathlib.Path(__file__).parent / "legacy"
OUTPUTS = np.load(LEGACY / "outputs.npz")


def load(name):
    return keras.models.load_model(LEGACY / f"{name}.keras")


def points():
    return tf.data.Dataset.from_tensor_slices(np.random.RandomState(1).randn(8, 2).astype("float32")).batch(4)


def test_dcgan_run_loads_with_its_remedies_as_regularizers_and_trains_on():
    model = load("dcgan")
    assert model.d_steps == 2 and model.loss_fn.name == "non_saturating"
    assert [type(r) for r in model.regularizers] == [FeatureMatching, PullingAway]
    assert model.regularizers[0].weight == 0.5 and model.regularizers[1].weight == 0.1
    images = tf.data.Dataset.from_tensor_slices(np.zeros((4, 16, 16, 1), "float32")).batch(4)
    history = model.fit(images, verbose=0).history
    assert {"feature_matching", "pulling_away", "g_adv"} <= set(history)


@pytest.mark.parametrize("name", ["dcgan", "wgan_gp", "began", "srgan"])
def test_generator_weights_come_back_exactly(name):
    model = load(name)
    rng = np.random.default_rng(0)
    rng.uniform(-1, 1, (8, 16, 16, 1))  # make_legacy's draws, in its order
    rng.normal(size=(8, 2))
    z8, z2 = rng.normal(size=(3, 8)).astype("float32"), rng.normal(size=(3, 2)).astype("float32")
    inputs = {"dcgan": z8, "wgan_gp": z2, "began": z2, "srgan": OUTPUTS["srgan_lr"]}[name]
    np.testing.assert_allclose(np.asarray(model.generator(inputs)), OUTPUTS[name], atol=1e-6)


def test_wgan_gp_and_began_runs_keep_their_regularizers_and_state():
    wgan = load("wgan_gp")
    assert [type(r) for r in wgan.regularizers] == [GradientPenalty] and wgan.regularizers[0].weight == 10.0
    assert wgan.d_steps == 5 and "gradient_penalty" in wgan.fit(points(), verbose=0).history
    began = load("began")
    assert [type(r) for r in began.regularizers] == [BEGANBalance] and began.regularizers[0].gamma == 0.5
    assert float(began.k_t.value) == pytest.approx(float(OUTPUTS["began_k_t"]))
    assert {"k_t", "convergence"} <= set(began.fit(points(), verbose=0).history)


def test_lapgan_run_samples_as_before():
    model = load("lapgan")
    out = model.generate(3, z=OUTPUTS["lapgan_z"], labels=[0, 1, 2])
    np.testing.assert_allclose(out, OUTPUTS["lapgan"], atol=1e-5)
