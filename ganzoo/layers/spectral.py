"""Spectral normalization (Miyato et al. 2018, "Spectral Normalization for Generative
Adversarial Networks", arXiv 1802.05957).

Each wrapped layer computes with W / σ(W), σ the largest singular value of W
(estimated by one power iteration per training call, with u persistent), so
every layer — and, with 1-Lipschitz activations, the whole discriminator — is
1-Lipschitz.

Why not ``keras.layers.SpectralNormalization`` (Keras 3.15)? It *overwrites*
the wrapped kernel with W/σ on every training call and then runs the layer on
that variable, so (1) the gradient does not flow through σ(W) as in the paper
(the method becomes a projection after each update), (2) the trained weights
themselves are rescaled by every forward pass, including the discriminator's
calls in the generator step, and (3) it assigns a trainable variable inside
the replicated step, which a MirroredVariable without an aggregation refuses.
This wrapper keeps W untouched, differentiates through W/σ with u and v held
constant (the paper's Algorithm 1), and only updates u (first replica's value).
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


def _l2_normalize(x):
    return x / ops.sqrt(ops.sum(ops.square(x)) + 1e-12)


@keras.saving.register_keras_serializable(package="ganzoo")
class SpectralNorm(keras.layers.Wrapper):
    """Wraps a layer with a ``kernel`` (Dense, Conv*) so it computes with W / σ(W).

    Args:
        layer: the layer to wrap, e.g. ``keras.layers.Dense(128)``.
        power_iterations: power-iteration steps per training call (paper: 1).

    In inference (``training=False``) u is not updated, so outputs are deterministic.
    Shapes: those of the wrapped layer.
    """

    def __init__(self, layer: keras.layers.Layer, power_iterations: int = 1, **kwargs: Any) -> None:
        super().__init__(layer, **kwargs)
        if int(power_iterations) < 1:
            raise ValueError(f"SpectralNorm: power_iterations={power_iterations} must be >= 1.")
        self.power_iterations = int(power_iterations)

    def build(self, input_shape) -> None:
        if not self.layer.built:
            self.layer.build(input_shape)
        if not hasattr(self.layer, "kernel"):
            raise ValueError(
                f"SpectralNorm wraps layers with a kernel (Dense, Conv2D, ...); "
                f"{type(self.layer).__name__} has none."
            )
        self.vector_u = self.add_weight(
            shape=(1, int(self.layer.kernel.shape[-1])),
            initializer=keras.initializers.RandomNormal(0.0, 1.0),
            trainable=False,
            name="vector_u",
            aggregation="only_first_replica",
        )
        self.built = True

    def sigma(self, update: bool = False):
        """σ(W) by power iteration from u; ``update`` stores the new u."""
        kernel = self.layer.kernel
        w = ops.reshape(ops.cast(kernel, "float32"), (-1, int(kernel.shape[-1])))
        u = ops.cast(self.vector_u, "float32")
        for _ in range(self.power_iterations):
            v = _l2_normalize(ops.matmul(u, ops.transpose(w)))
            u = _l2_normalize(ops.matmul(v, w))
        u, v = ops.stop_gradient(u), ops.stop_gradient(v)
        if update:
            self.vector_u.assign(ops.cast(u, self.vector_u.dtype))
        return ops.squeeze(ops.matmul(ops.matmul(v, w), ops.transpose(u)))

    def call(self, inputs, training=False):
        kernel = self.layer.kernel
        normalized = ops.cast(ops.cast(kernel, "float32") / self.sigma(update=bool(training)), kernel.dtype)
        values = [normalized if v is kernel else v for v in self.layer.trainable_variables]
        outputs, _ = self.layer.stateless_call(values, self.layer.non_trainable_variables, inputs)
        return outputs

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "power_iterations": self.power_iterations}
