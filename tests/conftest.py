"""Shared test set-up: oneDNN on (before TensorFlow loads), quiet logs, seeded runs, file loading."""

import importlib.util
import os
import pathlib

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(0)
    yield


ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def load_file():
    """``load_file("configs/x.py")``: a repository file (a config, a benchmark) run as a module.

    Each file runs once a session: a benchmark defines absl flags, which may be defined only once.
    """
    loaded = {}

    def load(relative_path: str):
        if relative_path not in loaded:
            path = ROOT / relative_path
            spec = importlib.util.spec_from_file_location(path.stem, path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            loaded[relative_path] = module
        return loaded[relative_path]

    return load
