"""What the scripts do before TensorFlow is imported: oneDNN on, TensorFlow's start-up lines off.

TensorFlow prints 7-9 lines on stderr when it starts (oneDNN and CUDA probes, including
"E0000 ... failed call to cuInit" on machines without a GPU); none is the user's business,
so the scripts hide them unless ``--verbosity`` is 1 or more. Imports no TensorFlow itself.
"""

from __future__ import annotations

import os
import sys


def verbosity(argv: list[str]) -> int:
    """The value of absl's ``--verbosity``/``-v`` in ``argv`` (0 when absent or not a number)."""
    for i, arg in enumerate(argv):
        for flag in ("--verbosity", "-v"):
            if arg.startswith(flag + "="):
                value = arg[len(flag) + 1:]
            elif arg == flag and i + 1 < len(argv):
                value = argv[i + 1]
            else:
                continue
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def import_tensorflow(argv: list[str] | None = None) -> None:
    """Imports TensorFlow with oneDNN on; its start-up lines go to /dev/null unless ``--verbosity >= 1``.

    ``TF_ENABLE_ONEDNN_OPTS`` takes effect only before TensorFlow is imported (oneDNN about
    doubles a DCGAN step on AVX2-only CPUs, where it is off by default).
    """
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
    if "tensorflow" in sys.modules or verbosity(sys.argv if argv is None else argv) >= 1:
        import tensorflow  # noqa: F401
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.stderr.flush()
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        import tensorflow as tf

        tf.config.list_physical_devices("GPU")  # the CUDA probe logs here
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)
