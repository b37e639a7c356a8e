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


class Swapped(keras.callbacks.Callback):
    """Records, at every batch end, whether the per-device dataset builder is ganzoo's untuned one."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def record(self, batch, logs=None):
        from tensorflow.python.data.ops import multi_device_iterator_ops as multi_device

        self.seen.append(getattr(multi_device._create_device_dataset, "ganzoo_untuned", False))

    on_train_batch_end = on_test_batch_end = on_predict_batch_end = record


def test_fit_evaluate_predict_and_custom_fit_build_per_device_datasets_without_autotuning(monkeypatch):
    # The autotuning threads of MultiDeviceIterator's per-device datasets made every fit on 2 replicas
    # wait up to 60 s when it deleted its iterator (BUILD_NOTES.md, accelerators).
    from tensorflow.python.data.ops import multi_device_iterator_ops as multi_device

    original = multi_device._create_device_dataset
    model = DCGAN(image_shape=(16, 16, 1), latent_dim=8, g_filters=4, d_filters=4)
    model.compile()
    x = np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 1)).astype("float32")
    data = tf.data.Dataset.from_tensor_slices(x).batch(4)
    probes = [Swapped() for _ in range(3)]
    model.fit(data, epochs=1, verbose=0, callbacks=[probes[0]])
    model.evaluate(data, verbose=0, callbacks=[probes[1]])
    model.predict(model.noise(4, seed=0), verbose=0, callbacks=[probes[2]])
    assert all(p.seen and all(p.seen) for p in probes), [p.seen for p in probes]
    assert multi_device._create_device_dataset is original  # swapped back afterwards
    # custom_fit swaps it while it creates each iterator: 2 epochs of a finite dataset, 2 iterators.
    entered, swap = [], distribute.device_datasets_untuned

    def counted():
        entered.append(1)
        return swap()

    monkeypatch.setattr(distribute, "device_datasets_untuned", counted)
    distribute.custom_fit(model, data, tf.distribute.get_strategy(), 2, None, [])
    monkeypatch.setattr(distribute, "device_datasets_untuned", swap)
    assert len(entered) >= 2, entered
    with distribute.device_datasets_untuned():
        inner = multi_device._create_device_dataset
        with distribute.device_datasets_untuned():  # nested: the outer swap stays
            assert multi_device._create_device_dataset is inner
        # A real MultiDeviceIterator built inside: same elements, datasets untuned.
        iterator = multi_device.MultiDeviceIterator(tf.data.Dataset.range(3), ["/cpu:0"])
        assert [int(iterator.get_next()[0]) for _ in range(3)] == [0, 1, 2]
    assert multi_device._create_device_dataset is original
    made = distribute.untuned(lambda n: tf.data.Dataset.range(n))(3)
    assert made.options().autotune.enabled is False and list(made.as_numpy_iterator()) == [0, 1, 2]
