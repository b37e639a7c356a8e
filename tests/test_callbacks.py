"""Callbacks: Backup resumes an interrupted epoch where it stopped."""

import numpy as np
import pytest
import tensorflow as tf

from ganzoo import callbacks
from ganzoo.models import WGAN


class Interrupted(Exception):
    pass


class InterruptAt(callbacks.keras.callbacks.Callback):
    """Raises after ``step`` of ``epoch`` (both 1-based), like a kill after that step."""

    def __init__(self, epoch, step):
        super().__init__()
        self.epoch, self.step = epoch, step

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch + 1

    def on_train_batch_end(self, batch, logs=None):
        if (self._epoch, batch + 1) == (self.epoch, self.step):
            raise Interrupted()


class CountSteps(callbacks.keras.callbacks.Callback):
    steps = 0

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1


def points_of_unknown_length():
    points = np.random.default_rng(0).normal(size=(40, 2)).astype("float32")
    # filter() hides the cardinality, as ignore_errors does for folder:<path>.
    return tf.data.Dataset.from_tensor_slices(points).filter(lambda x: True).batch(8)


def tiny_wgan():
    gan = WGAN(data_shape=(2,), latent_dim=4, g_units=(8,), d_units=(8,))
    gan.compile()
    return gan


@pytest.mark.filterwarnings("ignore:Your input ran out of data")  # how fit meets an unknown end
def test_backup_resumes_mid_epoch_of_a_dataset_of_unknown_length(tmp_path):
    # 5 steps an epoch, unknown to fit; a backup every 2 steps. Interrupted after
    # step 3 of epoch 2, the last backup is step 2 of epoch 2 with the length
    # learned from epoch 1, so the resumed run does 3 + 5 steps: 15 in all.
    directory = str(tmp_path / "backup")
    gan = tiny_wgan()
    with pytest.raises(Interrupted):
        gan.fit(points_of_unknown_length(), epochs=3, verbose=0,
                callbacks=[callbacks.Backup(directory, every_steps=2), InterruptAt(epoch=2, step=3)])
    metadata = callbacks.Backup.read_metadata(directory)
    assert metadata == {"epoch": 1, "step": 2, "epoch_steps": 5}

    resumed, count = tiny_wgan(), CountSteps()
    history = resumed.fit(points_of_unknown_length(), epochs=3, verbose=0,
                          callbacks=[callbacks.Backup(directory, every_steps=2), count])
    # Steps are counted by callback: with an unknown length, Keras 3.15's optimizer
    # `iterations` also counts the call that finds the data's end, once an epoch.
    assert 5 + 2 + count.steps == 3 * 5
    assert len(history.history["d_loss"]) == 2  # the rest of epoch 2, then epoch 3
    metadata = callbacks.Backup.read_metadata(directory)
    assert metadata == {"epoch": 3, "step": 0, "epoch_steps": 5}
