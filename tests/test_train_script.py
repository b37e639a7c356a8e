"""The train/sample/export scripts: outputs, resume, refusal to overwrite, config errors."""

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from ganzoo import callbacks
from ganzoo import train as train_lib
from ganzoo.errors import GanzooError
from repo_files import load_file

ROOT = pathlib.Path(__file__).resolve().parents[1]


def load_config(name="dcgan_digits"):
    return load_file(f"configs/{name}.py").get_config()


def tiny_config():
    config = load_config()
    config.model.latent_dim = 8
    config.model.g_filters = 8
    config.model.d_filters = 8
    config.data.image_size = 16
    config.train.epochs = 2
    config.train.steps_per_epoch = 2
    config.train.batch_size = 16
    config.train.num_samples = 4
    return config


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("run"))
    metrics = train_lib.train(tiny_config(), workdir, verbose=0)
    return workdir, metrics


def test_train_writes_every_output(finished_run):
    workdir, metrics = finished_run
    for name in ("config.json", "metrics.json", "checkpoints/model.keras", "saved_model/saved_model.pb"):
        assert os.path.exists(os.path.join(workdir, name)), name
    assert sorted(os.listdir(os.path.join(workdir, "samples"))) == ["epoch_0001.png", "epoch_0002.png"]
    assert os.listdir(os.path.join(workdir, "logs"))
    assert os.listdir(os.path.join(workdir, "checkpoints", "backup"))
    assert metrics["steps"] == 4 and metrics["samples_per_second"] > 0
    assert set(metrics["final"]) == {"d_loss", "g_loss", "d_real", "d_fake"}
    saved = json.load(open(os.path.join(workdir, "metrics.json")))
    assert saved["steps"] == 4 and saved["resumed"] is False


def test_saved_model_serves_the_trained_generator(finished_run):
    workdir, _ = finished_run
    from ganzoo.utils.runs import load_model

    model = load_model(os.path.join(workdir, "checkpoints", "model.keras"))
    serving = tf.saved_model.load(os.path.join(workdir, "saved_model")).signatures["serving_default"]
    z = model.noise(3, seed=5)
    np.testing.assert_allclose(serving(z=tf.constant(z))["images"].numpy(), model.generate(0, z=z), atol=1e-5)


def test_finished_workdir_is_refused_without_overwrite(finished_run, tmp_path):
    workdir, _ = finished_run
    with pytest.raises(GanzooError, match="already holds a finished run.*--overwrite"):
        train_lib.train(tiny_config(), workdir, verbose=0)


def test_overwrite_replaces_a_finished_run(tmp_path):
    config = tiny_config()
    config.train.epochs = 1
    train_lib.train(config, str(tmp_path), verbose=0)
    (tmp_path / "keep.txt").write_text("user file")
    metrics = train_lib.train(config, str(tmp_path), overwrite=True, verbose=0)
    assert metrics["steps"] == 2 and (tmp_path / "keep.txt").exists()
    assert sorted(os.listdir(tmp_path / "samples")) == ["epoch_0001.png"]


def test_interrupted_run_resumes_from_its_last_checkpoint(tmp_path, monkeypatch):
    class Killed(Exception):
        pass

    def die_after_first_epoch(self, epoch, logs=None):
        raise Killed()

    monkeypatch.setattr(callbacks.Throughput, "on_epoch_end", die_after_first_epoch)
    with pytest.raises(Killed):
        train_lib.train(tiny_config(), str(tmp_path), verbose=0)
    assert not (tmp_path / "metrics.json").exists()
    monkeypatch.undo()
    metrics = train_lib.train(tiny_config(), str(tmp_path), verbose=0)
    # Epoch 1 came from the backup; only epoch 2 ran again: 2 + 2 generator steps in all.
    assert metrics["resumed"] is True and metrics["steps"] == 4
    assert sorted(os.listdir(tmp_path / "samples")) == ["epoch_0001.png", "epoch_0002.png"]


KILL_AT_STEP_SCRIPT = """
import os, signal, sys
sys.path.insert(0, {tests!r})
from test_train_script import tiny_config
from ganzoo import callbacks, train

def kill_at_step(self, batch, logs=None):  # after the backup callback has seen this step
    if batch + 1 == {kill_step}:
        os.kill(os.getpid(), signal.SIGKILL)

callbacks.Throughput.on_train_batch_end = kill_at_step
config = tiny_config()
config.train.update({overrides!r})
train.train(config, {workdir!r}, verbose=0)
"""


STEP_BACKUPS = dict(epochs=2, steps_per_epoch=10, backup_every_steps=3)


def resume_and_check_step_count(workdir, overrides):
    config = tiny_config()
    config.train.update(overrides)
    metrics = train_lib.train(config, str(workdir), verbose=0)
    # Keras' BackupAndRestore alone would run the backed-up steps of epoch 1 twice.
    assert metrics["resumed"] is True and metrics["steps"] == 2 * 10
    from ganzoo.utils.runs import load_model

    model = load_model(str(workdir / "checkpoints" / "model.keras"))
    assert int(model.g_optimizer.iterations.numpy()) == 2 * 10
    assert np.isfinite(model.generate(2, seed=0)).all()


@pytest.mark.slow
def test_run_sigkilled_mid_epoch_resumes_from_its_step_backup_to_the_same_step_count(tmp_path):
    # 2 epochs of 10 steps, a backup every 3 steps (at steps 3 and 6), SIGKILL at step 7 of epoch 1.
    script = KILL_AT_STEP_SCRIPT.format(tests=str(ROOT / "tests"), kill_step=7, overrides=STEP_BACKUPS,
                                        workdir=str(tmp_path))
    killed = run_cli("-c", script)
    assert killed.returncode == -9, killed.stderr[-2000:]
    metadata = callbacks.Backup.read_metadata(str(tmp_path / "checkpoints" / "backup"))
    assert metadata == {"epoch": 0, "step": 6, "epoch_steps": 10}
    resume_and_check_step_count(tmp_path, STEP_BACKUPS)


def test_interrupted_multi_step_run_resumes_mid_epoch_to_the_same_step_count(tmp_path, monkeypatch):
    # Two steps per execution: callbacks see steps 2, 4, 6, ...; backups every 3 steps
    # land at steps 4 and 8. Interrupted after step 6, the run resumes at step 4.
    class Killed(Exception):
        pass

    def die_at_step_6(self, batch, logs=None):
        if batch + 1 == 6:
            raise Killed()

    overrides = dict(STEP_BACKUPS, steps_per_execution=2)
    config = tiny_config()
    config.train.update(overrides)
    monkeypatch.setattr(callbacks.Throughput, "on_train_batch_end", die_at_step_6)
    with pytest.raises(Killed):
        train_lib.train(config, str(tmp_path), verbose=0)
    monkeypatch.undo()
    metadata = callbacks.Backup.read_metadata(str(tmp_path / "checkpoints" / "backup"))
    assert metadata == {"epoch": 0, "step": 4, "epoch_steps": 10}
    resume_and_check_step_count(tmp_path, overrides)


def test_negative_backup_every_steps_is_refused(tmp_path):
    config = tiny_config()
    config.train.backup_every_steps = -1
    with pytest.raises(GanzooError, match=r"train.backup_every_steps=-1 must be 0 .* or a positive"):
        train_lib.train(config, str(tmp_path), verbose=0)


def test_interrupted_run_with_another_config_is_refused(tmp_path, monkeypatch):
    (tmp_path / "config.json").write_text(json.dumps({"model": {"name": "other"}}))
    with pytest.raises(GanzooError, match="different config"):
        train_lib.train(tiny_config(), str(tmp_path), verbose=0)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda c: setattr(c.data, "image_size", 24), "DCGAN image size 24x24 is not supported"),
        (lambda c: setattr(c.data, "name", "mnist"), "unknown dataset 'mnist'"),
        (lambda c: setattr(c.model, "name", "stylegan"), "unknown model 'stylegan'"),
        (lambda c: setattr(c.train, "epochs", 0), "train.epochs=0 must be at least 1"),
        (lambda c: setattr(c.train, "loss", "hingeloss"), "unknown loss 'hingeloss'"),
        (lambda c: setattr(c, "strategy", "horovod"), "unknown strategy 'horovod'"),
        (lambda c: c.train.update(g_optimizer=dict(name="adamm")), "not a Keras optimizer"),
        # Issue 22: every numeric key's range, naming the key.
        (lambda c: c.train.update(g_optimizer=dict(name="adam", learning_rate=0.0)),
         r"train.g_optimizer.learning_rate=0.0 must be positive"),
        (lambda c: c.train.update(d_optimizer=dict(name="adam", learning_rate=-2e-4)),
         r"train.d_optimizer.learning_rate=-0.0002 must be positive"),
        (lambda c: setattr(c.model, "latent_dim", 0), r"model.latent_dim=0 must be at least 1"),
        (lambda c: setattr(c.model, "g_filters", -8), r"model.g_filters=-8 must be at least 1"),
        (lambda c: setattr(c.train, "num_samples", 0), r"train.num_samples=0 must be at least 1"),
        (lambda c: setattr(c, "seed", -1), r"seed=-1 must be a whole number from 0 to 2\*\*32 - 1"),
        (lambda c: setattr(c.data, "image_size", -16), r"data.image_size=-16 must be at least 1"),
        (lambda c: c.train.update(batch_size=4096, steps_per_epoch=0),
         r"train.batch_size=4096 is larger than dataset 'digits', so an epoch has 0 steps"),
    ],
)
def test_bad_config_values_fail_before_training(tmp_path, change, message):
    config = tiny_config()
    config.unlock()
    change(config)
    with pytest.raises(GanzooError, match=message):
        train_lib.train(config, str(tmp_path / "run"), verbose=0)
    # Nothing is left behind, so fixing the value and re-running just works.
    assert not (tmp_path / "run" / "config.json").exists()


def test_unknown_model_key_names_the_known_keys(tmp_path):
    config = tiny_config()
    config.model.unlock()
    config.model.filters = 3
    with pytest.raises(GanzooError, match="model has unknown key.*filters.*known keys are.*g_filters"):
        train_lib.train(config, str(tmp_path), verbose=0)


def run_cli(*args, cwd=ROOT):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize(
    "override, message",
    [
        ("--config.train.epochz=3", "epochz"),
        ("--config.train.epochs=three", "three"),
    ],
)
def test_cli_rejects_unknown_key_and_wrong_type_in_one_message(override, message, tmp_path):
    result = run_cli("-m", "ganzoo.train", "--config=configs/dcgan_digits.py", f"--workdir={tmp_path}", override)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_cli_train_sample_export_and_saved_model_cli(tmp_path):
    workdir = tmp_path / "run"
    result = run_cli(
        "-m", "ganzoo.train", "--config=configs/dcgan_digits.py", f"--workdir={workdir}",
        "--config.train.epochs=1", "--config.train.steps_per_epoch=2", "--config.train.batch_size=8",
        "--config.model.g_filters=8", "--config.model.d_filters=8",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    again = run_cli("-m", "ganzoo.train", "--config=configs/dcgan_digits.py", f"--workdir={workdir}")
    assert again.returncode != 0 and "--overwrite" in again.stderr and "Traceback" not in again.stderr

    grid = tmp_path / "grid.png"
    result = run_cli("-m", "ganzoo.sample", f"--workdir={workdir}", "--num=16", f"--out={grid}")
    assert result.returncode == 0, result.stderr[-2000:]
    image = tf.io.decode_png(tf.io.read_file(str(grid)))
    assert image.shape[0] > 4 * 32 and image.shape[2] == 1

    export_dir = tmp_path / "export"
    result = run_cli("-m", "ganzoo.export", f"--workdir={workdir}", f"--export_dir={export_dir}")
    assert result.returncode == 0, result.stderr[-2000:]
    refused = run_cli("-m", "ganzoo.export", f"--workdir={workdir}", f"--export_dir={export_dir}")
    assert refused.returncode != 0 and "already exists" in refused.stderr

    np.save(tmp_path / "z.npy", np.random.default_rng(0).normal(size=(4, 100)).astype(np.float32))
    out = tmp_path / "out"
    result = subprocess.run(
        ["saved_model_cli", "run", "--dir", str(export_dir), "--tag_set", "serve",
         "--signature_def", "serving_default", "--inputs", f"z={tmp_path / 'z.npy'}", "--outdir", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert np.load(out / "images.npy").shape == (4, 32, 32, 1)


@pytest.mark.slow
def test_two_seeded_deterministic_runs_in_one_process_have_identical_weights(tmp_path):
    # In a subprocess: op determinism is process-wide and cannot be switched off again.
    script = f"""
import json, sys
sys.path.insert(0, {str(ROOT / 'tests')!r})
from test_train_script import tiny_config
from ganzoo import train
config = tiny_config()
config.train.deterministic = True
hashes = [train.train(config, {str(tmp_path)!r} + f"/{{i}}", verbose=0)["weights_hash"] for i in range(2)]
config.seed = 1
hashes.append(train.train(config, {str(tmp_path)!r} + "/2", verbose=0)["weights_hash"])
print(json.dumps(hashes))
"""
    result = run_cli("-c", script)
    assert result.returncode == 0, result.stderr[-2000:]
    first, second, other_seed = json.loads(result.stdout.strip().splitlines()[-1])
    assert first == second
    assert other_seed != first


def test_nan_loss_stops_training_naming_step_and_metric_and_exports_nothing(tmp_path):
    config = tiny_config()
    config.train.g_optimizer = dict(name="adam", learning_rate=1e30)
    config.train.d_optimizer = dict(name="adam", learning_rate=1e30)
    with pytest.raises(GanzooError, match=r"training diverged: \w+ = (nan|inf|-inf) at epoch 1, step \d+"):
        train_lib.train(config, str(tmp_path), verbose=0)
    assert not (tmp_path / "saved_model").exists()
    assert not (tmp_path / "metrics.json").exists()


def test_unwritable_workdir_fails_before_training(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the workdir should be")
    with pytest.raises(GanzooError, match="cannot write to workdir"):
        train_lib.train(tiny_config(), str(blocker / "run"), verbose=0)


@pytest.mark.slow
def test_run_killed_with_sigkill_resumes_to_the_same_step_count(tmp_path):
    import signal
    import time

    workdir = tmp_path / "run"
    args = [
        sys.executable, "-m", "ganzoo.train", "--config=configs/dcgan_digits.py", f"--workdir={workdir}",
        "--config.train.epochs=3", "--config.train.steps_per_epoch=15", "--config.train.batch_size=16",
        "--config.model.g_filters=8", "--config.model.d_filters=8", "--config.model.latent_dim=8",
        "--config.data.image_size=16",
    ]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    backups = str(workdir / "checkpoints" / "backup")
    deadline = time.time() + 240
    while not callbacks.Backup.backups(backups) and process.poll() is None and time.time() < deadline:
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert callbacks.Backup.backups(backups) and not (workdir / "metrics.json").exists(), \
        "killed too late or never backed up"

    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    metrics = json.loads((workdir / "metrics.json").read_text())
    assert metrics["resumed"] is True
    assert metrics["steps"] == 3 * 15  # the uninterrupted run's count
    from ganzoo.utils.runs import load_model

    assert load_model(str(workdir / "checkpoints" / "model.keras")).generate(2, seed=0).shape == (2, 16, 16, 1)


def test_reuse_fakes_is_a_config_key_and_lapgan_refuses_it():
    from ganzoo import config as config_lib
    from ganzoo import models

    train = dict(config_lib.TRAIN_DEFAULTS, reuse_fakes=True)

    gan = models.DCGAN(image_shape=(16, 16, 1), latent_dim=8, g_filters=8, d_filters=8)
    train_lib.compile_model(gan, train)
    assert gan.reuse_fakes is True
    lapgan = models.LAPGAN(image_shape=(16, 16, 1), levels=2, g_units=8, d_units=8, g_filters=4, d_filters=4)
    with pytest.raises(GanzooError, match="reuse_fakes"):
        train_lib.compile_model(lapgan, train)
