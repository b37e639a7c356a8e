"""ganzoo: generative adversarial networks for TensorFlow and Keras 3.

This file is the map of what users import. Submodules load on first use, so
``import ganzoo`` is cheap and entry points can set TensorFlow's environment
(``TF_ENABLE_ONEDNN_OPTS``) before TensorFlow itself is imported. It still
registers every serializable class with Keras, so ``keras.models.load_model``
finds ganzoo's models after ``import ganzoo``: at once when Keras is already
imported, otherwise as soon as the import of Keras (or TensorFlow) finishes.

    ganzoo.models      GAN (the contract every model keeps), VanillaGAN, DCGAN, ConditionalDCGAN, WGAN,
                       LAPGAN, TextToImageGAN, SRGAN, FrontalizationGAN
    ganzoo.losses      GAN losses as pure functions on discriminator outputs
    ganzoo.data        load(name, ...) -> tf.data.Dataset; the dataset registry
    ganzoo.layers      serializable Keras layers (Maxout, ...)
    ganzoo.metrics     FID/KID/precision-recall/IS/PSNR/SSIM/mode coverage, pluggable extractors
    ganzoo.callbacks   SampleGrid, ...
    ganzoo.export      save_generator(model, path): SavedModel for TF Serving; export_model(model, path,
                       format="onnx" | "litert"): files checked in their own runtime
    ganzoo.demo        python -m ganzoo.demo: a local web page on the presets (Gradio, offline)
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
import importlib.abc
import sys
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
    "ConditionalDCGAN": "ganzoo.models",
    "WGAN": "ganzoo.models",
    "TextToImageGAN": "ganzoo.models",
    "LAPGAN": "ganzoo.models",
    "SRGAN": "ganzoo.models",
    "FrontalizationGAN": "ganzoo.models",
    "CycleGAN": "ganzoo.models",
    "GanzooError": "ganzoo.errors",
    "save_generator": "ganzoo.export",
    "export_model": "ganzoo.export",
}

__all__ = list(_SUBMODULES) + list(_SHORTCUTS) + ["__version__"]


# The modules whose import registers ganzoo's Keras-serializable classes.
SERIALIZABLE_MODULES = ("ganzoo.layers", "ganzoo.training", "ganzoo.remedies", "ganzoo.models")


def register_serializables() -> None:
    """Registers every ganzoo class with ``keras.saving`` (imports the modules that define them)."""
    if _KERAS_HOOK in sys.meta_path:
        sys.meta_path.remove(_KERAS_HOOK)
    for module in SERIALIZABLE_MODULES:
        importlib.import_module(module)


class _RegisterAfterKeras(importlib.abc.MetaPathFinder):
    """Calls ``register_serializables`` when the outermost import of Keras or TensorFlow ends.

    TensorFlow imports Keras and Keras imports TensorFlow, so registering when the inner
    one ends would run ganzoo's modules against a half-initialized TensorFlow. When Keras is
    first imported by one of ganzoo's own modules (``import ganzoo.training`` as a program's
    first import), registering then would import that half-initialized module again: the
    registration waits until the outermost ganzoo module has finished.
    """

    WATCHED = ("keras", "tensorflow")

    def __init__(self) -> None:
        self.depth = 0        # Keras / TensorFlow imports under way
        self.own_depth = 0    # ganzoo.* imports under way
        self.pending = False  # Keras has finished loading; registration not yet run

    def find_spec(self, fullname, path=None, target=None):
        watched = fullname in self.WATCHED
        if not watched and not fullname.startswith("ganzoo."):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        loader, hook = spec.loader, self

        class Loader(importlib.abc.Loader):
            def __getattr__(self, name):
                return getattr(loader, name)

            def create_module(self, spec):
                return loader.create_module(spec)

            def exec_module(self, module):
                if watched:
                    hook.depth += 1
                else:
                    hook.own_depth += 1
                try:
                    loader.exec_module(module)
                finally:
                    if watched:
                        hook.depth -= 1
                    else:
                        hook.own_depth -= 1
                if watched and hook.depth == 0:
                    hook.pending = True
                if hook.pending and hook.depth == 0 and hook.own_depth == 0 and _KERAS_HOOK in sys.meta_path:
                    register_serializables()

        spec.loader = Loader()
        return spec


_KERAS_HOOK = _RegisterAfterKeras()
if "keras" in sys.modules:
    register_serializables()
else:
    sys.meta_path.insert(0, _KERAS_HOOK)


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"ganzoo.{name}")
    if name in _SHORTCUTS:
        return getattr(importlib.import_module(_SHORTCUTS[name]), name)
    raise AttributeError(f"module 'ganzoo' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(__all__)
