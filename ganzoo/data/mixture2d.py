"""``mixture2d:ring8`` and ``mixture2d:grid25``: the mode-collapse benchmarks' 2-D mixtures.

ring8: 8 Gaussians evenly on a circle of radius 2, std 0.02. grid25: 25
Gaussians at {−4, −2, 0, 2, 4}², std 0.05 (Metz et al. 2017; Srivastava et al.
2017; Lin et al. 2018). Points are ``[2]`` float32 in data units (not rescaled);
labels are the index of the mode each point was drawn from.

Two ways to get points: a fixed in-memory set of ``num_examples`` points (the
default, 100,000; ``load`` shuffles it every epoch), or with ``num_examples=0``
an endless stream of fresh points drawn in the graph (:func:`batches`), which
costs about a sixth of the in-memory shuffle per batch and never repeats a
point; train on it with ``steps_per_epoch``.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from ganzoo.data.registry import Source, register
from ganzoo.errors import GanzooError
from ganzoo.metrics.mode_coverage import GRID25_STD, RING8_STD, grid25_centres, ring8_centres


# The geometry lives with the metric that counts modes, so the two cannot drift apart.
MIXTURES = {"ring8": (ring8_centres, RING8_STD), "grid25": (grid25_centres, GRID25_STD)}

# Points per in-graph draw of the endless stream (load re-batches them).
_STREAM_CHUNK = 1024


def _mixture(name: str) -> tuple[np.ndarray, float]:
    if name not in MIXTURES:
        raise GanzooError(
            f"ganzoo.data: unknown mixture '{name}'; choose mixture2d:ring8 or mixture2d:grid25."
        )
    centres_fn, std = MIXTURES[name]
    return centres_fn(), std


def sample(name: str, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points of mixture ``name`` (uniform over modes): ``([n, 2] float32, [n] int32 modes)``."""
    centres, std = _mixture(name)
    rng = np.random.default_rng(seed)
    modes = rng.integers(0, len(centres), size=n).astype(np.int32)
    points = centres[modes] + std * rng.standard_normal((n, 2)).astype(np.float32)
    return points.astype(np.float32), modes


def batches(name: str, batch_size: int, seed: int = 0, with_labels: bool = False) -> tf.data.Dataset:
    """An endless stream of fresh ``[batch_size, 2]`` float32 batches, drawn in the graph.

    Batch i comes from the stateless seed (``seed``, i), so a stream is the same
    on every run and every platform; no Python runs per batch. With
    ``with_labels`` the elements are ``(points, int32 modes)``.
    """
    centres, std = _mixture(name)
    centres = tf.constant(centres, tf.float32)
    num_modes, batch_size = int(centres.shape[0]), int(batch_size)

    def draw(index):
        mode_seed, noise_seed = tf.unstack(
            tf.random.experimental.stateless_split(tf.stack([tf.constant(int(seed), tf.int64), index]), 2)
        )
        modes = tf.random.stateless_uniform([batch_size], mode_seed, 0, num_modes, dtype=tf.int32)
        points = tf.gather(centres, modes) + std * tf.random.stateless_normal([batch_size, 2], noise_seed)
        return (points, modes) if with_labels else points

    return tf.data.Dataset.range(np.iinfo(np.int64).max).map(draw)


@register("mixture2d", takes_argument=True, description="2-D Gaussian mixtures ring8 / grid25 (generated)")
def mixture2d(
    name, split="train", image_size=None, channels=None, with_labels=False, shuffle=True, seed=0,
    num_examples=100_000,
) -> Source:
    """``num_examples`` points in memory, or (``num_examples=0``) an endless in-graph stream."""
    if image_size is not None or channels is not None:
        raise GanzooError(
            f"ganzoo.data: mixture2d:{name} holds 2-D points; image_size and channels do not apply."
        )
    if int(num_examples) < 0:
        raise GanzooError(
            f"ganzoo.data: mixture2d num_examples={num_examples} must be >= 0 (0 = an endless stream "
            "of fresh points; train on it with steps_per_epoch)."
        )
    # The test split draws from another stream so it never repeats training points.
    stream_seed = seed * 2 + (split != "train")
    if int(num_examples) == 0:
        _mixture(name)  # unknown names fail here, not inside the pipeline
        stream = batches(name, _STREAM_CHUNK, stream_seed, with_labels).unbatch()
        return Source(stream, None, in_memory=False, shuffled=True)
    points, modes = sample(name, int(num_examples), seed=stream_seed)
    elements = (points, modes) if with_labels else points
    return Source(tf.data.Dataset.from_tensor_slices(elements), len(points), in_memory=True)
