"""HOG: scikit-image's values with hard votes, smooth soft votes, and a shape descriptor that
ignores polarity, size and place."""

import numpy as np
import pytest
import tensorflow as tf

from ganzoo.errors import GanzooError
from ganzoo.ops import hog as hog_ops


@pytest.mark.parametrize("cell, orientations, block", [(4, 9, 2), (8, 12, 2), (4, 6, 3)])
def test_hard_votes_equal_scikit_image(cell, orientations, block):
    from skimage.feature import hog as skimage_hog

    x = np.random.default_rng(cell + orientations).random((3, 32, 24, 1)).astype("float32")
    expected = np.stack([skimage_hog(image[..., 0].astype("float64"), orientations=orientations,
                                     pixels_per_cell=(cell, cell), cells_per_block=(block, block)) for image in x])
    got = hog_ops.hog(x, cell, orientations, block, soft=False).numpy()
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)


def stripes(angle_degrees, size=16):
    """A sine grating whose gradient points at ``angle_degrees`` (rows down, columns right)."""
    rows, cols = np.mgrid[0:size, 0:size].astype("float32")
    theta = np.deg2rad(angle_degrees)
    return np.sin(0.9 * (rows * np.sin(theta) + cols * np.cos(theta)))[None, ..., None].astype("float32")


def test_a_gratings_votes_land_in_the_bin_of_its_gradients_direction():
    # One cell covering the inner 12 x 12 pixels, one block: 6 bins of 30 degrees.
    for angle, expected_bin in ((10.0, 0), (100.0, 3), (160.0, 5)):
        features = hog_ops.hog(stripes(angle, 14)[:, 1:13, 1:13], cell=12, orientations=6, block=1, soft=False)
        assert int(np.argmax(features.numpy()[0])) == expected_bin, angle


def test_soft_votes_split_between_the_two_nearest_bins_and_change_smoothly():
    # 6 bins centred at 15, 45, ... degrees: a 30-degree gradient votes half to 15 and half to 45.
    x = stripes(30.0, 14)[:, 1:13, 1:13]
    features = hog_ops.hog(x, cell=12, orientations=6, block=1, soft=True).numpy()[0]
    assert sorted(np.argsort(features)[-2:]) == [0, 1] and features[0] == pytest.approx(features[1], rel=0.05)
    # Turning the grating a little moves the features a little (hard votes jump between bins).
    angles = np.linspace(20.0, 40.0, 11)
    def steps(soft):
        features = [hog_ops.hog(stripes(t, 14)[:, 1:13, 1:13], 12, 6, 1, soft=soft).numpy()[0] for t in angles]
        return np.abs(np.diff(np.stack(features), axis=0)).max()

    assert steps(soft=True) < 0.15 and steps(soft=True) < 0.5 * steps(soft=False)


def test_soft_hog_has_finite_gradients_on_flat_images():
    x = tf.Variable(np.zeros((1, 8, 8, 1), "float32"))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(hog_ops.hog(x, cell=4, orientations=6, block=2))
    grad = tape.gradient(y, x).numpy()
    assert np.isfinite(grad).all()


def digit(shape=(16, 16), box=(3, 13, 5, 11)):
    """A light '0'-like ring on black, in [-1, 1]."""
    x = -np.ones(shape, "float32")
    top, bottom, left, right = box
    x[top:bottom, left:right] = 1.0
    x[top + 2:bottom - 2, left + 2:right - 2] = -1.0
    return x[None, ..., None]


def test_foreground_is_the_same_for_light_on_dark_and_dark_on_light():
    x = digit()
    np.testing.assert_allclose(hog_ops.foreground(x), hog_ops.foreground(-x), atol=1e-6)
    assert hog_ops.foreground(x).numpy().max() == pytest.approx(1.0) and hog_ops.foreground(x).numpy()[0, 0, 0, 0] == 0


def test_fit_foreground_zooms_the_bounding_square_to_fill_the_image():
    ink = np.zeros((1, 16, 16, 1), "float32")
    ink[0, 4:12, 6:10] = 1.0          # 8 rows x 4 columns: the square is 8 x 8, centred on the box
    fitted = hog_ops.fit_foreground(ink).numpy()[0, ..., 0]
    rows, cols = np.where(fitted > 0.5)
    assert (rows.min(), rows.max()) == (0, 15)           # the box's height fills the image
    assert (cols.min(), cols.max()) == (4, 11)            # its width keeps the aspect, centred
    blank = np.zeros((1, 16, 16, 1), "float32")
    np.testing.assert_array_equal(hog_ops.fit_foreground(blank), blank)   # nothing drawn: unchanged


def test_shape_descriptor_ignores_polarity_size_and_place_but_not_shape():
    def cosine(x, y):
        x, y = hog_ops.shape_descriptor(x).numpy()[0], hog_ops.shape_descriptor(y).numpy()[0]
        return float(x @ y / np.linalg.norm(x) / np.linalg.norm(y))

    ring = digit(box=(2, 14, 4, 12))
    assert cosine(ring, -ring) > 0.999                                    # polarity
    assert cosine(ring, digit(box=(6, 12, 9, 13))) > 0.8                  # half the size, elsewhere
    bar = -np.ones((1, 16, 16, 1), "float32")
    bar[0, 2:14, 7:9] = 1.0                                               # a '1'
    assert cosine(ring, bar) < 0.6


def test_shape_descriptor_compiles_with_xla():
    x = np.concatenate([digit(), -digit(box=(1, 9, 2, 8))])
    expected = hog_ops.shape_descriptor(x).numpy()
    got = tf.function(hog_ops.shape_descriptor, jit_compile=True)(tf.constant(x)).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_bad_shapes_fail_with_one_line():
    with pytest.raises(GanzooError, match=r"\[batch, height, width, channels\]"):
        hog_ops.hog(np.zeros((8, 8, 1), "float32"))
    with pytest.raises(GanzooError, match="fewer than 2 cells of 4 pixels"):
        hog_ops.hog(np.zeros((1, 6, 16, 1), "float32"), cell=4, block=2)
