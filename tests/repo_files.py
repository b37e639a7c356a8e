"""Runs a repository file (a config, a benchmark script) as a module, once per process.

Test modules, ``conftest.load_file`` and the scripts the tests start in subprocesses (which put
tests/ on ``sys.path``) all load files through :func:`load_file`.
"""

import functools
import importlib.util
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


@functools.cache
def load_file(relative_path: str):
    """``load_file("configs/x.py")``: the file at ``ROOT / relative_path``, run as a module.

    Each file runs once a process: a benchmark defines absl flags, which may be defined only once.
    The module is registered in ``sys.modules`` under its file's stem (dataclasses look it up there).
    """
    path = ROOT / relative_path
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
