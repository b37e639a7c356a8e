"""k-NN precision/recall and density/coverage, on constructed point sets and a cdist reference."""

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from sklearn.neighbors import NearestNeighbors

from ganzoo.errors import GanzooError
from ganzoo.metrics import density_coverage_from_features, knn_radii, precision_recall_from_features


def _reference(real, fake, k_pr, k_dc):
    """Brute force with scipy's cdist on the whole sets."""
    d_rr, d_ff, d_rf = cdist(real, real), cdist(fake, fake), cdist(real, fake)
    r_real = np.sort(d_rr, axis=1)[:, k_pr]
    r_fake = np.sort(d_ff, axis=1)[:, k_pr]
    precision = np.mean([(d_rf[:, j] <= r_real).any() for j in range(len(fake))])
    recall = np.mean([(d_rf[i, :] <= r_fake).any() for i in range(len(real))])
    r_dc = np.sort(d_rr, axis=1)[:, k_dc]
    inside = d_rf <= r_dc[:, None]  # [real, fake]
    density = inside.sum() / (k_dc * len(fake))
    coverage = inside.any(axis=1).mean()
    return precision, recall, density, coverage


def test_knn_radii_match_sklearn_nearest_neighbours():
    x = np.random.default_rng(0).normal(size=(60, 5))
    dist, _ = NearestNeighbors(n_neighbors=4).fit(x).kneighbors(x)
    np.testing.assert_allclose(knn_radii(x, k=3, batch_size=7), dist[:, 3], rtol=1e-10)


@pytest.mark.parametrize("offset", [0.0, 1e4])
def test_identical_sets_have_full_precision_recall_coverage(offset):
    x = np.random.default_rng(1).normal(size=(80, 4)) + offset
    assert precision_recall_from_features(x, x) == (1.0, 1.0)
    density, coverage = density_coverage_from_features(x, x, k=5)
    # Each real ball holds its own centre and its k neighbours: density = (k + 1) / k exactly.
    assert density == pytest.approx(6 / 5)
    assert coverage == 1.0


def test_disjoint_far_sets_score_zero():
    rng = np.random.default_rng(2)
    real, fake = rng.normal(size=(50, 3)), rng.normal(size=(40, 3)) + 100.0
    assert precision_recall_from_features(real, fake) == (0.0, 0.0)
    assert density_coverage_from_features(real, fake) == (0.0, 0.0)


def test_precision_and_recall_on_a_hand_built_line():
    # Real {0..4}: k=1 radii 1. Fakes 0.5 and 4.9 fall in real balls, 5.5 and 10 do not.
    # Fake k=1 radii: 0.5→4.4, 4.9→0.6, 5.5→0.6, 10→4.5; every real point is within 4.4 of 0.5.
    real = np.arange(5.0)[:, None]
    fake = np.array([[0.5], [10.0], [4.9], [5.5]])
    assert precision_recall_from_features(real, fake, k=1) == pytest.approx((0.5, 1.0))


def test_metrics_match_brute_force_reference_with_small_blocks():
    rng = np.random.default_rng(3)
    real, fake = rng.normal(size=(70, 6)), rng.normal(0.4, 1.2, size=(55, 6))
    p, r = precision_recall_from_features(real, fake, k=3, batch_size=8)
    d, c = density_coverage_from_features(real, fake, k=5, batch_size=8)
    ref = _reference(real, fake, 3, 5)
    assert (p, r, d, c) == pytest.approx(ref)
    assert 0.0 < p < 1.0 and 0.0 < r < 1.0


def test_bad_inputs_raise_clear_errors():
    x = np.zeros((10, 3))
    with pytest.raises(GanzooError, match="same extractor"):
        precision_recall_from_features(x, np.zeros((10, 4)))
    with pytest.raises(GanzooError, match="more than 3 samples"):
        precision_recall_from_features(np.ones((3, 3)), x)
