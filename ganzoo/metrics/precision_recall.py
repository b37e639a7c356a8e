"""k-NN manifold metrics: precision/recall and density/coverage.

Kynkäänniemi, Karras, Laine, Lehtinen, Aila 2019, "Improved Precision and Recall Metric for
Assessing Generative Models" (arXiv 1904.06991). Each feature set Φ is approximated by the
union of balls centred at its points, of radius the distance to the k-th nearest neighbour
within the set (k = 3):

    f(φ, Φ) = 1 if ‖φ − φ'‖₂ ≤ ‖φ' − NN_k(φ', Φ)‖₂ for some φ' ∈ Φ, else 0
    precision = mean_{φ_g ∈ Φ_g} f(φ_g, Φ_r)        recall = mean_{φ_r ∈ Φ_r} f(φ_r, Φ_g)

Naeem, Oh, Uh, Choi, Yoo 2020, "Reliable Fidelity and Diversity Metrics for Generative Models"
(arXiv 2002.09797), with balls B(Xᵢ, NND_k(Xᵢ)) around the N real points only (k = 5 there):

    density  = 1/(kM) Σ_j Σ_i 1[Y_j ∈ B(Xᵢ, NND_k(Xᵢ))]          (can exceed 1)
    coverage = 1/N Σ_i 1[∃ j: Y_j ∈ B(Xᵢ, NND_k(Xᵢ))]

Balls are closed (≤) in both. Distances are computed in float64 in row blocks of
``batch_size``, so memory is O(batch_size · N) rather than O(N²), as
‖a − b‖² = ‖a‖² − 2aᵀb + ‖b‖² after centring both sets on the real mean (which leaves
distances unchanged and reduces cancellation). Because that round-off is not symmetric in a and
b, a point exactly on a ball's surface (a real set's own k-th neighbour, when fakes equal reals)
could fall out by one ulp; membership therefore uses a relative tolerance of ``_RTOL`` = 1e-9 on
the squared radius.
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from ganzoo.errors import GanzooError

_RTOL = 1e-9


def _as_features(x: Any, what: str) -> np.ndarray:
    x = np.asarray(x, np.float64)
    if x.ndim != 2:
        raise GanzooError(f"ganzoo.metrics: {what} features must be [N, D], got shape {x.shape}.")
    return x


def _check_pair(real: np.ndarray, fake: np.ndarray) -> None:
    if real.shape[1] != fake.shape[1]:
        raise GanzooError(
            f"ganzoo.metrics: real features are {real.shape[1]}-d but fake features are "
            f"{fake.shape[1]}-d; use the same extractor for both."
        )


def _distance_blocks(
    a: np.ndarray, b: np.ndarray, batch_size: int
) -> Iterator[tuple[slice, np.ndarray]]:
    """Yields (rows, ‖a[rows] − b‖²) blocks of squared distances, ``[batch_size, len(b)]``."""
    b_sq = np.einsum("ij,ij->i", b, b)
    for start in range(0, a.shape[0], batch_size):
        rows = slice(start, min(start + batch_size, a.shape[0]))
        a_blk = a[rows]
        a_sq = np.einsum("ij,ij->i", a_blk, a_blk)
        d2 = (a_sq[:, None] + b_sq[None, :]) - 2.0 * (a_blk @ b.T)
        yield rows, np.maximum(d2, 0.0)


def knn_radii(features: Any, k: int = 3, batch_size: int = 1024) -> np.ndarray:
    """Distance from each point to its k-th nearest neighbour in the same set (itself excluded).

    Shapes: ``[N, D] → [N]``. Needs N > k.
    """
    x = _as_features(features, "manifold")
    _check_k(x, k)
    return np.sqrt(_knn_radii_sq(x - x.mean(axis=0), k, batch_size))


def _knn_radii_sq(x: np.ndarray, k: int, batch_size: int) -> np.ndarray:
    radii_sq = np.empty([x.shape[0]], np.float64)
    for rows, d2 in _distance_blocks(x, x, batch_size):
        # Sorted row: index 0 is the point itself (distance 0), index k its k-th neighbour.
        radii_sq[rows] = np.partition(d2, k, axis=1)[:, k]
    return radii_sq


def _check_k(x: np.ndarray, k: int) -> None:
    if k < 1 or x.shape[0] <= k:
        raise GanzooError(
            f"ganzoo.metrics: k-NN radii with k={k} need more than {k} samples, got {x.shape[0]}."
        )


def _fraction_in_manifold(
    queries: np.ndarray, points: np.ndarray, radii_sq: np.ndarray, batch_size: int
) -> float:
    inside = np.zeros([queries.shape[0]], bool)
    bound = radii_sq[None, :] * (1.0 + _RTOL)
    for rows, d2 in _distance_blocks(queries, points, batch_size):
        inside[rows] = np.any(d2 <= bound, axis=1)
    return float(inside.mean())


def _centred(real: Any, fake: Any) -> tuple[np.ndarray, np.ndarray]:
    real = _as_features(real, "real")
    fake = _as_features(fake, "fake")
    _check_pair(real, fake)
    centre = real.mean(axis=0)
    return real - centre, fake - centre


def precision_recall_from_features(
    real: Any, fake: Any, *, k: int = 3, batch_size: int = 1024
) -> tuple[float, float]:
    """Improved precision and recall (Kynkäänniemi et al. 2019) of ``fake`` w.r.t. ``real``.

    Args:
        real: ``[N, D]`` real features.
        fake: ``[M, D]`` generated features.
        k: neighbourhood size of the manifold radii (3 in the paper).
        batch_size: rows per distance block; memory ≈ 8 · batch_size · max(N, M) bytes.

    Returns:
        ``(precision, recall)``, each in [0, 1].
    """
    real, fake = _centred(real, fake)
    _check_k(real, k)
    _check_k(fake, k)
    precision = _fraction_in_manifold(fake, real, _knn_radii_sq(real, k, batch_size), batch_size)
    recall = _fraction_in_manifold(real, fake, _knn_radii_sq(fake, k, batch_size), batch_size)
    return precision, recall


def density_coverage_from_features(
    real: Any, fake: Any, *, k: int = 5, batch_size: int = 1024
) -> tuple[float, float]:
    """Density and coverage (Naeem et al. 2020) of ``fake`` w.r.t. ``real``.

    Args:
        real: ``[N, D]`` real features.
        fake: ``[M, D]`` generated features.
        k: neighbourhood size of the real balls (5 in the paper).
        batch_size: rows per distance block.

    Returns:
        ``(density, coverage)``; density ≈ 1 when fakes are distributed like reals, coverage in
        [0, 1].
    """
    real, fake = _centred(real, fake)
    _check_k(real, k)
    bound = _knn_radii_sq(real, k, batch_size)[None, :] * (1.0 + _RTOL)
    balls_per_fake = np.zeros([fake.shape[0]], np.float64)
    covered = np.zeros([real.shape[0]], bool)
    for rows, d2 in _distance_blocks(fake, real, batch_size):
        inside = d2 <= bound  # [fakes in block, N]
        balls_per_fake[rows] = inside.sum(axis=1)
        covered |= inside.any(axis=0)
    density = float(balls_per_fake.sum() / (k * fake.shape[0]))
    return density, float(covered.mean())
