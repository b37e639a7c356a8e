"""ganzoo: generative adversarial networks for TensorFlow and Keras 3.

This file is the map of what users import. Submodules load on first use, so
``import ganzoo`` is cheap and entry points can set TensorFlow's environment
(``TF_ENABLE_ONEDNN_OPTS``) before TensorFlow itself is imported.

    ganzoo.models      GAN (the contract every model keeps), VanillaGAN, DCGAN, WGAN,
                       LAPGAN, TextToImageGAN, SRGAN, FrontalizationGAN
    ganzoo.losses      GAN losses as pure functions on discriminator outputs
    ganzoo.data        load(name, ...) -> tf.data.Dataset; the dataset registry
    ganzoo.layers      serializable Keras layers (Maxout, ...)
    ganzoo.metrics     FID/KID/precision-recall/IS/PSNR/SSIM/mode coverage, pluggable extractors
    ganzoo.callbacks   SampleGrid, ...
    ganzoo.export      save_generator(model, path): SavedModel for TF Serving
    ganzoo.presets     trained models that ship inside ganzoo: load(name), available(), info(name);
                       also GAN.from_preset(name), e.g. ganzoo.models.DCGAN.from_preset("dcgan_digits")
    ganzoo.latent      latent-space helpers: interpolation, vector arithmetic
    ganzoo.remedies    minibatch discrimination / spectral norm on any discriminator
    ganzoo.text        caption vectorizer and encoder for text-to-image
    ganzoo.distribute  get_strategy(name)

Scripts (``python -m ganzoo.X``, or ``ganzoo-X``): train, sample, evaluate, export, list.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = (
    "callbacks",
    "data",
    "distribute",
    "errors",
    "export",
    "latent",
    "layers",
    "losses",
    "metrics",
    "ops",
    "models",
    "presets",
    "remedies",
    "text",
)

# Top-level shortcuts: name -> module that defines it.
_SHORTCUTS = {
    "GAN": "ganzoo.models",
    "VanillaGAN": "ganzoo.models",
    "DCGAN": "ganzoo.models",
    "WGAN": "ganzoo.models",
    "TextToImageGAN": "ganzoo.models",
    "LAPGAN": "ganzoo.models",
    "SRGAN": "ganzoo.models",
    "FrontalizationGAN": "ganzoo.models",
    "CycleGAN": "ganzoo.models",
    "GanzooError": "ganzoo.errors",
    "save_generator": "ganzoo.export",
}

__all__ = list(_SUBMODULES) + list(_SHORTCUTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"ganzoo.{name}")
    if name in _SHORTCUTS:
        return getattr(importlib.import_module(_SHORTCUTS[name]), name)
    raise AttributeError(f"module 'ganzoo' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(__all__)
