"""The zoo's models. Every model is a :class:`GAN` subclass.

``get(name)`` maps a config's ``model.name`` to its class; ``MODELS`` lists them.
"""

from __future__ import annotations

from ganzoo.errors import GanzooError
from ganzoo.models.base import GAN
from ganzoo.models.conditional import ConditionalDCGAN
from ganzoo.models.cyclegan import CycleGAN
from ganzoo.models.dcgan import DCGAN
from ganzoo.models.frontalization import FrontalizationGAN
from ganzoo.models.lapgan import LAPGAN
from ganzoo.models.srgan import SRGAN
from ganzoo.models.text_to_image import TextToImageGAN
from ganzoo.models.vanilla import VanillaGAN
from ganzoo.models.wgan import WGAN

MODELS: dict[str, type[GAN]] = {
    "conditional_dcgan": ConditionalDCGAN,
    "cyclegan": CycleGAN,
    "dcgan": DCGAN,
    "frontalization": FrontalizationGAN,
    "lapgan": LAPGAN,
    "srgan": SRGAN,
    "text_to_image": TextToImageGAN,
    "vanilla": VanillaGAN,
    "wgan": WGAN,
}

# The constructor argument that takes the shape of one data sample.
DATA_SHAPE_ARG: dict[str, str] = {
    "conditional_dcgan": "image_shape",
    "cyclegan": "image_shape",
    "dcgan": "image_shape",
    "frontalization": "image_shape",
    "lapgan": "image_shape",
    "srgan": "lr_shape",
    "text_to_image": "image_shape",
    "vanilla": "data_shape",
    "wgan": "data_shape",
}


def get(name: str) -> type[GAN]:
    """The model class registered under ``name`` (``"dcgan"``, ``"vanilla"``, ...)."""
    if name not in MODELS:
        raise GanzooError(
            f"ganzoo.models: unknown model '{name}'; choose one of {', '.join(sorted(MODELS))}."
        )
    return MODELS[name]


__all__ = ["GAN", "ConditionalDCGAN", "CycleGAN", "DCGAN", "FrontalizationGAN", "LAPGAN", "SRGAN", "TextToImageGAN", "VanillaGAN", "WGAN", "MODELS", "get"]
