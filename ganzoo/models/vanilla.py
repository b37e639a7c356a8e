"""The original GAN: multilayer perceptrons for G and D.

Goodfellow et al. 2014, "Generative Adversarial Nets", arXiv 1406.2661.

The idea: G maps noise to data, D tells data from G's samples, and the two play
min_G max_D E[log D(x)] + E[log(1 − D(G(z)))], with k D steps per G step. The
paper's G is a ReLU MLP; its D is a maxout MLP with dropout.

Where ganzoo departs from the paper:
- G's output is tanh for images (ganzoo's images live in [-1, 1]; the paper
  used a sigmoid on [0, 1]) and linear for 2-D points;
- the default generator loss is the non-saturating one the paper recommends for
  early training (compile(loss="minimax") gives the saturating game);
- ``compile()`` defaults to SGD with momentum 0.5 as in the paper, but without
  its momentum ramp and learning-rate decay; the configs use Adam, which trains
  these MLPs in a few minutes on 2 CPU cores.
"""

from __future__ import annotations

from typing import Any, Sequence

import keras
import numpy as np

from ganzoo import remedies
from ganzoo.errors import GanzooError
from ganzoo.layers import Maxout
from ganzoo.models.base import GAN


def check_data_shape(data_shape: Sequence[int]) -> tuple[int, ...]:
    shape = tuple(int(d) for d in data_shape)
    if not shape or any(d < 1 for d in shape):
        raise GanzooError(
            f"ganzoo: data_shape={shape} must be positive sizes, e.g. (2,) for points "
            "or (32, 32, 1) for images."
        )
    return shape


def build_generator(
    data_shape: Sequence[int], latent_dim: int = 100, units: Sequence[int] = (1200, 1200)
) -> keras.Model:
    """ReLU MLP generator. ``[batch, latent_dim] -> [batch, *data_shape]``.

    Outputs tanh for images (rank-3 ``data_shape``), linear otherwise.
    """
    shape = check_data_shape(data_shape)
    z = keras.Input((latent_dim,), name="z")
    x = z
    for i, width in enumerate(units):
        x = keras.layers.Dense(width, activation="relu", name=f"hidden{i + 1}")(x)
    activation = "tanh" if len(shape) == 3 else None
    x = keras.layers.Dense(int(np.prod(shape)), activation=activation, name="output")(x)
    outputs = keras.layers.Reshape(shape, dtype="float32", name="samples")(x)
    return keras.Model(z, outputs, name="generator")


def build_discriminator(
    data_shape: Sequence[int],
    units: Sequence[int] = (240, 240),
    maxout: bool = True,
    pieces: int = 5,
    dropout: float = 0.5,
) -> keras.Model:
    """Maxout (or LeakyReLU) MLP discriminator with dropout. ``[batch, *data_shape] -> [batch, 1]``."""
    shape = check_data_shape(data_shape)
    inputs = keras.Input(shape, name="samples")
    x = keras.layers.Flatten()(inputs)
    for i, width in enumerate(units):
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"dropout{i + 1}")(x)
        if maxout:
            x = Maxout(width, pieces, name=f"maxout{i + 1}")(x)
        else:
            x = keras.layers.Dense(width, name=f"hidden{i + 1}")(x)
            x = keras.layers.LeakyReLU(0.2)(x)
    logits = keras.layers.Dense(1, dtype="float32", name="logit")(x)
    return keras.Model(inputs, logits, name="discriminator")


@keras.saving.register_keras_serializable(package="ganzoo")
class VanillaGAN(GAN):
    """The MLP GAN of Goodfellow et al. 2014 (arXiv 1406.2661), for images and points.

    Args:
        data_shape: one sample's shape: ``(2,)`` for 2-D points, ``(H, W, C)`` for images.
        latent_dim: noise size.
        g_units: G's hidden widths (paper: 1200, 1200).
        d_units: D's hidden widths (paper: 240, 240 maxout units).
        maxout: maxout units in D (paper) or LeakyReLU(0.2) dense layers.
        pieces: linear pieces per maxout unit (paper: 5).
        dropout: dropout before each of D's hidden layers (paper: 0.5).
        minibatch_kernels: minibatch discrimination on D's last hidden layer
            (Salimans et al. 2016; 0 = off).
        spectral_norm: spectral normalization of D's layers (Miyato et al. 2018).
        packing: m, the samples D judges at once (PacGAN, Lin et al. 2018;
            1 = off); the batch size must be a multiple of it.
        seed: noise seed.

    Train with ``compile(d_steps=k)`` for the paper's k discriminator steps.
    """

    def __init__(
        self,
        data_shape: Sequence[int] = (28, 28, 1),
        latent_dim: int = 100,
        g_units: Sequence[int] = (1200, 1200),
        d_units: Sequence[int] = (240, 240),
        maxout: bool = True,
        pieces: int = 5,
        dropout: float = 0.5,
        minibatch_kernels: int = 0,
        spectral_norm: bool = False,
        packing: int = 1,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        data_shape = check_data_shape(data_shape)
        kwargs.pop("generator", None)
        kwargs.pop("discriminator", None)
        super().__init__(
            generator=build_generator(data_shape, latent_dim, g_units),
            discriminator=remedies.apply_to_discriminator(
                build_discriminator(data_shape, d_units, maxout, pieces, dropout),
                minibatch_kernels,
                spectral_norm,
                packing,
            ),
            latent_dim=latent_dim,
            seed=seed,
            **kwargs,
        )
        self._config = {
            "data_shape": list(data_shape),
            "latent_dim": int(latent_dim),
            "g_units": [int(u) for u in g_units],
            "d_units": [int(u) for u in d_units],
            "maxout": bool(maxout),
            "pieces": int(pieces),
            "dropout": float(dropout),
            "minibatch_kernels": int(minibatch_kernels),
            "spectral_norm": bool(spectral_norm),
            "packing": int(packing),
            "seed": int(seed),
        }

    def default_optimizers(self):
        """SGD with momentum 0.5, the paper's starting values."""
        return (
            keras.optimizers.SGD(0.1, momentum=0.5, name="g_sgd"),
            keras.optimizers.SGD(0.1, momentum=0.5, name="d_sgd"),
        )

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, **self._config}
