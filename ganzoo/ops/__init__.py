"""Tensor operations shared by models: image pyramids (``ganzoo.ops.pyramid``)."""

from ganzoo.ops import pyramid
from ganzoo.ops.pyramid import downsample, gaussian, laplacian, reconstruct, upsample

__all__ = ["pyramid", "downsample", "upsample", "gaussian", "laplacian", "reconstruct"]
