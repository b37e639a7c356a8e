"""Streaming front end: sources of images → extractor → metrics, batch by batch.

A *source* is any of

    tf.data.Dataset        batched; elements are images, (images, labels, ...) tuples or dicts
                           with an "image"/"images"/"x" key (an unbatched dataset of [H, W, C]
                           images is batched here)
    np.ndarray / Tensor    all samples at once, [N, ...], sliced into batches
    iterable               a list or generator of batches (elements as for a Dataset)
    callable               fn(n) -> n samples, e.g. ``gan.generate``; needs ``max_samples``
    generator function     called with no arguments, then iterated

Images are NHWC float32 in [-1, 1]. Only one batch of images is held at a time; FID keeps
O(D²) statistics, KID and the k-NN metrics keep the ``[N, D]`` features (N·D·4 bytes: 80 MB for
10,000 Inception vectors). Every result is a small dataclass that names the extractor and the
sample counts, with ``as_dict()`` for JSON.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import re
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from ganzoo.errors import GanzooError
from ganzoo.metrics.extractors import FeatureExtractor, default_cache_dir, get_extractor
from ganzoo.metrics.inception_score import inception_score_from_probs
from ganzoo.metrics.kid import kid_from_features
from ganzoo.metrics.precision_recall import (
    density_coverage_from_features,
    precision_recall_from_features,
)
from ganzoo.metrics.statistics import FeatureStatistics, fid_from_statistics

_IMAGE_KEYS = ("image", "images", "x")


# --------------------------------------------------------------------------- results


@dataclasses.dataclass(frozen=True)
class _Result:
    def as_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, **dataclasses.asdict(self)}


@dataclasses.dataclass(frozen=True)
class FIDResult(_Result):
    """Fréchet distance of extractor features (FID with ``inception_v3``)."""

    fid: float
    extractor: str
    num_real: int
    num_fake: int
    metric = "fid"


@dataclasses.dataclass(frozen=True)
class KIDResult(_Result):
    """KID mean ± std over ``num_subsets`` subsets of ``subset_size``."""

    kid_mean: float
    kid_std: float
    extractor: str
    num_real: int
    num_fake: int
    subset_size: int
    num_subsets: int
    metric = "kid"


@dataclasses.dataclass(frozen=True)
class PrecisionRecallResult(_Result):
    """Improved precision and recall with k-NN radii."""

    precision: float
    recall: float
    extractor: str
    num_real: int
    num_fake: int
    k: int
    metric = "precision_recall"


@dataclasses.dataclass(frozen=True)
class DensityCoverageResult(_Result):
    """Density and coverage with k-NN radii of the real set."""

    density: float
    coverage: float
    extractor: str
    num_real: int
    num_fake: int
    k: int
    metric = "density_coverage"


@dataclasses.dataclass(frozen=True)
class InceptionScoreResult(_Result):
    """Inception Score mean ± std over ``splits`` chunks, under ``classifier``."""

    is_mean: float
    is_std: float
    classifier: str
    num_samples: int
    splits: int
    metric = "inception_score"


# --------------------------------------------------------------------------- sources


def _images_of(element: Any) -> Any:
    if isinstance(element, dict):
        for key in _IMAGE_KEYS:
            if key in element:
                return element[key]
        raise GanzooError(
            f"ganzoo.metrics: dataset elements are dicts with keys {sorted(element)}; expected one "
            f"of {list(_IMAGE_KEYS)} for the images."
        )
    if isinstance(element, (tuple, list)) and not isinstance(element, np.ndarray):
        return element[0]
    return element


def _as_batch(element: Any) -> np.ndarray:
    x = np.asarray(_images_of(element), np.float32)
    if x.ndim < 2:
        raise GanzooError(
            f"ganzoo.metrics: a batch must be [N, ...] samples, got shape {x.shape}; batch the "
            "source."
        )
    return x


def iterate_batches(
    source: Any, *, max_samples: int | None = None, batch_size: int = 64
) -> Iterator[np.ndarray]:
    """Yields float32 batches ``[n, ...]`` from ``source`` (see the module docstring), stopping
    after ``max_samples`` samples (the last batch is cut)."""
    import tensorflow as tf

    if max_samples is not None and max_samples < 1:
        raise GanzooError(f"ganzoo.metrics: max_samples must be >= 1, got {max_samples}.")
    if batch_size < 1:
        raise GanzooError(f"ganzoo.metrics: batch_size must be >= 1, got {batch_size}.")

    if isinstance(source, tf.data.Dataset):
        spec = _images_of(source.element_spec)
        if getattr(spec, "shape", None) is not None and spec.shape.rank == 3:
            source = source.batch(batch_size)
        elements = source.as_numpy_iterator()
    elif isinstance(source, (np.ndarray, tf.Tensor)):
        data = np.asarray(source, np.float32)
        elements = (data[i:i + batch_size] for i in range(0, data.shape[0], batch_size))
    elif inspect.isgeneratorfunction(source):
        elements = iter(source())
    elif callable(source):
        if max_samples is None:
            raise GanzooError(
                "ganzoo.metrics: a sampling function as source needs max_samples (how many "
                "samples to draw)."
            )
        fn: Callable[[int], Any] = source

        def draw() -> Iterator[Any]:
            drawn = 0
            while drawn < max_samples:
                n = min(batch_size, max_samples - drawn)
                batch = fn(n)
                yield batch
                drawn += n

        elements = draw()
    else:
        try:
            elements = iter(source)
        except TypeError as e:
            raise GanzooError(
                f"ganzoo.metrics: cannot read samples from a {type(source).__name__}; pass a "
                "tf.data.Dataset, an array, an iterable of batches or a function n -> samples."
            ) from e

    seen = 0
    for element in elements:
        batch = _as_batch(element)
        if max_samples is not None:
            batch = batch[: max_samples - seen]
        if batch.shape[0] == 0:
            continue
        seen += batch.shape[0]
        yield batch
        if max_samples is not None and seen >= max_samples:
            break


def _run(
    source: Any,
    extractor: FeatureExtractor,
    on_features: Callable[[np.ndarray], None],
    max_samples: int | None,
    batch_size: int,
    what: str,
) -> tuple[int, tuple[int, ...]]:
    """Feeds the extractor batch by batch; returns (samples seen, per-sample shape)."""
    count, shape = 0, None
    for batch in iterate_batches(source, max_samples=max_samples, batch_size=batch_size):
        if shape is None:
            shape = tuple(batch.shape[1:])
        elif tuple(batch.shape[1:]) != shape:
            raise GanzooError(
                f"ganzoo.metrics: {what} batches change shape from {shape} to "
                f"{tuple(batch.shape[1:])}; every sample must have one size."
            )
        features = np.asarray(extractor(batch))
        if features.ndim != 2 or features.shape[0] != batch.shape[0]:
            raise GanzooError(
                f"ganzoo.metrics: extractor '{extractor.name}' returned shape {features.shape} "
                f"for {batch.shape[0]} samples; an extractor must return [N, D] features."
            )
        on_features(features)
        count += batch.shape[0]
    if count == 0:
        raise GanzooError(f"ganzoo.metrics: the {what} source yielded no samples.")
    return count, shape


def _shape_text(shape: Sequence[int] | None) -> str:
    return "x".join(str(s) for s in shape) if shape else "?"


def _check_same_shape(real_shape, fake_shape) -> None:
    if real_shape and fake_shape and tuple(real_shape) != tuple(fake_shape):
        raise GanzooError(
            f"ganzoo.metrics: real samples are {_shape_text(real_shape)} but generated samples are "
            f"{_shape_text(fake_shape)}; evaluate both at the same size."
        )


def _stats_shape(stats: FeatureStatistics) -> tuple[int, ...] | None:
    text = stats.metadata.get("sample_shape")
    return tuple(int(s) for s in text.split("x")) if text else None


# --------------------------------------------------------------------------- features


def compute_features(
    source: Any, extractor: Any, *, max_samples: int | None = None, batch_size: int = 64
) -> np.ndarray:
    """All ``[N, D]`` float32 features of ``source`` under ``extractor``."""
    extractor = get_extractor(extractor)
    chunks: list[np.ndarray] = []
    _run(source, extractor, lambda f: chunks.append(f.astype(np.float32)), max_samples,
         batch_size, "feature")
    return np.concatenate(chunks, axis=0)


def _features_and_shape(source, extractor, max_samples, batch_size, what):
    chunks: list[np.ndarray] = []
    _, shape = _run(source, extractor, lambda f: chunks.append(f.astype(np.float32)),
                    max_samples, batch_size, what)
    return np.concatenate(chunks, axis=0), shape


def compute_statistics(
    source: Any,
    extractor: Any,
    *,
    max_samples: int | None = None,
    batch_size: int = 64,
    metadata: dict[str, str] | None = None,
) -> FeatureStatistics:
    """Streams ``source`` through ``extractor`` into a ``FeatureStatistics`` (O(D²) memory).

    The statistics record the extractor name and, in ``metadata["sample_shape"]``, the
    per-sample shape (e.g. ``"32x32x1"``) so later comparisons can check image sizes.
    """
    extractor = get_extractor(extractor)
    stats = FeatureStatistics(extractor=extractor.name, metadata=metadata)
    _, shape = _run(source, extractor, stats.update, max_samples, batch_size, "statistics")
    stats.metadata["sample_shape"] = _shape_text(shape)
    return stats


def reference_stats_path(
    dataset: str,
    split: str,
    extractor_name: str,
    image_size: Sequence[int],
    cache_dir: str | os.PathLike | None = None,
) -> str:
    """``<cache_dir>/stats/<dataset>-<split>-<extractor>-<H>x<W>[xC].npz`` (the reference-stat
    cache key: dataset, split, extractor, image size); unsafe characters become ``_``."""
    cache_dir = os.fspath(cache_dir) if cache_dir is not None else default_cache_dir()
    parts = [dataset, split, extractor_name, _shape_text(tuple(image_size))]
    stem = "-".join(re.sub(r"[^A-Za-z0-9_.]+", "_", str(p)) for p in parts)
    return os.path.join(cache_dir, "stats", stem + ".npz")


def reference_statistics(
    source: Any,
    extractor: Any,
    path: str | os.PathLike,
    *,
    max_samples: int | None = None,
    batch_size: int = 64,
    metadata: dict[str, str] | None = None,
    recompute: bool = False,
) -> FeatureStatistics:
    """Loads cached statistics from ``path`` or computes them from ``source`` and saves them.

    A cached file made by another extractor, or from fewer samples than ``max_samples`` asks
    for, is recomputed. ``source`` is only read when recomputing.
    """
    extractor = get_extractor(extractor)
    path = os.fspath(path)
    if os.path.isfile(path) and not recompute:
        stats = FeatureStatistics.load(path)
        wanted = stats.metadata.get("max_samples", "all") == str(max_samples or "all")
        if stats.extractor == extractor.name and wanted:
            return stats
    meta = {**(metadata or {}), "max_samples": str(max_samples or "all")}
    stats = compute_statistics(source, extractor, max_samples=max_samples,
                               batch_size=batch_size, metadata=meta)
    stats.save(path)
    return stats


# --------------------------------------------------------------------------- metrics


def fid(
    real: Any,
    fake: Any,
    extractor: Any,
    *,
    max_samples: int | None = None,
    batch_size: int = 64,
    allow_rank_deficient: bool = False,
) -> FIDResult:
    """FID-style Fréchet distance between real and generated samples.

    Args:
        real: a source, or ``FeatureStatistics`` (e.g. from ``reference_statistics``).
        fake: a source, or ``FeatureStatistics``.
        extractor: name or extractor object (see ``get_extractor``).
        max_samples: samples read from each source (all when None).
        batch_size: images per extractor call.
        allow_rank_deficient: compute even with no more samples than feature dimensions.
    """
    extractor = get_extractor(extractor)

    def stats_of(src):
        if isinstance(src, FeatureStatistics):
            return src
        return compute_statistics(src, extractor, max_samples=max_samples, batch_size=batch_size)

    real_stats = stats_of(real)
    fake_stats = stats_of(fake)
    for s in (real_stats, fake_stats):
        if s.extractor != extractor.name:
            raise GanzooError(
                f"ganzoo.metrics: statistics come from extractor '{s.extractor}', not "
                f"'{extractor.name}'; recompute them with the extractor used for the samples."
            )
    _check_same_shape(_stats_shape(real_stats), _stats_shape(fake_stats))
    value = fid_from_statistics(real_stats, fake_stats, allow_rank_deficient=allow_rank_deficient)
    return FIDResult(value, extractor.name, real_stats.count, fake_stats.count)


def _both_features(real, fake, extractor, max_samples, batch_size):
    real_f, real_shape = _features_and_shape(real, extractor, max_samples, batch_size, "real")
    fake_f, fake_shape = _features_and_shape(fake, extractor, max_samples, batch_size, "generated")
    _check_same_shape(real_shape, fake_shape)
    return real_f, fake_f


def kid(
    real: Any,
    fake: Any,
    extractor: Any,
    *,
    max_samples: int | None = None,
    batch_size: int = 64,
    subset_size: int = 1000,
    num_subsets: int = 100,
    seed: int = 0,
) -> KIDResult:
    """KID (see ``ganzoo.metrics.kid``) between real and generated samples."""
    extractor = get_extractor(extractor)
    real_f, fake_f = _both_features(real, fake, extractor, max_samples, batch_size)
    mean, std = kid_from_features(real_f, fake_f, subset_size=subset_size,
                                  num_subsets=num_subsets, seed=seed)
    return KIDResult(mean, std, extractor.name, len(real_f), len(fake_f), subset_size, num_subsets)


def precision_recall(
    real: Any,
    fake: Any,
    extractor: Any,
    *,
    k: int = 3,
    max_samples: int | None = None,
    batch_size: int = 64,
) -> PrecisionRecallResult:
    """Improved precision/recall (Kynkäänniemi et al. 2019) between real and generated samples."""
    extractor = get_extractor(extractor)
    real_f, fake_f = _both_features(real, fake, extractor, max_samples, batch_size)
    p, r = precision_recall_from_features(real_f, fake_f, k=k)
    return PrecisionRecallResult(p, r, extractor.name, len(real_f), len(fake_f), k)


def density_coverage(
    real: Any,
    fake: Any,
    extractor: Any,
    *,
    k: int = 5,
    max_samples: int | None = None,
    batch_size: int = 64,
) -> DensityCoverageResult:
    """Density/coverage (Naeem et al. 2020) between real and generated samples."""
    extractor = get_extractor(extractor)
    real_f, fake_f = _both_features(real, fake, extractor, max_samples, batch_size)
    d, c = density_coverage_from_features(real_f, fake_f, k=k)
    return DensityCoverageResult(d, c, extractor.name, len(real_f), len(fake_f), k)


def inception_score(
    source: Any,
    classifier: Any,
    *,
    splits: int = 10,
    max_samples: int | None = None,
    batch_size: int = 64,
    name: str | None = None,
) -> InceptionScoreResult:
    """Inception Score of ``source`` under any softmax classifier.

    Args:
        source: generated samples (see the module docstring).
        classifier: an extractor with ``probabilities`` (e.g. ``domain_classifier(...)``) or a
            callable ``images -> [N, C]`` softmax probabilities.
        splits: chunks for mean ± std (10 in Salimans et al.).
        name: the classifier's name in the result (default: its ``name`` attribute).
    """
    if hasattr(classifier, "probabilities"):
        fn, label = classifier.probabilities, name or classifier.name
    elif callable(classifier):
        label = name or getattr(classifier, "name", None)
        if not isinstance(label, str):
            raise GanzooError(
                "ganzoo.metrics: inception_score needs the classifier's name for the result; "
                "pass name=... ."
            )
        fn = classifier
    else:
        raise GanzooError(
            f"ganzoo.metrics: {classifier!r} is not a classifier; pass a callable returning "
            "softmax probabilities."
        )
    chunks: list[np.ndarray] = []
    for batch in iterate_batches(source, max_samples=max_samples, batch_size=batch_size):
        chunks.append(np.asarray(fn(batch), np.float64))
    if not chunks:
        raise GanzooError("ganzoo.metrics: the Inception Score source yielded no samples.")
    probs = np.concatenate(chunks, axis=0)
    mean, std = inception_score_from_probs(probs, splits=splits)
    return InceptionScoreResult(mean, std, label, probs.shape[0], splits)


_METRICS = ("fid", "kid", "pr", "dc")


def evaluate(
    real: Any,
    fake: Any,
    extractor: Any,
    *,
    metrics: Sequence[str] = ("fid", "kid", "pr"),
    max_samples: int | None = None,
    batch_size: int = 64,
    kid_subset_size: int = 1000,
    kid_num_subsets: int = 100,
    seed: int = 0,
    pr_k: int = 3,
    dc_k: int = 5,
    allow_rank_deficient: bool = False,
) -> dict[str, Any]:
    """Several metrics from one pass over each source (features extracted once).

    Args:
        metrics: any of ``fid``, ``kid``, ``pr`` (precision/recall), ``dc`` (density/coverage).
        The other arguments are those of ``fid``, ``kid``, ``precision_recall`` and
        ``density_coverage``.

    Returns:
        ``{"extractor": name, "num_real": N, "num_fake": M, "<metric>": result, ...}`` with one
        result dataclass per requested metric.
    """
    unknown = sorted(set(metrics) - set(_METRICS))
    if unknown or not metrics:
        raise GanzooError(
            f"ganzoo.metrics: unknown metrics {unknown or list(metrics)}; choose from "
            f"{list(_METRICS)}."
        )
    extractor = get_extractor(extractor)
    real_f, fake_f = _both_features(real, fake, extractor, max_samples, batch_size)
    name, n_r, n_f = extractor.name, len(real_f), len(fake_f)
    out: dict[str, Any] = {"extractor": name, "num_real": n_r, "num_fake": n_f}
    if "fid" in metrics:
        rs = FeatureStatistics(extractor=name).update(real_f)
        fs = FeatureStatistics(extractor=name).update(fake_f)
        out["fid"] = FIDResult(
            fid_from_statistics(rs, fs, allow_rank_deficient=allow_rank_deficient), name, n_r, n_f)
    if "kid" in metrics:
        mean, std = kid_from_features(real_f, fake_f, subset_size=kid_subset_size,
                                      num_subsets=kid_num_subsets, seed=seed)
        out["kid"] = KIDResult(mean, std, name, n_r, n_f, kid_subset_size, kid_num_subsets)
    if "pr" in metrics:
        p, r = precision_recall_from_features(real_f, fake_f, k=pr_k)
        out["pr"] = PrecisionRecallResult(p, r, name, n_r, n_f, pr_k)
    if "dc" in metrics:
        d, c = density_coverage_from_features(real_f, fake_f, k=dc_k)
        out["dc"] = DensityCoverageResult(d, c, name, n_r, n_f, dc_k)
    return out
