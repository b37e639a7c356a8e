"""Finding and loading the model of a training run (shared by the scripts)."""

from __future__ import annotations

import os

from ganzoo.errors import GanzooError


def model_path(workdir: str | None, model: str | None, tool: str) -> str:
    """The .keras file named by ``--model``, or the one a ``--workdir`` run saved."""
    if bool(workdir) == bool(model):
        raise GanzooError(f"{tool}: pass exactly one of --workdir=DIR or --model=FILE.keras.")
    path = model or os.path.join(workdir, "checkpoints", "model.keras")
    if not os.path.exists(path):
        raise GanzooError(
            f"{tool}: no trained model at '{path}'; finish a run with ganzoo.train first "
            "(an interrupted run resumes when its command is re-run)."
        )
    return path


def load_model(path: str):
    """Loads a ganzoo model saved with ``model.save``."""
    import keras

    import ganzoo.models  # noqa: F401  (registers the classes)

    return keras.models.load_model(path)
