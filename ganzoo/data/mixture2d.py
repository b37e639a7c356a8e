"""``mixture2d:ring8`` and ``mixture2d:grid25``: the mode-collapse benchmarks' 2-D mixtures.

ring8: 8 Gaussians evenly on a circle of radius 2, std 0.02. grid25: 25
Gaussians at {−4, −2, 0, 2, 4}², std 0.05 (Metz et al. 2017; Srivastava et al.
2017; Lin et al. 2018). Points are ``[2]`` float32 in data units (not rescaled);
labels are the index of the mode each point was drawn from.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from ganzoo.data.registry import Source, register
from ganzoo.errors import GanzooError
from ganzoo.metrics.mode_coverage import GRID25_STD, RING8_STD, grid25_centres, ring8_centres


# The geometry lives with the metric that counts modes, so the two cannot drift apart.
MIXTURES = {"ring8": (ring8_centres, RING8_STD), "grid25": (grid25_centres, GRID25_STD)}


def sample(name: str, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points of mixture ``name`` (uniform over modes): ``([n, 2] float32, [n] int32 modes)``."""
    if name not in MIXTURES:
        raise GanzooError(
            f"ganzoo.data: unknown mixture '{name}'; choose mixture2d:ring8 or mixture2d:grid25."
        )
    centres_fn, std = MIXTURES[name]
    centres = centres_fn()
    rng = np.random.default_rng(seed)
    modes = rng.integers(0, len(centres), size=n).astype(np.int32)
    points = centres[modes] + std * rng.standard_normal((n, 2)).astype(np.float32)
    return points.astype(np.float32), modes


@register("mixture2d", takes_argument=True, description="2-D Gaussian mixtures ring8 / grid25 (generated)")
def mixture2d(
    name, split="train", image_size=None, channels=None, with_labels=False, shuffle=True, seed=0,
    num_examples=100_000,
) -> Source:
    if image_size is not None or channels is not None:
        raise GanzooError(
            f"ganzoo.data: mixture2d:{name} holds 2-D points; image_size and channels do not apply."
        )
    # The test split draws from another stream so it never repeats training points.
    points, modes = sample(name, int(num_examples), seed=seed * 2 + (split != "train"))
    elements = (points, modes) if with_labels else points
    return Source(tf.data.Dataset.from_tensor_slices(elements), len(points), in_memory=True)
