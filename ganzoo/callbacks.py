"""Keras callbacks for GANs."""

from __future__ import annotations

import json
import os
import shutil
import time

from absl import logging
import keras
import numpy as np
import tensorflow as tf

from ganzoo import training
from ganzoo.errors import GanzooError
from ganzoo.utils import atomic
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
        self.log_grid("samples", grid, epoch)

    def log_grid(self, name: str, grid: np.ndarray, epoch: int) -> None:
        """Writes ``grid`` to TensorBoard (with ``log_dir``) at the step of Keras' epoch scalars."""
        if not self.log_dir:
            return
        if self._writer is None:
            self._writer = tf.summary.create_file_writer(os.path.join(self.log_dir, "samples"))
        with self._writer.as_default():
            tf.summary.image(name, grid[None], step=epoch)
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
    stream starts again from its beginning, as after any resume.

    A backup is one unit: a folder ``backup-NNNNNN`` holding the weights, the
    metadata and ``manifest.json`` (their SHA-256 sums), written as
    ``.partial`` first, flushed to the disk and renamed, so a kill at any
    moment leaves the previous backup whole. The previous backup is kept until
    the next one is complete. On resume each backup, newest first, is checked
    against its manifest; a corrupt or truncated one is passed over with a
    warning. A full disk keeps the previous backup and stops the run with one
    line that says how much room it needs (``GanzooError``).

    Args:
        directory: the backup folder.
        every: epochs between backups.
        every_steps: steps between backups within epochs; 0 = at epoch ends only.
        write: False restores only (a multi-worker cluster's non-chief workers).
        keep: complete backups kept (at least 2: the newest and its fallback).
    """

    WEIGHTS = "latest.weights.h5"
    METADATA = "training_metadata.json"
    MANIFEST = "manifest.json"
    PARTIAL = ".partial"

    def __init__(self, directory: str, every: int = 1, every_steps: int = 0, write: bool = True, keep: int = 2):
        super().__init__(directory, save_freq="epoch", delete_checkpoint=False)
        self.every = max(1, int(every))
        self.every_steps = max(0, int(every_steps))
        self.write = write
        self.keep = max(2, int(keep))
        self._position = (0, 0)  # (epoch, steps done in it): where a resumed run starts
        self._resumed = (0, 0)
        self._epoch_steps = None  # steps per epoch: fit's, or learned from a finished epoch
        self._epoch_start = 0
        self._since_backup = 0
        self._cut_short = False

    # -- reading -------------------------------------------------------------------------

    @classmethod
    def backups(cls, directory: str) -> list[str]:
        """The complete backup folders in ``directory``, newest first."""
        if not os.path.isdir(directory):
            return []
        names = [n for n in os.listdir(directory) if n.startswith("backup-") and n[7:].isdigit()]
        return [os.path.join(directory, n) for n in sorted(names, key=lambda n: int(n[7:]), reverse=True)]

    @classmethod
    def check(cls, folder: str) -> dict:
        """The metadata of the backup in ``folder``; raises ``ValueError`` naming what is wrong."""
        try:
            with open(os.path.join(folder, cls.MANIFEST)) as handle:
                manifest = json.load(handle)
            for name, digest in manifest["sha256"].items():
                if atomic.sha256_file(os.path.join(folder, name)) != digest:
                    raise ValueError(f"{name} does not match its checksum (truncated or corrupt)")
            with open(os.path.join(folder, cls.METADATA)) as handle:
                metadata = json.load(handle)
            int(metadata["epoch"])
        except (OSError, KeyError, TypeError, AttributeError, json.JSONDecodeError) as error:
            raise ValueError(f"{type(error).__name__}: {error}") from None
        return metadata

    @classmethod
    def read_metadata(cls, directory: str) -> dict | None:
        """The metadata of the newest sound backup in ``directory`` (None when there is none)."""
        for folder in cls.backups(directory):
            try:
                return cls.check(folder)
            except ValueError:
                continue
        return None

    def on_train_begin(self, logs=None) -> None:
        self._resumed = (0, 0)
        self._epoch_steps = self.params.get("steps")
        metadata = self._restore()
        if metadata is not None:
            self.model._initial_epoch = int(metadata["epoch"])
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

    def _restore(self) -> dict | None:
        """Loads the newest sound backup; passes over broken ones with a warning."""
        candidates = [(f, os.path.join(f, self.WEIGHTS), self.check) for f in self.backups(self.backup_dir)]
        if os.path.exists(self._weights_path):  # a backup written before backups were folders
            candidates.append((self.backup_dir, self._weights_path, self._check_unversioned))
        for number, (folder, weights, check) in enumerate(candidates):
            try:
                metadata = check(folder)
                self._load_weights(weights)
            except (ValueError, OSError) as error:
                fallback = "the previous one" if number + 1 < len(candidates) else "none (training starts over)"
                logging.warning("ganzoo: skipping the backup '%s' (%s); resuming from %s.",
                                folder, " ".join(str(error).split())[:300], fallback)
                continue
            if number:
                logging.warning("ganzoo: resumed from the older backup '%s'.", folder)
            if self.write:  # what a kill left: a partial backup, one backup too many
                shutil.rmtree(os.path.join(self.backup_dir, self.PARTIAL), ignore_errors=True)
                for old in self.backups(self.backup_dir)[max(self.keep, number + 1):]:
                    shutil.rmtree(old)
            return metadata
        return None

    def _check_unversioned(self, folder: str) -> dict:
        try:
            with open(self._training_metadata_path) as handle:
                return json.load(handle)
        except (OSError, json.JSONDecodeError) as error:
            raise ValueError(str(error)) from None

    def _load_weights(self, path: str) -> None:
        if self.model.optimizer is not None and not self.model.optimizer.built:
            self.model.optimizer.build(self.model.trainable_variables)
        self.model.load_weights(path)

    # -- when to save --------------------------------------------------------------------

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

    # -- writing -------------------------------------------------------------------------

    def _file_operation_done(self, name: str) -> None:
        """Called after each file operation of a backup (tests inject kills here)."""

    def _save_model(self) -> None:
        self._since_backup = 0
        if not self.write:
            return
        epoch, done = self._position
        steps = self._epoch_steps
        if steps and done >= steps:  # a finished epoch: resume at the next one
            epoch, done = epoch + 1, 0
        partial = os.path.join(self.backup_dir, self.PARTIAL)
        try:
            self._write(partial, {"epoch": epoch, "step": done, "epoch_steps": steps})
        except Exception as error:  # noqa: BLE001 — h5py wraps a full disk in its own errors
            if not (isinstance(error, OSError) or atomic.is_disk_full(error)):
                raise
            shutil.rmtree(partial, ignore_errors=True)
            if atomic.is_disk_full(error):
                raise atomic.disk_full_error(
                    "ganzoo.train", partial, self._bytes_needed(),
                    "the previous backup is kept and training stopped.",
                ) from None
            raise GanzooError(
                f"ganzoo.train: cannot write the backup '{partial}' ({error}); the previous backup "
                "is kept. Check the workdir's disk and re-run the same command to resume."
            ) from None

    def _write(self, partial: str, metadata: dict) -> None:
        done = self._file_operation_done
        if os.path.lexists(partial):  # left by a run killed while writing
            shutil.rmtree(partial)
            done("remove stale partial")
        os.makedirs(partial)
        done("make partial folder")
        self.model.save_weights(os.path.join(partial, self.WEIGHTS))
        done("write weights")
        with open(os.path.join(partial, self.METADATA), "w") as handle:
            json.dump(metadata, handle)
        done("write metadata")
        digests = {}
        for name in (self.WEIGHTS, self.METADATA):
            atomic.fsync_file(os.path.join(partial, name))
            digests[name] = atomic.sha256_file(os.path.join(partial, name))
        done("fsync files")
        with open(os.path.join(partial, self.MANIFEST), "w") as handle:
            json.dump({"sha256": digests}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        done("write manifest")
        atomic.fsync_dir(partial)
        done("fsync partial folder")
        existing = self.backups(self.backup_dir)
        number = int(os.path.basename(existing[0])[7:]) + 1 if existing else 1
        os.rename(partial, os.path.join(self.backup_dir, f"backup-{number:06d}"))
        done("rename")
        atomic.fsync_dir(self.backup_dir)
        done("fsync backup folder")
        for old in existing[self.keep - 1:]:
            shutil.rmtree(old)
            done("remove old backup")
        for name in (self.WEIGHTS, self.METADATA):  # an unversioned backup is superseded now
            if os.path.exists(os.path.join(self.backup_dir, name)):
                os.remove(os.path.join(self.backup_dir, name))
                done("remove unversioned backup")

    def _bytes_needed(self) -> int:
        """Room for the run: two backups, the final model and its export (about 4 weight sets)."""
        variables = list(self.model.weights)
        for name in ("optimizer", "g_optimizer", "d_optimizer"):
            optimizer = getattr(self.model, name, None)
            if optimizer is not None and getattr(optimizer, "built", False):
                variables += list(optimizer.variables)
        one = sum(int(np.prod(v.shape)) * np.dtype(v.dtype).itemsize for v in variables)
        return 4 * one + 2**20


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
        values = self.measure()
        if logs is not None:
            logs.update(values)
        self.log_values(values, epoch)

    def measure(self) -> dict[str, float]:
        """The metrics of ``num_samples`` samples of the fixed noise, by name (``fid``, ``kid``, ...).

        With an EMA generator (``use_ema``) the samples come from the moving average, which
        ``fit`` leaves in G at its end and export writes (``averaged_generator``).
        """
        from ganzoo import metrics as metrics_lib

        with averaged_generator(self.model):
            fake = self.model.generate(self.num_samples, seed=self.seed)
        subset = min(1000, len(self.real), len(fake))
        results = metrics_lib.evaluate(self.real, fake, self.extractor, metrics=self.metrics_names,
                                       kid_subset_size=subset, kid_num_subsets=20)
        values = {}
        for key in self.metrics_names:
            for field, value in results[key].as_dict().items():
                if field in ("fid", "kid_mean", "precision", "recall", "density", "coverage"):
                    values["kid" if field == "kid_mean" else field] = float(value)
        return values

    def log_values(self, values: dict[str, float], epoch: int) -> None:
        """Writes ``values`` to TensorBoard under ``eval/`` (with ``log_dir``)."""
        if self.log_dir:
            if self._writer is None:
                self._writer = tf.summary.create_file_writer(os.path.join(self.log_dir, "eval"))
            with self._writer.as_default():
                for name, value in values.items():
                    tf.summary.scalar(f"eval/{name}", value, step=epoch)
            self._writer.flush()


class averaged_generator:  # noqa: N801 — used as a context manager, like a function
    """``with averaged_generator(model):`` G holds its moving average (``use_ema``), then its own weights again.

    Does nothing for a model without an EMA optimizer. The swap is the one ``GAN.finalize_ema``
    makes at the end of ``fit`` (Keras' ``finalize_variable_values``), undone on exit.
    """

    def __init__(self, model) -> None:
        self.model = model
        self.saved: list[tuple[object, np.ndarray]] = []

    def __enter__(self):
        targets = getattr(self.model, "ema_targets", lambda: [])()
        for optimizer, variables in targets:
            if optimizer is not None and getattr(optimizer, "use_ema", False) and optimizer.built:
                self.saved += [(v, np.array(v.numpy())) for v in variables]
                optimizer.finalize_variable_values(variables)
        return self.model

    def __exit__(self, *exc) -> None:
        for variable, value in self.saved:
            variable.assign(value)
        self.saved = []


class BestCheckpoint(Evaluate):
    """Evaluates FCD/FID or KID during ``fit``, keeps the best weights and puts them back at the end.

    GAN quality drifts after its best point, so the last weights are often not the best
    (StudioGAN's DCGAN on CIFAR-10: FID 49.0 at step 42k, 137.4 at 200k). Every
    ``every_n_epochs`` epochs this measures ``monitor`` (``"fid"`` or ``"kid"``; lower is
    better) as :class:`Evaluate` does — on the generator's moving average when its optimizer
    keeps one — and, when it improved, writes every weight of the model (G, D, and the
    optimizers' state, which holds G's moving average) to ``<directory>/best.weights.h5``
    with the curve in ``best.json``. At the end of ``fit`` (``restore``) those weights are
    loaded back, with the optimizers' step counts kept, so what ``fit`` leaves — and
    ``save``/``export`` write — is the best evaluated model (with ``use_ema``, the best
    average). ``patience`` > 0 stops training after that many evaluations without
    improvement. A later ``fit`` with the same ``directory`` (a resumed run) keeps the
    best so far and its curve.

    Attributes after ``fit``: ``curve`` (``[{"epoch", "step", monitor}]``), ``best``,
    ``best_epoch``, ``restored`` (True when the best weights were put back),
    ``stopped_epoch`` (the epoch an early stop came after, or None).

    Args:
        real: real images (held-out ones, for an honest curve).
        extractor: a ``ganzoo.metrics`` extractor (object or name).
        monitor: ``"fid"`` or ``"kid"``.
        every_n_epochs: evaluation period.
        num_samples: generated samples per evaluation.
        patience: evaluations without improvement before stopping; 0 never stops.
        min_delta: the least decrease that counts as an improvement.
        directory: where the best weights and ``best.json`` go (a temporary folder if None).
        restore: load the best weights at the end of ``fit``.
        seed: noise seed.
        log_dir: optional TensorBoard directory (``eval/<monitor>``, ``eval/best_<monitor>``).
        reference: which real images ``real`` are (``{"source", "split", "count"}``), recorded
            in the summary's ``protocol`` (``ganzoo.metrics.protocol``).
    """

    WEIGHTS = "best.weights.h5"
    RECORD = "best.json"
    MONITORS = ("fid", "kid")

    def __init__(self, real, extractor, monitor: str = "fid", every_n_epochs: int = 1, num_samples: int = 1000,
                 patience: int = 0, min_delta: float = 0.0, directory: str | None = None, restore: bool = True,
                 seed: int = 0, log_dir: str | None = None, reference: dict | None = None):
        if monitor not in self.MONITORS:
            raise GanzooError(f"ganzoo.callbacks: BestCheckpoint monitor='{monitor}'; choose one of "
                              f"{', '.join(self.MONITORS)} (lower is better).")
        if int(patience) < 0:
            raise GanzooError(f"ganzoo.callbacks: patience={patience} must be 0 (never stop) or a whole number >= 1.")
        super().__init__(real, extractor, every_n_epochs=every_n_epochs, num_samples=num_samples,
                         metrics=(monitor,), seed=seed, log_dir=log_dir)
        self.monitor = monitor
        self.reference = dict(reference) if reference else None
        self.patience = int(patience)
        self.min_delta = float(min_delta)
        self.directory = directory
        self.restore = bool(restore)
        self.curve: list[dict] = []
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.wait = 0
        self.restored = False
        self.stopped_epoch: int | None = None

    @property
    def weights_path(self) -> str:
        return os.path.join(self.directory, self.WEIGHTS)

    def on_train_begin(self, logs=None) -> None:
        if self.directory is None:
            import tempfile

            self.directory = tempfile.mkdtemp(prefix="ganzoo_best_")
        os.makedirs(self.directory, exist_ok=True)
        self.restored, self.stopped_epoch = False, None
        record = os.path.join(self.directory, self.RECORD)
        if os.path.exists(record) and os.path.exists(self.weights_path):  # a resumed run: keep its best
            with open(record) as handle:
                saved = json.load(handle)
            self.curve, self.best = list(saved["curve"]), saved["best"]
            self.best_epoch, self.wait = saved["best_epoch"], int(saved.get("wait", 0))

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if (epoch + 1) % self.every:
            return
        values = self.measure()
        value = values[self.monitor]
        # An epoch evaluated again after a resume replaces its earlier point.
        self.curve = [point for point in self.curve if point["epoch"] < epoch + 1]
        self.curve.append({"epoch": epoch + 1, "step": int(self.model.step_count()), self.monitor: value})
        if self.best is None or value < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = value, epoch + 1, 0
            self.model.save_weights(self.weights_path + ".partial.weights.h5")
            os.replace(self.weights_path + ".partial.weights.h5", self.weights_path)
        else:
            self.wait += 1
        atomic.write_json(os.path.join(self.directory, self.RECORD),
                          {"monitor": self.monitor, "curve": self.curve, "best": self.best,
                           "best_epoch": self.best_epoch, "wait": self.wait})
        values[f"best_{self.monitor}"] = self.best
        if logs is not None:
            logs.update(values)
        self.log_values(values, epoch)
        if self.patience and self.wait >= self.patience:
            self.stopped_epoch = epoch + 1
            self.model.stop_training = True
            logging.info("ganzoo: %s has not improved for %d evaluations (best %.4g at epoch %d); stopping.",
                         self.monitor, self.wait, self.best, self.best_epoch)

    def on_train_end(self, logs=None) -> None:
        if not self.restore or self.best_epoch is None or not os.path.exists(self.weights_path):
            return
        optimizers = list(phase_optimizers(self.model).values())
        steps = [int(optimizer.iterations.numpy()) for optimizer in optimizers]
        self.model.load_weights(self.weights_path)
        for optimizer, count in zip(optimizers, steps):  # the run's length stays what it was
            optimizer.iterations.assign(count)
        self.restored = True
        logging.info("ganzoo: restored the best weights (%s %.4g at epoch %d).", self.monitor, self.best,
                     self.best_epoch)

    def summary(self) -> dict:
        """The curve, the best point, what was done and the evaluation protocol, for ``metrics.json``."""
        from ganzoo.metrics.protocol import protocol_record

        return {"monitor": self.monitor, "extractor": getattr(self.extractor, "name", str(self.extractor)),
                "every_epochs": self.every, "num_samples": self.num_samples, "curve": self.curve,
                "best": {"epoch": self.best_epoch, self.monitor: self.best}, "restored": self.restored,
                "stopped_early_after_epoch": self.stopped_epoch,
                "protocol": protocol_record(self.extractor, n_real=len(self.real), n_fake=self.num_samples,
                                            reference=self.reference)}


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


class HeldOutPreview(SampleGrid):
    """Saves a PNG of the model on fixed held-out inputs every ``every`` epochs.

    For models that turn an input into an image (SRGAN's LR photos, frontalization's posed
    faces): one batch the model never trains on is split with ``model.unpack`` into
    (targets, conditions); each grid has three rows — the image input (resized to the output's
    size, nearest neighbour), ``model.generate(n, **conditions)``, and the target.
    Files: ``{directory}/epoch_{NNNN}.png`` (as :class:`SampleGrid`).

    Args:
        directory: where the PNGs go (created).
        batch: one held-out dataset element (e.g. ``next(iter(data.load(..., split="test")))``).
        num: columns (held-out examples) per grid.
        every: epochs between grids.
        log_dir: optional TensorBoard log directory.
    """

    def __init__(self, directory: str, batch, num: int = 8, every: int = 1, log_dir: str | None = None):
        super().__init__(directory, num=num, every=every, log_dir=log_dir)
        self.batch = batch

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if (epoch + 1) % self.every:
            return
        grid = image_utils.make_grid(preview_rows(self.model, self.batch, self.num), columns=self.num)
        image_utils.save_png(os.path.join(self.directory, f"epoch_{epoch + 1:04d}.png"), grid)
        self.log_grid("held_out", grid, epoch)


def image_conditions(model, batch) -> dict:
    """The conditions of a dataset element that are images (``{}`` for unconditional or label data).

    ``{}`` too when the model cannot read the element yet (a text model before its vocabulary).
    """
    try:
        _, condition = model.unpack(batch)
    except GanzooError:
        return {}
    if not isinstance(condition, dict):
        return {}
    return {k: v for k, v in condition.items() if getattr(v, "shape", None) is not None and len(v.shape) == 4}


def preview_rows(model, batch, num: int) -> np.ndarray:
    """``[3·n, H, W, C]``: image inputs, the model's outputs on them, and the targets, row by row.

    A model with its own ``preview_rows(batch, num)`` (CycleGAN: input, translation,
    reconstruction, both ways) draws its own.
    """
    own = getattr(model, "preview_rows", None)
    if own is not None:
        return own(batch, num)
    real, condition = model.unpack(batch)
    n = min(int(num), int(real.shape[0]))
    condition = {k: np.asarray(v)[:n] for k, v in condition.items()}
    output = np.asarray(model.generate(n, seed=0, **condition), np.float32)
    source = next(iter(image_conditions(model, batch).values()))[:n]
    source = tf.image.resize(source, output.shape[1:3], method="nearest").numpy()
    target = np.asarray(real, np.float32)[:n]
    if source.shape[-1] != output.shape[-1]:
        source = np.repeat(source[..., :1], output.shape[-1], axis=-1)
    return np.concatenate([source, output, target], axis=0)


# ------------------------------------------------------------ learning rates (issue 32)


def phase_optimizers(model, which=None) -> dict[str, keras.optimizers.Optimizer]:
    """The model's optimizers by attribute path (``"g_optimizer"``, ``"d_optimizer"``, ...).

    ``which`` picks some of them (``("g_optimizer",)``); None takes every phase's optimizer.
    """
    found: dict[str, keras.optimizers.Optimizer] = {}
    for phase in model.phases():
        found.setdefault(phase.optimizer, training.resolve(model, phase.optimizer))
    if which is None:
        return found
    missing = [name for name in which if name not in found]
    if missing:
        raise GanzooError(
            f"ganzoo.callbacks: {type(model).__name__} has no optimizer {', '.join(missing)}; "
            f"its phases use {', '.join(found)}."
        )
    return {name: found[name] for name in which}


def learning_rate_name(path: str) -> str:
    """The log name of an optimizer's learning rate: ``g_optimizer`` -> ``g_learning_rate``."""
    return path.replace("_optimizer", "").replace(".", "_") + "_learning_rate"


class GANLearningRateScheduler(keras.callbacks.Callback):
    """``keras.callbacks.LearningRateScheduler`` for a GAN's optimizers.

    A GAN has no ``model.optimizer``; this sets ``schedule(epoch, lr)`` on each of
    ``optimizers`` (attribute paths; None: every phase's optimizer, i.e. both G's and D's)
    at the start of every epoch, and adds each learning rate to the epoch's logs
    (``g_learning_rate``, ``d_learning_rate``), which ``keras.callbacks.TensorBoard`` writes
    when it comes after this callback.

    Example:
        >>> GANLearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch >= 10 else lr)
    """

    def __init__(self, schedule, optimizers=None, verbose: int = 0):
        super().__init__()
        self.schedule = schedule
        self.optimizers = None if optimizers is None else tuple(optimizers)
        self.verbose = verbose

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        for path, optimizer in phase_optimizers(self.model, self.optimizers).items():
            lr = float(self.schedule(epoch, float(keras.ops.convert_to_numpy(optimizer.learning_rate))))
            if not np.isfinite(lr):
                raise GanzooError(f"ganzoo.callbacks: the schedule gave {path} the learning rate {lr}; "
                                  "it must be a finite float.")
            optimizer.learning_rate = lr
            if self.verbose:
                logging.info("epoch %d: %s learning rate %g", epoch + 1, path, lr)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        log_learning_rates(self.model, logs, self.optimizers)


def log_learning_rates(model, logs, which=None) -> None:
    """Adds ``<g|d>_learning_rate`` of ``which`` optimizers to ``logs`` (for TensorBoard, CSVLogger)."""
    if logs is None:
        return
    for path, optimizer in phase_optimizers(model, which).items():
        logs[learning_rate_name(path)] = float(keras.ops.convert_to_numpy(optimizer.learning_rate))


class GANReduceLROnPlateau(keras.callbacks.Callback):
    """``keras.callbacks.ReduceLROnPlateau`` for a GAN's optimizers.

    When ``monitor`` (say ``g_loss`` or ``val_g_loss``, or an ``eval/fid`` the ``Evaluate``
    callback logs) has not improved by ``min_delta`` for ``patience`` epochs, multiplies the
    learning rate of each of ``optimizers`` (None: both G's and D's, so their balance holds)
    by ``factor``, not below ``min_lr``, then waits ``cooldown`` epochs. Logs the rates as
    ``GANLearningRateScheduler`` does.
    """

    def __init__(self, monitor: str = "g_loss", factor: float = 0.1, patience: int = 10,
                 mode: str = "min", min_delta: float = 1e-4, cooldown: int = 0, min_lr: float = 0.0,
                 optimizers=None, verbose: int = 0):
        super().__init__()
        if not 0.0 < float(factor) < 1.0:
            raise GanzooError(f"ganzoo.callbacks: factor={factor} must be between 0 and 1 (exclusive).")
        if mode not in ("min", "max"):
            raise GanzooError(f"ganzoo.callbacks: mode='{mode}' must be 'min' or 'max'.")
        self.monitor, self.factor, self.patience, self.mode = monitor, float(factor), int(patience), mode
        self.min_delta, self.cooldown, self.min_lr = float(min_delta), int(cooldown), float(min_lr)
        self.optimizers = None if optimizers is None else tuple(optimizers)
        self.verbose = verbose
        self.best = None
        self.wait = 0
        self.cooldown_left = 0

    def improved(self, value: float) -> bool:
        if self.best is None:
            return True
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_train_begin(self, logs=None) -> None:
        self.best, self.wait, self.cooldown_left = None, 0, 0

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        logs = logs if logs is not None else {}
        if self.monitor not in logs:
            raise GanzooError(
                f"ganzoo.callbacks: GANReduceLROnPlateau monitors '{self.monitor}', which the logs "
                f"do not have; choose one of {', '.join(sorted(logs))}."
            )
        value = float(logs[self.monitor])
        if self.cooldown_left > 0:
            self.cooldown_left -= 1
            self.wait = 0
        if self.improved(value):
            self.best, self.wait = value, 0
        elif self.cooldown_left <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                for path, optimizer in phase_optimizers(self.model, self.optimizers).items():
                    old = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
                    optimizer.learning_rate = max(old * self.factor, self.min_lr)
                    if self.verbose:
                        logging.info("epoch %d: %s learning rate %g -> %g", epoch + 1, path, old,
                                     max(old * self.factor, self.min_lr))
                self.cooldown_left, self.wait = self.cooldown, 0
        log_learning_rates(self.model, logs, self.optimizers)
