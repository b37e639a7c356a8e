"""Fréchet distance and streamed feature statistics, checked against closed forms and scipy."""

import numpy as np
import pytest
import scipy.linalg
from scipy.stats import ortho_group

from ganzoo.errors import GanzooError
from ganzoo.metrics import FeatureStatistics, fid_from_statistics, frechet_distance


def _random_spd(rng, d, rank=None):
    a = rng.normal(size=(d, rank or d))
    return a @ a.T / d + (0 if rank else 0.1) * np.eye(d)


def test_frechet_distance_of_1d_gaussians_matches_closed_form():
    # d² = (μ1 − μ2)² + (σ1 − σ2)² for univariate Gaussians.
    mu1, s1, mu2, s2 = 0.3, 2.0, -1.2, 0.5
    expected = (mu1 - mu2) ** 2 + (s1 - s2) ** 2
    got = frechet_distance([mu1], [[s1**2]], [mu2], [[s2**2]])
    assert got == pytest.approx(expected, rel=1e-12)


def test_frechet_distance_of_commuting_covariances_matches_closed_form():
    # Σ1 = Q diag(a) Qᵀ, Σ2 = Q diag(b) Qᵀ commute: d² = ‖Δμ‖² + Σ (√aᵢ − √bᵢ)².
    rng = np.random.default_rng(0)
    d = 6
    q = ortho_group.rvs(d, random_state=1)
    a, b = rng.uniform(0.1, 3.0, d), rng.uniform(0.1, 3.0, d)
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    got = frechet_distance(mu1, q @ np.diag(a) @ q.T, mu2, q @ np.diag(b) @ q.T)
    assert got == pytest.approx(expected, rel=1e-10)


def test_frechet_distance_matches_scipy_sqrtm_on_random_covariances():
    rng = np.random.default_rng(1)
    d = 20
    s1, s2 = _random_spd(rng, d), _random_spd(rng, d)
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean)
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-8)


def test_frechet_distance_of_non_commuting_2x2_covariances_matches_hand_computed_value():
    # Σ1 = diag(4, 1), Σ2 = [[1, .5], [.5, 1]]: Σ1^½ Σ2 Σ1^½ = [[4, 1], [1, 1]] has trace 5 and
    # determinant 3, so Tr((Σ1 Σ2)^½) = √λ1 + √λ2 = √(5 + 2√3) and d² = 5 + 2 − 2√(5 + 2√3).
    s1, s2 = np.diag([4.0, 1.0]), np.array([[1.0, 0.5], [0.5, 1.0]])
    expected = 7.0 - 2.0 * np.sqrt(5.0 + 2.0 * np.sqrt(3.0))
    assert frechet_distance([0.0, 0.0], s1, [0.0, 0.0], s2) == pytest.approx(expected, rel=1e-12)
    assert frechet_distance([0.0, 0.0], s2, [0.0, 0.0], s1) == pytest.approx(expected, rel=1e-12)
    # The mean term: ‖(1, 2) − (−1, 0)‖² = 8 on top.
    assert frechet_distance([1.0, 2.0], s1, [-1.0, 0.0], s2) == pytest.approx(expected + 8.0, rel=1e-12)


def test_covariance_of_two_samples_is_exact_and_one_sample_is_refused():
    stats = FeatureStatistics().update([[0.0, 0.0], [2.0, 4.0]])
    np.testing.assert_allclose(stats.covariance, [[2.0, 4.0], [4.0, 8.0]])  # divided by N − 1 = 1
    with pytest.raises(GanzooError, match="at least 2 samples, got 1"):
        FeatureStatistics().update([[1.0, 2.0]]).covariance


def test_fid_refuses_as_many_samples_as_dimensions_and_takes_one_more():
    rng = np.random.default_rng(5)
    three, four = (FeatureStatistics(extractor="x").update(rng.normal(size=(n, 3))) for n in (3, 4))
    with pytest.raises(GanzooError, match="rank at most 2 < 3"):
        fid_from_statistics(three, four)
    assert np.isfinite(fid_from_statistics(four, four))


def test_frechet_distance_is_finite_and_exact_for_singular_covariances():
    # Rank-deficient diagonal covariances (zeros on the diagonal) still have the closed form.
    a = np.array([1.0, 0.0, 4.0, 0.0])
    b = np.array([0.0, 0.0, 1.0, 9.0])
    expected = np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    got = frechet_distance(np.zeros(4), np.diag(a), np.zeros(4), np.diag(b))
    assert got == pytest.approx(expected)
    # A low-rank random covariance against itself: 0, not NaN.
    rng = np.random.default_rng(2)
    s = _random_spd(rng, 30, rank=3)
    assert frechet_distance(np.ones(30), s, np.ones(30), s) == pytest.approx(0.0, abs=1e-8)


def test_frechet_distance_of_a_sample_with_itself_is_zero():
    x = np.random.default_rng(3).normal(size=(300, 8))
    stats = FeatureStatistics().update(x)
    mu, sigma = stats.mean, stats.covariance
    assert frechet_distance(mu, sigma, mu, sigma) == pytest.approx(0, abs=1e-10)


def test_frechet_distance_rejects_mismatched_shapes():
    with pytest.raises(GanzooError, match="frechet_distance"):
        frechet_distance(np.zeros(3), np.eye(3), np.zeros(4), np.eye(4))


def test_streamed_statistics_match_numpy_on_the_whole_array():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(257, 5)) * [1, 2, 3, 4, 5] + 1e6  # large mean: cancellation trap
    stats = FeatureStatistics()
    for start, stop in [(0, 1), (1, 100), (100, 101), (101, 257)]:
        stats.update(x[start:stop])
    assert stats.count == 257
    np.testing.assert_allclose(stats.mean, x.mean(axis=0), rtol=1e-14)
    expected = np.cov(x - 1e6, rowvar=False)
    np.testing.assert_allclose(stats.covariance, expected, rtol=1e-7, atol=1e-7)


def test_merged_statistics_equal_statistics_of_the_union():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(40, 3)), rng.normal(2.0, 3.0, size=(70, 3))
    merged = FeatureStatistics().update(x).merge(FeatureStatistics().update(y))
    z = np.concatenate([x, y])
    np.testing.assert_allclose(merged.mean, z.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(merged.covariance, np.cov(z, rowvar=False), rtol=1e-10)


def test_merging_an_empty_or_a_one_sample_accumulator_on_either_side_gives_the_union():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(5, 3)), rng.normal(4.0, 1.0, size=(1, 3))  # y: a worker that saw one sample
    union = np.concatenate([x, y])
    for merged, want in [
        (FeatureStatistics().update(x).merge(FeatureStatistics()), x),
        (FeatureStatistics().merge(FeatureStatistics().update(x)), x),
        (FeatureStatistics().update(x).merge(FeatureStatistics().update(y)), union),
        (FeatureStatistics().update(y).merge(FeatureStatistics().update(x)), union),
    ]:
        assert merged.count == len(want)
        np.testing.assert_allclose(merged.mean, want.mean(axis=0), rtol=1e-12)
        np.testing.assert_allclose(merged.covariance, np.cov(want, rowvar=False), rtol=1e-10)


def test_statistics_round_trip_through_npz_with_extractor_and_metadata(tmp_path):
    x = np.random.default_rng(6).normal(size=(50, 4))
    stats = FeatureStatistics(extractor="identity", metadata={"dataset": "digits", "split": "test"})
    stats.update(x)
    path = tmp_path / "sub" / "ref.npz"
    stats.save(path)
    loaded = FeatureStatistics.load(path)
    assert (loaded.extractor, loaded.count, loaded.dim) == ("identity", 50, 4)
    assert loaded.metadata == {"dataset": "digits", "split": "test"}
    np.testing.assert_array_equal(loaded.mean, stats.mean)
    np.testing.assert_array_equal(loaded.covariance, stats.covariance)


def test_loading_a_foreign_npz_raises_a_clear_error(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, mu=np.zeros(3))
    with pytest.raises(GanzooError, match="not written by FeatureStatistics"):
        FeatureStatistics.load(path)
    with pytest.raises(GanzooError, match="does not exist"):
        FeatureStatistics.load(tmp_path / "missing.npz")


def test_update_rejects_a_changed_feature_dimension():
    stats = FeatureStatistics().update(np.zeros((3, 4)))
    with pytest.raises(GanzooError, match="feature dimension 5"):
        stats.update(np.zeros((3, 5)))


def test_fid_from_statistics_explains_the_rank_problem():
    rng = np.random.default_rng(7)
    few = FeatureStatistics(extractor="e").update(rng.normal(size=(10, 16)))
    many = FeatureStatistics(extractor="e").update(rng.normal(size=(100, 16)))
    with pytest.raises(GanzooError, match=r"rank at most 9 < 16.*at least 17"):
        fid_from_statistics(many, few)
    assert np.isfinite(fid_from_statistics(many, few, allow_rank_deficient=True))


def test_fid_from_statistics_rejects_different_extractors():
    x = np.random.default_rng(8).normal(size=(20, 2))
    a = FeatureStatistics(extractor="a").update(x)
    b = FeatureStatistics(extractor="b").update(x)
    with pytest.raises(GanzooError, match="same extractor"):
        fid_from_statistics(a, b)
