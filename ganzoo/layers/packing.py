"""Packing (Lin, Khetan, Fanti, Oh 2018, "PacGAN: The power of two samples in generative
adversarial networks", arXiv 1712.04086).

A discriminator that judges one sample at a time cannot tell a G that always
gives the same good-looking sample from the data. PacGAN's discriminator judges
m samples at once, all real or all generated, concatenated into one input: a
collapsed G then shows m near-copies side by side, which real data rarely does.
The paper's "PacGANm" concatenates m samples; m = 2-4 suffices on its 2-D mixtures.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops
import tensorflow as tf

from ganzoo.errors import GanzooError


def check_packing(packing: Any) -> int:
    if isinstance(packing, bool) or int(packing) != packing or int(packing) < 1:
        raise GanzooError(
            f"ganzoo: packing={packing!r} must be a whole number >= 1 (1 = off; PacGAN uses 2-4)."
        )
    return int(packing)


@keras.saving.register_keras_serializable(package="ganzoo")
class Pack(keras.layers.Layer):
    """Concatenates each group of ``packing`` consecutive samples along the last axis.

    Rows ``i·m .. i·m + m − 1`` of the batch become pack ``i`` (m = ``packing``):

        points / vectors  ``[batch, F]       -> [batch / m, m·F]``        (PacGAN's MLP input)
        images (NHWC)     ``[batch, H, W, C] -> [batch / m, H, W, m·C]``  (its channel stack)

    Put it right after a discriminator's input (``ganzoo.remedies.with_packing``
    does): every later layer then sees packs, and the discriminator outputs one
    value per pack. Real and fake batches are packed separately, so a pack is
    all real or all generated, as in the paper. The batch must be a multiple of
    ``packing``; a static batch that is not fails when the layer is called, a
    dynamic one at run time (outside XLA).

    Args:
        packing: m, the number of samples per pack (1 passes the input through).
    """

    def __init__(self, packing: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.packing = check_packing(packing)

    def _check_batch(self, batch: Any) -> None:
        if batch is not None and int(batch) % self.packing:
            raise GanzooError(
                f"ganzoo: Pack(packing={self.packing}) got a batch of {batch}, which is not a "
                f"multiple of {self.packing}; use a batch size divisible by the packing."
            )

    def call(self, inputs):
        m = self.packing
        if m == 1:
            return inputs
        self._check_batch(inputs.shape[0])
        if inputs.shape[0] is None and not tf.executing_eagerly():
            tf.debugging.assert_equal(
                tf.math.floormod(tf.shape(inputs)[0], m), 0,
                message=f"ganzoo: Pack(packing={m}) needs a batch size divisible by {m}.",
            )
        rank = len(inputs.shape)
        sample_shape = tuple(inputs.shape[1:])
        # [B, *S, C] -> [B/m, m, *S, C] -> [B/m, *S, m, C] -> [B/m, *S, m·C]
        x = ops.reshape(inputs, (-1, m, *sample_shape))
        x = ops.transpose(x, (0, *range(2, rank), 1, rank))
        return ops.reshape(x, (-1, *sample_shape[:-1], m * sample_shape[-1]))

    def compute_output_shape(self, input_shape):
        batch, *rest = input_shape
        self._check_batch(batch)
        if self.packing == 1:
            return tuple(input_shape)
        batch = None if batch is None else int(batch) // self.packing
        return (batch, *rest[:-1], self.packing * int(rest[-1]))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "packing": self.packing}
