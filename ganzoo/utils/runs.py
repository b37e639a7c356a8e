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


def load_model(path: str, compile: bool = True, tool: str = "ganzoo"):
    """Loads a ganzoo model saved with ``model.save`` (``compile=False``: no optimizers, faster).

    Keras' safe mode stays on. A missing, truncated or corrupt file and one that
    safe mode refuses (it would run Python code, e.g. a ``Lambda`` layer) are each
    a one-line ``GanzooError`` naming the file.
    """
    import zipfile

    import keras

    import ganzoo.models  # noqa: F401  (registers the classes)

    if not os.path.isfile(path):
        raise GanzooError(f"{tool}: model file '{path}' does not exist; pass a .keras file written by model.save.")
    if path.endswith(".keras") and not zipfile.is_zipfile(path):
        raise GanzooError(
            f"{tool}: model file '{path}' is corrupt or truncated (not a complete .keras zip archive, "
            f"{os.path.getsize(path)} bytes); copy it again or save the model again."
        )
    try:
        return keras.models.load_model(path, compile=compile)
    except Exception as error:  # noqa: BLE001 — Keras reports a bad file with many types
        detail = " ".join(str(error).split())
        if "safe_mode" in detail or "arbitrary code" in detail:
            raise GanzooError(
                f"{tool}: '{path}' would run Python code when loaded ({detail.split('. ')[0]}), and "
                "Keras safe mode refuses it; load only models you trust, in Python with "
                "keras.models.load_model(path, safe_mode=False)."
            ) from None
        raise GanzooError(
            f"{tool}: model file '{path}' cannot be loaded; it is corrupt or not a ganzoo model "
            f"({type(error).__name__}: {detail[:200]})."
        ) from None


def load_for_inference(workdir: str | None, model: str | None, preset: str | None, tool: str):
    """The uncompiled model named by exactly one of ``--workdir``, ``--model`` or ``--preset``."""
    if sum(map(bool, (workdir, model, preset))) != 1:
        raise GanzooError(
            f"{tool}: pass exactly one of --workdir=DIR, --model=FILE.keras or --preset=NAME."
        )
    if preset:
        from ganzoo import presets

        return presets.load(preset)
    return load_model(model_path(workdir, model, tool), compile=False, tool=tool)
