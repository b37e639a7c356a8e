"""PacGAN's packing: the Pack layer's layout, the packed discriminator, the models' switch, errors."""

import numpy as np
import pytest
import tensorflow as tf
import keras

from ganzoo import config as config_lib
from ganzoo import losses, remedies
from ganzoo.errors import GanzooError
from ganzoo.layers import Pack
from ganzoo.models import DCGAN, WGAN, VanillaGAN, vanilla


def test_pack_concatenates_consecutive_points_and_stacks_image_channels():
    points = np.arange(16, dtype="float32").reshape(8, 2)
    packed = Pack(4)(points).numpy()
    assert packed.shape == (2, 8)
    np.testing.assert_array_equal(packed[1], points[4:8].reshape(-1))  # rows 4..7 side by side
    images = np.random.default_rng(0).normal(size=(6, 4, 4, 3)).astype("float32")
    stacked = Pack(2)(images).numpy()
    assert stacked.shape == (3, 4, 4, 6)
    np.testing.assert_array_equal(stacked[2], np.concatenate([images[4], images[5]], axis=-1))
    np.testing.assert_array_equal(Pack(1)(images).numpy(), images)
    assert Pack(4).compute_output_shape((None, 2)) == (None, 8)


def test_pack_refuses_a_batch_that_is_not_a_multiple_and_a_bad_packing():
    with pytest.raises(GanzooError, match="batch of 6, which is not a multiple of 4"):
        Pack(4)(np.zeros((6, 2), "float32"))
    for bad in (0, -2, 1.5, True):
        with pytest.raises(GanzooError, match="must be a whole number >= 1"):
            Pack(bad)


def small_discriminator():
    return vanilla.build_discriminator((2,), (16, 16), maxout=False, dropout=0.0)


def test_packed_discriminator_gives_one_output_per_pack_that_depends_on_every_member():
    d = remedies.with_packing(small_discriminator(), 4)
    assert d.input_shape == (None, 2) and d.get_layer("hidden1").kernel.shape == (8, 16)
    x = np.random.default_rng(1).normal(size=(8, 2)).astype("float32")
    out = d(x).numpy()
    assert out.shape == (2, 1)
    changed = x.copy()
    changed[3] += 1.0  # the last member of pack 0
    new = d(changed).numpy()
    assert abs(new[0, 0] - out[0, 0]) > 1e-6 and new[1, 0] == pytest.approx(out[1, 0])
    assert remedies.with_packing(small_discriminator(), 1).get_layer("hidden1").kernel.shape == (2, 16)


def test_with_packing_refuses_a_discriminator_that_is_not_a_chain():
    inputs = keras.Input((2,))
    branch = keras.layers.Concatenate()([keras.layers.Dense(4)(inputs), keras.layers.Dense(4)(inputs)])
    d = keras.Model(inputs, keras.layers.Dense(1)(branch))
    with pytest.raises(GanzooError, match="put ganzoo.layers.Pack\\(2\\) after the discriminator's input"):
        remedies.with_packing(d, 2)


def point_data(n=64, batch=16):
    x = np.random.default_rng(0).normal(size=(n, 2)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(x).batch(batch, drop_remainder=True)


def test_packed_models_train_and_round_trip_through_save(tmp_path):
    gan = VanillaGAN(data_shape=(2,), latent_dim=4, g_units=(8,), d_units=(8,), maxout=False,
                     dropout=0.0, packing=4, minibatch_kernels=2, spectral_norm=True)
    names = [type(layer).__name__ for layer in gan.discriminator.layers]
    assert names[1] == "Pack" and "SpectralNorm" in names and "MinibatchDiscrimination" in names
    gan.compile(g_optimizer="adam", d_optimizer="adam", feature_matching=1.0)
    history = gan.fit(point_data(), verbose=0)
    assert np.isfinite(history.history["d_loss"][-1]) and np.isfinite(history.history["feature_matching"][-1])
    gan.save(tmp_path / "pac.keras")
    loaded = keras.models.load_model(tmp_path / "pac.keras")
    assert loaded.get_config()["packing"] == 4
    x = point_data().take(1).get_single_element().numpy()
    np.testing.assert_allclose(loaded.discriminator(x).numpy(), gan.discriminator(x).numpy(), rtol=1e-5)
    dcgan = DCGAN(image_shape=(16, 16, 1), latent_dim=4, g_filters=4, d_filters=4, packing=2)
    assert dcgan.discriminator.get_layer("down1").kernel.shape[2] == 2  # two grey images stacked
    assert dcgan.discriminator(np.zeros((4, 16, 16, 1), "float32")).shape == (2, 1)


def test_packed_gradient_penalty_takes_the_norm_over_each_pack():
    # f(pack) = w·pack with w = (1, 2, 2, 4): ∇f per pack is w, ‖w‖ = 5, P = (5 − 1)² = 16 for
    # each of the 3 packs. Per sample the norms would be √5 and √20, not 5.
    critic = keras.Sequential([keras.Input((2,)), Pack(2), keras.layers.Dense(1)])
    critic.layers[-1].set_weights([np.array([[1.0], [2.0], [2.0], [4.0]], "float32"), np.zeros(1, "float32")])
    real, fake = np.ones((6, 2), "float32"), np.zeros((6, 2), "float32")
    penalty = losses.gradient_penalty(critic, real, fake, epsilon=tf.fill([6, 1], 0.5), packing=2)
    np.testing.assert_allclose(penalty.numpy(), np.full(3, 16.0), rtol=1e-5)
    gan = WGAN(data_shape=(2,), latent_dim=4, g_units=(8,), d_units=(8,), packing=2)
    gan.compile(d_steps=2)
    logs = gan.fit(point_data(), verbose=0).history
    assert np.isfinite(logs["gradient_penalty"][-1]) and gan.get_config()["packing"] == 2


def test_config_refuses_a_batch_size_the_packing_does_not_divide():
    config = config_lib.base_config()
    config.model.name = "vanilla"
    config.model.packing = 4
    config.data.name = "mixture2d:ring8"
    config.train.batch_size = 30
    with pytest.raises(GanzooError, match="model.packing=4 must divide train.batch_size=30"):
        config_lib.validate(config)
    config.train.batch_size = 32
    config_lib.validate(config)
