"""Tensor operations shared by models: image pyramids (``ganzoo.ops.pyramid``), resampling that
compiles with XLA (``ganzoo.ops.resample``)."""

from ganzoo.ops import pyramid, resample
from ganzoo.ops.pyramid import downsample, gaussian, laplacian, reconstruct, upsample

__all__ = ["pyramid", "resample", "downsample", "upsample", "gaussian", "laplacian", "reconstruct"]
