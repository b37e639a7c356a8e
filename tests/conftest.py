"""Shared test set-up: oneDNN on (before TensorFlow loads), quiet logs, seeded runs, file loading."""

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import pytest  # noqa: E402

import repo_files  # noqa: E402


# The files that take longest, longest first (summed `--durations` of a fresh-clone run, 2026-12-06:
# 231, 200, 137, 115, 96 and 70 s). They run first, so the two xdist workers end together instead
# of one of them starting a long file when the other is nearly done: `--dist loadfile` hands out
# files in collection order once pytest.ini turns off xdist's own reorder (by number of tests). A
# scheduling hint only; a file missing here runs after these, in the usual order.
LONGEST_FILES = ["tests/test_distribute.py", "tests/test_presets.py", "tests/test_xla.py", "tests/test_readme.py",
                 "tests/test_train_script.py", "tests/test_benchmarks_smoke.py"]


def pytest_collection_modifyitems(config, items):
    rank = {path: i for i, path in enumerate(LONGEST_FILES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable: order within a file kept


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(0)
    yield


@pytest.fixture(scope="session")
def load_file():
    """``load_file("configs/x.py")``: a repository file run as a module (``repo_files.load_file``)."""
    return repo_files.load_file
