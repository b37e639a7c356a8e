"""Latent-space helpers: interpolation and vector arithmetic.

Radford et al. 2015 (arXiv 1511.06434) walk the latent space to show G has
not memorised (section 6.1) and do arithmetic on averaged concept vectors
(section 6.3). Spherical interpolation follows White 2016, "Sampling Generative
Networks" (arXiv 1609.04468): Gaussian noise lives near a sphere, so the
straight chord passes through unlikely low-norm points.
"""

from __future__ import annotations

import numpy as np

from ganzoo.errors import GanzooError


def _vector(z: np.ndarray, name: str) -> np.ndarray:
    z = np.asarray(z, np.float64)
    if z.ndim == 2 and z.shape[0] == 1:
        z = z[0]
    if z.ndim != 1:
        raise GanzooError(f"ganzoo.latent: {name} has shape {z.shape}; pass one latent vector [latent_dim].")
    return z


def interpolate(z1: np.ndarray, z2: np.ndarray, steps: int = 8, spherical: bool = True) -> np.ndarray:
    """``steps`` latent vectors from z1 to z2 inclusive, ``[steps, latent_dim]`` float32.

    With ``spherical`` (slerp): sin((1−t)Ω)/sin Ω · z1 + sin(tΩ)/sin Ω · z2, Ω the
    angle between them; linear when they are (anti)parallel or ``spherical`` is False.
    """
    a, b = _vector(z1, "z1"), _vector(z2, "z2")
    if a.shape != b.shape:
        raise GanzooError(f"ganzoo.latent: z1 {a.shape} and z2 {b.shape} differ in size.")
    if steps < 2:
        raise GanzooError(f"ganzoo.latent: steps={steps}; an interpolation needs at least 2.")
    t = np.linspace(0.0, 1.0, steps)[:, None]
    cos = np.dot(a, b) / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-12)
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if not spherical or np.sin(omega) < 1e-6:
        path = (1.0 - t) * a + t * b
    else:
        path = (np.sin((1.0 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)
    return path.astype(np.float32)


def arithmetic(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """mean(a) − mean(b) + mean(c), ``[1, latent_dim]`` float32.

    Each argument is ``[latent_dim]`` or ``[k, latent_dim]`` (k samples of one
    concept, averaged as in the paper).
    """
    means = []
    for name, z in (("a", a), ("b", b), ("c", c)):
        z = np.asarray(z, np.float64)
        z = z[None] if z.ndim == 1 else z
        if z.ndim != 2:
            raise GanzooError(f"ganzoo.latent: {name} has shape {z.shape}; pass [k, latent_dim].")
        means.append(z.mean(axis=0))
    if len({m.shape for m in means}) != 1:
        raise GanzooError("ganzoo.latent: a, b and c must share latent_dim.")
    return (means[0] - means[1] + means[2])[None].astype(np.float32)


def truncate(z: np.ndarray, psi: float, seed: tuple[int, int] = (0, 0), max_rounds: int = 10_000) -> np.ndarray:
    """The truncation trick: every entry of ``z`` with |z| > ψ is redrawn from N(0, 1) until it is not.

    Brock, Donahue, Simonyan 2019, "Large Scale GAN Training for High Fidelity Natural Image
    Synthesis" (BigGAN), arXiv 1809.11096, section 3.1: sampling from a truncated normal
    trades variety for fidelity (small ψ: samples near the typical ones; ψ → ∞: no change).
    Entries already within ψ are kept, so a truncated batch stays close to the untruncated
    one of the same seed. Redraws are ``tf.random.stateless_normal`` of ``(seed[0], seed[1] + k)``
    for round k = 1, 2, ... (deterministic). Shapes: ``[n, latent_dim]`` -> the same, float32.
    """
    import tensorflow as tf  # only the redraws need it

    psi = float(psi)
    if not psi > 0.0 or not np.isfinite(psi):
        raise GanzooError(f"ganzoo.latent: truncation={psi}; ψ must be a positive number (BigGAN uses 0.04 to 2).")
    z = np.array(z, np.float32)
    outside = np.abs(z) > psi
    for k in range(1, max_rounds + 1):
        if not outside.any():
            return z
        fresh = tf.random.stateless_normal(z.shape, seed=[int(seed[0]), int(seed[1]) + k]).numpy()
        z[outside] = fresh[outside]
        outside = np.abs(z) > psi
    raise GanzooError(f"ganzoo.latent: truncation={psi} is too small to draw from; use ψ >= 0.01.")
