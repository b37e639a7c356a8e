"""Issue 22: the scripts answer bad input with one line, and seeded runs repeat across processes.

Items 6 (two fresh processes, one weights_hash), 12 (a mistyped --config path, a config file
without get_config, a truncated --model file, sample --out=x.jpg), 13 (overriding a model
argument the config file does not set) and 14 (files Keras safe mode refuses).
"""

import json

import keras
import numpy as np
import pytest

from ganzoo import config as config_lib
from ganzoo import sample as sample_lib
from ganzoo import train as train_lib
from ganzoo.errors import GanzooError
from ganzoo.models import DCGAN
from ganzoo.utils import runs
from test_train_script import load_config, run_cli

TINY_FLAGS = [
    "--config=configs/dcgan_digits.py", "--config.train.epochs=1", "--config.train.steps_per_epoch=2",
    "--config.train.batch_size=8", "--config.model.g_filters=8", "--config.model.d_filters=8",
    "--config.model.latent_dim=8", "--config.data.image_size=16",
]


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "tiny.keras"
    DCGAN(image_shape=(16, 16, 1), latent_dim=8, g_filters=8, d_filters=8).save(str(path))
    return path


# -- 6. determinism across fresh processes ---------------------------------------------------


@pytest.mark.slow
def test_two_fresh_processes_of_one_seeded_deterministic_command_have_the_same_weights(tmp_path):
    hashes = []
    for i in range(2):
        result = run_cli("-m", "ganzoo.train", *TINY_FLAGS, "--config.train.deterministic=true",
                         f"--workdir={tmp_path / str(i)}")
        assert result.returncode == 0, result.stderr[-2000:]
        hashes.append(json.loads((tmp_path / str(i) / "metrics.json").read_text())["weights_hash"])
    assert hashes[0] == hashes[1]


# -- 12. one line for a bad path or file ------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "config, message",
    [("configs/dcgan_digitz.py", "config file 'configs/dcgan_digitz.py' does not exist"),
     ("NOGET", "has no get_config()")],
)
def test_bad_config_file_is_one_line(tmp_path, config, message):
    if config == "NOGET":
        config = str(tmp_path / "settings.py")
        (tmp_path / "settings.py").write_text("EPOCHS = 3\n")
    result = run_cli("-m", "ganzoo.train", f"--config={config}", f"--workdir={tmp_path / 'run'}")
    assert result.returncode != 0 and message in result.stderr
    assert "Traceback" not in result.stderr and "unknown config key" not in result.stderr


def test_truncated_model_file_is_called_corrupt_not_missing(tmp_path, model_file):
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(model_file.read_bytes()[: model_file.stat().st_size // 2])
    with pytest.raises(GanzooError, match=rf"model file '{truncated}' is corrupt or truncated"):
        sample_lib.sample(None, str(truncated), 4, 0, str(tmp_path / "grid.png"))
    with pytest.raises(GanzooError, match="no trained model at"):
        sample_lib.sample(None, str(tmp_path / "missing.keras"), 4, 0, str(tmp_path / "grid.png"))


def test_sample_writes_real_jpeg_for_a_jpg_name_and_refuses_other_suffixes(tmp_path, model_file):
    sample_lib.sample(None, str(model_file), 4, 0, str(tmp_path / "grid.jpg"))
    assert (tmp_path / "grid.jpg").read_bytes()[:3] == b"\xff\xd8\xff"
    sample_lib.sample(None, str(model_file), 4, 0, str(tmp_path / "grid.png"))
    assert (tmp_path / "grid.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(GanzooError, match=r"cannot write an image to '.*grid.gif'; name it .png"):
        sample_lib.sample(None, str(model_file), 4, 0, str(tmp_path / "grid.gif"))


# -- 14. Keras safe mode stays on, in one line -------------------------------------------------


def test_model_file_that_would_run_code_is_refused_in_one_line(tmp_path):
    inputs = keras.Input((2,))
    path = tmp_path / "lambda.keras"
    keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs)).save(str(path))
    with pytest.raises(GanzooError) as caught:
        runs.load_model(str(path), compile=False, tool="ganzoo.sample")
    message = str(caught.value)
    assert "\n" not in message and "Keras safe mode refuses it" in message and str(path) in message


# -- 13. a model argument the config file does not set ---------------------------------------


def test_model_argument_missing_from_the_config_file_can_be_overridden():
    config = load_config()
    argv, overrides = train_lib.split_model_overrides(["x", "--config.model.packing=2", "--config.train.epochs=1"])
    assert argv == ["x", "--config.train.epochs=1"] and overrides == {"packing": "2"}
    train_lib.apply_model_overrides(config, overrides)
    assert config.model.packing == 2
    config_lib.validate(config)
    with pytest.raises(GanzooError, match=r"unknown config key model.packinng.*takes .*packing"):
        train_lib.apply_model_overrides(load_config(), {"packinng": "2"})
    with pytest.raises(GanzooError, match=r"--config.model.packing=two: .*give a whole number"):
        train_lib.apply_model_overrides(load_config(), {"packing": "two"})


@pytest.mark.slow
def test_cli_accepts_a_model_argument_the_config_file_does_not_set(tmp_path):
    result = run_cli("-m", "ganzoo.train", *TINY_FLAGS, "--config.model.packing=2", f"--workdir={tmp_path}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads((tmp_path / "config.json").read_text())["model"]["packing"] == 2
    assert np.isfinite(json.loads((tmp_path / "metrics.json").read_text())["final"]["g_loss"])
