"""WGAN / WGAN-GP: the penalty's value, ε ~ U[0, 1], clipping, w_distance, defaults, save/load, export."""

import numpy as np
import pytest
import scipy.stats
import tensorflow as tf
import keras

from ganzoo import losses
from ganzoo.errors import GanzooError
from ganzoo.export import save_generator
from ganzoo.models import WGAN


def tiny_wgan(**kwargs):
    return WGAN(data_shape=(2,), latent_dim=4, g_units=(16,), d_units=(16, 16), **kwargs)


def points(n=32, seed=0):
    return np.random.default_rng(seed).normal(size=(n, 2)).astype("float32")


def batches(x, batch=16):
    return tf.data.Dataset.from_tensor_slices(x).batch(batch, drop_remainder=True)


def test_gradient_penalty_matches_hand_computed_value_for_linear_critic():
    # f(x) = w·x + b has ∇f = w everywhere, so P = (‖w‖ − 1)² = (5 − 1)² for w = (3, 4).
    critic = keras.layers.Dense(1)
    critic.build((None, 2))
    critic.set_weights([np.array([[3.0], [4.0]], "float32"), np.array([7.0], "float32")])
    penalty = losses.gradient_penalty(critic, points(8, 0), points(8, 1), seed=tf.constant([1, 2]))
    np.testing.assert_allclose(penalty.numpy(), np.full(8, 16.0), rtol=1e-5)
    # A unit-norm critic is not penalised.
    critic.set_weights([np.array([[0.6], [0.8]], "float32"), np.array([0.0], "float32")])
    np.testing.assert_allclose(losses.gradient_penalty(critic, points(8), points(8, 1)).numpy(), 0.0, atol=1e-6)


def test_gradient_penalty_interpolates_with_epsilon_uniform_per_example():
    # f(x) = ½‖x‖² has ∇f(x̂) = x̂; with real = (1, 0) and fake = 0, x̂ = ε·real, so
    # P = (ε − 1)² and ε = 1 − √P recovers each example's interpolation weight.
    n = 4000
    real = np.tile(np.array([[1.0, 0.0]], "float32"), (n, 1))
    fake = np.zeros_like(real)
    penalty = losses.gradient_penalty(
        lambda x: 0.5 * tf.reduce_sum(tf.square(x), axis=1), real, fake, seed=tf.constant([3, 4])
    ).numpy()
    epsilon = 1.0 - np.sqrt(penalty)
    assert epsilon.min() >= 0.0 and epsilon.max() <= 1.0 + 1e-6
    assert scipy.stats.kstest(epsilon, "uniform").pvalue > 0.01  # a N(0, 1) draw gives ~0
    assert len(np.unique(np.round(epsilon, 6))) > n * 0.99  # one ε per example, not per batch
    weights = losses.interpolation_weights(5, 4, tf.constant([0, 1]))
    assert weights.shape == (5, 1, 1, 1)


def test_wgan_gp_training_draws_its_interpolation_weights_from_the_uniform_sampler(monkeypatch):
    drawn = []
    original = losses.interpolation_weights

    def recording(batch_size, rank, seed=None):
        weights = original(batch_size, rank, seed)
        drawn.append(weights.numpy())
        return weights

    monkeypatch.setattr(losses, "interpolation_weights", recording)
    gan = tiny_wgan()
    gan.compile(d_steps=2, run_eagerly=True)
    gan.fit(batches(points()), epochs=1, verbose=0)
    assert len(drawn) == 4  # 2 batches × 2 critic steps
    assert all(w.shape == (16, 1) and 0.0 <= w.min() and w.max() <= 1.0 for w in drawn)
    assert not np.array_equal(drawn[0], drawn[1])  # a fresh ε each critic step


def test_clipping_bounds_every_critic_weight_after_each_step():
    gan = tiny_wgan(lipschitz="clip", clip_value=0.01)
    # A large learning rate would carry weights far outside [−c, c] without the clip.
    gan.compile(g_optimizer="rmsprop", d_optimizer=keras.optimizers.RMSprop(0.5), d_steps=2)
    gan.fit(batches(points()), epochs=1, verbose=0)
    weights = np.concatenate([w.numpy().ravel() for w in gan.discriminator.trainable_weights])
    assert np.abs(weights).max() <= 0.01 + 1e-7
    assert np.isclose(np.abs(weights), 0.01).mean() > 0.5  # the clip was active
    assert "gradient_penalty" not in gan.metrics_names


def test_w_distance_is_mean_critic_on_real_minus_mean_critic_on_fake():
    gan = tiny_wgan()
    gan.compile()
    logs = gan.evaluate(batches(points(16)), verbose=0, return_dict=True)
    assert {"w_distance", "gradient_penalty", "d_loss", "g_loss"} <= set(logs)
    # One batch: d_real, d_fake are the critic's mean outputs; the Wasserstein loss is their difference.
    np.testing.assert_allclose(logs["w_distance"], logs["d_real"] - logs["d_fake"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(logs["d_adv"], -logs["w_distance"], rtol=1e-5, atol=1e-6)
    # The critic's total is the Wasserstein term plus the penalty it receives.
    np.testing.assert_allclose(logs["d_loss"], logs["d_adv"] + logs["gradient_penalty"], rtol=1e-5, atol=1e-6)
    assert logs["gradient_penalty"] > 0.0


def test_compile_defaults_are_the_papers():
    gp = tiny_wgan()
    gp.compile()
    assert gp.loss_fn.name == "wasserstein" and gp.d_steps == 5
    assert isinstance(gp.d_optimizer, keras.optimizers.Adam)
    assert np.isclose(float(gp.d_optimizer.learning_rate), 1e-4)
    assert gp.d_optimizer.beta_1 == 0.0 and gp.d_optimizer.beta_2 == 0.9 and gp.gp_weight == 10.0
    clip = tiny_wgan(lipschitz="clip")
    clip.compile()
    assert isinstance(clip.d_optimizer, keras.optimizers.RMSprop) and clip.clip_value == 0.01
    assert np.isclose(float(clip.g_optimizer.learning_rate), 5e-5)


def test_bad_options_say_what_to_do():
    with pytest.raises(GanzooError, match="batch norm"):
        tiny_wgan(critic_norm="batch")
    with pytest.raises(GanzooError, match="'gradient_penalty' or 'clip'"):
        tiny_wgan(lipschitz="spectral")


def test_dcgan_critic_has_no_batch_norm_and_trains():
    gan = WGAN(data_shape=(16, 16, 1), network="dcgan", critic_norm="layer", latent_dim=8, g_filters=8, d_filters=8)
    assert not any(isinstance(l, keras.layers.BatchNormalization) for l in gan.discriminator.layers)
    assert any(isinstance(l, keras.layers.LayerNormalization) for l in gan.discriminator.layers)
    gan.compile(d_steps=1)
    images = np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 1)).astype("float32")
    logs = gan.fit(batches(images, 8), epochs=1, verbose=0).history
    assert np.isfinite(logs["gradient_penalty"][0]) and gan.generate(2, seed=0).shape == (2, 16, 16, 1)


def test_keras_save_load_round_trips_wgan(tmp_path):
    gan = tiny_wgan(lipschitz="clip", clip_value=0.02)
    gan.compile(d_steps=3)
    gan.fit(batches(points()), epochs=1, verbose=0)
    gan.save(tmp_path / "w.keras")
    loaded = keras.models.load_model(tmp_path / "w.keras")
    assert isinstance(loaded, WGAN) and loaded.lipschitz == "clip" and loaded.clip_value == 0.02
    assert loaded.d_steps == 3 and isinstance(loaded.d_optimizer, keras.optimizers.RMSprop)
    np.testing.assert_array_equal(loaded.generate(5, seed=1), gan.generate(5, seed=1))
    loaded.fit(batches(points()), epochs=1, verbose=0)
    assert int(loaded.g_optimizer.iterations) == 4


def test_exported_2d_generator_returns_samples_of_shape_n_by_2(tmp_path):
    gan = tiny_wgan()
    served = tf.saved_model.load(save_generator(gan, str(tmp_path / "export")))
    out = served.signatures["serving_default"](z=tf.constant(gan.noise(7, seed=0)))
    assert out["samples"].shape == (7, 2)
    np.testing.assert_allclose(out["samples"].numpy(), gan.generate(7, seed=0), atol=1e-5)
