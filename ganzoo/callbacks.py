"""Keras callbacks for GANs."""

from __future__ import annotations

import json
import os
import time

from absl import logging
import keras
import numpy as np
import tensorflow as tf

from ganzoo.utils import images as image_utils


class SampleGrid(keras.callbacks.Callback):
    """Saves a PNG of samples from fixed noise every ``every`` epochs.

    The same ``num`` latent vectors are used every time, so the grids show one
    set of samples evolving. Files: ``{directory}/epoch_{NNNN}.png``; 2-D point
    models get a scatter plot instead of a grid. With ``log_dir`` the grid also
    goes to TensorBoard as an image summary.

    Args:
        directory: where the PNGs go (created).
        num: samples per grid.
        seed: the fixed noise's seed.
        every: epochs between grids.
        log_dir: optional TensorBoard log directory.
    """

    def __init__(self, directory: str, num: int = 64, seed: int = 0, every: int = 1, log_dir: str | None = None):
        super().__init__()
        self.directory = directory
        self.num = int(num)
        self.seed = int(seed)
        self.every = max(1, int(every))
        self.log_dir = log_dir
        self._writer = None

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if (epoch + 1) % self.every:
            return
        samples = self.model.generate(self.num, seed=self.seed)
        path = os.path.join(self.directory, f"epoch_{epoch + 1:04d}.png")
        grid = image_utils.save_samples(path, samples)
        if self.log_dir:
            if self._writer is None:
                self._writer = tf.summary.create_file_writer(os.path.join(self.log_dir, "samples"))
            with self._writer.as_default():
                tf.summary.image("samples", grid[None], step=epoch + 1)
            self._writer.flush()


class Throughput(keras.callbacks.Callback):
    """Measures wall time and training throughput (samples per second).

    Attributes after training: ``wall_time`` (s, whole fit), ``train_time``
    (s, epochs only) and ``samples_per_second`` over the epochs after the first
    (the first pays tracing), or over all epochs when there is only one.
    """

    def __init__(self, batch_size: int):
        super().__init__()
        self.batch_size = int(batch_size)
        self.epoch_times: list[float] = []
        self.epoch_steps: list[int] = []

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.perf_counter()
        self._steps = 0

    def on_train_batch_end(self, batch, logs=None):
        self._steps = batch + 1

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_times.append(time.perf_counter() - self._epoch_start)
        self.epoch_steps.append(self._steps)

    def on_train_end(self, logs=None):
        self.wall_time = time.perf_counter() - self._start

    @property
    def samples_per_second(self) -> float:
        times, steps = self.epoch_times, self.epoch_steps
        if len(times) > 1:
            times, steps = times[1:], steps[1:]
        total = float(np.sum(times))
        return float(np.sum(steps) * self.batch_size / total) if total > 0 else 0.0


class Backup(keras.callbacks.BackupAndRestore):
    """``BackupAndRestore`` that keeps its backup, saves every ``every`` epochs and
    every ``every_steps`` steps, and resumes an interrupted epoch where it stopped.

    Re-running an interrupted ``fit`` with the same ``directory`` restores the
    weights, both optimizers' state, the epoch and the steps already done in
    it, and goes on from there, so the run ends at the uninterrupted run's
    optimizer step count. The last epoch is always backed up.

    Keras 3.15's own callback saves mid-epoch with an integer ``save_freq``
    but restores only the epoch, so the steps of the interrupted epoch ran
    twice. Here ``training_metadata.json`` also holds ``step``, the steps done
    in that epoch, and the resumed epoch ends after its remaining steps (by
    ``model.stop_training``, cleared again at the epoch's end). When the
    dataset's length is unknown (``steps_per_epoch`` unset and no known
    cardinality), the epoch length is learned from the first finished epoch
    and kept as ``epoch_steps``; an epoch-1 backup then restarts epoch 1. The data
    stream starts again from its beginning, as after any resume. The weights
    and metadata are written to temporary files and renamed, so a kill while
    saving leaves the previous backup whole.

    Args:
        directory: the backup folder (``latest.weights.h5``, ``training_metadata.json``).
        every: epochs between backups.
        every_steps: steps between backups within epochs; 0 = at epoch ends only.
        write: False restores only (a multi-worker cluster's non-chief workers).
    """

    def __init__(self, directory: str, every: int = 1, every_steps: int = 0, write: bool = True):
        super().__init__(directory, save_freq="epoch", delete_checkpoint=False)
        self.every = max(1, int(every))
        self.every_steps = max(0, int(every_steps))
        self.write = write
        self._position = (0, 0)  # (epoch, steps done in it): where a resumed run starts
        self._resumed = (0, 0)
        self._epoch_steps = None  # steps per epoch: fit's, or learned from a finished epoch
        self._epoch_start = 0
        self._since_backup = 0
        self._cut_short = False

    def on_train_begin(self, logs=None) -> None:
        super().on_train_begin(logs)  # weights, optimizer state and model._initial_epoch
        self._resumed = (0, 0)
        self._epoch_steps = self.params.get("steps")
        if os.path.exists(self._training_metadata_path):
            with open(self._training_metadata_path) as handle:
                metadata = json.load(handle)
            self._resumed = (int(metadata["epoch"]), int(metadata.get("step", 0)))
            self._epoch_steps = self._epoch_steps or metadata.get("epoch_steps")
        if self._resumed[1] and not self._epoch_steps:
            logging.warning(
                "ganzoo: the backup is %d steps into epoch %d, but the epoch length is unknown "
                "(no epoch had finished); that epoch restarts from its first step.",
                self._resumed[1], self._resumed[0] + 1,
            )
            self._resumed = (self._resumed[0], 0)
        self._position = self._resumed
        self._since_backup = 0

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self._epoch_start = self._resumed[1] if epoch == self._resumed[0] else 0
        self._position = (epoch, self._epoch_start)
        self._cut_short = False

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        epoch, done = self._position
        self._position = (epoch, self._epoch_start + batch + 1)
        self._since_backup += self._position[1] - done
        steps = self._epoch_steps
        finished = bool(steps) and self._position[1] >= steps
        if finished and self._epoch_start:
            # The resumed epoch has run the steps the interrupted run had left.
            self.model.stop_training = self._cut_short = True
        if self.every_steps and self._since_backup >= self.every_steps and not finished:
            self._save_model()  # (at an epoch's last step, on_epoch_end saves)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if self._cut_short:
            self.model.stop_training = self._cut_short = False
        self._epoch_steps = self._epoch_steps or self._position[1]
        self._position = (epoch + 1, 0)
        due = self.every_steps and self._since_backup >= self.every_steps
        if due or (epoch + 1) % self.every == 0 or epoch + 1 == self.params.get("epochs"):
            self._save_model()

    def _save_model(self) -> None:
        self._since_backup = 0
        if not self.write:
            return
        epoch, done = self._position
        steps = self._epoch_steps
        if steps and done >= steps:  # a finished epoch: resume at the next one
            epoch, done = epoch + 1, 0
        os.makedirs(self.backup_dir, exist_ok=True)
        partial = os.path.join(self.backup_dir, "partial.weights.h5")
        self.model.save_weights(partial, overwrite=True)
        os.replace(partial, self._weights_path)
        partial = self._training_metadata_path + ".partial"
        with open(partial, "w") as handle:
            json.dump({"epoch": epoch, "step": done, "epoch_steps": steps}, handle)
        os.replace(partial, self._training_metadata_path)


class Evaluate(keras.callbacks.Callback):
    """Computes sample-quality metrics during ``fit`` and logs them.

    Every ``every_n_epochs`` epochs it samples ``num_samples`` outputs from
    fixed noise, compares them with ``real`` through ``extractor`` (see
    ``ganzoo.metrics.evaluate``) and adds the numbers to the epoch's logs (so
    they reach the History, the progress bar and a ``TensorBoard`` callback
    listed after this one) as ``fid``, ``kid``, ``precision``, ``recall``,
    ``density``, ``coverage``. With ``log_dir`` they also go to TensorBoard
    under ``eval/``.

    Args:
        real: real images: an array, a ``tf.data.Dataset`` or batches.
        extractor: a ``ganzoo.metrics`` extractor (object or name).
        every_n_epochs: evaluation period.
        num_samples: generated samples per evaluation.
        metrics: any of ``fid``, ``kid``, ``pr``, ``dc``.
        seed: noise seed (the same samples' evolution is measured).
        log_dir: optional TensorBoard directory.
    """

    def __init__(self, real, extractor, every_n_epochs: int = 1, num_samples: int = 1000,
                 metrics=("fid",), seed: int = 0, log_dir: str | None = None):
        super().__init__()
        from ganzoo import metrics as metrics_lib

        self.real = np.concatenate([np.asarray(b) for b in metrics_lib.iterate_batches(real)])
        self.extractor = metrics_lib.get_extractor(extractor)
        self.every = max(1, int(every_n_epochs))
        self.num_samples = int(num_samples)
        self.metrics_names = tuple(metrics)
        self.seed = int(seed)
        self.log_dir = log_dir
        self._writer = None

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if (epoch + 1) % self.every:
            return
        from ganzoo import metrics as metrics_lib

        fake = self.model.generate(self.num_samples, seed=self.seed)
        subset = min(1000, len(self.real), len(fake))
        results = metrics_lib.evaluate(self.real, fake, self.extractor, metrics=self.metrics_names,
                                       kid_subset_size=subset, kid_num_subsets=20)
        values = {}
        for key in self.metrics_names:
            for field, value in results[key].as_dict().items():
                if field in ("fid", "kid_mean", "precision", "recall", "density", "coverage"):
                    values["kid" if field == "kid_mean" else field] = float(value)
        if logs is not None:
            logs.update(values)
        if self.log_dir:
            if self._writer is None:
                self._writer = tf.summary.create_file_writer(os.path.join(self.log_dir, "eval"))
            with self._writer.as_default():
                for name, value in values.items():
                    tf.summary.scalar(f"eval/{name}", value, step=epoch + 1)
            self._writer.flush()


class StopOnNonFinite(keras.callbacks.Callback):
    """Stops training at the first NaN or Inf in any logged metric, naming the step and metric.

    It raises ``GanzooError`` from ``on_train_batch_end``, so callbacks that run
    at the end of the epoch (the backup) never save the broken weights and the
    training script exports nothing: the last good backup stays the resume point.
    List it before ``Backup``.
    """

    def __init__(self):
        super().__init__()
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        from ganzoo.errors import GanzooError

        for name, value in (logs or {}).items():
            value = float(np.asarray(value))
            if not np.isfinite(value):
                raise GanzooError(
                    f"ganzoo: training diverged: {name} = {value} at epoch {self._epoch + 1}, "
                    f"step {batch + 1}; nothing was saved or exported from this state. Lower the "
                    "learning rates, or resume from the last backup with other settings."
                )
