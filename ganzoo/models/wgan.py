"""WGAN and WGAN-GP: a critic that estimates the Wasserstein-1 distance.

Arjovsky, Chintala, Bottou 2017, "Wasserstein GAN", arXiv 1701.07875;
Gulrajani, Ahmed, Arjovsky, Dumoulin, Courville 2017, "Improved Training of
Wasserstein GANs", arXiv 1704.00028.

The idea: replace D's classifier with a critic f and train it to maximise
E[f(x)] − E[f(G(z))]; when f is 1-Lipschitz this is the Wasserstein-1 distance,
which keeps giving G useful gradients where the JS divergence saturates. The
Lipschitz constraint comes from weight clipping (WGAN: every critic weight in
[−c, c] after each update) or from a gradient penalty (WGAN-GP:
λ E[(‖∇f(x̂)‖ − 1)²] on random interpolates x̂ between real and fake).

Where ganzoo departs from the papers:
- the paper's "n_critic" is ``compile(d_steps=5)`` (the default here); all
  critic steps of one ``train_step`` use the same real batch (the papers draw a
  fresh real batch per critic step), so an epoch makes 5× fewer G updates per
  real sample than the papers' loop;
- WGAN's first 25 generator iterations (and every 500th) with 100 critic steps
  are not reproduced;
- the MLP critic and generator follow WGAN-GP's toy experiments (ReLU, 512 ×
  3); for images the networks are DCGAN's, with the critic's batch norm
  replaced by layer norm or nothing (WGAN-GP forbids batch norm in the critic).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence

import keras
import tensorflow as tf

from ganzoo import remedies
from ganzoo.errors import GanzooError
from ganzoo.models import dcgan, vanilla
from ganzoo.models.base import GAN
from ganzoo.training import GradientPenalty, Phase

LIPSCHITZ = ("gradient_penalty", "clip")
CRITIC_NORMS = (None, "layer", "batch")


def _norm_layer(kind: str | None, name: str) -> keras.layers.Layer | None:
    if kind == "layer":
        return keras.layers.LayerNormalization(name=f"{name}_ln")
    if kind == "batch":
        return keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=f"{name}_bn")
    return None


def build_mlp_generator(data_shape: Sequence[int], latent_dim: int = 2, units: Sequence[int] = (512, 512, 512)) -> keras.Model:
    """ReLU MLP generator (WGAN-GP's toy networks). ``[batch, latent_dim] -> [batch, *data_shape]``.

    Outputs tanh for images, linear for points.
    """
    return vanilla.build_generator(data_shape, latent_dim, units)


def build_mlp_critic(
    data_shape: Sequence[int], units: Sequence[int] = (512, 512, 512), norm: str | None = None
) -> keras.Model:
    """ReLU MLP critic: ``[batch, *data_shape] -> [batch, 1]`` critic values (no sigmoid)."""
    inputs = keras.Input(tuple(int(d) for d in data_shape), name="samples")
    x = keras.layers.Flatten()(inputs)
    for i, width in enumerate(units):
        name = f"hidden{i + 1}"
        x = keras.layers.Dense(width, name=name)(x)
        norm_layer = _norm_layer(norm, name)
        if norm_layer is not None:
            x = norm_layer(x)
        x = keras.layers.ReLU(name=f"{name}_act")(x)
    values = keras.layers.Dense(1, dtype="float32", name="critic")(x)
    return keras.Model(inputs, values, name="critic")


def build_dcgan_critic(image_shape: Sequence[int] = (64, 64, 3), filters: int = 64, norm: str | None = None) -> keras.Model:
    """DCGAN's discriminator as a critic: batch norm replaced by ``norm`` (None or "layer").

    Shapes: ``[batch, H, W, C] -> [batch, 1]`` critic values.
    """
    size, _, _ = dcgan.check_image_shape(image_shape)
    images = keras.Input(tuple(image_shape), name="images")
    x = images
    width = filters
    for stage in range(1, dcgan.stages(size) + 1):
        name = f"down{stage}"
        x = keras.layers.Conv2D(
            width, 4, strides=2, padding="same", kernel_initializer=dcgan.init(), name=name
        )(x)
        norm_layer = _norm_layer(norm, name) if stage > 1 else None
        if norm_layer is not None:
            x = norm_layer(x)
        x = keras.layers.LeakyReLU(0.2, name=f"{name}_act")(x)
        width *= 2
    x = keras.layers.Conv2D(1, 4, padding="valid", kernel_initializer=dcgan.init(), name="critic")(x)
    values = keras.layers.Flatten(dtype="float32", name="values")(x)
    return keras.Model(images, values, name="critic")


@keras.saving.register_keras_serializable(package="ganzoo")
class WGAN(GAN):
    """Wasserstein GAN with weight clipping or a gradient penalty.

    Args:
        data_shape: ``(2,)`` for points, ``(H, W, C)`` for images.
        network: ``"mlp"`` (any data) or ``"dcgan"`` (square power-of-two images).
        lipschitz: ``"gradient_penalty"`` (WGAN-GP) or ``"clip"`` (WGAN).
        gp_weight: λ of the gradient penalty (paper: 10).
        clip_value: c, the clipping bound (paper: 0.01).
        critic_norm: None, ``"layer"`` or (clipping only) ``"batch"``.
        latent_dim: noise size (paper: 128 for the toy data, 100 for DCGAN images).
        g_units, d_units: MLP widths (paper: 512 × 3).
        g_filters, d_filters: DCGAN widths (ngf, ndf).
        packing: m, the samples the critic judges at once (PacGAN, Lin et al.
            2018; 1 = off); the gradient penalty then interpolates whole packs
            and takes the norm per pack. The batch size must be a multiple of it.
        seed: noise seed (also the interpolation weights' stream).

    Metrics: ``w_distance`` = E[f(x)] − E[f(G(z))] (the critic's estimate, on the
    batch of the last critic step), ``gradient_penalty`` λ(‖∇f(x̂)‖ − 1)², the
    term added to the critic's loss (``d_loss`` excludes it).
    ``compile()`` defaults: ``loss="wasserstein"``, ``d_steps=5``, and the paper's
    optimizers (RMSProp 5e-5 for clipping, Adam 1e-4 β = (0, 0.9) for GP).
    """

    def __init__(
        self,
        data_shape: Sequence[int] = (2,),
        network: str = "mlp",
        lipschitz: str = "gradient_penalty",
        gp_weight: float = 10.0,
        clip_value: float = 0.01,
        critic_norm: str | None = None,
        latent_dim: int = 128,
        g_units: Sequence[int] = (512, 512, 512),
        d_units: Sequence[int] = (512, 512, 512),
        g_filters: int = 64,
        d_filters: int = 64,
        packing: int = 1,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        data_shape = vanilla.check_data_shape(data_shape)
        if lipschitz not in LIPSCHITZ:
            raise GanzooError(f"ganzoo: WGAN lipschitz='{lipschitz}' is unknown; choose 'gradient_penalty' or 'clip'.")
        if critic_norm not in CRITIC_NORMS:
            raise GanzooError(f"ganzoo: WGAN critic_norm={critic_norm!r} is unknown; choose None, 'layer' or 'batch'.")
        if critic_norm == "batch" and lipschitz == "gradient_penalty":
            raise GanzooError(
                "ganzoo: WGAN-GP penalises each example's gradient, which batch norm couples across "
                "the batch (Gulrajani et al. 2017, section 4); use critic_norm='layer' or None."
            )
        if not float(gp_weight) >= 0 or not float(clip_value) > 0:
            raise GanzooError(f"ganzoo: WGAN needs gp_weight >= 0 and clip_value > 0, got {gp_weight}, {clip_value}.")
        if network == "mlp":
            generator = build_mlp_generator(data_shape, latent_dim, g_units)
            critic = build_mlp_critic(data_shape, d_units, critic_norm)
        elif network == "dcgan":
            generator = dcgan.build_generator(data_shape, latent_dim, g_filters)
            critic = build_dcgan_critic(data_shape, d_filters, critic_norm)
        else:
            raise GanzooError(f"ganzoo: WGAN network='{network}' is unknown; choose 'mlp' or 'dcgan'.")
        critic = remedies.with_packing(critic, packing)
        kwargs.pop("generator", None)
        kwargs.pop("discriminator", None)
        super().__init__(generator=generator, discriminator=critic, latent_dim=latent_dim, seed=seed, **kwargs)
        self.lipschitz = lipschitz
        self.gp_weight = float(gp_weight)
        self.clip_value = float(clip_value)
        self.packing = int(packing)
        self.gp_seed = keras.random.SeedGenerator(self.seed + 1, name="gp_seed")
        self._config = {
            "data_shape": list(data_shape),
            "network": network,
            "lipschitz": lipschitz,
            "gp_weight": self.gp_weight,
            "clip_value": self.clip_value,
            "critic_norm": critic_norm,
            "packing": self.packing,
            "latent_dim": int(latent_dim),
            "g_units": [int(u) for u in g_units],
            "d_units": [int(u) for u in d_units],
            "g_filters": int(g_filters),
            "d_filters": int(d_filters),
            "seed": int(seed),
        }

    def default_optimizers(self):
        """RMSProp(5e-5) for clipping (Arjovsky et al.), Adam(1e-4, β = (0, 0.9)) for GP (Gulrajani et al.)."""
        if self.lipschitz == "clip":
            return (
                keras.optimizers.RMSprop(5e-5, name="g_rmsprop"),
                keras.optimizers.RMSprop(5e-5, name="d_rmsprop"),
            )
        return (
            keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9, name="g_adam"),
            keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9, name="d_adam"),
        )

    def compile(self, g_optimizer=None, d_optimizer=None, loss="wasserstein", d_steps=5, **kwargs) -> None:
        """``GAN.compile`` with WGAN's defaults: the Wasserstein loss and 5 critic steps."""
        super().compile(g_optimizer, d_optimizer, loss=loss, d_steps=d_steps, **kwargs)

    def phases(self) -> list[Phase]:
        """GAN's phases; the critic's also shows ``w_distance`` and, with clipping, clips after each update."""
        d, g = super().phases()
        d = dataclasses.replace(d.with_logs("w_distance"),
                                after_update="clip_critic" if self.lipschitz == "clip" else None)
        return [d, g]

    def default_regularizers(self) -> list:
        """WGAN-GP's gradient penalty (weight ``gp_weight``) in the critic's phase."""
        if self.lipschitz != "gradient_penalty":
            return []
        return [GradientPenalty(self.gp_weight)]

    def discriminator_objective(self, step) -> dict[str, Any]:
        outputs = super().discriminator_objective(step)
        # E[f(x)] − E[f(G(z))]: the critic's Wasserstein estimate on this batch.
        outputs["w_distance"] = tf.reduce_mean(step.shared["real_out"]) - tf.reduce_mean(step.shared["fake_out"])
        return outputs

    def clip_critic(self) -> None:
        """Clips every critic weight to [−c, c] (WGAN, Algorithm 1, line 7)."""
        variables = self.discriminator.trainable_variables
        c = self.clip_value

        def clip(var):
            return var.assign(tf.clip_by_value(var, -c, c))

        context = tf.distribute.get_replica_context()
        if tf.distribute.has_strategy() and context is not None:
            # Mirrored variables are assigned from the cross-replica context.
            context.merge_call(
                lambda strategy: [strategy.extended.update(v.value, clip, group=False) for v in variables]
            )
        else:
            for v in variables:
                v.assign(tf.clip_by_value(v, -c, c))

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, **self._config}
