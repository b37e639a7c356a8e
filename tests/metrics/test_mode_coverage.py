"""Mode coverage on the ring8 / grid25 mixtures."""

import math

import numpy as np
import pytest

from ganzoo.errors import GanzooError
from ganzoo.metrics import grid25_centres, mode_coverage, ring8_centres


def test_ring8_and_grid25_geometry():
    ring = ring8_centres()
    assert ring.shape == (8, 2)
    np.testing.assert_allclose(np.linalg.norm(ring, axis=1), 2.0)
    angles = np.sort(np.mod(np.arctan2(ring[:, 1], ring[:, 0]), 2 * np.pi))
    np.testing.assert_allclose(np.diff(angles), np.pi / 4)
    grid = grid25_centres()
    assert grid.shape == (25, 2)
    values = (-4, -2, 0, 2, 4)
    assert {tuple(p) for p in grid} == {(a, b) for a in values for b in values}


def test_samples_from_the_true_ring8_mixture_cover_all_modes():
    rng = np.random.default_rng(0)
    centres = ring8_centres()
    x = centres[rng.integers(0, 8, 2500)] + 0.02 * rng.normal(size=(2500, 2))
    result = mode_coverage(x, centres, 0.02)
    assert result.modes_captured == 8 and result.num_modes == 8
    # P(‖N(0, σ²I₂)‖ ≤ 3σ) = 1 − e^{−9/2} ≈ 0.9889.
    assert result.high_quality_fraction == pytest.approx(1 - math.exp(-4.5), abs=0.01)
    assert result.reverse_kl < 0.01


def test_collapsed_samples_capture_one_mode_with_reverse_kl_log_k():
    centres = grid25_centres()
    x = np.tile(centres[7], (100, 1))
    result = mode_coverage(x, centres, 0.05)
    assert result.modes_captured == 1 and result.high_quality_fraction == 1.0
    assert result.reverse_kl == pytest.approx(math.log(25))
    assert result.counts[7] == 100


def test_min_count_decides_whether_a_mode_is_captured():
    centres = ring8_centres()
    x = np.concatenate([np.tile(centres[0], (19, 1)), np.tile(centres[1], (20, 1))])
    assert mode_coverage(x, centres, 0.02, min_count=20).modes_captured == 1
    assert mode_coverage(x, centres, 0.02, min_count=19).modes_captured == 2


def test_points_between_modes_are_not_high_quality():
    centres = ring8_centres()
    x = np.array([[0.0, 0.0], [2.0 + 0.07, 0.0], [2.0 + 0.05, 0.0]])  # 3σ = 0.06
    result = mode_coverage(x, centres, 0.02, min_count=1)
    assert result.high_quality_fraction == pytest.approx(1 / 3)
    assert result.modes_captured == 1


def test_mode_coverage_rejects_bad_shapes():
    with pytest.raises(GanzooError, match="samples"):
        mode_coverage(np.zeros((5, 3)), ring8_centres(), 0.02)
