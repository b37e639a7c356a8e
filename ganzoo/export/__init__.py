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

import keras
import tensorflow as tf

from ganzoo.errors import GanzooError


def prepare_directory(path: str, overwrite: bool, what: str = "export") -> None:
    """Refuses to replace an existing non-empty ``path`` unless ``overwrite``."""
    if os.path.exists(path) and (not os.path.isdir(path) or os.listdir(path)):
        if not overwrite:
            raise GanzooError(
                f"ganzoo: {what} directory '{path}' already exists and is not empty; "
                "choose another path or pass overwrite=True (--overwrite)."
            )
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
    archive = keras.export.ExportArchive()
    for network in model.serving_networks():
        archive.track(network)
    for name, (function, signature) in model.serving_endpoints().items():
        archive.add_endpoint(name, function, input_signature=signature)
    archive.write_out(path, verbose=False)
    return path


__all__ = ["save_generator", "prepare_directory"]
