"""Reusable, serializable Keras layers.

    Maxout                    maxout units (Goodfellow et al. 2013)          maxout.py
    MaxFeatureMap             max of two channel halves (Wu et al. 2018)     max_feature_map.py
    MinibatchDiscrimination   batch-closeness features (Salimans et al. 2016) minibatch.py
    Pack                      m samples as one D input (PacGAN, Lin et al. 2018) packing.py
    SpectralNorm              W / σ(W) wrapper (Miyato et al. 2018)          spectral.py
"""

from ganzoo.layers.max_feature_map import MaxFeatureMap
from ganzoo.layers.maxout import Maxout
from ganzoo.layers.minibatch import MinibatchDiscrimination
from ganzoo.layers.packing import Pack
from ganzoo.layers.spectral import SpectralNorm

__all__ = ["Maxout", "MaxFeatureMap", "MinibatchDiscrimination", "Pack", "SpectralNorm"]
