"""Gaussian/Laplacian pyramids: shapes, exact reconstruction, the filters' known values."""

import numpy as np
import pytest
import tensorflow as tf

from ganzoo.errors import GanzooError
from ganzoo.ops import pyramid


def images(shape=(2, 32, 32, 3), seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype("float32")


def test_laplacian_reconstructs_images_within_1e_5():
    x = images()
    bands = pyramid.laplacian(x, levels=3)
    np.testing.assert_allclose(pyramid.reconstruct(bands).numpy(), x, atol=1e-5)


def test_round_trip_in_a_graph_with_unknown_batch_and_size():
    fn = tf.function(
        lambda x: pyramid.reconstruct(pyramid.laplacian(x, 2)),
        input_signature=[tf.TensorSpec([None, None, None, 1], tf.float32)],
    )
    x = images((3, 16, 16, 1), seed=1)
    np.testing.assert_allclose(fn(x).numpy(), x, atol=1e-5)


def test_pyramid_shapes_full_size_first():
    x = images((2, 32, 32, 3))
    assert [tuple(t.shape) for t in pyramid.gaussian(x, 3)] == [(2, 32, 32, 3), (2, 16, 16, 3), (2, 8, 8, 3)]
    assert [tuple(t.shape) for t in pyramid.laplacian(x, 3)] == [(2, 32, 32, 3), (2, 16, 16, 3), (2, 8, 8, 3)]
    assert tuple(pyramid.upsample(x).shape) == (2, 64, 64, 3)


def test_filters_keep_constants_and_range():
    constant = np.full((1, 8, 8, 2), 0.3, "float32")
    np.testing.assert_allclose(pyramid.downsample(constant).numpy(), 0.3, atol=1e-7)
    np.testing.assert_allclose(pyramid.upsample(constant).numpy(), 0.3, atol=1e-7)
    x = images((4, 16, 16, 1), seed=2)
    for y in (pyramid.downsample(x), pyramid.upsample(x)):
        assert -1.0 <= float(tf.reduce_min(y)) and float(tf.reduce_max(y)) <= 1.0


def test_filters_are_burt_adelson_binomial_away_from_the_border():
    x = images((1, 16, 16, 1), seed=3)
    k = np.outer(pyramid.BINOMIAL_5, pyramid.BINOMIAL_5).astype("float32")[:, :, None, None]
    blurred = tf.nn.conv2d(x, k, 1, "SAME").numpy()[:, ::2, ::2]
    np.testing.assert_allclose(pyramid.downsample(x).numpy()[:, 2:-2, 2:-2], blurred[:, 2:-2, 2:-2], atol=1e-6)
    stuffed = np.zeros((1, 32, 32, 1), "float32")
    stuffed[:, ::2, ::2] = x
    expanded = tf.nn.conv2d(stuffed, 4 * k, 1, "SAME").numpy()
    inner = (slice(None), slice(4, -4), slice(4, -4))
    np.testing.assert_allclose(pyramid.upsample(x).numpy()[inner], expanded[inner], atol=1e-6)


def _down_reference(x, axis):
    """d along one axis with the documented border: numpy's 'symmetric' (edge pixel repeated)."""
    n = x.shape[axis]
    pad = [(0, 0)] * x.ndim
    pad[axis] = (2, 2)
    p = np.pad(x, pad, mode="symmetric")
    taken = [np.take(p, range(j, j + n, 2), axis=axis) for j in range(5)]
    return sum(w * t for w, t in zip(pyramid.BINOMIAL_5, taken))


def _up_reference(x, axis):
    """u along one axis: (x[i−1] + 6x[i] + x[i+1]) / 8 on the old grid, (x[i] + x[i+1]) / 2 between."""
    pad = [(0, 0)] * x.ndim
    pad[axis] = (1, 1)
    p = np.pad(x, pad, mode="symmetric")
    n = x.shape[axis]
    before, centre, after = (np.take(p, range(s, s + n), axis=axis) for s in (0, 1, 2))
    old, new = (before + 6 * centre + after) / 8, (centre + after) / 2
    out = np.stack([old, new], axis=axis + 1)
    return out.reshape(x.shape[:axis] + (2 * n,) + x.shape[axis + 1:])


def test_filters_mirror_the_border_with_the_edge_pixel_repeated_everywhere():
    # Every pixel, borders included, against a numpy reference with SYMMETRIC padding
    # (REFLECT, which skips the edge pixel, changes the outer two rows and columns).
    x = images((2, 8, 12, 2), seed=4).astype("float64")
    np.testing.assert_allclose(pyramid.downsample(x.astype("float32")).numpy(),
                               _down_reference(_down_reference(x, 1), 2), atol=1e-6)
    np.testing.assert_allclose(pyramid.upsample(x.astype("float32")).numpy(),
                               _up_reference(_up_reference(x, 1), 2), atol=1e-6)
    # Hand value at a corner: a single 1 at (0, 0) of an 8x8 image. Its mirrored copy at −1
    # adds to the centre tap: d gives (6 + 4)/16 per axis = 0.390625 at (0, 0).
    impulse = np.zeros((1, 8, 8, 1), "float32")
    impulse[0, 0, 0, 0] = 1.0
    assert float(pyramid.downsample(impulse)[0, 0, 0, 0]) == pytest.approx((10 / 16) ** 2)
    # u at (0, 0) is (x[-1] + 6x[0] + x[1])/8 = 7/8 per axis with x[-1] = x[0].
    assert float(pyramid.upsample(impulse)[0, 0, 0, 0]) == pytest.approx((7 / 8) ** 2)


def test_one_level_is_the_image_itself_and_zero_levels_are_refused():
    x = images((1, 6, 6, 1), seed=5)  # 6 is not a multiple of 4: one level needs no downsampling
    np.testing.assert_array_equal(pyramid.laplacian(x, 1)[0].numpy(), x)
    np.testing.assert_array_equal(pyramid.gaussian(x, 1)[0].numpy(), x)
    with pytest.raises(GanzooError, match="levels=0 must be at least 1"):
        pyramid.gaussian(x, 0)


def test_bad_inputs_name_the_fix():
    with pytest.raises(GanzooError, match="multiples of 4"):
        pyramid.laplacian(images((1, 18, 18, 1)), 3)
    with pytest.raises(GanzooError, match="NHWC"):
        pyramid.downsample(np.zeros((8, 8), "float32"))
    with pytest.raises(GanzooError, match="even height and width"):
        pyramid.downsample(images((1, 7, 8, 1)))


def test_downsample_takes_any_even_size_and_the_level_check_reads_height_and_width_apart():
    assert pyramid.downsample(images((1, 6, 10, 1))).shape == (1, 3, 5, 1)  # even, not multiples of 4
    for shape in [(1, 10, 16, 1), (1, 16, 10, 1)]:  # only one side a multiple of 4
        with pytest.raises(GanzooError, match="multiples of 4, got"):
            pyramid.gaussian(images(shape), 3)
