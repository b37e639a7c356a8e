"""XLA-compatible resampling: the values of TensorFlow's kernels that have no XLA implementation."""

import numpy as np
import pytest
import tensorflow as tf

from ganzoo.ops import resample


@pytest.mark.parametrize("factor", [2, 3, 4])
@pytest.mark.parametrize("shape", [(2, 5, 7, 3), (1, 12, 12, 1), (1, 1, 3, 2)])
def test_bicubic_upsample_equals_tf_image_resize_bicubic(factor, shape):
    x = np.random.default_rng(factor).uniform(-1, 1, shape).astype("float32")
    expected = tf.image.resize(x, [shape[1] * factor, shape[2] * factor], method="bicubic").numpy()
    got = resample.bicubic_upsample(x, factor).numpy()
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=2e-6)


def test_bicubic_upsample_compiles_with_xla_and_takes_unknown_sizes():
    x = np.random.default_rng(0).uniform(-1, 1, (2, 6, 5, 3)).astype("float32")
    expected = tf.image.resize(x, [18, 15], method="bicubic").numpy()
    xla = tf.function(lambda t: resample.bicubic_upsample(t, 3), jit_compile=True)
    np.testing.assert_allclose(xla(x).numpy(), expected, rtol=0, atol=2e-6)
    dynamic = tf.function(lambda t: resample.bicubic_upsample(t, 3),
                          input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32)])
    np.testing.assert_allclose(dynamic(x).numpy(), expected, rtol=0, atol=2e-6)


def crop_and_resize_reference(images, corner, size):
    """tf.image.crop_and_resize with the normalised box whose samples sit at corner + (i, j)."""
    height, width = images.shape[1] - 1.0, images.shape[2] - 1.0
    h, w = size
    boxes = np.stack([corner[:, 0] / height, corner[:, 1] / width,
                      (corner[:, 0] + h - 1) / height, (corner[:, 1] + w - 1) / width], axis=1)
    return tf.image.crop_and_resize(images, boxes, tf.range(len(images)), size, extrapolation_value=0.0).numpy()


def test_bilinear_crop_equals_crop_and_resize_inside_across_and_outside_the_border():
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (4, 20, 24, 3)).astype("float32")
    # (y, x) of sample (0, 0): inside, over the top-left border, over the bottom-right, whole pixels.
    corner = np.array([[5.3, 7.6], [-2.5, -3.25], [16.7, 20.1], [4.0, 6.0]], "float32")
    got = resample.bilinear_crop(images, corner, (6, 8)).numpy()
    expected = crop_and_resize_reference(images, corner, (6, 8))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)
    assert (got[1, :2] == 0).all() and (got[2, -2:] == 0).all()  # outside the image: the extrapolation value
    np.testing.assert_array_equal(got[3], images[3, 4:10, 6:14])  # whole-pixel corners copy pixels


def test_bilinear_crop_compiles_with_xla_and_passes_gradients_to_the_images():
    rng = np.random.default_rng(1)
    images = tf.constant(rng.uniform(-1, 1, (2, 10, 10, 1)).astype("float32"))
    corner = tf.constant([[2.5, 3.5], [1.25, 0.75]])
    xla = tf.function(lambda a, c: resample.bilinear_crop(a, c, (4, 4)), jit_compile=True)
    np.testing.assert_allclose(xla(images, corner).numpy(), crop_and_resize_reference(images.numpy(), corner.numpy(),
                                                                                      (4, 4)), rtol=0, atol=1e-5)
    with tf.GradientTape() as tape:
        tape.watch(images)
        total = tf.reduce_sum(resample.bilinear_crop(images, corner, (4, 4)))
    grad = tape.gradient(total, images).numpy()
    # Each output sample spreads weight 1 over its neighbours: the gradient sums to the sample count.
    np.testing.assert_allclose(grad.sum(axis=(1, 2, 3)), [16.0, 16.0], rtol=1e-6)


def test_scale_shift_sample_is_the_identity_at_zero_and_moves_and_zooms_as_documented():
    scale_shift_sample = resample.scale_shift_sample
    x = np.random.default_rng(0).uniform(-1, 1, (2, 8, 6, 3)).astype("float32")
    np.testing.assert_allclose(scale_shift_sample(x, tf.zeros([2, 4])), x, atol=1e-6)
    # tx = 2/W reads one pixel to the right: the image moves left, its last column repeated.
    moved = scale_shift_sample(x, tf.constant([[0.0, 0.0, 0.0, 2 / 6]] * 2)).numpy()
    np.testing.assert_allclose(moved[:, :, :-1], x[:, :, 1:], atol=1e-6)
    np.testing.assert_allclose(moved[:, :, -1], x[:, :, -1], atol=1e-6)
    # sy = 2 on a ramp of H = 8 rows (value = row): output row k sits at y_k = (2k + 1)/8 − 1 and
    # reads y = 2·y_k, i.e. row (2·y_k + 1)·4 − 0.5, clamped to [0, 7]: the image at half height.
    ramp = np.tile(np.arange(8, dtype="float32")[None, :, None, None], (1, 1, 6, 1))
    zoomed = scale_shift_sample(ramp, tf.constant([[np.log(2.0), 0.0, 0.0, 0.0]], tf.float32)).numpy()
    expected = np.clip((2 * ((2 * np.arange(8) + 1) / 8 - 1) + 1) * 4 - 0.5, 0, 7)
    np.testing.assert_allclose(zoomed[0, :, 0, 0], expected, atol=1e-5)
    np.testing.assert_allclose(zoomed[0, :, 0, 0], [0, 0, 0.5, 2.5, 4.5, 6.5, 7, 7], atol=1e-5)


def test_scale_shift_sample_differentiates_in_its_parameters_and_compiles_with_xla():
    scale_shift_sample = resample.scale_shift_sample
    x = tf.constant(np.random.default_rng(1).uniform(-1, 1, (2, 8, 8, 1)).astype("float32"))
    params = tf.Variable([[0.1, -0.2, 0.05, -0.1], [0.0, 0.3, -0.2, 0.1]])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(scale_shift_sample(x, params) * x)
    gradient = tape.gradient(loss, params).numpy()
    assert np.all(np.isfinite(gradient)) and np.all(np.abs(gradient) > 0), gradient
    # Finite differences agree with the gradient in every parameter (bilinear: piecewise smooth).
    for n, k in [(0, 0), (0, 3), (1, 1), (1, 2)]:
        step = np.zeros((2, 4), "float32")
        step[n, k] = 1e-3
        up = tf.reduce_sum(scale_shift_sample(x, params + step) * x)
        down = tf.reduce_sum(scale_shift_sample(x, params - step) * x)
        np.testing.assert_allclose((up - down).numpy() / 2e-3, gradient[n, k], rtol=0.05, atol=1e-2)
    compiled = tf.function(scale_shift_sample, jit_compile=True)
    np.testing.assert_allclose(compiled(x, params), scale_shift_sample(x, params), atol=1e-6)
