"""Mode coverage of samples from a 2-D Gaussian mixture (the mode-collapse benchmark).

Following VEEGAN (Srivastava et al. 2017, arXiv 1705.07761) and PacGAN (Lin et al. 2018, arXiv
1712.04086): a sample is **high quality** when it lies within 3 standard deviations of its
nearest mixture centre, and it is then registered to that centre. ganzoo's definitions:

    high_quality_fraction = #high-quality samples / #samples
    modes_captured        = #centres with at least ``min_count`` registered high-quality samples
    reverse_kl            = KL(q ‖ u) = Σᵢ qᵢ log(qᵢ K)   (0 log 0 = 0),
        q = histogram of high-quality samples over the K centres (normalised), u uniform;
        0 when every mode gets the same share, log K when all fall in one mode.

Papers differ on how many samples make a mode "captured"; ``min_count`` makes the choice
explicit and every result records it (default 20 of the usual 2,500 samples, i.e. a fifth of
the 100 per mode that grid25 expects).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from ganzoo.errors import GanzooError

RING8_RADIUS = 2.0
RING8_STD = 0.02
GRID25_VALUES = (-4.0, -2.0, 0.0, 2.0, 4.0)
GRID25_STD = 0.05


def ring8_centres(radius: float = RING8_RADIUS) -> np.ndarray:
    """``[8, 2]`` centres on a circle of ``radius`` at angles 2πi/8 (std ``RING8_STD``)."""
    angles = 2.0 * np.pi * np.arange(8) / 8
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def grid25_centres() -> np.ndarray:
    """``[25, 2]`` centres at {−4, −2, 0, 2, 4}² (std ``GRID25_STD``), row-major."""
    v = np.asarray(GRID25_VALUES)
    xx, yy = np.meshgrid(v, v, indexing="ij")
    return np.stack([xx.ravel(), yy.ravel()], axis=1)


@dataclasses.dataclass(frozen=True)
class ModeCoverage:
    """Mode-coverage summary of ``num_samples`` samples against ``num_modes`` centres."""

    modes_captured: int
    num_modes: int
    high_quality_fraction: float
    reverse_kl: float
    counts: tuple[int, ...]  # high-quality samples registered to each centre
    num_samples: int
    min_count: int
    std: float

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def mode_coverage(
    samples: Any, centres: Any, std: float, *, min_count: int = 20, num_std: float = 3.0
) -> ModeCoverage:
    """Counts high-quality samples and captured modes (definitions in the module docstring).

    Args:
        samples: ``[N, 2]`` generated points (any dimension D works, with centres ``[K, D]``).
        centres: ``[K, D]`` mixture means, e.g. ``ring8_centres()`` or ``grid25_centres()``.
        std: the mixture components' standard deviation (0.02 for ring8, 0.05 for grid25).
        min_count: high-quality samples a centre needs to count as captured (>= 1).
        num_std: the high-quality radius in standard deviations (3 in the papers).

    Returns:
        A ``ModeCoverage``.
    """
    x = np.asarray(samples, np.float64)
    c = np.asarray(centres, np.float64)
    if x.ndim != 2 or c.ndim != 2 or x.shape[1] != c.shape[1] or x.shape[0] == 0:
        raise GanzooError(
            f"ganzoo.metrics: mode_coverage needs samples [N, D] and centres [K, D], got "
            f"{x.shape} and {c.shape}."
        )
    if not std > 0 or min_count < 1:
        raise GanzooError(
            f"ganzoo.metrics: mode_coverage needs std > 0 and min_count >= 1, got {std} and "
            f"{min_count}."
        )
    d2 = ((x[:, None, :] - c[None, :, :]) ** 2).sum(axis=-1)  # [N, K]; K is small
    nearest = d2.argmin(axis=1)
    high_quality = np.sqrt(d2[np.arange(x.shape[0]), nearest]) <= num_std * std
    counts = np.bincount(nearest[high_quality], minlength=c.shape[0])
    total = counts.sum()
    if total:
        q = counts / total
        nz = q > 0
        reverse_kl = float(np.sum(q[nz] * np.log(q[nz] * c.shape[0])))
    else:
        reverse_kl = math.inf
    return ModeCoverage(
        modes_captured=int(np.sum(counts >= min_count)),
        num_modes=int(c.shape[0]),
        high_quality_fraction=float(high_quality.mean()),
        reverse_kl=reverse_kl,
        counts=tuple(int(n) for n in counts),
        num_samples=int(x.shape[0]),
        min_count=int(min_count),
        std=float(std),
    )
