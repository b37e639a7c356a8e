"""Keras conventions a Keras 3 user relies on (issue 32): loading, losses, callbacks, export."""

import os
import subprocess
import sys

import pytest

LEGACY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "legacy")


def run_python(code: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd="/", timeout=300)


# The third: a ganzoo module that imports Keras itself, first (it once met itself half-imported).
@pytest.mark.parametrize("imports", ["import keras, ganzoo", "import ganzoo, keras", "import ganzoo.training, keras"])
def test_load_model_after_import_ganzoo_finds_the_zoo_classes(imports):
    result = run_python(
        f"{imports}\n"
        f"model = keras.models.load_model({os.path.join(LEGACY, 'dcgan.keras')!r})\n"
        "print(type(model).__name__)\n"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "DCGAN"


def test_import_ganzoo_alone_does_not_import_tensorflow():
    # Entry points set TF_ENABLE_ONEDNN_OPTS after `import ganzoo` and before TensorFlow.
    result = run_python("import sys, ganzoo\nprint(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"


# --------------------------------------------------------------------- item 2: losses

import keras  # noqa: E402
import numpy as np  # noqa: E402

import ganzoo  # noqa: E402
from ganzoo import losses  # noqa: E402
from ganzoo.errors import GanzooError  # noqa: E402
from ganzoo.models import VanillaGAN  # noqa: E402


def tiny_points_gan(**compile_kwargs):
    model = VanillaGAN(data_shape=(2,), latent_dim=4, g_units=(8,), d_units=(8,), maxout=False)
    model.compile(**compile_kwargs)
    return model


@keras.saving.register_keras_serializable(package="ganzoo_tests")
def swapped_hinge(real_outputs, fake_outputs):
    """A registered custom loss: (d_loss, g_loss) per example."""
    d = keras.ops.relu(1.0 - real_outputs[:, 0]) + keras.ops.relu(1.0 + fake_outputs[:, 0])
    return d, -fake_outputs[:, 0]


@pytest.mark.parametrize("loss, expected", [
    ("hinge", "hinge"),
    (losses.get("least_squares"), "least_squares"),
    (swapped_hinge, "swapped_hinge"),
])
def test_named_and_registered_losses_survive_save_and_load(tmp_path, loss, expected):
    model = tiny_points_gan(loss=loss)
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.loss_fn.name == expected
    if callable(loss) and not isinstance(loss, losses.GANLoss):
        real, fake = np.array([[0.5], [-2.0]], np.float32), np.array([[0.25], [1.0]], np.float32)
        np.testing.assert_allclose(loaded.loss_fn.discriminator(real, fake), [1.75, 5.0])


@pytest.mark.parametrize("loss", [
    lambda real, fake: (real[:, 0], fake[:, 0]),
    losses.get("non_saturating", label_smoothing=0.1),
])
def test_a_loss_that_cannot_be_saved_is_refused_at_save_time_in_one_line(tmp_path, loss):
    model = tiny_points_gan(loss=loss)  # compile and training accept it
    with pytest.raises(GanzooError, match="cannot be saved") as error:
        model.save(str(tmp_path / "m.keras"))
    assert "\n" not in str(error.value)


# ------------------------------------------------------- items 3 and 9: learning rates, TensorBoard

from ganzoo import callbacks as gan_callbacks  # noqa: E402


def points(n=32):
    return np.random.default_rng(0).normal(size=(n, 2)).astype("float32")


@pytest.mark.parametrize("stock", [
    keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr),
    keras.callbacks.ReduceLROnPlateau(monitor="g_loss"),
])
def test_stock_learning_rate_callbacks_name_the_gan_aware_ones(stock):
    model = tiny_points_gan()
    with pytest.raises(GanzooError, match=f"ganzoo.callbacks.GAN{type(stock).__name__}"):
        model.fit(points(), batch_size=8, epochs=1, callbacks=[stock], verbose=0)


def test_gan_scheduler_sets_both_or_either_learning_rate_and_logs_them():
    model = tiny_points_gan(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(2e-3))
    schedule = gan_callbacks.GANLearningRateScheduler(lambda epoch, lr: lr * 0.5)
    history = model.fit(points(), batch_size=8, epochs=2, callbacks=[schedule], verbose=0)
    np.testing.assert_allclose(history.history["g_learning_rate"], [5e-4, 2.5e-4], rtol=1e-6)
    np.testing.assert_allclose(history.history["d_learning_rate"], [1e-3, 5e-4], rtol=1e-6)
    only_d = gan_callbacks.GANLearningRateScheduler(lambda epoch, lr: 1e-5, optimizers=["d_optimizer"])
    model.fit(points(), batch_size=8, epochs=1, callbacks=[only_d], verbose=0)
    assert float(model.g_optimizer.learning_rate) == pytest.approx(2.5e-4)
    assert float(model.d_optimizer.learning_rate) == pytest.approx(1e-5)


def test_gan_reduce_on_plateau_lowers_both_rates_after_patience():
    model = tiny_points_gan(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
    plateau = gan_callbacks.GANReduceLROnPlateau(monitor="flat", factor=0.5, patience=2)

    class Flat(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["flat"] = 1.0

    history = model.fit(points(), batch_size=8, epochs=4, callbacks=[Flat(), plateau], verbose=0)
    # Epoch 1 sets the best value; epochs 2 and 3 wait; the third epoch halves; epoch 4 waits.
    np.testing.assert_allclose(history.history["g_learning_rate"], [1e-3, 1e-3, 5e-4, 5e-4], rtol=1e-6)
    np.testing.assert_allclose(history.history["d_learning_rate"], [1e-3, 1e-3, 5e-4, 5e-4], rtol=1e-6)


def test_tensorboard_images_and_learning_rates_share_the_scalars_steps(tmp_path):
    from tensorboard.backend.event_processing import event_accumulator

    model = VanillaGAN(data_shape=(4, 4, 1), latent_dim=4, g_units=(8,), d_units=(8,), maxout=False)
    model.compile()
    logs = str(tmp_path / "logs")
    images = np.zeros((16, 4, 4, 1), np.float32)
    model.fit(images, batch_size=8, epochs=2, verbose=0, callbacks=[
        gan_callbacks.GANLearningRateScheduler(lambda epoch, lr: lr),
        gan_callbacks.SampleGrid(str(tmp_path / "samples"), num=4, log_dir=logs),
        keras.callbacks.TensorBoard(logs),
    ])

    def steps(folder, kind, tag):
        acc = event_accumulator.EventAccumulator(os.path.join(logs, folder), size_guidance={kind: 0})
        acc.Reload()
        return [event.step for event in getattr(acc, kind.capitalize())(tag)]

    scalar_steps = steps("train", "tensors", "epoch_g_loss")
    assert scalar_steps == [0, 1]
    assert steps("train", "tensors", "epoch_g_learning_rate") == scalar_steps
    assert steps("samples", "tensors", "samples") == scalar_steps


# ------------------------------------------------- items 4 and 5: export, networks passed to GAN

import tensorflow as tf  # noqa: E402

from ganzoo.models import GAN  # noqa: E402


def test_model_export_writes_the_serving_signatures_of_save_generator(tmp_path):
    model = tiny_points_gan()
    path = str(tmp_path / "saved")
    model.export(path)
    served = tf.saved_model.load(path)
    assert set(served.signatures) == {"serving_default", "sample"}
    z = model.noise(3, seed=1)
    out = served.signatures["serving_default"](z=tf.constant(z))
    assert set(out) == {"samples"}
    np.testing.assert_allclose(out["samples"].numpy(), model.generate(3, z=z), atol=1e-6)


class SubclassedGenerator(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = keras.layers.Dense(8, activation="relu")
        self.out = keras.layers.Dense(2)

    def call(self, z, training=False):
        return self.out(self.hidden(z))


@pytest.mark.parametrize("make_generator", [
    lambda: keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(2)]),
    SubclassedGenerator,
])
def test_unbuilt_and_subclassed_networks_train_and_export(tmp_path, make_generator):
    discriminator = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
    model = GAN(make_generator(), discriminator, latent_dim=4)
    model.compile()
    before = [v.numpy().copy() for v in model.generator.trainable_variables]
    model.fit(points(), batch_size=8, epochs=1, verbose=0)
    assert any(not np.allclose(b, v.numpy()) for b, v in zip(before, model.generator.trainable_variables))
    assert model.data_shape == (2,)
    model.export(str(tmp_path / "saved"))
    served = tf.saved_model.load(str(tmp_path / "saved"))
    assert served.signatures["sample"](num=tf.constant(2), seed=tf.constant(0))["samples"].shape == (2, 2)


def test_a_generator_without_input_needs_latent_dim_and_a_network_must_be_keras():
    discriminator = keras.Sequential([keras.layers.Dense(1)])
    with pytest.raises(GanzooError, match="pass latent_dim="):
        GAN(SubclassedGenerator(), discriminator)
    with pytest.raises(GanzooError, match="the discriminator is a function; pass a Keras model"):
        GAN(SubclassedGenerator(), lambda x: x, latent_dim=4)


# ------------------------------------------------------------------ item 8: KID subsets

from ganzoo.metrics import kid_from_features  # noqa: E402


def test_kid_warns_when_every_subset_is_all_samples_and_not_otherwise():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(40, 3)), rng.normal(0.5, size=(40, 3))
    with pytest.warns(UserWarning, match="takes all 40 samples in every subset, so its std says nothing"):
        _, std = kid_from_features(real, fake, subset_size=40, num_subsets=10)
    assert std < 1e-12  # what the warning is about
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, std = kid_from_features(real, fake, subset_size=20, num_subsets=10)
    assert std > 1e-6
