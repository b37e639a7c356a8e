"""HeldOutPreview: a model's outputs on fixed held-out inputs, beside the inputs and targets."""

import numpy as np
import tensorflow as tf

from ganzoo import callbacks
from ganzoo.utils import images


class Doubler:
    """Stands in for an image-to-image GAN: (lr, hr) batches, generate(n, lr=...) upsamples ×2 and inverts."""

    def unpack(self, data):
        lr, hr = data
        return hr, {"lr": lr}

    def generate(self, n, seed=None, lr=None):
        assert len(lr) == n
        return -np.repeat(np.repeat(np.asarray(lr), 2, axis=1), 2, axis=2)


def test_rows_are_resized_input_output_and_target(tmp_path):
    rng = np.random.RandomState(0)
    lr = rng.uniform(-1, 1, (5, 4, 4, 3)).astype("float32")
    hr = rng.uniform(-1, 1, (5, 8, 8, 3)).astype("float32")
    rows = callbacks.preview_rows(Doubler(), (tf.constant(lr), tf.constant(hr)), num=3)
    assert rows.shape == (9, 8, 8, 3)
    nearest = np.repeat(np.repeat(lr[:3], 2, axis=1), 2, axis=2)
    np.testing.assert_allclose(rows[:3], nearest)
    np.testing.assert_allclose(rows[3:6], -nearest)
    np.testing.assert_allclose(rows[6:], hr[:3])

    preview = callbacks.HeldOutPreview(str(tmp_path), (tf.constant(lr), tf.constant(hr)), num=3, every=2)
    preview.set_model(Doubler())
    preview.on_epoch_end(0)
    assert not list(tmp_path.iterdir())  # every 2 epochs
    preview.on_epoch_end(1)
    written = tf.io.decode_png(tf.io.read_file(str(tmp_path / "epoch_0002.png"))).numpy()
    np.testing.assert_array_equal(written, images.make_grid(rows, columns=3))


def test_models_without_image_conditions_get_no_held_out_preview():
    class Unconditional:
        def unpack(self, data):
            return data, None

    assert callbacks.image_conditions(Unconditional(), tf.zeros([2, 4, 4, 1])) == {}
    assert set(callbacks.image_conditions(Doubler(), (tf.zeros([2, 4, 4, 3]), tf.zeros([2, 8, 8, 3])))) == {"lr"}


def test_sample_of_an_image_to_image_preset_shows_held_out_inputs_outputs_and_targets(tmp_path):
    from ganzoo import presets, sample

    out = tmp_path / "sr.png"
    sample.sample(None, None, 3, 0, str(out), preset="srresnet_photos")
    grid = tf.io.decode_png(tf.io.read_file(str(out))).numpy()
    lr_size = presets.load("srresnet_photos").lr_shape[0]
    side = 4 * lr_size  # three rows of 3 images of 4x the LR crop, 1-pixel borders
    assert grid.shape == (3 * side + 4, 3 * side + 4, 3)
    # The middle row (the model's output) differs from the top row (the nearest-upsampled input).
    top, middle = grid[1 : side + 1], grid[side + 2 : 2 * side + 2]
    assert np.abs(top.astype(int) - middle.astype(int)).mean() > 1.0
