"""Trained models that ship inside ganzoo: ``load(name)``, ``available()``, ``info(name)``.

A preset is a folder ``ganzoo/presets/<name>/``, package data that the wheel carries (nothing
is ever downloaded), holding:

    model.keras   the trained model, uncompiled (no optimizer state). Its weights are stored
                  as float16 to keep a preset under 5 MB; Keras loads them back into the
                  model's float32 variables (``keras.models.load_model`` reads the file too).
                  When generator and discriminator together would pass 5 MB (SRGAN's paper
                  discriminator), ``save(..., networks="generator")`` writes instead
    model.json + generator.weights.h5   the model's config and the generator's float16 weights;
                  ``load`` builds the model from the config, so its discriminator starts
                  freshly initialised (fine-tuning then retrains it)
    preset.json   name, model class, the config it came from, the commands that trained it
                  and built the preset, the date, the training cost and the measured quality
                  figures with the commands that measured them
    samples.png   64 samples of noise seed 0

``ganzoo.models.DCGAN.from_preset("dcgan_digits")`` is ``load`` plus a check of the class.
A loaded preset samples at once (``generate``); ``compile()`` it to fine-tune with ``fit``.
``benchmarks/make_presets.py`` trains, measures and writes presets with :func:`save`.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import os
import re
import shutil
import tempfile
import zipfile
from typing import Any

from ganzoo.errors import GanzooError

PRESETS_DIR = os.path.dirname(os.path.abspath(__file__))
MODEL_FILE = "model.keras"
CONFIG_FILE = "model.json"                   # generator-only presets
GENERATOR_FILE = "generator.weights.h5"     # generator-only presets
METADATA_FILE = "preset.json"
SAMPLES_FILE = "samples.png"
MAX_PRESET_BYTES = 5_000_000     # one preset's folder
MAX_TOTAL_BYTES = 30_000_000     # every preset that ships
STORAGE_DTYPE = "float16"

# preset.json keys the maker gives ``save``; it adds ``model_class`` and ``weights``.
METADATA_KEYS = ("name", "config", "train_command", "preset_command", "date", "training", "quality")
REQUIRED_KEYS = METADATA_KEYS + ("model_class", "weights")

_NAME = re.compile(r"^[a-z0-9_]+$")


def available() -> list[str]:
    """Names of the presets that ship with this install, sorted."""
    return sorted(
        name for name in os.listdir(PRESETS_DIR)
        if os.path.isfile(os.path.join(PRESETS_DIR, name, METADATA_FILE))
    )


def _directory(preset: str) -> str:
    """The folder of a preset name, or ``preset`` itself when it is a folder holding preset.json."""
    if _NAME.match(preset) and os.path.isfile(os.path.join(PRESETS_DIR, preset, METADATA_FILE)):
        return os.path.join(PRESETS_DIR, preset)
    if os.path.isfile(os.path.join(preset, METADATA_FILE)):
        return preset
    names = available()
    raise GanzooError(
        f"ganzoo.presets: unknown preset '{preset}'; available: {', '.join(names) or 'none'} "
        f"(or pass a folder holding {METADATA_FILE})."
    )


def _size(directory: str) -> int:
    return sum(
        os.path.getsize(os.path.join(directory, name))
        for name in os.listdir(directory) if os.path.isfile(os.path.join(directory, name))
    )


def info(preset: str) -> dict[str, Any]:
    """The preset's ``preset.json`` as a dict, plus ``path`` (its folder) and ``size_bytes``."""
    directory = _directory(preset)
    with open(os.path.join(directory, METADATA_FILE)) as handle:
        metadata = json.load(handle)
    metadata["path"] = directory
    metadata["size_bytes"] = _size(directory)
    return metadata


def _model_class(metadata: dict[str, Any]):
    """The registered Keras class a preset names (``ganzoo>DCGAN``), without importing the models.

    Model classes register themselves when ``ganzoo.models`` is imported; a caller that has not
    imported it yet gets it imported here, by name, so this package never depends on the models.
    """
    import keras

    name = str(metadata.get("model_class"))
    cls = keras.saving.get_registered_object(f"ganzoo>{name}")
    if cls is None:
        importlib.import_module("ganzoo.models")
        cls = keras.saving.get_registered_object(f"ganzoo>{name}")
    if not (isinstance(cls, type) and issubclass(cls, keras.Model) and hasattr(cls, "from_preset")):
        raise GanzooError(
            f"ganzoo.presets: preset '{metadata.get('name')}' names model class "
            f"'{metadata.get('model_class')}', which is not in ganzoo.models; it was made by "
            "another ganzoo version."
        )
    return cls


def load(preset: str, expect: type | None = None):
    """Loads a preset as an uncompiled GAN with float32 weights.

    Args:
        preset: a name from :func:`available` (``"dcgan_digits"``) or a folder holding a
            ``preset.json`` (one ``benchmarks/make_presets.py --out`` wrote).
        expect: a ``GAN`` subclass the preset's model must be (``from_preset`` passes its
            class); checked before any weight is read.

    Returns:
        The model, ready for ``generate(n, seed=...)``; ``compile()`` it before ``fit``.
    """
    metadata = info(preset)
    cls = _model_class(metadata)
    if expect is not None and not issubclass(cls, expect):
        name = metadata["name"]
        raise GanzooError(
            f"ganzoo.presets: preset '{name}' holds a {cls.__name__}, not a {expect.__name__}; "
            f"load it with ganzoo.models.{cls.__name__}.from_preset('{name}') or "
            f"ganzoo.presets.load('{name}')."
        )
    model = _load_files(metadata["path"])
    if not isinstance(model, cls):  # a hand-edited preset.json
        raise GanzooError(
            f"ganzoo.presets: preset '{metadata['name']}' says {cls.__name__} but its "
            f"files hold a {type(model).__name__}."
        )
    return model


def _load_files(directory: str):
    """The model in a preset folder: its model.keras, or model.json + generator weights."""
    import keras

    if os.path.exists(os.path.join(directory, MODEL_FILE)):
        return keras.models.load_model(os.path.join(directory, MODEL_FILE), compile=False)
    with open(os.path.join(directory, CONFIG_FILE)) as handle:
        model = keras.saving.deserialize_keras_object(json.load(handle))
    model.generator.load_weights(os.path.join(directory, GENERATOR_FILE))
    return model


# ----------------------------------------------------------------------- writing


_COMPRESS_MIN_SIZE = 1024  # values; smaller arrays (biases, scalars) are not worth a filter


def _half_precision_weights(h5_bytes: bytes, compress: bool = False) -> bytes:
    """The Keras weights file with every float32 array stored as float16 (other dtypes kept).

    ``compress``: store arrays of more than ``_COMPRESS_MIN_SIZE`` values with HDF5's byte
    shuffle and gzip filters, which h5py (and so Keras) undoes on reading. Used where no zip
    archive deflates the file afterwards (generator-only presets).
    """
    import h5py
    import numpy as np

    out = io.BytesIO()
    with h5py.File(io.BytesIO(h5_bytes), "r") as source, h5py.File(out, "w") as target:
        target.attrs.update(source.attrs)

        def copy(name: str, item: Any) -> None:
            if isinstance(item, h5py.Group):
                target.require_group(name).attrs.update(item.attrs)
                return
            value = item[()]
            if getattr(value, "dtype", None) == np.float32:
                half = value.astype(np.float16)
                if not np.all(np.isfinite(half)):
                    raise GanzooError(
                        f"ganzoo.presets: weight '{name}' does not fit in float16 (|w| up to "
                        f"{np.abs(value).max():.3g}); this model cannot be stored half-size."
                    )
                value = half
            filters = {}
            if compress and getattr(value, "size", 0) > _COMPRESS_MIN_SIZE:
                filters = dict(compression="gzip", compression_opts=9, shuffle=True)
            target.create_dataset(name, data=value, **filters).attrs.update(item.attrs)

        source.visititems(copy)
    return out.getvalue()


def write_model(model, path: str) -> None:
    """Saves an uncompiled ``model`` as a .keras file whose float32 weights are stored as float16."""
    with tempfile.TemporaryDirectory() as scratch:
        full = os.path.join(scratch, MODEL_FILE)
        model.save(full)
        with zipfile.ZipFile(full) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename == "model.weights.h5":
                    data = _half_precision_weights(data)
                target.writestr(item.filename, data)


def write_generator(model, directory: str) -> list[str]:
    """Saves ``model``'s config and its generator's weights (float16); returns the file names."""
    import keras

    with open(os.path.join(directory, CONFIG_FILE), "w") as handle:
        json.dump(keras.saving.serialize_keras_object(model), handle, indent=1)
    with tempfile.TemporaryDirectory() as scratch:
        full = os.path.join(scratch, GENERATOR_FILE)
        model.generator.save_weights(full)
        with open(full, "rb") as source, open(os.path.join(directory, GENERATOR_FILE), "wb") as target:
            target.write(_half_precision_weights(source.read(), compress=True))
    return [CONFIG_FILE, GENERATOR_FILE]


def save(model, directory: str, metadata: dict[str, Any], overwrite: bool = False,
         networks: str = "all", num_samples: int = 64, conditions: dict[str, Any] | None = None) -> dict[str, Any]:
    """Writes a preset folder for an uncompiled ``model`` and returns its ``preset.json`` dict.

    ``metadata`` holds at least ``METADATA_KEYS``; this adds ``model_class`` and ``weights``
    (files, storage dtype, size, SHA-256, and the largest difference between 16 samples of the
    float32 model and of the stored preset). ``networks="all"`` stores model.keras;
    ``"generator"`` stores model.json and the generator's weights only. ``num_samples``: images
    in ``samples.png`` (fewer for large images, whose grid counts against the size limit).
    ``conditions``: keyword inputs of ``generate`` for models that translate images (CycleGAN's
    ``a=``/``b=`` held-out images), used for the sample check and ``samples.png``.
    Refuses a folder over ``MAX_PRESET_BYTES``.
    """
    import numpy as np

    from ganzoo.export import prepare_directory
    from ganzoo.utils import images

    missing = [key for key in METADATA_KEYS if key not in metadata]
    if missing:
        raise GanzooError(f"ganzoo.presets: preset metadata lacks {', '.join(missing)}.")
    if not _NAME.match(str(metadata["name"])):
        raise GanzooError(
            f"ganzoo.presets: preset name '{metadata['name']}' must be lower-case letters, digits and _."
        )
    if networks not in ("all", "generator"):
        raise GanzooError(f"ganzoo.presets: networks='{networks}'; use 'all' or 'generator'.")
    if model.compiled:
        raise GanzooError(
            "ganzoo.presets: the model is compiled; a preset stores no optimizer state. Load the "
            "run with keras.models.load_model(path, compile=False) and pass that model."
        )
    prepare_directory(directory, overwrite, what="preset")
    os.makedirs(directory, exist_ok=True)
    if networks == "all":
        files = [MODEL_FILE]
        write_model(model, os.path.join(directory, MODEL_FILE))
    else:
        files = write_generator(model, directory)
    stored = _load_files(directory)
    conditions = dict(conditions or {})
    difference = float(np.abs(stored.generate(16, seed=0, **conditions) - model.generate(16, seed=0, **conditions)).max())
    images.save_samples(os.path.join(directory, SAMPLES_FILE), stored.generate(num_samples, seed=0, **conditions))
    digest = hashlib.sha256()
    for name in files:
        with open(os.path.join(directory, name), "rb") as handle:
            digest.update(handle.read())
    metadata = dict(metadata, model_class=type(model).__name__)
    metadata["weights"] = {
        "files": files,
        "networks": ("generator and discriminator" if networks == "all"
                     else "generator only (the discriminator starts freshly initialised)"),
        "optimizer_state": False,
        "storage_dtype": STORAGE_DTYPE,
        "loaded_dtype": "float32",
        "bytes": sum(os.path.getsize(os.path.join(directory, name)) for name in files),
        "sha256": digest.hexdigest(),
        "max_abs_sample_difference_vs_float32": difference,
    }
    with open(os.path.join(directory, METADATA_FILE), "w") as handle:
        json.dump(metadata, handle, indent=2)
        handle.write("\n")
    size = _size(directory)
    if size > MAX_PRESET_BYTES:
        shutil.rmtree(directory)
        raise GanzooError(
            f"ganzoo.presets: preset '{metadata['name']}' would take {size / 1e6:.1f} MB; a preset "
            f"must stay under {MAX_PRESET_BYTES / 1e6:.0f} MB. Store the generator only "
            "(networks='generator') or use smaller networks in its config."
        )
    return metadata


__all__ = ["available", "info", "load", "save", "write_model", "write_generator",
           "MAX_PRESET_BYTES", "MAX_TOTAL_BYTES", "METADATA_KEYS", "REQUIRED_KEYS"]
