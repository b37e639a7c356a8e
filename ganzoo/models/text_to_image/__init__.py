"""GAN-INT-CLS text-to-image (Reed et al. 2016, arXiv 1605.05396): networks, preprocessor, model.

    networks.py      build_generator, build_discriminator (concat or projection D), JointDiscriminator
    preprocessor.py  TextPreprocessor: caption strings -> token ids, mapped over the dataset by fit
    model.py         TextToImageGAN: the matching-aware D objective, GAN-INT's G term, sampling, serving
"""

from ganzoo.models.text_to_image.model import DEFAULT_SAMPLE_CAPTIONS, TextToImageGAN, gan_cls_discriminator_loss
from ganzoo.models.text_to_image.networks import (
    D_CONDITIONING,
    InnerProduct,
    JointDiscriminator,
    build_discriminator,
    build_generator,
    image_feature_layer,
)
from ganzoo.models.text_to_image.preprocessor import TextPreprocessor

__all__ = ["TextToImageGAN", "TextPreprocessor", "build_generator", "build_discriminator", "image_feature_layer",
           "gan_cls_discriminator_loss", "InnerProduct", "JointDiscriminator", "D_CONDITIONING",
           "DEFAULT_SAMPLE_CAPTIONS"]
