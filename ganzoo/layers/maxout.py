"""Maxout units (Goodfellow et al. 2013, "Maxout Networks", arXiv 1302.4389)."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="ganzoo")
class Maxout(keras.layers.Layer):
    """A dense maxout layer: h_i(x) = max_j (xᵀW_ij + b_ij), j < pieces.

    The vanilla GAN's discriminator (Goodfellow et al. 2014) uses maxout units.

    Args:
        units: number of output units.
        pieces: linear pieces per unit (k in the paper).
        kernel_initializer: initializer of the [in, units·pieces] kernel.

    Shapes: ``[batch, in] -> [batch, units]``.
    """

    def __init__(
        self, units: int, pieces: int = 5, kernel_initializer: Any = "glorot_uniform", **kwargs
    ) -> None:
        super().__init__(**kwargs)
        self.units = int(units)
        self.pieces = int(pieces)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.dense = keras.layers.Dense(
            self.units * self.pieces, kernel_initializer=self.kernel_initializer
        )

    def build(self, input_shape) -> None:
        self.dense.build(input_shape)
        self.built = True

    def call(self, inputs):
        z = self.dense(inputs)
        z = ops.reshape(z, (-1, self.units, self.pieces))
        return ops.max(z, axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "pieces": self.pieces,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
        }
