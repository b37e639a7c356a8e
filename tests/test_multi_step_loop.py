"""The multi-worker loop (ganzoo.distribute.custom_fit) runs steps_per_execution steps per call, as fit does."""

import keras
import numpy as np
import tensorflow as tf

from ganzoo import distribute
from ganzoo.models import DCGAN


class Ends(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.ends = []

    def on_epoch_begin(self, epoch, logs=None):
        self.ends.append([])

    def on_train_batch_end(self, batch, logs=None):
        self.ends[-1].append(batch)


def run(steps_per_execution, steps_per_epoch, batches=7):
    keras.utils.set_random_seed(0)
    model = DCGAN(image_shape=(16, 16, 1), latent_dim=8, g_filters=4, d_filters=4)
    model.compile(steps_per_execution=steps_per_execution)
    x = np.random.default_rng(0).uniform(-1, 1, (4 * batches, 16, 16, 1)).astype("float32")
    data = tf.data.Dataset.from_tensor_slices(x).batch(4, drop_remainder=True)
    if steps_per_epoch:
        data = data.repeat()
    ends = Ends()
    distribute.custom_fit(model, data, tf.distribute.get_strategy(), 2, steps_per_epoch, [ends])
    return model.step_count(), ends.ends, [w.numpy() for w in model.generator.trainable_weights]


def test_custom_fit_runs_steps_per_execution_and_reports_each_execution_end_like_fit():
    # 5 steps an epoch in executions of 3: 3 + 2 (the last one shortened), 2 epochs.
    steps, ends, weights = run(3, 5)
    assert steps == 10 and ends == [[2, 4], [2, 4]]
    # One pass over 7 batches: 3 + 3 + 1 (the data end inside an execution), each epoch.
    steps, ends, _ = run(3, None)
    assert steps == 14 and ends == [[2, 5, 6], [2, 5, 6]]
    # The same steps as one step per call: the same weights.
    single_steps, single_ends, single_weights = run(1, 5)
    assert single_steps == 10 and single_ends == [[0, 1, 2, 3, 4]] * 2
    for a, b in zip(weights, single_weights):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-5)
