"""Kernel Inception Distance (Bińkowski, Sutherland, Arbel, Gretton 2018, "Demystifying MMD
GANs", arXiv 1801.01401).

KID is the squared maximum mean discrepancy between real and generated features under the
cubic polynomial kernel

    k(x, y) = (xᵀy / d + 1)³,                                   d = feature dimension,

estimated without bias on subsets of m real features X and m generated features Y:

    MMD²_u = 1/(m(m−1)) Σ_{i≠j} k(xᵢ, xⱼ) + 1/(m(m−1)) Σ_{i≠j} k(yᵢ, yⱼ) − 2/m² Σ_{i,j} k(xᵢ, yⱼ).

The estimate is averaged over ``num_subsets`` random subsets (each drawn without replacement)
and reported as mean ± standard deviation across subsets. Unlike FID it is unbiased, so it can
be negative when the two distributions are equal.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ganzoo.errors import GanzooError


def polynomial_kernel(
    x: np.ndarray, y: np.ndarray, degree: int = 3, gamma: float | None = None, coef0: float = 1.0
) -> np.ndarray:
    """k(x, y) = (γ xᵀy + c)^degree with γ = 1/d by default; ``[n, d] × [m, d] → [n, m]``."""
    if gamma is None:
        gamma = 1.0 / x.shape[1]
    return (gamma * (x @ y.T) + coef0) ** degree


def mmd2_unbiased(
    x: Any, y: Any, degree: int = 3, gamma: float | None = None, coef0: float = 1.0
) -> float:
    """Unbiased MMD² between samples ``x`` ``[m, d]`` and ``y`` ``[n, d]`` (formula above,
    with 1/(n(n−1)) and 2/(mn) when the sizes differ), in float64."""
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    m, n = x.shape[0], y.shape[0]
    if m < 2 or n < 2:
        raise GanzooError(
            f"ganzoo.metrics: unbiased MMD² needs at least 2 samples per set, got {m} and {n}."
        )
    k_xx = polynomial_kernel(x, x, degree, gamma, coef0)
    k_yy = polynomial_kernel(y, y, degree, gamma, coef0)
    k_xy = polynomial_kernel(x, y, degree, gamma, coef0)
    term_xx = (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
    term_yy = (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1))
    return float(term_xx + term_yy - 2.0 * k_xy.mean())


def kid_from_features(
    real: Any,
    fake: Any,
    *,
    subset_size: int = 1000,
    num_subsets: int = 100,
    seed: int = 0,
    degree: int = 3,
    coef0: float = 1.0,
) -> tuple[float, float]:
    """KID mean and standard deviation over subsets.

    Args:
        real: ``[N_r, d]`` real features.
        fake: ``[N_f, d]`` generated features.
        subset_size: m, samples drawn (without replacement) from each set per subset; the
            papers' and torch-fidelity's default is 1000. Must not exceed N_r or N_f.
        num_subsets: number of subsets (default 100).
        seed: seed of the subset draws (numpy ``default_rng``), so results are reproducible.
        degree, coef0: kernel (xᵀy/d + coef0)^degree; the defaults are KID's.

    Returns:
        ``(mean, std)`` of the per-subset unbiased MMD² (std with ddof=0, as torch-fidelity).
    """
    real = np.asarray(real, np.float64)
    fake = np.asarray(fake, np.float64)
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise GanzooError(
            f"ganzoo.metrics: KID needs [N, d] real and fake features of one d, got {real.shape} "
            f"and {fake.shape}; use the same extractor for both."
        )
    if subset_size < 2 or num_subsets < 1:
        raise GanzooError(
            f"ganzoo.metrics: KID needs subset_size >= 2 and num_subsets >= 1, got "
            f"{subset_size} and {num_subsets}."
        )
    smallest = min(real.shape[0], fake.shape[0])
    if subset_size > smallest:
        raise GanzooError(
            f"ganzoo.metrics: KID subset_size={subset_size} exceeds the {real.shape[0]} real and "
            f"{fake.shape[0]} generated samples; pass subset_size<={smallest} or more samples."
        )
    if subset_size == smallest and num_subsets > 1:
        # Every subset of the smaller set is the whole set: the spread over subsets is ~1e-16.
        warnings.warn(
            f"ganzoo.metrics: KID subset_size={subset_size} takes all {smallest} samples in every "
            f"subset, so its std says nothing; pass subset_size<={smallest // 2} or more samples.",
            stacklevel=2,
        )
    rng = np.random.default_rng(seed)
    values = np.empty([num_subsets], np.float64)
    for s in range(num_subsets):
        x = real[rng.choice(real.shape[0], subset_size, replace=False)]
        y = fake[rng.choice(fake.shape[0], subset_size, replace=False)]
        values[s] = mmd2_unbiased(x, y, degree=degree, coef0=coef0)
    return float(values.mean()), float(values.std())
