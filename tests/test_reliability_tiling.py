"""ganzoo.ops.tiling: a large image run in overlapping tiles equals the whole-image result (issue 22, item 8)."""

import numpy as np
import pytest
import tensorflow as tf

from ganzoo.ops.tiling import tiled_apply


def image(n=2, height=37, width=29, channels=3, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, height, width, channels)).astype(np.float32)


def nearest_x2(x):
    return tf.repeat(tf.repeat(x, 2, axis=1), 2, axis=2)


def bicubic_x3(x):
    shape = tf.shape(x)
    return tf.image.resize(x, [shape[1] * 3, shape[2] * 3], method="bicubic")


def small_conv_net():
    tf.random.set_seed(0)
    # Three 3x3 convolutions ('same' zero padding): receptive-field radius 3.
    return tf.keras.Sequential([tf.keras.layers.Conv2D(4, 3, padding="same", activation="relu"),
                                tf.keras.layers.Conv2D(4, 3, padding="same", activation="relu"),
                                tf.keras.layers.UpSampling2D(2),
                                tf.keras.layers.Conv2D(3, 3, padding="same")])


def test_pointwise_upsampling_in_tiles_equals_the_whole_image_exactly():
    x = image()
    tiled = tiled_apply(nearest_x2, x, scale=2, tile=8, overlap=0)
    np.testing.assert_array_equal(tiled.numpy(), nearest_x2(x).numpy())


def test_bicubic_upsampling_in_tiles_with_enough_overlap_has_no_seams():
    x = image()
    tiled = tiled_apply(bicubic_x3, x, scale=3, tile=10, overlap=4)
    assert tiled.shape == (2, 37 * 3, 29 * 3, 3)
    np.testing.assert_allclose(tiled.numpy(), bicubic_x3(x).numpy(), atol=1e-5)


def test_conv_net_in_tiles_equals_the_whole_image_and_too_little_overlap_shows_seams():
    net, x = small_conv_net(), image(height=40, width=33)
    whole = net(x).numpy()
    np.testing.assert_allclose(tiled_apply(net, x, scale=2, tile=12, overlap=4).numpy(), whole, atol=1e-5)
    seams = tiled_apply(net, x, scale=2, tile=12, overlap=0).numpy()
    assert np.abs(seams - whole).max() > 1e-3  # the test can fail: overlap matters


def test_image_smaller_than_a_tile_is_one_tile():
    x = image(height=5, width=7)
    np.testing.assert_array_equal(tiled_apply(nearest_x2, x, scale=2, tile=64, overlap=8).numpy(),
                                  nearest_x2(x).numpy())


def test_works_in_a_traced_signature_with_dynamic_size_and_bounds_the_pixels():
    net = small_conv_net()

    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32)])
    def serve(x):
        return tiled_apply(net, x, scale=2, tile=16, overlap=4, max_pixels=40 * 40)

    for height, width in ((21, 40), (40, 17)):
        x = image(n=1, height=height, width=width)
        np.testing.assert_allclose(serve(x).numpy(), net(x).numpy(), atol=1e-5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="max_pixels=1600"):
        serve(image(n=1, height=41, width=40))
