"""BestCheckpoint: the best-evaluated weights are what fit leaves, early stop, resume, EMA; train.eval_every."""

import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo import callbacks
from ganzoo.errors import GanzooError
from ganzoo.models import DCGAN


def tiny_gan(ema: bool = False) -> DCGAN:
    keras.utils.set_random_seed(0)
    gan = DCGAN(image_shape=(16, 16, 1), latent_dim=4, g_filters=4, d_filters=4)
    g_optimizer = keras.optimizers.Adam(1e-2, beta_1=0.5, use_ema=ema, ema_momentum=0.5,
                                        ema_overwrite_frequency=None)
    # Eager: a 2-step epoch of this model runs faster than tracing it.
    gan.compile(g_optimizer=g_optimizer, d_optimizer=keras.optimizers.Adam(1e-2, beta_1=0.5), run_eagerly=True)
    return gan


def images() -> tf.data.Dataset:
    x = np.random.default_rng(0).uniform(-1, 1, (16, 16, 16, 1)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(x).batch(16)  # 1 step an epoch


class Scripted(callbacks.BestCheckpoint):
    """Reports the given values in turn instead of measuring, so the best epoch is known."""

    def __init__(self, values, **kwargs):
        super().__init__(np.zeros((4, 16, 16, 1), np.float32), "identity", **kwargs)
        self.values = list(values)

    def measure(self):
        return {self.monitor: self.values.pop(0)}


class Snapshots(keras.callbacks.Callback):
    """G's weights at every epoch end (its moving average, when on: what export would write)."""

    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        with callbacks.averaged_generator(self.model):
            self.weights.append([w.numpy().copy() for w in self.model.generator.weights])


def same(a, b) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize("ema", [False, True])
def test_best_checkpoint_restores_the_best_weights_not_the_last(tmp_path, ema):
    gan, snapshots = tiny_gan(ema), Snapshots()
    best = Scripted([5.0, 1.0, 3.0, 4.0], directory=str(tmp_path))
    gan.fit(images(), epochs=4, callbacks=[snapshots, best], verbose=0)
    final = [w.numpy() for w in gan.generator.weights]
    assert best.restored and best.best == 1.0 and best.best_epoch == 2
    assert same(final, snapshots.weights[1])          # epoch 2's (averaged) generator
    assert not same(final, snapshots.weights[3])      # not the last one
    assert gan.step_count() == 4                      # the run's step count is kept
    assert [p["epoch"] for p in best.curve] == [1, 2, 3, 4] and best.curve[1]["step"] == 2
    record = json.load(open(tmp_path / "best.json"))
    assert record["best"] == 1.0 and record["best_epoch"] == 2 and len(record["curve"]) == 4


def test_early_stop_after_patience_evaluations_and_keep_best_false_leaves_the_last_weights(tmp_path):
    gan, snapshots = tiny_gan(), Snapshots()
    best = Scripted([3.0, 2.0, 2.5, 2.4, 1.0], directory=str(tmp_path), patience=2, restore=False)
    history = gan.fit(images(), epochs=5, callbacks=[snapshots, best], verbose=0)
    assert len(history.history["d_loss"]) == 4 and best.stopped_epoch == 4
    assert best.best_epoch == 2 and history.history["best_fid"] == [3.0, 2.0, 2.0, 2.0]
    assert not best.restored and same([w.numpy() for w in gan.generator.weights], snapshots.weights[3])


@pytest.mark.slow
def test_every_n_epochs_and_a_resumed_fit_keeps_the_best_so_far(tmp_path):
    gan, snapshots = tiny_gan(), Snapshots()
    first = Scripted([1.0], directory=str(tmp_path), every_n_epochs=2)
    gan.fit(images(), epochs=2, callbacks=[snapshots, first], verbose=0)
    assert [p["epoch"] for p in first.curve] == [2] and first.best_epoch == 2
    # A resumed run (a new callback on the same directory) that never beats 1.0 ends on epoch 2's weights.
    resumed = Scripted([1.5], directory=str(tmp_path), every_n_epochs=2)
    gan.fit(images(), epochs=4, initial_epoch=2, callbacks=[resumed], verbose=0)
    assert resumed.best == 1.0 and resumed.best_epoch == 2 and [p["epoch"] for p in resumed.curve] == [2, 4]
    assert same([w.numpy() for w in gan.generator.weights], snapshots.weights[1])


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:ganzoo.metrics. KID subset_size")
def test_best_checkpoint_measures_kid_on_real_samples(tmp_path):
    gan = tiny_gan()
    real = np.random.default_rng(1).uniform(-1, 1, (32, 16, 16, 1)).astype("float32")
    best = callbacks.BestCheckpoint(real, "identity", monitor="kid", num_samples=32, directory=str(tmp_path),
                                    log_dir=str(tmp_path / "logs"))
    history = gan.fit(images(), epochs=1, callbacks=[best], verbose=0)
    assert np.isfinite(history.history["kid"][0]) and best.best == history.history["kid"][0]
    assert os.listdir(tmp_path / "logs" / "eval")  # the curve in TensorBoard


def test_best_checkpoint_refuses_a_metric_where_higher_is_better():
    with pytest.raises(GanzooError, match="monitor='precision'; choose one of fid, kid"):
        callbacks.BestCheckpoint(np.zeros((4, 16, 16, 1)), "identity", monitor="precision")


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:ganzoo.metrics. KID subset_size")
def test_train_script_keeps_the_best_evaluation_and_records_its_curve(tmp_path, monkeypatch):
    from ganzoo import evaluate as evaluate_lib
    from ganzoo import train as train_lib

    from test_train_script import tiny_config

    monkeypatch.setattr(evaluate_lib, "make_extractor", lambda kind, name, options: "identity")  # no classifier
    config = tiny_config()
    config.train.epochs = 3
    config.train.eval_every = 1
    config.train.eval_samples = 32
    config.train.eval_metric = "kid"
    metrics = train_lib.train(config, str(tmp_path), verbose=0)
    evaluation = metrics["evaluation"]
    curve = [point["kid"] for point in evaluation["curve"]]
    assert [point["epoch"] for point in evaluation["curve"]] == [1, 2, 3] and evaluation["restored"]
    assert evaluation["best"] == {"epoch": int(np.argmin(curve)) + 1, "kid": min(curve)}
    assert metrics["weights"].startswith(f"best: kid {min(curve):.4g} at epoch")
    assert json.load(open(tmp_path / "metrics.json"))["evaluation"] == json.loads(json.dumps(evaluation))
    # The protocol the curve was measured under (issue 25): the held-out split, the counts, the network.
    protocol = evaluation["protocol"]
    assert protocol["reference"] == {"source": config.data.name, "split": "test", "count": 32}
    assert (protocol["n_real"], protocol["n_fake"], protocol["extractor"]) == (32, 32, "identity")
    assert os.path.exists(tmp_path / "checkpoints" / "best" / "best.weights.h5")
    assert os.listdir(tmp_path / "logs" / "eval")
