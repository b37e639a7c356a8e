"""PSNR and SSIM with the SR conventions, against hand values, tf.image and a scipy SSIM."""

import numpy as np
import pytest
import tensorflow as tf
from scipy.ndimage import correlate

from ganzoo.errors import GanzooError
from ganzoo.metrics import psnr, rgb_to_y, ssim


def _ssim_reference(a, b, max_val=255.0):
    """Wang et al. 2004 on one [H, W] channel: 11×11 Gaussian σ=1.5, 'valid' region."""
    r = np.arange(11) - 5
    g = np.exp(-(r**2) / (2 * 1.5**2))
    w = np.outer(g, g) / np.outer(g, g).sum()
    filt = lambda x: correlate(x, w, mode="constant")[5:-5, 5:-5]  # noqa: E731 (valid part)
    c1, c2 = (0.01 * max_val) ** 2, (0.03 * max_val) ** 2
    mu_a, mu_b = filt(a), filt(b)
    var_a = filt(a * a) - mu_a**2
    var_b = filt(b * b) - mu_b**2
    cov = filt(a * b) - mu_a * mu_b
    num = (2 * mu_a * mu_b + c1) * (2 * cov + c2)
    s = num / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    return s.mean()


def test_identical_images_give_infinite_psnr_and_unit_ssim():
    x = np.random.default_rng(0).uniform(-1, 1, size=(2, 16, 16, 3))
    assert np.all(np.isinf(psnr(x, x)))
    np.testing.assert_allclose(ssim(x, x), 1.0, atol=1e-6)


@pytest.mark.parametrize("value_range,delta", [((0.0, 1.0), 0.1), ((-1.0, 1.0), 0.2)])
def test_known_mse_gives_known_psnr(value_range, delta):
    # An error of 10% of the range everywhere: MSE = 25.5² on the 255 scale → 20 dB.
    target = np.full((1, 8, 8, 1), sum(value_range) / 2)
    sign = np.where((np.indices((8, 8)).sum(axis=0) % 2) == 0, 1.0, -1.0)[None, :, :, None]
    assert psnr(target + delta * sign, target, value_range=value_range)[0] == pytest.approx(20.0)


def test_psnr_agrees_with_tf_image_psnr():
    rng = np.random.default_rng(1)
    a, b = rng.uniform(-1, 1, size=(3, 12, 12, 3)), rng.uniform(-1, 1, size=(3, 12, 12, 3))
    expected = tf.image.psnr(tf.constant(a), tf.constant(b), max_val=2.0).numpy()
    np.testing.assert_allclose(psnr(a, b), expected, rtol=1e-6)


def test_ssim_agrees_with_independent_scipy_implementation():
    rng = np.random.default_rng(2)
    a = rng.uniform(0, 1, size=(24, 20))
    b = np.clip(a + rng.normal(0, 0.1, size=a.shape), 0, 1)
    got = ssim(a[None, :, :, None], b[None, :, :, None], value_range=(0, 1))[0]
    assert got == pytest.approx(_ssim_reference(a * 255, b * 255), abs=1e-6)
    assert 0.2 < got < 0.99


def test_ssim_agrees_with_tf_image_ssim_on_unit_range():
    rng = np.random.default_rng(3)
    a = rng.uniform(0, 1, size=(2, 16, 16, 3)).astype(np.float32)
    b = np.clip(a + rng.normal(0, 0.05, size=a.shape), 0, 1).astype(np.float32)
    expected = tf.image.ssim(a, b, max_val=1.0).numpy()
    np.testing.assert_allclose(ssim(a, b, value_range=(0, 1)), expected, atol=1e-5)


def test_bt601_luma_of_known_colours():
    rgb = np.array([[[[0, 0, 0], [1, 1, 1], [1, 0, 0], [0, 1, 0]]]], dtype=np.float64)
    y = rgb_to_y(rgb, value_range=(0, 1))[0, 0, :, 0]
    np.testing.assert_allclose(y, [16.0, 235.0, 16 + 65.481, 16 + 128.553])


def test_y_channel_psnr_uses_luma_on_the_255_scale():
    # Only the blue channel differs, by 0.5 of [0, 1]: ΔY = 24.966 · 0.5 everywhere.
    a = np.zeros((1, 4, 4, 3))
    b = a.copy()
    b[..., 2] = 0.5
    expected = 10 * np.log10(255**2 / (24.966 * 0.5) ** 2)
    assert psnr(a, b, value_range=(0, 1), y_channel=True)[0] == pytest.approx(expected)


def test_shave_removes_the_border_before_comparing():
    a = np.zeros((1, 20, 20, 1))
    b = a.copy()
    b[:, :2], b[:, -2:], b[:, :, :2], b[:, :, -2:] = 1, 1, 1, 1  # a 2-pixel frame differs
    assert np.isfinite(psnr(a, b, shave=0)[0])
    assert np.isinf(psnr(a, b, shave=2)[0])
    assert ssim(a, b, shave=2)[0] == pytest.approx(1.0)
    assert ssim(a, b, shave=0)[0] < 0.99


def test_bad_inputs_raise_clear_errors():
    x = np.zeros((1, 16, 16, 1))
    with pytest.raises(GanzooError, match="differ in shape"):
        psnr(x, np.zeros((1, 16, 12, 1)))
    with pytest.raises(GanzooError, match="needs RGB"):
        psnr(x, x, y_channel=True)
    with pytest.raises(GanzooError, match="11x11 window"):
        ssim(x, x, shave=3)
