"""LAPGAN (Denton et al. 2015): a Laplacian pyramid of per-level GANs; CC-LAPGAN with labels.

    model.py       LAPGAN: one phase pair per level (d0, g0, d1, g1, ...), sampling, export
    networks.py    G_k and D_k builders, the coarse-to-fine sampling chain, the pyramid's shapes
"""

from ganzoo.models.lapgan.model import LAPGAN
from ganzoo.models.lapgan.networks import (
    LevelDiscriminators,
    PyramidSampler,
    build_coarse_discriminator,
    build_coarse_generator,
    build_level_networks,
    build_residual_discriminator,
    build_residual_generator,
    check_image_shape,
    level_sizes,
    noise_dims,
)

__all__ = [
    "LAPGAN", "PyramidSampler", "LevelDiscriminators", "build_coarse_generator", "build_coarse_discriminator",
    "build_residual_generator", "build_residual_discriminator", "build_level_networks", "check_image_shape",
    "level_sizes", "noise_dims",
]
