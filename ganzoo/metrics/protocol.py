"""The evaluation protocol a result was measured under, recorded beside the numbers.

A FID is only comparable with another computed under the same protocol: the same network and
weights, the same resize to the size it was fed, the same number of real and generated samples,
the same reference images, and the same pixel handling (uint8 rounding, JPEG). clean-fid
(Parmar et al. 2022, arXiv 2104.11222) and torch-fidelity list these as the causes of
"my FID does not match the paper". ``protocol_record`` gathers them into one JSON-able dict:

    {"extractor": name, "weights_sha256": ..., "resize": "clean", "image_size_fed": [299, 299],
     "input_dtype": ..., "jpeg": ..., "n_real": 10000, "n_fake": 10000,
     "reference": {"source": "tfds:cifar10", "split": "test"}, "reference_stats_sha256": ...}

``ganzoo.evaluate`` writes it into ``eval.json`` under ``"protocol"``.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np


def statistics_sha256(stats: Any) -> str:
    """SHA-256 of a ``FeatureStatistics``' count, mean and covariance (float64 bytes): two
    reference statistics with the same hash give the same FID against the same fakes."""
    digest = hashlib.sha256()
    digest.update(str(int(stats.count)).encode())
    digest.update(np.ascontiguousarray(stats.mean, np.float64).tobytes())
    digest.update(np.ascontiguousarray(stats.covariance, np.float64).tobytes())
    return digest.hexdigest()


def extractor_protocol(extractor: Any) -> dict[str, Any]:
    """What an extractor feeds its network: its own ``protocol`` when it has one (the FID
    Inception), else its name, input size and resize as far as they are known."""
    own = getattr(extractor, "protocol", None)
    if isinstance(own, dict):
        return dict(own)
    record: dict[str, Any] = {"extractor": getattr(extractor, "name", type(extractor).__name__)}
    size = getattr(extractor, "image_size", None)
    if size is not None and None not in tuple(size):
        record["image_size_fed"] = [int(s) for s in size]
        record["resize"] = ("bilinear (tf.image.resize, half-pixel centres, no antialiasing)"
                            if getattr(extractor, "resize", False) else "none (sizes must match)")
    else:
        record["image_size_fed"] = "as given"
        record["resize"] = "none"
    record["input_dtype"] = "float32: [-1, 1] as generated / decoded, not rounded"
    record["jpeg"] = "none: ganzoo never JPEG-encodes; real images are decoded as their source stores them"
    return record


def protocol_record(
    extractor: Any,
    *,
    n_real: int,
    n_fake: int,
    reference: dict[str, Any] | None = None,
    reference_stats: Any = None,
    reference_stats_path: str | None = None,
) -> dict[str, Any]:
    """The protocol of one evaluation (see the module docstring).

    Args:
        extractor: the feature extractor used.
        n_real, n_fake: samples on each side.
        reference: which real images (e.g. ``{"source": ..., "split": ...}``); only the
            ``source``, ``split`` and ``count`` keys are copied.
        reference_stats: the real side's ``FeatureStatistics`` (hashed), when known.
        reference_stats_path: where those statistics were loaded from or saved to.
    """
    record = extractor_protocol(extractor)
    record["n_real"] = int(n_real)
    record["n_fake"] = int(n_fake)
    if reference is not None:
        record["reference"] = {k: reference[k] for k in ("source", "split", "count") if k in reference}
    if reference_stats is not None:
        record["reference_stats_sha256"] = statistics_sha256(reference_stats)
    if reference_stats_path is not None:
        record["reference_stats_file"] = str(reference_stats_path)
    return record
