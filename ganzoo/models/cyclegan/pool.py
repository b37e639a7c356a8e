"""The history of generated images a CycleGAN discriminator trains on (Shrivastava et al. 2017).

Zhu et al. 2017, section 4: "to reduce model oscillation we update the discriminators using a
history of generated images rather than the ones produced by the latest generators. We keep an
image buffer that stores the 50 previously created images." The official code's rule, per
image: while the pool is not full, store the image and return it; once full, with
probability ½ return a random stored image and put the new one in its place, else return the
new image.
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="ganzoo")
class HistoryPool(keras.layers.Layer):
    """A pool of ``size`` past images; ``pool(images)`` returns a batch half old, half new once full.

    The images and the fill count are (non-trainable) variables, so checkpoints carry the
    pool and a resumed run continues with it. Under ``MirroredStrategy`` the variables take the
    first replica's writes (``aggregation="only_first_replica"``): every replica draws from one
    shared pool. ``size=0`` returns its input unchanged.

    Args:
        size: images kept (paper 50).
        seed: seed of the pool's random choices.
    """

    def __init__(self, size: int = 50, seed: int = 0, **kwargs: Any) -> None:
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.size, self.seed = int(size), int(seed)
        self.seed_generator = keras.random.SeedGenerator(self.seed, name=f"{self.name}_seed")

    def build(self, input_shape) -> None:
        shape = (max(self.size, 1), *(int(d) for d in input_shape[1:]))
        self.images = self.add_weight(shape=shape, initializer="zeros", trainable=False, name="images",
                                      aggregation="only_first_replica")
        self.count = self.add_weight(shape=(), dtype="int32", initializer="zeros", trainable=False,
                                     name="count", aggregation="only_first_replica")

    def call(self, images):
        images = tf.cast(images, tf.float32)
        if self.size == 0:
            return images
        batch = tf.shape(images)[0]
        count = tf.convert_to_tensor(self.count)
        slot = count + tf.range(batch)
        filling = slot < self.size
        swap = tf.logical_and(tf.logical_not(filling),
                              keras.random.uniform([batch], seed=self.seed_generator) < 0.5)
        pick = tf.cast(keras.random.randint([batch], 0, self.size, seed=self.seed_generator), tf.int32)
        stored = tf.convert_to_tensor(self.images)
        returned = tf.where(swap[:, None, None, None], tf.gather(stored, pick), images)
        slot = tf.where(filling, slot, tf.where(swap, pick, -1))
        write = slot >= 0
        stored = tf.tensor_scatter_nd_update(stored, tf.boolean_mask(slot, write)[:, None],
                                             tf.boolean_mask(images, write))
        self.images.assign(stored)
        self.count.assign(tf.minimum(count + batch, self.size))
        return returned

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": self.size, "seed": self.seed}
