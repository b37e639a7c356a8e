"""KID: unbiased MMD² with the cubic kernel, against hand values and a loop reference."""

import numpy as np
import pytest

from ganzoo.errors import GanzooError
from ganzoo.metrics import kid_from_features, mmd2_unbiased


def _mmd2_loops(x, y):
    """Plain-loop unbiased MMD² with k(a, b) = (a·b / d + 1)³."""
    d = x.shape[1]
    k = lambda a, b: (float(np.dot(a, b)) / d + 1.0) ** 3  # noqa: E731
    m, n = len(x), len(y)
    kxx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    kyy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    kxy = sum(k(x[i], y[j]) for i in range(m) for j in range(n)) / (m * n)
    return kxx + kyy - 2 * kxy


def test_mmd2_matches_hand_computed_value():
    # k(x1,x2) = 1, k(y1,y2) = 1, k(x,y) ∈ {1.5³, 1, 1.5³, 1} → 1 + 1 − 2·2.1875 = −2.375.
    x = np.array([[1.0, 0.0], [0.0, 1.0]])
    y = np.array([[1.0, 1.0], [0.0, 0.0]])
    assert mmd2_unbiased(x, y) == pytest.approx(-2.375, abs=1e-12)


def test_mmd2_matches_loop_reference_on_random_features():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(15, 6)), rng.normal(0.5, 1.0, size=(12, 6))
    assert mmd2_unbiased(x, y) == pytest.approx(_mmd2_loops(x, y), rel=1e-10)


def test_kid_with_one_full_subset_equals_mmd2_of_the_sets():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(20, 4)), rng.normal(size=(20, 4)) + 0.3
    mean, std = kid_from_features(x, y, subset_size=20, num_subsets=1)
    assert mean == pytest.approx(_mmd2_loops(x, y), rel=1e-10)
    assert std == 0.0


def test_kid_is_near_zero_for_one_distribution_and_positive_for_another():
    rng = np.random.default_rng(2)
    real, same = rng.normal(size=(600, 16)), rng.normal(size=(600, 16))
    shifted = rng.normal(0.5, 1.0, size=(600, 16))
    mean_same, std_same = kid_from_features(real, same, subset_size=200, num_subsets=20)
    mean_diff, _ = kid_from_features(real, shifted, subset_size=200, num_subsets=20)
    assert abs(mean_same) < 3 * std_same + 1e-3
    # E‖Δμ‖² term for a shift of 0.5 in 16 dims is of order 0.5²·16/16·(cubic factor) ≫ noise.
    assert mean_diff > 10 * (abs(mean_same) + std_same)


def test_kid_is_reproducible_by_seed():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(50, 3)), rng.normal(size=(50, 3))
    a = kid_from_features(x, y, subset_size=10, num_subsets=5, seed=7)
    b = kid_from_features(x, y, subset_size=10, num_subsets=5, seed=7)
    c = kid_from_features(x, y, subset_size=10, num_subsets=5, seed=8)
    assert a == b and a != c


def test_kid_rejects_too_few_samples_and_mismatched_dimensions():
    x = np.zeros((50, 3))
    with pytest.raises(GanzooError, match="subset_size=100 exceeds"):
        kid_from_features(x, x, subset_size=100)
    with pytest.raises(GanzooError, match="same extractor"):
        kid_from_features(x, np.zeros((50, 4)), subset_size=10)


def test_kid_accepts_the_smallest_subsets_and_refuses_below_them():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    mean, _ = kid_from_features(x, y, subset_size=2, num_subsets=1, seed=0)  # m = 2: MMD² is defined
    assert np.isfinite(mean)
    for subset_size, num_subsets in ((1, 1), (2, 0)):
        with pytest.raises(GanzooError, match="subset_size >= 2 and num_subsets >= 1"):
            kid_from_features(x, y, subset_size=subset_size, num_subsets=num_subsets)


def test_kid_warns_at_the_callers_line_only_when_every_subset_is_the_whole_set():
    import warnings

    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(20, 3)), rng.normal(size=(30, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning: one full subset, or subsets smaller than the set
        kid_from_features(x, y, subset_size=20, num_subsets=1)
        kid_from_features(x, y, subset_size=19, num_subsets=3)
    with pytest.warns(UserWarning, match="takes all 20 samples") as record:
        kid_from_features(x, y, subset_size=20, num_subsets=2)
    assert [w.filename for w in record] == [__file__]
