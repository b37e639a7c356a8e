"""Tensor operations shared by models: image pyramids (``ganzoo.ops.pyramid``), resampling that
compiles with XLA (``ganzoo.ops.resample``), histograms of oriented gradients and a shape
descriptor built on them (``ganzoo.ops.hog``)."""

from ganzoo.ops import hog, pyramid, resample
from ganzoo.ops.pyramid import downsample, gaussian, laplacian, reconstruct, upsample

__all__ = ["hog", "pyramid", "resample", "downsample", "upsample", "gaussian", "laplacian", "reconstruct"]
