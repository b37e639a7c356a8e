"""Streamed feature statistics and the Fréchet distance behind FID.

Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash
Equilibrium" (arXiv 1706.08500): FID is the Fréchet (2-Wasserstein) distance between Gaussians
fitted to the features of real and generated images,

    d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^{1/2}).

``FeatureStatistics`` accumulates the mean and covariance of ``[N, D]`` features batch by batch
in float64 with memory O(D²), independent of N, and saves to / loads from ``.npz`` so reference
statistics of a dataset are computed once. ``frechet_distance`` evaluates the formula with a
symmetric eigen-decomposition, which stays real and stable for near-singular covariances.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ganzoo.errors import GanzooError

_NPZ_VERSION = 1


class FeatureStatistics:
    """Running mean and covariance of feature vectors, in bounded memory.

    Batches are merged with Chan et al.'s parallel update (mean and centred sum of outer
    products), which avoids the cancellation of ``Σxxᵀ − N μμᵀ`` when the mean is large
    compared with the spread. Memory: one ``[D]`` mean and one ``[D, D]`` matrix, float64.

    Args:
        dim: feature dimension D; inferred from the first batch when None.
        extractor: name of the feature extractor that produced the features; carried into
            saved files and every number computed from these statistics.
        metadata: free-form string metadata saved with the statistics (dataset, split,
            image size, ...).

    Shapes: ``update`` takes ``[N, D]``; ``mean`` is ``[D]``; ``covariance`` is ``[D, D]``
    (sample covariance, divided by N − 1 as ``np.cov``).
    """

    def __init__(
        self,
        dim: int | None = None,
        extractor: str = "unknown",
        metadata: dict[str, str] | None = None,
    ) -> None:
        self.extractor = str(extractor)
        self.metadata: dict[str, str] = {str(k): str(v) for k, v in (metadata or {}).items()}
        self.count = 0
        self.dim = None if dim is None else int(dim)
        self._mean: np.ndarray | None = None
        self._m2: np.ndarray | None = None
        if self.dim is not None:
            self._mean = np.zeros([self.dim], np.float64)
            self._m2 = np.zeros([self.dim, self.dim], np.float64)

    def update(self, features: Any) -> "FeatureStatistics":
        """Adds a ``[N, D]`` batch of features; returns self."""
        x = np.asarray(features, dtype=np.float64)
        if x.ndim != 2:
            raise GanzooError(
                f"ganzoo.metrics: FeatureStatistics.update expects [N, D] features, got shape "
                f"{x.shape}; flatten each sample's features to one vector."
            )
        if not np.all(np.isfinite(x)):
            raise GanzooError(
                "ganzoo.metrics: features contain NaN or inf; check the generator's outputs and "
                "the extractor's inputs."
            )
        if self.dim is None:
            self.dim = x.shape[1]
            self._mean = np.zeros([self.dim], np.float64)
            self._m2 = np.zeros([self.dim, self.dim], np.float64)
        if x.shape[1] != self.dim:
            raise GanzooError(
                f"ganzoo.metrics: feature dimension {x.shape[1]} does not match the statistics' "
                f"dimension {self.dim}; use one extractor for every batch."
            )
        n_b = x.shape[0]
        if n_b == 0:
            return self
        mean_b = x.mean(axis=0)
        centred = x - mean_b
        m2_b = centred.T @ centred
        n_a = self.count
        n = n_a + n_b
        delta = mean_b - self._mean
        self._mean = self._mean + delta * (n_b / n)
        self._m2 = self._m2 + m2_b + np.outer(delta, delta) * (n_a * n_b / n)
        self.count = n
        return self

    def merge(self, other: "FeatureStatistics") -> "FeatureStatistics":
        """Adds another accumulator's samples (e.g. from another worker); returns self."""
        if other.count == 0:
            return self
        if self.count == 0:
            self.dim, self.count = other.dim, other.count
            self._mean, self._m2 = other._mean.copy(), other._m2.copy()
            return self
        if other.dim != self.dim:
            raise GanzooError(
                f"ganzoo.metrics: cannot merge statistics of dimension {other.dim} into {self.dim}."
            )
        n_a, n_b = self.count, other.count
        n = n_a + n_b
        delta = other._mean - self._mean
        self._mean = self._mean + delta * (n_b / n)
        self._m2 = self._m2 + other._m2 + np.outer(delta, delta) * (n_a * n_b / n)
        self.count = n
        return self

    @property
    def mean(self) -> np.ndarray:
        """``[D]`` float64 mean of all features seen."""
        if self.count == 0:
            raise GanzooError("ganzoo.metrics: FeatureStatistics is empty; call update() first.")
        return self._mean.copy()

    @property
    def covariance(self) -> np.ndarray:
        """``[D, D]`` float64 sample covariance (divided by N − 1)."""
        if self.count < 2:
            raise GanzooError(
                f"ganzoo.metrics: a covariance needs at least 2 samples, got {self.count}."
            )
        return self._m2 / (self.count - 1)

    def save(self, path: str | os.PathLike) -> None:
        """Writes the statistics to ``path`` (.npz), atomically."""
        if self.count == 0:
            raise GanzooError("ganzoo.metrics: refusing to save empty FeatureStatistics.")
        path = os.fspath(path)
        if not path.endswith(".npz"):
            raise GanzooError(f"ganzoo.metrics: statistics files end in .npz, got '{path}'.")
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        tmp = f"{path[:-4]}.tmp{os.getpid()}.npz"
        np.savez(
            tmp,
            version=np.int64(_NPZ_VERSION),
            count=np.int64(self.count),
            mean=self._mean,
            m2=self._m2,
            extractor=np.str_(self.extractor),
            metadata_keys=np.array(list(self.metadata.keys()), dtype=np.str_),
            metadata_values=np.array(list(self.metadata.values()), dtype=np.str_),
        )
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "FeatureStatistics":
        """Reads statistics written by ``save``."""
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise GanzooError(f"ganzoo.metrics: statistics file '{path}' does not exist.")
        try:
            with np.load(path, allow_pickle=False) as f:
                data = {k: f[k] for k in f.files}
        except Exception as e:  # a truncated or foreign file
            raise GanzooError(
                f"ganzoo.metrics: '{path}' is not a readable statistics .npz ({e}); delete it so "
                "it is recomputed."
            ) from e
        missing = {"version", "count", "mean", "m2", "extractor"} - set(data)
        if missing:
            raise GanzooError(
                f"ganzoo.metrics: '{path}' lacks {sorted(missing)}; it was not written by "
                "FeatureStatistics.save, delete it so it is recomputed."
            )
        keys = [str(k) for k in data.get("metadata_keys", [])]
        values = [str(v) for v in data.get("metadata_values", [])]
        stats = cls(dim=data["mean"].shape[0], extractor=str(data["extractor"]),
                    metadata=dict(zip(keys, values)))
        stats.count = int(data["count"])
        stats._mean = data["mean"].astype(np.float64)
        stats._m2 = data["m2"].astype(np.float64)
        return stats

    def __repr__(self) -> str:
        return (f"FeatureStatistics(extractor={self.extractor!r}, count={self.count}, "
                f"dim={self.dim})")


def _psd_sqrt(sigma: np.ndarray) -> np.ndarray:
    """Symmetric square root of a symmetric PSD matrix (negative round-off eigenvalues → 0)."""
    w, v = np.linalg.eigh((sigma + sigma.T) / 2)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def trace_sqrt_product(sigma1: np.ndarray, sigma2: np.ndarray) -> float:
    """Tr((Σ₁ Σ₂)^{1/2}) for symmetric PSD Σ₁, Σ₂, in float64.

    Σ₁Σ₂ is similar to the symmetric PSD matrix Σ₁^{1/2} Σ₂ Σ₁^{1/2}, so both have the same
    non-negative eigenvalues λᵢ and the trace is Σᵢ √λᵢ. Two symmetric eigen-decompositions
    replace a general (complex) ``sqrtm``: no imaginary parts, no failure on singular input.
    """
    s1 = _psd_sqrt(sigma1)
    m = s1 @ sigma2 @ s1
    w = np.linalg.eigvalsh((m + m.T) / 2)
    return float(np.sum(np.sqrt(np.clip(w, 0.0, None))))


def frechet_distance(mu1: Any, sigma1: Any, mu2: Any, sigma2: Any) -> float:
    """Fréchet distance between N(μ₁, Σ₁) and N(μ₂, Σ₂) (Heusel et al. 2017, Eq. 6).

        d² = ‖μ₁ − μ₂‖² + Tr(Σ₁) + Tr(Σ₂) − 2 Tr((Σ₁ Σ₂)^{1/2})

    Computed in float64; see ``trace_sqrt_product`` for the matrix square root. The result is
    clipped at 0 (round-off can make d² of two equal Gaussians −1e-12). FID is this value on
    Inception pool3 features (the squared distance, as published; no square root is taken).

    Args:
        mu1, mu2: ``[D]`` means.
        sigma1, sigma2: ``[D, D]`` covariances (symmetric positive semi-definite).

    Returns:
        d² as a Python float.
    """
    mu1 = np.atleast_1d(np.asarray(mu1, np.float64))
    mu2 = np.atleast_1d(np.asarray(mu2, np.float64))
    sigma1 = np.atleast_2d(np.asarray(sigma1, np.float64))
    sigma2 = np.atleast_2d(np.asarray(sigma2, np.float64))
    d = mu1.shape[0]
    if mu1.ndim != 1 or mu2.shape != (d,) or sigma1.shape != (d, d) or sigma2.shape != (d, d):
        raise GanzooError(
            f"ganzoo.metrics: frechet_distance needs mu [D] and sigma [D, D] of one D, got "
            f"mu1 {mu1.shape}, sigma1 {sigma1.shape}, mu2 {mu2.shape}, sigma2 {sigma2.shape}."
        )
    diff = mu1 - mu2
    value = (diff @ diff + np.trace(sigma1) + np.trace(sigma2)
             - 2.0 * trace_sqrt_product(sigma1, sigma2))
    return float(max(value, 0.0))


def check_rank(stats: FeatureStatistics, what: str = "features") -> None:
    """Raises when too few samples make the covariance rank-deficient.

    N samples give a covariance of rank at most N − 1, so with N ≤ D the fitted Gaussian lives
    in a subspace and FID is dominated by which directions happened to be sampled.
    """
    if stats.count <= stats.dim:
        raise GanzooError(
            f"ganzoo.metrics: {stats.count} {what} of {stats.dim}-d '{stats.extractor}' features "
            f"give a covariance of rank at most {max(stats.count - 1, 0)} < {stats.dim}, which "
            f"makes FID unreliable; use at least {stats.dim + 1} samples (10,000+ recommended "
            "for Inception features) or a lower-dimensional extractor."
        )


def fid_from_statistics(
    real: FeatureStatistics, fake: FeatureStatistics, *, allow_rank_deficient: bool = False
) -> float:
    """FID between two ``FeatureStatistics`` (same extractor, same dimension).

    Raises ``GanzooError`` when the extractors differ, or when either side has no more samples
    than feature dimensions (see ``check_rank``) unless ``allow_rank_deficient``.
    """
    if real.extractor != fake.extractor:
        raise GanzooError(
            f"ganzoo.metrics: real statistics come from extractor '{real.extractor}' but fake "
            f"ones from '{fake.extractor}'; compute both with the same extractor."
        )
    if real.dim != fake.dim:
        raise GanzooError(
            f"ganzoo.metrics: real features are {real.dim}-d but fake features are {fake.dim}-d."
        )
    if not allow_rank_deficient:
        check_rank(real, "real samples")
        check_rank(fake, "generated samples")
    return frechet_distance(real.mean, real.covariance, fake.mean, fake.covariance)
