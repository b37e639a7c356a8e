"""Every model family's train and test step compiles with XLA (jit_compile=True) on CPU.

Per family, on tiny networks: two training steps with XLA and eagerly from the same weights,
noise and data give the same weights (to float tolerance, relative to the update itself) and
finite logs; the XLA test step gives the same logs. SGD, so that an update is proportional to
the gradient (Adam's normalised step would magnify rounding where a gradient is near zero).

TensorFlow's stateless random ops draw other numbers under XLA than without it (measured:
``stateless_normal`` and ``stateless_uniform``, Philox or not), so the comparison replaces them
and Keras' dropout with an integer hash that both compute exactly (``same_random_numbers``).
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo.data import photos, registry
from ganzoo.distribute import resolve_jit_compile
from ganzoo.errors import GanzooError
from ganzoo.models import (DCGAN, LAPGAN, SRGAN, WGAN, CycleGAN, FrontalizationGAN, TextToImageGAN,
                           VanillaGAN)


def hashed_uniform(shape, seed, dtype=tf.float32):
    """Uniform [0, 1) numbers from integer arithmetic (exact with and without XLA); ``seed`` [2]."""
    seed = tf.cast(seed, tf.int64) % 2147483647
    index = tf.range(tf.reduce_prod(tf.cast(shape, tf.int64)), dtype=tf.int64)
    value = (index * 48271 + seed[0] * 69621 + seed[1] * 16807 + 1) % 2147483647
    for _ in range(3):  # a few Lehmer steps mix neighbouring indices apart
        value = (value * 48271) % 2147483647
    return tf.cast(tf.reshape(tf.cast(value, tf.float64) / 2147483647.0, shape), dtype)


@pytest.fixture
def same_random_numbers(monkeypatch):
    """tf.random.stateless_uniform/normal replaced by hashed numbers, identical under XLA."""
    uniform, normal = tf.random.stateless_uniform, tf.random.stateless_normal

    def fake_uniform(shape, seed, minval=0, maxval=None, dtype=tf.float32, name=None, alg="auto_select"):
        if not tf.as_dtype(dtype).is_floating:
            return uniform(shape, seed, minval, maxval, dtype, name, alg)
        maxval = 1 if maxval is None else maxval
        return tf.cast(minval, dtype) + hashed_uniform(shape, seed, dtype) * tf.cast(maxval - minval, dtype)

    def fake_normal(shape, seed, mean=0.0, stddev=1.0, dtype=tf.float32, name=None, alg="auto_select"):
        # Box-Muller on two hashed streams.
        u1 = hashed_uniform(shape, tf.cast(seed, tf.int64) + [0, 7919]) * (1 - 1e-7) + 1e-7
        u2 = hashed_uniform(shape, tf.cast(seed, tf.int64) + [104729, 0])
        z = tf.sqrt(-2.0 * tf.math.log(u1)) * tf.cos(2.0 * np.pi * u2)
        return tf.cast(mean + stddev * z, dtype)

    def fake_dropout(x, rate, noise_shape=None, seed=None, name=None):  # Keras' Dropout calls this
        keep = fake_uniform(tf.shape(x) if noise_shape is None else noise_shape, seed, dtype=x.dtype) >= rate
        return tf.where(keep, x / tf.cast(1 - rate, x.dtype), tf.zeros_like(x))

    monkeypatch.setattr(tf.random, "stateless_uniform", fake_uniform)
    monkeypatch.setattr(tf.random, "stateless_normal", fake_normal)
    monkeypatch.setattr(tf.nn.experimental, "stateless_dropout", fake_dropout)
    yield
    assert tf.random.stateless_uniform is fake_uniform and uniform is not fake_uniform


def images(n, shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *shape)).astype("float32")


def batches(*arrays, size=4):
    return tf.data.Dataset.from_tensor_slices(arrays if len(arrays) > 1 else arrays[0]).batch(size, drop_remainder=True)


def dcgan():
    return DCGAN(image_shape=(16, 16, 1), latent_dim=8, g_filters=8, d_filters=8), batches(images(8, (16, 16, 1)))


def vanilla():
    return (VanillaGAN(data_shape=(2,), latent_dim=4, g_units=(8,), d_units=(8,), pieces=2),
            batches(images(8, (2,))))


def wgan_gp():
    return WGAN(data_shape=(2,), latent_dim=4, g_units=(8,), d_units=(8,)), batches(images(8, (2,)))


def wgan_clip():
    return (WGAN(data_shape=(2,), latent_dim=4, g_units=(8,), d_units=(8,), lipschitz="clip"),
            batches(images(8, (2,))))


def lapgan():
    return (LAPGAN(image_shape=(16, 16, 1), levels=2, coarse_latent_dim=8, g_units=16, d_units=16,
                   g_filters=4, d_filters=4), batches(images(8, (16, 16, 1))))


def srgan():
    # The in-step bicubic upsampling (residual_to_bicubic) and both phases: pre-training, then GAN steps.
    hr = images(8, (16, 16, 3))
    return (SRGAN(lr_shape=(4, 4, 3), scale=4, num_blocks=1, g_filters=8, d_filters=4, d_dense=8,
                  content_loss="mse", pretrain_steps=1, residual_to_bicubic=True),
            batches(photos.downscale(hr, 4).numpy(), hr))


def text_to_image():
    # Captions are tokenized in tf.data (fit maps the preprocessor); the step sees token ids.
    return (TextToImageGAN(image_shape=(16, 16, 3), latent_dim=8, projection_dim=8, text_dim=8, encoder_width=8,
                           g_filters=8, d_filters=8, max_length=32, text_pretrain_steps=0, tokens="words",
                           vocabulary=["a", "red", "blue", "circle", "square"]),
            registry.load("shapes", batch_size=4, image_size=16, num_examples=8, seed=0))


def frontalization():
    # The landmark patches (a gather, not CropAndResize) run in the generator's step.
    n = 8
    marks = np.tile(np.array([[12, 16], [20, 16], [16, 20], [13, 24], [19, 24]], "float32"), (n, 1, 1))
    info = {"landmarks": marks, "frontal": images(n, (32, 32, 3), 1),
            "identity": np.arange(n, dtype="int32") % 4, "yaw": np.array([0, 45] * 4, "int32")}
    return (FrontalizationGAN(image_shape=(32, 32, 3), num_identities=4, g_filters=4, local_filters=4, d_filters=4,
                              bottleneck=8, identity_filters=4, identity_steps=0),
            batches(images(n, (32, 32, 3)), info))


def cyclegan():
    return (CycleGAN(image_shape=(8, 8, 1), base_filters=4, num_blocks=1, d_filters=4, d_layers=1, pool_size=0),
            batches(images(8, (8, 8, 1)), images(8, (8, 8, 1), 1)))


def train(build, jit_compile):
    # The reference runs eagerly: the same kernels as a traced step without XLA, without the
    # tracing (4-6 s a family of the 20-35 s each takes; tf.function steps are everywhere else).
    keras.utils.set_random_seed(0)
    model, data = build()
    model.compile(g_optimizer=keras.optimizers.SGD(0.05), d_optimizer=keras.optimizers.SGD(0.05),
                  jit_compile=jit_compile, run_eagerly=not jit_compile)
    assert model.jit_compile is jit_compile  # not silently turned off
    start = np.concatenate([w.numpy().ravel() for w in model.trainable_weights])
    history = model.fit(data, epochs=1, verbose=0)
    weights = np.concatenate([w.numpy().ravel() for w in model.trainable_weights])
    evaluated = model.evaluate(data, verbose=0, return_dict=True)
    return start, weights, {k: float(v[-1]) for k, v in history.history.items()}, evaluated


def check_same_training(build):
    start, plain, plain_logs, plain_eval = train(build, False)
    start_xla, xla, xla_logs, xla_eval = train(build, True)
    np.testing.assert_array_equal(start, start_xla)
    assert all(np.isfinite(v) for v in [*xla_logs.values(), *xla_eval.values()]), xla_logs
    moved = np.abs(plain - start).max()
    assert moved > 1e-5
    # XLA fuses and reorders float32 arithmetic: the two runs agree to 1% of the update.
    assert np.abs(xla - plain).max() <= 1e-2 * moved, (np.abs(xla - plain).max(), moved)
    assert sorted(xla_logs) == sorted(plain_logs) and sorted(xla_eval) == sorted(plain_eval)
    for name in plain_eval:
        np.testing.assert_allclose(xla_eval[name], plain_eval[name], rtol=1e-3, atol=1e-4, err_msg=name)


def test_dcgan_steps_compile_with_xla_and_train_as_without_it(same_random_numbers):
    check_same_training(dcgan)


SLOW_FAMILIES = [vanilla, wgan_gp, wgan_clip, lapgan, srgan, text_to_image, frontalization, cyclegan]


@pytest.mark.slow
@pytest.mark.parametrize("build", SLOW_FAMILIES, ids=[f.__name__ for f in SLOW_FAMILIES])
def test_every_family_steps_compile_with_xla_and_train_as_without_it(build, same_random_numbers):
    check_same_training(build)


def test_jit_compile_auto_is_oneDNN_on_cpu_and_bad_values_are_refused():
    assert not tf.config.list_logical_devices("GPU") and not tf.config.list_logical_devices("TPU")
    assert resolve_jit_compile("auto") is False
    assert resolve_jit_compile(True) is True and resolve_jit_compile("false") is False
    model, _ = dcgan()
    model.compile()  # the default is "auto"
    assert model.jit_compile is False
    assert model.get_compile_config().get("jit_compile", "auto") == "auto"  # a GPU that loads it resolves again
    with pytest.raises(GanzooError, match="jit_compile='yes'"):
        resolve_jit_compile("yes")
