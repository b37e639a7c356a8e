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


@pytest.mark.parametrize("imports", ["import keras, ganzoo", "import ganzoo, keras"])
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
