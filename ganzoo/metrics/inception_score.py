"""Inception Score (Salimans et al. 2016, "Improved Techniques for Training GANs", arXiv
1606.03498) for the softmax outputs of any classifier.

    IS = exp(E_x KL(p(y|x) ‖ p(y))),      p(y) = E_x p(y|x)

computed on each of ``splits`` equal, consecutive chunks of the samples (p(y) estimated within
the chunk, as in the original code) and reported as mean ± std across chunks. It ranges from
1 (every sample has the same class distribution) to C (confident, class-balanced samples over C
classes). The published numbers use Inception-v3 trained on ImageNet; other classifiers give
numbers on their own scale, so always report which classifier was used.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ganzoo.errors import GanzooError


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x · log(y) with 0 · log(0) = 0."""
    out = np.zeros_like(x)
    nz = x > 0
    out[nz] = x[nz] * np.log(y[nz])
    return out


def check_probabilities(probs: Any, atol: float = 1e-3) -> np.ndarray:
    """Returns ``probs`` as float64 ``[N, C]`` after checking rows are distributions."""
    p = np.asarray(probs, np.float64)
    if p.ndim != 2 or p.shape[0] == 0:
        raise GanzooError(
            f"ganzoo.metrics: class probabilities must be [N, C], got shape {p.shape}."
        )
    if np.any(p < 0) or not np.allclose(p.sum(axis=1), 1.0, atol=atol):
        raise GanzooError(
            "ganzoo.metrics: class probabilities must be non-negative rows summing to 1 (these "
            "look like logits); apply a softmax to the classifier's outputs."
        )
    return p


def inception_score_from_probs(probs: Any, splits: int = 10) -> tuple[float, float]:
    """Inception Score of ``[N, C]`` class probabilities p(y|x).

    Args:
        probs: softmax outputs, one row per sample.
        splits: number of consecutive chunks (10 in Salimans et al.); N must be at least
            ``splits``. Samples beyond ``splits · ⌊N / splits⌋`` are dropped, as in the original.

    Returns:
        ``(mean, std)`` of exp(mean KL) over the chunks (std with ddof=0).
    """
    p = check_probabilities(probs)
    n = p.shape[0]
    if splits < 1 or n < splits:
        raise GanzooError(
            f"ganzoo.metrics: Inception Score with splits={splits} needs at least {splits} "
            f"samples, got {n}."
        )
    size = n // splits
    scores = []
    for s in range(splits):
        chunk = p[s * size:(s + 1) * size]
        marginal = chunk.mean(axis=0, keepdims=True)
        kl = _xlogy(chunk, chunk) - _xlogy(chunk, np.broadcast_to(marginal, chunk.shape))
        scores.append(np.exp(kl.sum(axis=1).mean()))
    scores = np.asarray(scores)
    return float(scores.mean()), float(scores.std())
