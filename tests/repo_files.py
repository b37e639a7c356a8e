"""Runs a repository file (a config, a benchmark script) as a module, once per process.

Test modules, ``conftest.load_file`` and the scripts the tests start in subprocesses (which put
tests/ on ``sys.path``) all load files through :func:`load_file`.
"""

import functools
import importlib.util
import pathlib
import re
import sys

from absl import flags

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEFINED_FLAG = re.compile(r"flags\.DEFINE_\w+\(\s*[\"'](\w+)[\"']")


@functools.cache
def load_file(relative_path: str):
    """``load_file("configs/x.py")``: the file at ``ROOT / relative_path``, run as a module.

    Each file runs once a process: a benchmark defines absl flags, which may be defined only once.
    Two benchmarks may name a flag alike (``--workdir``): the one loaded later replaces the earlier
    one's definition (the tests call the benchmarks' functions, not their ``main``).
    The module is registered in ``sys.modules`` under its file's stem (dataclasses look it up there).
    """
    path = ROOT / relative_path
    for name in DEFINED_FLAG.findall(path.read_text()):
        if name in flags.FLAGS:
            delattr(flags.FLAGS, name)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
