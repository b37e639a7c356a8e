"""Issue 22: a workdir and an export are never lost or clobbered; nonsense is refused before the first step.

Items 1 (export --overwrite), 2 (one live run per workdir), 5 (train --overwrite checks
before removing), 10 (numeric ranges) and 11 (a failed first attempt blocks nothing).
"""

import json
import os
import socket
import subprocess
import sys

import pytest

from ganzoo import callbacks
from ganzoo import train as train_lib
from ganzoo.errors import GanzooError
from ganzoo.export import EXPORT_MARKER, save_generator
from ganzoo.models import DCGAN
from ganzoo.utils.lock import LOCK_NAME
from test_train_script import tiny_config


def tiny_gan():
    return DCGAN(image_shape=(16, 16, 1), latent_dim=8, g_filters=8, d_filters=8)


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("finished")
    config = tiny_config()
    config.train.epochs = 1
    train_lib.train(config, str(workdir), verbose=0)
    return workdir


def listing(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


# -- 1. export --overwrite removes only an earlier export ------------------------------------


def test_export_overwrite_replaces_an_earlier_export_and_marks_it(tmp_path):
    target = tmp_path / "export"
    save_generator(tiny_gan(), str(target))
    assert (target / EXPORT_MARKER).exists() and (target / "saved_model.pb").exists()
    (target / "variables" / "stale").write_text("from the earlier export")  # inside its own folder
    save_generator(tiny_gan(), str(target), overwrite=True)
    assert not (target / "variables" / "stale").exists() and (target / "saved_model.pb").exists()


def test_export_overwrite_refuses_a_workdir_and_removes_nothing(finished):
    before = listing(finished)
    with pytest.raises(GanzooError, match=r"is a ganzoo.train workdir \(it holds checkpoints\); nothing was removed"):
        save_generator(tiny_gan(), str(finished), overwrite=True)
    assert listing(finished) == before


def test_export_overwrite_refuses_a_folder_of_someone_elses_files(tmp_path):
    (tmp_path / "thesis.tex").write_text("years of work")
    with pytest.raises(GanzooError, match=r"is not an earlier export \(it holds 'thesis.tex'"):
        save_generator(tiny_gan(), str(tmp_path), overwrite=True)
    assert (tmp_path / "thesis.tex").read_text() == "years of work"


def test_export_overwrite_never_follows_a_symlink(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    save_generator(tiny_gan(), str(elsewhere))  # even an export behind the link is left alone
    (tmp_path / "link").symlink_to(elsewhere)
    with pytest.raises(GanzooError, match="is a symlink; ganzoo never follows or removes one"):
        save_generator(tiny_gan(), str(tmp_path / "link"), overwrite=True)
    assert (tmp_path / "link").is_symlink() and (elsewhere / "saved_model.pb").exists()


# -- 2. one live run per workdir --------------------------------------------------------------

HOLD_LOCK = """
import sys, time
from ganzoo.utils.lock import WorkdirLock
with WorkdirLock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(120)
"""


def test_second_run_in_a_live_workdir_is_refused_naming_its_pid_and_host(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        message = rf"'{tmp_path}' is in use by process {holder.pid} on host '{socket.gethostname()}'"
        with pytest.raises(GanzooError, match=message):
            train_lib.train(tiny_config(), str(tmp_path), verbose=0)
        assert not (tmp_path / "config.json").exists()
    finally:
        holder.kill()
        holder.wait()


def test_stale_lock_of_a_dead_process_is_taken_over_with_a_warning(tmp_path, caplog):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname()}))
    config = tiny_config()
    config.train.epochs = 1
    with caplog.at_level("WARNING"):
        metrics = train_lib.train(config, str(tmp_path), verbose=0)
    assert metrics["steps"] == 2
    assert f"taking over the stale lock of process {dead.pid}" in caplog.text
    assert not (tmp_path / LOCK_NAME).exists()  # released when the run ended


def test_lock_of_another_host_is_refused_with_how_to_remove_it(tmp_path):
    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": 1, "host": "elsewhere.example"}))
    with pytest.raises(GanzooError, match=r"locked by process 1 on host 'elsewhere.example'.*delete"):
        train_lib.train(tiny_config(), str(tmp_path), verbose=0)


# -- 5. train --overwrite checks everything before removing anything --------------------------


@pytest.mark.parametrize("plant", ["symlinked samples", "user file in samples", "user file in checkpoints"])
def test_overwrite_refuses_what_ganzoo_did_not_write_before_removing_anything(tmp_path, plant):
    config = tiny_config()
    config.train.epochs = 1
    workdir = tmp_path / "run"
    train_lib.train(config, str(workdir), verbose=0)
    outside = tmp_path / "photos"
    outside.mkdir()
    (outside / "holiday.png").write_bytes(b"precious")
    if plant == "symlinked samples":
        for png in (workdir / "samples").iterdir():
            png.unlink()
        (workdir / "samples").rmdir()
        (workdir / "samples").symlink_to(outside)
        culprit = workdir / "samples"
    else:
        culprit = workdir / plant.split()[-1] / "notes.txt"
        culprit.write_text("mine")
    before = listing(workdir)
    with pytest.raises(GanzooError, match=rf"--overwrite would remove '{culprit}'.*nothing was removed"):
        train_lib.train(config, str(workdir), overwrite=True, verbose=0)
    assert listing(workdir) == before and (outside / "holiday.png").read_bytes() == b"precious"


# -- 10. every numeric key's range, before the first step: cases in
# test_train_script.test_bad_config_values_fail_before_training.


# -- 11. a run that fails before its first step blocks nothing -------------------------------


def test_run_that_failed_before_its_first_step_does_not_block_a_corrected_config(tmp_path, monkeypatch):
    class Broken(Exception):
        pass

    def fail(self, logs=None):
        raise Broken()

    monkeypatch.setattr(callbacks.Throughput, "on_train_begin", fail)
    with pytest.raises(Broken):
        train_lib.train(tiny_config(), str(tmp_path), verbose=0)
    monkeypatch.undo()
    assert not (tmp_path / LOCK_NAME).exists()
    corrected = tiny_config()
    corrected.train.epochs = 1
    metrics = train_lib.train(corrected, str(tmp_path), verbose=0)
    assert metrics["resumed"] is False and metrics["steps"] == 2
    assert json.loads((tmp_path / "config.json").read_text())["train"]["epochs"] == 1


def test_folder_of_corrupt_images_fails_naming_the_folder_and_leaves_nothing_behind(tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    for i in range(3):
        (images / f"{i}.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(40) + b"IEND\xaeB`\x82")
    config = tiny_config()
    config.data.name = f"folder:{images}"
    with pytest.raises(GanzooError, match=rf"folder '{images}' has no readable image files; all 3 are corrupt"):
        train_lib.train(config, str(tmp_path / "run"), verbose=0)
    assert os.listdir(tmp_path / "run") == []  # (each file is named in a warning: tests/data/test_folder.py)
