"""The streaming front end: sources, batching, caches, results that name their extractor."""

import numpy as np
import pytest
import tensorflow as tf

from ganzoo.errors import GanzooError
from ganzoo.metrics import (
    FeatureStatistics,
    compute_features,
    compute_statistics,
    evaluate,
    fid,
    frechet_distance,
    inception_score,
    iterate_batches,
    kid,
    kid_from_features,
    precision_recall,
    reference_statistics,
    reference_stats_path,
)

RNG = np.random.default_rng(0)
IMAGES = RNG.uniform(-1, 1, size=(150, 3, 3, 1)).astype(np.float32)  # 9-d pixel features


def _sources(x):
    """The same samples as every kind of source."""
    batches = [x[i:i + 32] for i in range(0, len(x), 32)]

    def gen():
        yield from batches

    pos = [0]

    def sample(n):
        out = x[pos[0]:pos[0] + n]
        pos[0] += n
        return out

    return {
        "dataset": tf.data.Dataset.from_tensor_slices(x).batch(32),
        "unbatched dataset": tf.data.Dataset.from_tensor_slices(x),
        "tuple dataset": tf.data.Dataset.from_tensor_slices((x, np.zeros(len(x)))).batch(16),
        "dict dataset": tf.data.Dataset.from_tensor_slices(
            {"image": x, "label": np.zeros(len(x))}
        ).batch(16),
        "array": x,
        "list": batches,
        "generator function": gen,
        "sampling function": sample,
    }


@pytest.mark.parametrize("kind", list(_sources(IMAGES)))
def test_every_source_kind_yields_the_same_samples(kind):
    source = _sources(IMAGES)[kind]
    got = np.concatenate(list(iterate_batches(source, max_samples=150, batch_size=40)))
    np.testing.assert_array_equal(got, IMAGES)


def test_max_samples_cuts_the_stream():
    batches = list(iterate_batches(IMAGES, max_samples=70, batch_size=32))
    assert [len(b) for b in batches] == [32, 32, 6]


def test_a_sampling_function_needs_max_samples():
    with pytest.raises(GanzooError, match="max_samples"):
        next(iterate_batches(lambda n: IMAGES[:n]))


def test_streamed_statistics_equal_numpy_statistics_of_the_pixels():
    stats = compute_statistics(tf.data.Dataset.from_tensor_slices(IMAGES).batch(7), "identity")
    flat = IMAGES.reshape(150, -1).astype(np.float64)
    assert stats.extractor == "identity" and stats.metadata["sample_shape"] == "3x3x1"
    np.testing.assert_allclose(stats.mean, flat.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(stats.covariance, np.cov(flat, rowvar=False), rtol=1e-5, atol=1e-7)


def test_fid_matches_numpy_and_scipy_on_pixel_features():
    other = np.clip(IMAGES[::-1] * 0.5 + 0.2, -1, 1)
    result = fid(IMAGES, other, "identity", batch_size=16)
    a, b = IMAGES.reshape(150, -1).astype(np.float64), other.reshape(150, -1).astype(np.float64)
    import scipy.linalg

    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    expected = (np.sum((a.mean(0) - b.mean(0)) ** 2) + np.trace(s1) + np.trace(s2)
                - 2 * np.trace(scipy.linalg.sqrtm(s1 @ s2).real))
    assert result.fid == pytest.approx(expected, rel=1e-5)
    assert result.as_dict() == {"metric": "fid", "fid": result.fid, "extractor": "identity",
                                "num_real": 150, "num_fake": 150}


def test_fid_grows_monotonically_as_noise_is_added():
    rng = np.random.default_rng(1)
    real = rng.uniform(-1, 1, size=(400, 4, 4, 1)).astype(np.float32)
    noise = rng.normal(size=real.shape).astype(np.float32)
    values = [fid(real, real + s * noise, "identity").fid for s in (0.0, 0.1, 0.2, 0.4, 0.8)]
    assert values[0] == pytest.approx(0.0, abs=1e-9)
    assert all(a < b for a, b in zip(values, values[1:])), values


def test_reference_statistics_are_cached_and_reused(tmp_path):
    path = reference_stats_path("digits", "test", "domain_classifier/digits/8x8x1/abc", (8, 8, 1),
                                cache_dir=tmp_path)
    expected = "digits-test-domain_classifier_digits_8x8x1_abc-8x8x1.npz"
    assert path == str(tmp_path / "stats" / expected)
    first = reference_statistics(IMAGES, "identity", path)

    def exploding():
        raise AssertionError("the cached statistics should have been used")
        yield  # pragma: no cover

    second = reference_statistics(exploding, "identity", path)
    np.testing.assert_array_equal(first.covariance, second.covariance)
    assert fid(second, IMAGES, "identity").fid == pytest.approx(0.0, abs=1e-9)


def test_mismatched_image_sizes_and_extractors_are_rejected():
    small = RNG.uniform(-1, 1, size=(150, 2, 2, 1)).astype(np.float32)
    with pytest.raises(GanzooError, match="3x3x1 but generated samples are 2x2x1"):
        kid(IMAGES, small, "identity", subset_size=10)
    stats = FeatureStatistics(extractor="other").update(np.zeros((20, 9)))
    with pytest.raises(GanzooError, match="'other', not 'identity'"):
        fid(stats, IMAGES, "identity")


def test_fid_refuses_fewer_samples_than_feature_dimensions():
    with pytest.raises(GanzooError, match="rank at most 4 < 9"):
        fid(IMAGES, IMAGES[:5], "identity")


def test_kid_and_precision_recall_front_ends_name_the_extractor():
    other = RNG.uniform(-1, 1, size=(120, 3, 3, 1)).astype(np.float32) + 0.3
    k = kid(IMAGES, other, "identity", subset_size=50, num_subsets=10, seed=3)
    expected = kid_from_features(IMAGES.reshape(150, -1), other.reshape(120, -1),
                                 subset_size=50, num_subsets=10, seed=3)
    assert (k.kid_mean, k.kid_std) == pytest.approx(expected)
    assert k.as_dict()["extractor"] == "identity" and (k.num_real, k.num_fake) == (150, 120)
    pr = precision_recall(IMAGES, IMAGES, "identity")
    assert (pr.precision, pr.recall, pr.extractor) == (1.0, 1.0, "identity")


def test_evaluate_extracts_once_and_reports_every_metric():
    calls = []

    def pixels(x):
        calls.append(len(x))
        return np.asarray(x).reshape(len(x), -1)

    from ganzoo.metrics import from_function

    out = evaluate(IMAGES, IMAGES[::-1], from_function(pixels, "pixels"),
                   metrics=("fid", "kid", "pr", "dc"), kid_subset_size=100, kid_num_subsets=5,
                   batch_size=50)
    assert sum(calls) == 300
    assert out["extractor"] == "pixels" and out["fid"].fid == pytest.approx(0.0, abs=1e-9)
    assert (out["pr"].precision, out["dc"].coverage) == (1.0, 1.0)
    assert all(out[m].extractor == "pixels" for m in ("fid", "kid", "pr", "dc"))
    with pytest.raises(GanzooError, match="unknown metrics"):
        evaluate(IMAGES, IMAGES, "identity", metrics=("fid", "lpips"))


def test_inception_score_front_end_with_a_plain_classifier():
    # Class = whether the first pixel is positive: confident and (nearly) balanced → IS ≈ 2.
    def classify(x):
        positive = (np.asarray(x)[:, 0, 0, 0] > 0).astype(np.float64)
        return np.stack([positive, 1 - positive], axis=1)

    result = inception_score(IMAGES, classify, splits=1, name="sign")
    p = np.mean(IMAGES[:, 0, 0, 0] > 0)
    assert result.is_mean == pytest.approx(np.exp(-p * np.log(p) - (1 - p) * np.log(1 - p)))
    assert result.classifier == "sign" and result.num_samples == 150
    with pytest.raises(GanzooError, match="name="):
        inception_score(IMAGES, classify)


def test_frechet_distance_from_front_end_stats_equals_low_level_call():
    a = compute_statistics(IMAGES, "identity")
    b = compute_statistics(IMAGES * 0.5, "identity")
    assert fid(a, b, "identity").fid == pytest.approx(
        frechet_distance(a.mean, a.covariance, b.mean, b.covariance))
    assert compute_features(IMAGES, "identity").shape == (150, 9)
