"""Finding and loading the model of a training run or a preset (shared by the scripts)."""

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


def load_model(path: str, compile: bool = True):
    """Loads a ganzoo model saved with ``model.save`` (``compile=False``: no optimizers, faster)."""
    import keras

    import ganzoo.models  # noqa: F401  (registers the classes)

    return keras.models.load_model(path, compile=compile)


def load_for_inference(workdir: str | None, model: str | None, preset: str | None, tool: str):
    """The uncompiled model named by exactly one of ``--workdir``, ``--model`` or ``--preset``."""
    if sum(map(bool, (workdir, model, preset))) != 1:
        raise GanzooError(
            f"{tool}: pass exactly one of --workdir=DIR, --model=FILE.keras or --preset=NAME."
        )
    if preset:
        from ganzoo import presets

        return presets.load(preset)
    return load_model(model_path(workdir, model, tool), compile=False)
