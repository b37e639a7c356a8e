"""The GAN contract: compile, train_step, test_step, generate, save/load, clear errors."""

import numpy as np
import pytest
import tensorflow as tf
import keras

from ganzoo.errors import GanzooError
from ganzoo.models import DCGAN, GAN, VanillaGAN


def tiny_dcgan(**kwargs):
    return DCGAN(image_shape=(16, 16, 1), latent_dim=8, g_filters=8, d_filters=8, **kwargs)


def images(n=16, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, 16, 16, 1)).astype("float32")


def batches(x, batch=8):
    return tf.data.Dataset.from_tensor_slices(x).batch(batch, drop_remainder=True)


def test_fit_tracks_the_four_metrics_and_steps_both_optimizers():
    gan = tiny_dcgan()
    gan.compile(d_steps=2)
    history = gan.fit(batches(images()), epochs=1, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert all(isinstance(m, keras.metrics.Mean) for m in gan.metrics)
    assert int(gan.d_optimizer.iterations) == 4  # 2 batches x d_steps 2
    assert int(gan.g_optimizer.iterations) == 2
    assert 0.0 <= history.history["d_real"][0] <= 1.0


def test_train_step_changes_both_networks_and_evaluate_changes_neither():
    gan = tiny_dcgan()
    gan.compile()
    g0 = [w.numpy().copy() for w in gan.generator.trainable_weights]
    d0 = [w.numpy().copy() for w in gan.discriminator.trainable_weights]
    logs = gan.evaluate(batches(images()), verbose=0, return_dict=True)
    assert set(logs) == {"d_loss", "g_loss", "d_real", "d_fake", "loss"}
    assert all(np.array_equal(a, b.numpy()) for a, b in zip(g0, gan.generator.trainable_weights))
    gan.fit(batches(images()), epochs=1, verbose=0)
    assert not np.array_equal(g0[0], gan.generator.trainable_weights[0].numpy())
    assert not np.array_equal(d0[0], gan.discriminator.trainable_weights[0].numpy())


def test_validation_data_reports_val_metrics():
    gan = tiny_dcgan()
    gan.compile()
    history = gan.fit(batches(images()), validation_data=batches(images(8, 1)), epochs=1, verbose=0)
    assert "val_d_loss" in history.history and "val_g_loss" in history.history


def test_generate_is_seeded_in_range_and_shaped():
    gan = tiny_dcgan()
    a, b = gan.generate(5, seed=3), gan.generate(5, seed=3)
    assert a.shape == (5, 16, 16, 1) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert a.min() >= -1.0 and a.max() <= 1.0
    assert not np.array_equal(a, gan.generate(5, seed=4))
    np.testing.assert_allclose(gan.predict(gan.noise(5, seed=3), verbose=0), a, atol=1e-6)


def test_keras_save_load_gives_same_samples_and_training_goes_on(tmp_path):
    gan = tiny_dcgan()
    gan.compile(loss="hinge", d_steps=2)
    gan.fit(batches(images()), epochs=1, verbose=0)
    path = str(tmp_path / "m.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, DCGAN)
    np.testing.assert_array_equal(loaded.generate(4, seed=1), gan.generate(4, seed=1))
    assert loaded.loss_fn.name == "hinge" and loaded.d_steps == 2
    # Optimizer state came back too: Adam's step count and moments.
    assert int(loaded.g_optimizer.iterations) == int(gan.g_optimizer.iterations) == 2
    np.testing.assert_array_equal(
        loaded.d_optimizer.variables[-1].numpy(), gan.d_optimizer.variables[-1].numpy()
    )
    loaded.fit(batches(images()), epochs=1, verbose=0)
    assert int(loaded.g_optimizer.iterations) == 4


def test_generic_gan_round_trips_with_its_own_networks(tmp_path):
    g = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)], name="g")
    d = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)], name="d")
    gan = GAN(g, d)
    assert gan.latent_dim == 3 and gan.data_shape == (2,)
    gan.compile(g_optimizer="adam", d_optimizer="adam", loss="least_squares")
    gan.fit(tf.data.Dataset.from_tensor_slices(np.ones((8, 2), "float32")).batch(4), verbose=0)
    gan.save(tmp_path / "g.keras")
    loaded = keras.models.load_model(tmp_path / "g.keras")
    np.testing.assert_allclose(loaded.generate(3, seed=0), gan.generate(3, seed=0))


def test_labelled_batches_train_an_unconditional_gan_as_the_images_alone_would():
    x = images()
    weights = []
    for ds in (tf.data.Dataset.from_tensor_slices((x, np.arange(len(x), dtype="int32"))).batch(8),
               tf.data.Dataset.from_tensor_slices(x).batch(8)):
        keras.utils.set_random_seed(0)
        gan = tiny_dcgan()
        gan.compile()
        gan.fit(ds, epochs=1, verbose=0)
        weights.append([w.numpy() for w in gan.generator.weights + gan.discriminator.weights])
    for a, b in zip(*weights):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_fit_before_compile_says_what_to_do():
    with pytest.raises(GanzooError, match="not compiled; call model.compile"):
        tiny_dcgan().fit(batches(images()), verbose=0)


def test_compile_rejects_shared_optimizer_and_bad_d_steps():
    gan = tiny_dcgan()
    adam = keras.optimizers.Adam()
    with pytest.raises(GanzooError, match="same object"):
        gan.compile(g_optimizer=adam, d_optimizer=adam)
    with pytest.raises(GanzooError, match="d_steps=0"):
        gan.compile(d_steps=0)


def test_generate_rejects_wrong_noise_shape():
    with pytest.raises(GanzooError, match=r"expects \[n, 8\]"):
        tiny_dcgan().generate(0, z=np.zeros((2, 5), "float32"))


def test_vanilla_gan_on_points_and_paper_default_optimizer():
    gan = VanillaGAN(data_shape=(2,), latent_dim=4, g_units=(16,), d_units=(16,), pieces=2)
    gan.compile(d_steps=2)
    assert isinstance(gan.g_optimizer, keras.optimizers.SGD)
    assert float(gan.g_optimizer.momentum) == 0.5
    points = np.random.default_rng(0).normal(size=(32, 2)).astype("float32")
    gan.fit(tf.data.Dataset.from_tensor_slices(points).batch(8), verbose=0)
    assert gan.generate(7, seed=0).shape == (7, 2)


def test_reuse_fakes_runs_one_generator_forward_per_step_and_round_trips(tmp_path):
    calls = {"g": 0}
    gan = tiny_dcgan()
    original = gan.generate_fakes

    def counting(z, condition=None, training=False):
        calls["g"] += 1  # counted at trace time: forward passes in the step's graph
        return original(z, condition, training)

    gan.generate_fakes = counting
    gan.compile(reuse_fakes=True, run_eagerly=True)
    gan.fit(batches(images(8)), epochs=1, verbose=0)
    assert calls["g"] == 1
    gan.compile(reuse_fakes=False, run_eagerly=True)
    calls["g"] = 0
    gan.fit(batches(images(8)), epochs=1, verbose=0)
    assert calls["g"] == 2
    gan.compile(reuse_fakes=True)
    gan.save(tmp_path / "r.keras")
    assert keras.models.load_model(tmp_path / "r.keras").reuse_fakes is True


def test_reuse_fakes_gives_the_generator_its_gradient():
    gan = tiny_dcgan()
    gan.compile(reuse_fakes=True)
    before = [w.numpy().copy() for w in gan.generator.trainable_weights]
    gan.fit(batches(images()), epochs=1, verbose=0)
    assert all(not np.array_equal(a, w.numpy()) for a, w in zip(before, gan.generator.trainable_weights))


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_trains_with_float32_outputs_and_loss_scaling(policy, tmp_path):
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        gan = tiny_dcgan()
        gan.compile()
    finally:
        keras.config.set_dtype_policy(previous)
    scaled = isinstance(gan.g_optimizer, keras.optimizers.LossScaleOptimizer)
    assert scaled == (policy == "mixed_float16")
    history = gan.fit(batches(images()), epochs=1, verbose=0)
    assert all(np.isfinite(v[0]) for v in history.history.values())
    samples = gan.generate(3, seed=0)
    assert samples.dtype == np.float32 and np.isfinite(samples).all()
    gan.save(tmp_path / "m.keras")
    np.testing.assert_allclose(keras.models.load_model(tmp_path / "m.keras").generate(3, seed=0), samples, atol=1e-3)
