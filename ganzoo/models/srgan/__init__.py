"""SRResNet / SRGAN (Ledig et al. 2017, arXiv 1609.04802): 4× photo super-resolution.

    networks.py    SRResNet (``build_generator``), the VGG-style D, ``PixelShuffle``
    objective.py   per-image MSE and PSNR, VGG19 φ5,4 content features
    model.py       ``SRGAN``: phases (SRResNet pre-training, then D and G), super_resolve, serving
"""

from ganzoo.models.srgan.model import MAX_PIXELS, SRGAN, TILE_SIZE
from ganzoo.models.srgan.networks import (
    SCALES,
    BicubicUpsample,
    PixelShuffle,
    build_discriminator,
    build_generator,
    check_scale,
    receptive_radius,
)
from ganzoo.models.srgan.objective import (
    CONTENT_LOSSES,
    VGG19_ENV,
    VGG19_FILE,
    build_vgg_features,
    mse_per_example,
    psnr_per_example,
    vgg19_weights_path,
)

__all__ = ["SRGAN", "MAX_PIXELS", "TILE_SIZE", "SCALES", "PixelShuffle", "BicubicUpsample", "build_generator",
           "build_discriminator", "check_scale", "receptive_radius", "CONTENT_LOSSES", "VGG19_ENV", "VGG19_FILE",
           "build_vgg_features", "mse_per_example", "psnr_per_example", "vgg19_weights_path"]
