"""Minibatch discrimination (Salimans et al. 2016, "Improved Techniques for Training GANs",
arXiv 1606.03498, section 3.2).

A discriminator that looks at one sample at a time cannot see that G gives the
same answer to every z. This layer lets it compare each sample with the rest
of its batch, so a collapsed batch (many near-copies) looks different from a
batch of data.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="ganzoo")
class MinibatchDiscrimination(keras.layers.Layer):
    """Appends batch-closeness features to each sample's features.

    With f(x_i) ∈ R^A the input rows and a learnt tensor T ∈ R^{A×B×C}:

        M_i = f(x_i)·T ∈ R^{B×C}
        c_b(x_i, x_j) = exp(−‖M_{i,b} − M_{j,b}‖_L1)
        o(x_i)_b = Σ_{j≠i} c_b(x_i, x_j)         (include_self=False, the default)
        output_i = [f(x_i), o(x_i)] ∈ R^{A+B}

    ``include_self=True`` sums over every j, as the paper's equation reads; the
    j = i term is then the constant exp(0) = 1, so the two choices differ only
    by that constant. ganzoo excludes it by default so that o counts *other*
    samples: a batch of n copies gives o = n − 1 in every entry, a batch of
    far-apart samples gives o ≈ 0.

    The sum runs over the batch this layer sees (one replica's batch under a
    distribution strategy), and the discriminator's output on a sample depends
    on its batch-mates: compare real and fake batches of the same size.

    Args:
        num_kernels: B, the number of closeness features (paper: 100 for CIFAR-10).
        kernel_dim: C, the size of each projected row (paper: 5).
        include_self: whether the j = i term is in the sum.
        kernel_initializer: initializer of T (stored as ``[A, B·C]``).

    Shapes: ``[batch, A] -> [batch, A + B]``.
    """

    def __init__(
        self,
        num_kernels: int = 100,
        kernel_dim: int = 5,
        include_self: bool = False,
        kernel_initializer: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.num_kernels = int(num_kernels)
        self.kernel_dim = int(kernel_dim)
        self.include_self = bool(include_self)
        # N(0, 0.05) by default, made per layer so that its seed follows keras.utils.set_random_seed.
        self.kernel_initializer = keras.initializers.get(kernel_initializer or keras.initializers.RandomNormal(0.0, 0.05))

    def build(self, input_shape) -> None:
        if len(input_shape) != 2:
            raise ValueError(
                f"MinibatchDiscrimination takes [batch, features] inputs, got shape {input_shape}; "
                "add a Flatten layer before it."
            )
        self.kernel = self.add_weight(
            shape=(int(input_shape[-1]), self.num_kernels * self.kernel_dim),
            initializer=self.kernel_initializer,
            name="kernel",
        )

    def call(self, inputs):
        m = ops.reshape(ops.matmul(inputs, self.kernel), (-1, self.num_kernels, self.kernel_dim))
        # [batch, 1, B, C] − [1, batch, B, C] -> L1 over C -> [batch, batch, B]
        distances = ops.sum(ops.abs(ops.expand_dims(m, 1) - ops.expand_dims(m, 0)), axis=-1)
        closeness = ops.sum(ops.exp(-distances), axis=1)
        if not self.include_self:
            closeness = closeness - 1.0
        return ops.concatenate([inputs, ops.cast(closeness, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        features = None if input_shape[-1] is None else input_shape[-1] + self.num_kernels
        return (input_shape[0], features)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_kernels": self.num_kernels,
            "kernel_dim": self.kernel_dim,
            "include_self": self.include_self,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
        }
