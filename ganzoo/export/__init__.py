"""SavedModel export for TF Serving.

``save_generator(model, path)`` writes the generator as a SavedModel whose
``serving_default`` signature takes ``z`` (float32 ``[None, latent_dim]``) and
returns ``images`` (float32 ``[None, H, W, C]`` in [-1, 1]) — or ``samples``
(``[None, *data_shape]``) for non-image models such as 2-D points. A second
signature, ``sample``, takes a scalar int32 ``num`` and int32 ``seed`` and
draws the noise inside the graph, so clients need not know the latent size.

The script ``python -m ganzoo.export --workdir=DIR --export_dir=PATH`` exports
a trained run.
"""

from __future__ import annotations

import os
import shutil

from ganzoo.errors import GanzooError


# What an export writes: the SavedModel's own files and ganzoo's marker. An
# existing export is replaced only when it holds nothing else.
EXPORT_MARKER = ".ganzoo_export"
SAVED_MODEL_FILES = frozenset(
    {"saved_model.pb", "fingerprint.pb", "keras_metadata.pb", "variables", "assets", EXPORT_MARKER}
)
_WORKDIR_FILES = ("config.json", "metrics.json", "checkpoints", ".ganzoo.lock")


def check_export_dir(path: str, tool: str = "ganzoo.export") -> None:
    """Raises unless ``path`` is an earlier export that replacing may remove (nothing is removed here).

    Refused with one line: a symlink (it is never followed), a file, a
    ``ganzoo.train`` workdir, and a folder holding anything an export does not
    write (the SavedModel's files and ``.ganzoo_export``).
    """
    fix = "choose another --export_dir (an export replaces only an earlier export)."
    _check_replaceable(path, tool, fix)
    if not os.path.isdir(path):
        raise GanzooError(f"{tool}: '{path}' is a file, not an earlier export; {fix}")
    entries = sorted(os.listdir(path))
    foreign = [e for e in entries if e not in SAVED_MODEL_FILES or os.path.islink(os.path.join(path, e))]
    if foreign or (entries and not {"saved_model.pb", EXPORT_MARKER} & set(entries)):
        example = foreign[0] if foreign else entries[0]
        raise GanzooError(
            f"{tool}: '{path}' is not an earlier export (it holds '{example}', which no export "
            f"wrote); nothing was removed; {fix}"
        )


def _check_replaceable(path: str, tool: str, fix: str) -> None:
    """Refuses a symlink (never followed) and a ganzoo.train workdir."""
    if os.path.islink(path):
        raise GanzooError(f"{tool}: '{path}' is a symlink; ganzoo never follows or removes one; {fix}")
    entries = os.listdir(path) if os.path.isdir(path) else []
    workdir = sorted(e for e in entries if e in _WORKDIR_FILES)
    if workdir:
        raise GanzooError(
            f"{tool}: '{path}' is a ganzoo.train workdir (it holds {workdir[0]}); nothing was removed; {fix}"
        )


def prepare_directory(path: str, overwrite: bool, what: str = "export") -> None:
    """Refuses to replace an existing non-empty ``path`` unless ``overwrite``, and then only
    an earlier export (see ``check_export_dir``)."""
    if os.path.lexists(path) and (os.path.islink(path) or not os.path.isdir(path) or os.listdir(path)):
        if not overwrite:
            raise GanzooError(
                f"ganzoo: {what} directory '{path}' already exists and is not empty; "
                "choose another path or pass overwrite=True (--overwrite)."
            )
        if what == "export":
            check_export_dir(path)
        else:
            _check_replaceable(path, "ganzoo.presets" if what == "preset" else f"ganzoo: {what}", "choose another path.")
        if os.path.isdir(path):
            shutil.rmtree(path)
        else:
            os.remove(path)


def save_generator(model, path: str, overwrite: bool = False) -> str:
    """Exports ``model``'s generator as a SavedModel for TF Serving.

    Args:
        model: a trained ``ganzoo.models.GAN``.
        path: the SavedModel directory to write.
        overwrite: replace an existing export at ``path``.

    The signatures come from ``model.serving_endpoints()``; models whose
    sampler is more than ``generator(z)`` (LAPGAN's chain) override that hook
    and ``serving_networks()``.

    Returns:
        ``path``. Load it with ``tf.saved_model.load(path)``; its
        ``serving_default(z=...)`` returns ``{"images": ...}``.
    """
    prepare_directory(path, overwrite)
    import keras  # imported here: `python -m ganzoo.export` sets TensorFlow up first (ganzoo.startup)

    archive = keras.export.ExportArchive()
    for network in model.serving_networks():
        archive.track(network)
    for name, (function, signature) in model.serving_endpoints().items():
        archive.add_endpoint(name, function, input_signature=signature)
    archive.write_out(path, verbose=False)
    with open(os.path.join(path, EXPORT_MARKER), "w") as handle:
        handle.write("Written by ganzoo.export; `--overwrite` replaces only folders that hold this file.\n")
    return path


__all__ = ["save_generator", "prepare_directory", "check_export_dir", "EXPORT_MARKER"]
