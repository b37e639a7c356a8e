"""Shared test set-up: oneDNN on (before TensorFlow loads), quiet logs, seeded runs, file loading."""

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import pytest  # noqa: E402

import repo_files  # noqa: E402


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(0)
    yield


@pytest.fixture(scope="session")
def load_file():
    """``load_file("configs/x.py")``: a repository file run as a module (``repo_files.load_file``)."""
    return repo_files.load_file
