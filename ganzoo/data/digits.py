"""``digits``: the 1,797 real 8×8 handwritten digits that ship with scikit-learn.

Alpaydin & Kaynak 1998 (UCI "Optical Recognition of Handwritten Digits"), as
bundled in ``sklearn.datasets.load_digits``: 16 gray levels, 10 balanced
classes, no download. Images are upsampled (bilinear) to ``image_size``
(default 32) and mapped to [-1, 1]. Splits: ``train`` (1,438: every example
whose index is not 4 mod 5), ``test`` (359) and ``all`` (1,797).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from ganzoo.data.registry import Source, register, set_channels, to_range
from ganzoo.errors import GanzooError

SPLITS = ("train", "test", "all")


def arrays(split: str = "train", image_size: int = 32, channels: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The digits as numpy: images ``[n, size, size, channels]`` float32 in [-1, 1], labels int32."""
    if split not in SPLITS:
        raise GanzooError(f"ganzoo.data: digits has splits {', '.join(SPLITS)}, not '{split}'.")
    from sklearn.datasets import load_digits  # imported here: only this source needs it

    bunch = load_digits()
    images, labels = bunch.images.astype(np.float32), bunch.target.astype(np.int32)
    index = np.arange(len(images))
    if split == "train":
        keep = index % 5 != 4
    elif split == "test":
        keep = index % 5 == 4
    else:
        keep = np.ones_like(index, bool)
    images = tf.constant(images[keep][..., None])
    if image_size != 8:
        images = tf.image.resize(images, [image_size, image_size], method="bilinear")
    images = tf.clip_by_value(to_range(images, 16.0), -1.0, 1.0)
    images = set_channels(images, channels)
    return images.numpy(), labels[keep]


@register("digits", description="scikit-learn's 1,797 real 8x8 handwritten digits, resized (default 32x32); offline")
def digits(split="train", image_size=None, channels=None, with_labels=False, shuffle=True, seed=0) -> Source:
    images, labels = arrays(split, image_size or 32, channels or 1)
    elements = (images, labels) if with_labels else images
    return Source(tf.data.Dataset.from_tensor_slices(elements), len(images), in_memory=True)
