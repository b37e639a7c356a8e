"""Exports: a SavedModel for TF Serving, or ONNX / LiteRT files (``ganzoo.export.formats``).

``save_generator(model, path)`` writes the generator as a SavedModel whose
``serving_default`` signature takes ``z`` (float32 ``[None, latent_dim]``) and
returns ``images`` (float32 ``[None, H, W, C]`` in [-1, 1]) — or ``samples``
(``[None, *data_shape]``) for non-image models such as 2-D points. A second
signature, ``sample``, takes a scalar int32 ``num`` and int32 ``seed`` and
draws the noise inside the graph, so clients need not know the latent size.

``export_model(model, path, format="onnx" | "litert")`` writes ``path/model.onnx`` (or
``model.tflite``; CycleGAN also ``b_to_a``), ``export.json`` (inputs, outputs, size, what the
file leaves out, and its max abs difference from the Keras model, checked in onnxruntime or
the LiteRT interpreter) and, for text-to-image, ``vocabulary.json``.

The script ``python -m ganzoo.export --workdir=DIR --export_dir=PATH [--format=onnx]``
exports a trained run (or ``--preset=NAME``).
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
# ONNX / LiteRT exports (ganzoo.export.formats) write these beside their .onnx / .tflite files.
PORTABLE_FILES = frozenset({"export.json", "vocabulary.json"})
PORTABLE_SUFFIXES = (".onnx", ".tflite")
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
    foreign = [e for e in entries if not _export_file(e) or os.path.islink(os.path.join(path, e))]
    if foreign or (entries and not {"saved_model.pb", EXPORT_MARKER} & set(entries)):
        example = foreign[0] if foreign else entries[0]
        raise GanzooError(
            f"{tool}: '{path}' is not an earlier export (it holds '{example}', which no export "
            f"wrote); nothing was removed; {fix}"
        )


def _export_file(name: str) -> bool:
    """Whether an export wrote a file of this name (a SavedModel's, or an ONNX / LiteRT export's)."""
    return name in SAVED_MODEL_FILES or name in PORTABLE_FILES or name.endswith(PORTABLE_SUFFIXES)


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
    _write_marker(path)
    return path


def _write_marker(path: str) -> None:
    with open(os.path.join(path, EXPORT_MARKER), "w") as handle:
        handle.write("Written by ganzoo.export; `--overwrite` replaces only folders that hold this file.\n")


EXPORT_FORMATS = ("saved_model", "onnx", "litert")


def export_model(model, path: str, format: str = "saved_model", overwrite: bool = False) -> dict:
    """Exports ``model`` to ``path`` as a SavedModel, ONNX or LiteRT.

    Args:
        model: a trained ``ganzoo.models.GAN`` (or a preset: ``ganzoo.presets.load(name)``).
        path: the folder to write.
        format: ``"saved_model"`` (``save_generator``: every serving signature), ``"onnx"``
            or ``"litert"`` (the graphs ``formats.portable_graphs`` picks; each file is run in
            its own runtime against the Keras model and refused above 1e-4 max abs difference).
        overwrite: replace an earlier export at ``path``.

    Returns:
        For ONNX / LiteRT the manifest written to ``path/export.json`` (per file: inputs,
        outputs, bytes, note, max_abs_diff); for a SavedModel ``{"format": "saved_model"}``.

    Raises:
        GanzooError: an unknown format, an existing ``path`` without ``overwrite``, or a model
            a format cannot hold (``formats.UnsupportedFormat``; nothing is left at ``path``).
    """
    if format not in EXPORT_FORMATS:
        raise GanzooError(f"ganzoo.export: unknown format '{format}'; use one of {', '.join(EXPORT_FORMATS)}.")
    if format == "saved_model":
        save_generator(model, path, overwrite=overwrite)
        return {"format": "saved_model"}
    from ganzoo.export import formats  # imported here: it imports TensorFlow (see save_generator)

    prepare_directory(path, overwrite)
    os.makedirs(path, exist_ok=True)
    try:
        manifest = formats.write(model, path, format)
    except formats.UnsupportedFormat:
        if not os.listdir(path):
            os.rmdir(path)
        raise
    _write_marker(path)
    return manifest


__all__ = ["save_generator", "export_model", "prepare_directory", "check_export_dir", "EXPORT_MARKER",
           "EXPORT_FORMATS"]
