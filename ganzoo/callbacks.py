"""Keras callbacks for GANs."""

from __future__ import annotations

import os
import time

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
    """``BackupAndRestore`` that keeps its backup and saves every ``every`` epochs.

    Re-running an interrupted ``fit`` with the same ``directory`` restores the
    weights, both optimizers' state and the epoch, and goes on from there. The
    last epoch is always backed up.
    """

    def __init__(self, directory: str, every: int = 1, write: bool = True):
        super().__init__(directory, save_freq="epoch", delete_checkpoint=False)
        self.every = max(1, int(every))
        self.write = write  # False: restore only (a multi-worker cluster's non-chief workers)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if not self.write:
            return
        if (epoch + 1) % self.every == 0 or epoch + 1 == self.params.get("epochs"):
            super().on_epoch_end(epoch, logs)


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
