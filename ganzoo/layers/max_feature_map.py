"""Max-feature-map activation (Wu, He, Sun, Tan 2018, "A Light CNN for Deep Face Representation
with Noisy Labels", arXiv 1511.02683).

MFM splits the channels into two halves and keeps their element-wise maximum: a competitive
activation that halves the width and, unlike ReLU, keeps no fixed threshold. Light CNN, the
identity network of TP-GAN's identity-preserving loss, uses it after every convolution.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from ganzoo.errors import GanzooError


@keras.saving.register_keras_serializable(package="ganzoo")
class MaxFeatureMap(keras.layers.Layer):
    """f(x)_k = max(x_k, x_{k + C/2}) over the last axis (the MFM 2/1 of Light CNN).

    Args:
        axis: the channel axis to halve (default the last, NHWC or [batch, features]).

    Shapes: ``[..., C] -> [..., C / 2]``; C must be even.
    """

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = int(axis)

    def _halves(self, channels: int | None) -> int:
        if channels is None or channels % 2:
            raise GanzooError(
                f"ganzoo.layers: MaxFeatureMap needs an even number of channels on axis {self.axis}, "
                f"got {channels}; give the preceding layer 2x the wanted width."
            )
        return channels // 2

    def build(self, input_shape) -> None:
        self._halves(input_shape[self.axis])
        self.built = True

    def call(self, inputs):
        a, b = ops.split(inputs, 2, axis=self.axis)
        return ops.maximum(a, b)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        shape[self.axis] = self._halves(shape[self.axis])
        return tuple(shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}
