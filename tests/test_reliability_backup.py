"""Issue 22: a backup is one atomic, checksummed unit; a full disk or a kill never loses the run.

Items 3 (atomic backup, checksum, fallback), 4 (a full disk) and 7 (a kill between any two
file operations of a backup still ends at the uninterrupted run's step count).
"""

import errno
import os

import keras
import pytest

from ganzoo import callbacks
from ganzoo import train as train_lib
from ganzoo.errors import GanzooError
from test_train_script import tiny_config

BACKUP = ("checkpoints", "backup")


def config_of(epochs):
    config = tiny_config()
    config.train.epochs = epochs  # 2 steps an epoch, a backup at each epoch's end
    return config


class Killed(BaseException):
    """Like SIGKILL: nothing in ganzoo catches it."""


def stop_after_epoch(monkeypatch, epoch):
    def stop(self, batch, logs=None):
        if self.epoch_steps and len(self.epoch_steps) == epoch:
            raise Killed()

    monkeypatch.setattr(callbacks.Throughput, "on_train_batch_begin", stop, raising=False)


# -- 3. one unit, verified on load --------------------------------------------------------------


def test_backup_is_one_folder_with_a_manifest_and_the_previous_one_is_kept(tmp_path):
    train_lib.train(config_of(3), str(tmp_path), verbose=0)
    folders = callbacks.Backup.backups(str(tmp_path.joinpath(*BACKUP)))
    assert [os.path.basename(f) for f in folders] == ["backup-000003", "backup-000002"]
    assert sorted(os.listdir(folders[0])) == ["latest.weights.h5", "manifest.json", "training_metadata.json"]
    assert callbacks.Backup.check(folders[1]) == {"epoch": 2, "step": 0, "epoch_steps": 2}


@pytest.mark.parametrize("damage", ["truncate weights", "truncate metadata", "remove manifest"])
def test_corrupt_latest_backup_falls_back_to_the_previous_one_with_a_warning(tmp_path, monkeypatch, caplog, damage):
    stop_after_epoch(monkeypatch, 2)
    with pytest.raises(Killed):
        train_lib.train(config_of(3), str(tmp_path), verbose=0)
    monkeypatch.undo()
    latest = callbacks.Backup.backups(str(tmp_path.joinpath(*BACKUP)))[0]
    name = {"truncate weights": "latest.weights.h5", "truncate metadata": "training_metadata.json",
            "remove manifest": "manifest.json"}[damage]
    path = os.path.join(latest, name)
    if damage.startswith("truncate"):
        with open(path, "r+b") as handle:
            handle.truncate(os.path.getsize(path) // 2)
    else:
        os.remove(path)
    with caplog.at_level("WARNING"):
        metrics = train_lib.train(config_of(3), str(tmp_path), verbose=0)
    assert f"skipping the backup '{latest}'" in caplog.text and "resuming from the previous one" in caplog.text
    # Epoch 1 from the older backup, epochs 2 and 3 again: the uninterrupted run's 6 steps.
    assert metrics["resumed"] is True and metrics["steps"] == 6


# -- 4. a full disk -----------------------------------------------------------------------------


def test_full_disk_keeps_the_previous_backup_and_stops_with_one_line_saying_how_much_is_needed(tmp_path, monkeypatch):
    save_weights = keras.Model.save_weights
    calls = []

    def disk_fills_up(self, path, *args, **kwargs):
        calls.append(path)
        if len(calls) >= 2:
            raise OSError(errno.ENOSPC, "No space left on device", path)
        return save_weights(self, path, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "save_weights", disk_fills_up)
    with pytest.raises(GanzooError) as caught:
        train_lib.train(config_of(3), str(tmp_path), verbose=0)
    message = str(caught.value)
    assert "\n" not in message
    assert "the disk is full while writing" in message and "the previous backup is kept" in message
    assert "The run needs about" in message and " MB free" in message
    backups = str(tmp_path.joinpath(*BACKUP))
    assert callbacks.Backup.read_metadata(backups) == {"epoch": 1, "step": 0, "epoch_steps": 2}
    assert not os.path.exists(os.path.join(backups, ".partial"))
    monkeypatch.undo()
    metrics = train_lib.train(config_of(3), str(tmp_path), verbose=0)
    assert metrics["resumed"] is True and metrics["steps"] == 6


# -- 7. a kill between any two file operations of a backup ------------------------------------


def record_operations(tmp_path, monkeypatch):
    operations = []
    monkeypatch.setattr(callbacks.Backup, "_file_operation_done", lambda self, name: operations.append(name))
    train_lib.train(config_of(3), str(tmp_path / "record"), verbose=0)
    monkeypatch.undo()
    return operations


def test_a_kill_after_any_file_operation_of_a_backup_resumes_to_the_same_step_count(tmp_path, monkeypatch):
    # 3 epochs of 2 steps, a backup at each epoch's end; the third also removes the first.
    operations = record_operations(tmp_path, monkeypatch)
    third = len(operations) - operations[::-1].index("make partial folder") - 1
    names = operations[third:]
    assert "rename" in names and "remove old backup" in names
    for kill_after in range(len(names)):
        workdir = tmp_path / f"kill_after_{kill_after}_{names[kill_after].replace(' ', '_')}"
        count = iter(range(10**6))

        def kill(self, name, kill_at=third + kill_after):
            if next(count) == kill_at:
                raise Killed()

        monkeypatch.setattr(callbacks.Backup, "_file_operation_done", kill)
        with pytest.raises(Killed):
            train_lib.train(config_of(3), str(workdir), verbose=0)
        monkeypatch.undo()
        metrics = train_lib.train(config_of(3), str(workdir), verbose=0)
        assert metrics["steps"] == 6, f"killed after '{names[kill_after]}'"
        assert len(callbacks.Backup.backups(str(workdir.joinpath(*BACKUP)))) == 2
