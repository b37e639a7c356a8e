"""MinibatchDiscrimination against numpy; SpectralNorm against the SVD; both survive save/load."""

import numpy as np
import tensorflow as tf
import keras

from ganzoo import remedies
from ganzoo.layers import MinibatchDiscrimination, SpectralNorm
from ganzoo.models import GAN, vanilla


def numpy_minibatch(x, kernel, b, c, include_self):
    m = (x @ kernel).reshape(len(x), b, c)
    l1 = np.abs(m[:, None] - m[None, :]).sum(-1)  # [n, n, B]
    o = np.exp(-l1).sum(1) - (0.0 if include_self else 1.0)
    return np.concatenate([x, o], axis=1)


def test_minibatch_discrimination_matches_numpy():
    x = np.random.default_rng(0).normal(size=(6, 4)).astype("float32")
    for include_self in (False, True):
        layer = MinibatchDiscrimination(num_kernels=3, kernel_dim=2, include_self=include_self)
        out = layer(x).numpy()
        assert out.shape == (6, 7)
        want = numpy_minibatch(x, layer.kernel.numpy(), 3, 2, include_self)
        np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)


def test_minibatch_output_changes_when_the_batch_is_copies_of_one_sample():
    layer = MinibatchDiscrimination(num_kernels=4, kernel_dim=3, kernel_initializer="ones")
    spread = np.random.default_rng(1).normal(scale=3.0, size=(8, 5)).astype("float32")
    copies = np.repeat(spread[:1], 8, axis=0)
    o_copies = layer(copies).numpy()[:, 5:]
    o_spread = layer(spread).numpy()[:, 5:]
    np.testing.assert_allclose(o_copies, 7.0, rtol=1e-6)  # n − 1 identical neighbours
    assert o_spread.mean() < 1.0 and o_spread.max() < 3.5  # spread samples see few close neighbours
    assert not np.allclose(layer(copies).numpy()[0], layer(np.concatenate([copies[:1], spread[1:]])).numpy()[0])


def test_minibatch_layer_config_round_trips():
    layer = MinibatchDiscrimination(num_kernels=5, kernel_dim=2, include_self=True, name="mbd")
    clone = MinibatchDiscrimination.from_config(layer.get_config())
    assert (clone.num_kernels, clone.kernel_dim, clone.include_self) == (5, 2, True)


def small_gan(discriminator):
    return GAN(vanilla.build_generator((2,), 4, (16,)), discriminator, seed=0)


def small_d():
    return vanilla.build_discriminator((2,), (16, 16), maxout=False, dropout=0.0)


def test_gan_with_minibatch_discriminator_saves_and_loads(tmp_path):
    gan = small_gan(remedies.with_minibatch_discrimination(small_d(), num_kernels=4, kernel_dim=3))
    assert any(isinstance(l, MinibatchDiscrimination) for l in gan.discriminator.layers)
    gan.compile(g_optimizer="adam", d_optimizer="adam", label_smoothing=0.1)
    x = np.random.default_rng(0).normal(size=(32, 2)).astype("float32")
    gan.fit(tf.data.Dataset.from_tensor_slices(x).batch(16), verbose=0)
    gan.save(tmp_path / "mbd.keras")
    loaded = keras.models.load_model(tmp_path / "mbd.keras")
    np.testing.assert_allclose(loaded.discriminator(x[:8]).numpy(), gan.discriminator(x[:8]).numpy(), rtol=1e-6)
    np.testing.assert_array_equal(loaded.generate(3, seed=0), gan.generate(3, seed=0))


def test_spectral_norm_divides_by_the_largest_singular_value_and_keeps_the_kernel():
    dense = keras.layers.Dense(3, use_bias=False)
    layer = SpectralNorm(dense)
    x = np.random.default_rng(0).normal(size=(4, 5)).astype("float32")
    layer(x)
    kernel = dense.kernel.numpy().copy()
    for _ in range(30):  # power iteration converges to σ_max
        out = layer(x, training=True).numpy()
    sigma = np.linalg.svd(kernel, compute_uv=False)[0]
    np.testing.assert_allclose(out, x @ kernel / sigma, rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(dense.kernel.numpy(), kernel)  # unlike keras.layers.SpectralNormalization


def test_spectral_norm_gradient_flows_through_sigma():
    dense = keras.layers.Dense(1, use_bias=False)
    layer = SpectralNorm(dense)
    x = np.ones((1, 2), "float32")
    layer(x)
    dense.kernel.assign([[3.0], [4.0]])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(layer(x, training=True))  # = (3 + 4) / 5 for a [2, 1] kernel
    grad = tape.gradient(y, dense.kernel).numpy().ravel()
    w = np.array([3.0, 4.0])
    # d/dw (1·w / ‖w‖) = 1/‖w‖ − (1·w) w / ‖w‖³
    np.testing.assert_allclose(grad, 1 / 5 - 7 * w / 125, rtol=1e-4)


def test_spectrally_normalized_gan_saves_and_loads(tmp_path):
    d = remedies.spectral_normalize(small_d())
    assert sum(isinstance(l, SpectralNorm) for l in d.layers) == 3
    gan = small_gan(d)
    gan.compile(g_optimizer="adam", d_optimizer="adam")
    x = np.random.default_rng(0).normal(size=(32, 2)).astype("float32")
    gan.fit(tf.data.Dataset.from_tensor_slices(x).batch(16), verbose=0)
    gan.save(tmp_path / "sn.keras")
    loaded = keras.models.load_model(tmp_path / "sn.keras")
    np.testing.assert_allclose(loaded.discriminator(x[:4]).numpy(), gan.discriminator(x[:4]).numpy(), rtol=1e-5)
