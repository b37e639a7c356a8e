"""LAPGAN: a Laplacian pyramid of generative adversarial networks.

Denton, Chintala, Szlam, Fergus 2015, "Deep Generative Image Models using a
Laplacian Pyramid of Adversarial Networks", arXiv 1506.05751.

The idea: generate coarse to fine. A GAN draws a small image (8×8); at each
finer scale a conditional GAN draws only the band-pass residual h̃_k given the
upsampled coarser image u(Ĩ), and Ĩ_k = u(Ĩ) + h̃_k. Each level's GAN is
trained on its own, on the Laplacian pyramid of real images (section 3.2);
CC-LAPGAN also gives every G_k and D_k a one-hot class label.

Levels are numbered here in sampling order: level 0 is the coarsest GAN, level
K − 1 the full-size one (the paper numbers them the other way round). For
32×32 images and ``levels=3``: 8×8 → 16×16 → 32×32.

Networks (the paper's CIFAR-10 models, section 4):
- level 0: fully connected G (2 hidden ReLU layers, 1200 units) and D (2
  hidden ReLU layers, 600 units, dropout);
- level k > 0: G is 3 convolutions (5×5, ReLU) on the upsampled coarse image
  with the noise as one extra "colour plane", so its noise has H_k·W_k values;
  D is 2 convolutions (5×5) and a linear output on the image u(I) + h, which
  the paper forms by adding the low-pass image to the band before D's first
  layer; CC-LAPGAN projects the one-hot label linearly to one feature plane and
  concatenates it with the first layer's maps.

Noise: one vector ``z`` per sample, ``[batch, latent_dim]`` with ``latent_dim
= coarse_latent_dim + Σ_{k>0} H_k·W_k`` (100 + 16² + 32² = 1380 for 32×32),
split into the levels' parts in order (coarse first). ``generate``, the
training step and the SavedModel all use this one layout.

Where ganzoo departs from the paper:
- the paper's CIFAR-10 pyramid was 8 → 14 → 28 on 28×28 crops; ganzoo keeps
  whole 32×32 images and a power-of-two pyramid (any square size divisible by
  2^(levels − 1) with a coarsest level of at least 4×4);
- G_0's hidden layers are batch-normalised (DCGAN's remedy, which postdates
  the paper): the paper's plain MLP collapsed to 1–3 of the 10 digit classes
  in 40 epochs here, with batch norm it covers all 10 (measured, BUILD_NOTES.md);
- noise is N(0, I) (the paper: U[−1, 1]) so ganzoo's shared noise helpers apply;
- D_k also sees the low-pass image u(I) as extra input channels beside u(I) + h,
  so it judges the band against its condition; D's hidden layers use
  LeakyReLU(0.2) and its convolutions stride 2 (the paper: ReLU, stride not
  stated), which trains faster on CPU;
- G_k's residual output is linear (unbounded, as in the paper) and every
  sampled level u(Ĩ) + h̃ is clipped to [−1, 1], the range of real pyramid
  levels;
- optimizers: the paper used SGD (lr 0.02, decay, momentum ramp 0.5 → 0.8)
  and kept the best model by a Parzen-window estimate; ``compile()`` defaults to
  DCGAN's Adam(2e-4, β1 = 0.5) per level, and there is no model selection;
- all levels train in the same ``fit``: each step runs the phases d0, g0, d1,
  g1, ... (``d_steps`` updates of D_k, then one of G_k, each with its own
  optimizer); the paper trained the levels separately, and since they share no
  parameters and each learns from the real pyramid, this is the same objective.
  ``coarse_head_start`` lets G_0 and D_0 train alone for a number of steps first,
  which gives the cheap coarsest pair more updates than the finer levels.

Files: ``networks.py`` (the level networks, the sampling chain, the pyramid's
shapes) and ``model.py`` (the ``LAPGAN`` model: phases, objectives, sampling,
export).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import keras
import numpy as np
import tensorflow as tf

from ganzoo.errors import GanzooError
from ganzoo.layers.packing import check_packing
from ganzoo.models.base import GAN
from ganzoo.models.lapgan import networks
from ganzoo.ops import pyramid
from ganzoo.training import Phase, Step, Term
from ganzoo.training import regularizers as regularizers_lib
from ganzoo.models.lapgan.networks import LevelCondition
from ganzoo.utils.networks import NetworkCache, feature_layer, for_policy, make_optimizer, single_input

Tensor = tf.Tensor


def _clone(optimizer: keras.optimizers.Optimizer, suffix: str) -> keras.optimizers.Optimizer:
    """A fresh optimizer with ``optimizer``'s settings (no state), named ``<name>_<suffix>``."""
    config = optimizer.get_config()
    config["name"] = f"{config.get('name') or 'optimizer'}_{suffix}"
    return optimizer.__class__.from_config(config)


@keras.saving.register_keras_serializable(package="ganzoo")
class LAPGAN(GAN):
    """Laplacian pyramid GAN (Denton et al. 2015, arXiv 1506.05751); CC-LAPGAN with ``num_classes``.

    Args:
        image_shape: ``(size, size, channels)``; ``size`` a multiple of
            2^(levels − 1) with a coarsest level of at least 4×4; 1 or 3 channels.
        levels: pyramid levels K (paper's CIFAR-10 model: 3, i.e. 8 → 16 → 32).
        coarse_latent_dim: noise size of the coarsest GAN (paper: 100); finer
            levels take one noise plane each, so ``latent_dim`` is the total.
        num_classes: 0 for LAPGAN; the number of classes for CC-LAPGAN (then
            batches are ``(images, int labels)`` and sampling takes labels).
        g_units: hidden units of G_0 (paper: 1200).
        d_units: hidden units of D_0 (paper: 600).
        g_filters: channels of G_k's convolutions, k > 0.
        d_filters: channels of D_k's convolutions, k > 0.
        dropout: D's dropout rate.
        packing: m >= 1; every D_k judges m samples at once (PacGAN, Lin et al.
            2018, arXiv 1712.04086); the batch must be a multiple of m.
        coarse_network: ``"mlp"`` (the paper's fully connected G_0 and D_0) or
            ``"conv"`` (a DCGAN-style convolutional pair at the coarsest size, with
            ``g_filters``/``d_filters``; ``g_units``/``d_units`` unused).
        coarse_g_filters: G_0's width with ``coarse_network="conv"`` (0: ``g_filters``).
            At the coarsest size a wider G_0 costs little beside the finer levels.
        coarse_d_filters: D_0's width with ``coarse_network="conv"`` (0: ``d_filters``).
        coarse_head_start: training steps in which only G_0 and D_0 train, before the
            finer levels start (0: every level from the first step). The levels share no
            parameters (the paper trains them separately), and the cheap coarsest pair can
            take many more updates than the finer ones (BUILD_NOTES.md, LAPGAN).
        seed: noise seed.

    ``compile(g_optimizer, d_optimizer, loss, d_steps, label_smoothing)`` takes
    the base's arguments; each optimizer is copied once per level (fresh state,
    named ``<name>_g0``, ``<name>_d1``, ...), or a list of one per level is used
    as given. One phase pair per level, coarse first: ``d0`` (``d_steps``
    updates of D_0), ``g0``, ``d1``, ``g1``, ... Metrics per level k: ``dk_loss``,
    ``dk_real``, ``dk_fake`` (mean σ(D_k) on real and fake bands), ``gk_loss``.

    Shapes: ``z [batch, latent_dim]`` (+ ``labels [batch]`` int) -> images
    ``[batch, size, size, channels]`` in [-1, 1].

    Example:
        >>> gan = ganzoo.models.LAPGAN(image_shape=(32, 32, 1), num_classes=10)
        >>> gan.compile()
        >>> gan.fit(ganzoo.data.load("digits", with_labels=True), epochs=1)
        >>> sevens = gan.generate(8, seed=0, labels=[7] * 8)
    """

    def __init__(
        self,
        image_shape: Sequence[int] = (32, 32, 3),
        levels: int = 3,
        coarse_latent_dim: int = 100,
        num_classes: int = 0,
        g_units: int = 1200,
        d_units: int = 600,
        g_filters: int = 64,
        d_filters: int = 64,
        dropout: float = 0.5,
        packing: int = 1,
        coarse_network: str = "mlp",
        coarse_g_filters: int = 0,
        coarse_d_filters: int = 0,
        coarse_head_start: int = 0,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        image_shape = networks.check_image_shape(image_shape, levels)
        if int(num_classes) < 0 or int(num_classes) == 1:
            raise GanzooError(
                f"ganzoo: LAPGAN num_classes={num_classes}; use 0 (unconditional) or the number "
                "of classes (>= 2) for the class-conditional CC-LAPGAN."
            )
        levels, num_classes, packing = int(levels), int(num_classes), check_packing(packing)
        if coarse_network not in ("mlp", "conv"):
            raise GanzooError(
                f"ganzoo: LAPGAN coarse_network='{coarse_network}'; use 'mlp' (the paper's G_0 and D_0) "
                "or 'conv' (a DCGAN-style pair at the coarsest size)."
            )
        if int(coarse_g_filters) < 0 or int(coarse_d_filters) < 0:
            raise GanzooError(
                f"ganzoo: LAPGAN coarse_g_filters={coarse_g_filters}, coarse_d_filters={coarse_d_filters}; "
                "use 0 (the same as g_filters/d_filters) or a positive width."
            )
        if int(coarse_head_start) < 0:
            raise GanzooError(
                f"ganzoo: LAPGAN coarse_head_start={coarse_head_start}; use 0 (every level trains from "
                "the first step) or the number of steps G_0 and D_0 train alone first."
            )
        generators, discriminators = networks.build_level_networks(
            image_shape, levels, coarse_latent_dim, num_classes, g_units, d_units, g_filters, d_filters, dropout,
            packing, coarse_network, int(coarse_g_filters), int(coarse_d_filters),
        )
        dims = networks.noise_dims(image_shape[0], levels, coarse_latent_dim)
        for key in ("generator", "discriminator", "latent_dim"):
            kwargs.pop(key, None)
        super().__init__(
            generator=networks.PyramidSampler(generators, dims, num_classes, name="generator"),
            discriminator=networks.LevelDiscriminators(discriminators, name="discriminator"),
            latent_dim=sum(dims),
            seed=seed,
            **kwargs,
        )
        self.image_shape = image_shape
        self.levels = levels
        self.coarse_latent_dim = int(coarse_latent_dim)
        self.num_classes = num_classes
        self.g_units, self.d_units = int(g_units), int(d_units)
        self.g_filters, self.d_filters = int(g_filters), int(d_filters)
        self.dropout = float(dropout)
        self.packing = packing
        self.coarse_network = coarse_network
        self.coarse_g_filters, self.coarse_d_filters = int(coarse_g_filters), int(coarse_d_filters)
        self.coarse_head_start = int(coarse_head_start)
        self.noise_dims = dims
        # Tracked after the networks, in this order: checkpoints store the optimizers by it.
        self.g_optimizers: list[keras.optimizers.Optimizer] = []
        self.d_optimizers: list[keras.optimizers.Optimizer] = []
        # D_k's (logits, features) models for feature regularizers; untracked: saving is unchanged.
        object.__setattr__(self, "level_feature_models", NetworkCache())

    # ------------------------------------------------------------- levels

    @property
    def generators(self) -> list[keras.Model]:
        """G_0 ... G_{K−1}, coarse to fine."""
        return self.generator.networks

    @property
    def discriminators(self) -> list[keras.Model]:
        """D_0 ... D_{K−1}, coarse to fine."""
        return self.discriminator.networks

    @property
    def g_optimizer(self) -> keras.optimizers.Optimizer | None:
        """Level 0's generator optimizer: its ``iterations`` is the step count (every level steps together)."""
        return self.g_optimizers[0] if self.g_optimizers else None

    @property
    def d_optimizer(self) -> keras.optimizers.Optimizer | None:
        """Level 0's discriminator optimizer."""
        return self.d_optimizers[0] if self.d_optimizers else None

    def ema_targets(self) -> list[tuple[Any, list]]:
        """Every level's G optimizer and G_k's variables: ``finalize_ema`` averages each level."""
        return [(o, g.trainable_variables) for o, g in zip(self.g_optimizers, self.generators)]

    @property
    def data_shape(self) -> tuple[int, ...]:
        return tuple(self.image_shape)

    # ------------------------------------------------------------ compile

    def compile(self, g_optimizer: Any = None, d_optimizer: Any = None, regularizers: Sequence[Any] = (),
                reuse_fakes: bool = False, **kwargs: Any) -> None:
        """Configures training; the arguments are :meth:`GAN.compile`'s.

        ``g_optimizer``/``d_optimizer``: one optimizer (instance, name or
        config; None = ``default_optimizers()``) that is copied for every level,
        or a list with one per level, used as given. ``use_ema=True`` in the G
        optimizer averages every G_k's weights (``finalize_ema``).
        ``regularizers`` act per level: one whose phase is ``"g"`` (``"d"``)
        joins every level's G (D) phase and sees that level's real batch, fakes
        and D_k (``phase_step``); its terms are logged under their own names,
        summed into ``gk_loss`` (``dk_loss``). ``jit_compile`` defaults to False
        here, not Keras' "auto" (XLA on CPU): XLA made a LAPGAN step 3.7x slower
        on 2 CPU cores (41 vs 156 images/s). ``reuse_fakes`` is refused: each
        level draws its own fakes for D and G.
        """
        if reuse_fakes:
            raise GanzooError(
                "ganzoo: LAPGAN does not support compile(reuse_fakes=True); each level draws its own "
                "fakes for D and G. Leave it unset (train.reuse_fakes at its default, False)."
            )
        kwargs.setdefault("jit_compile", False)
        super().compile(g_optimizer, d_optimizer, regularizers=regularizers, **kwargs)

    def set_optimizers(self, g_optimizer: Any, d_optimizer: Any) -> dict[str, Any]:
        """One G and one D optimizer per level (``g_optimizers``, ``d_optimizers``); their compile config."""
        default_g, default_d = self.default_optimizers()
        self.g_optimizers = self.level_optimizers(g_optimizer, default_g, "generator")
        self.d_optimizers = self.level_optimizers(d_optimizer, default_d, "discriminator")
        if {id(o) for o in self.g_optimizers} & {id(o) for o in self.d_optimizers}:
            raise GanzooError(
                "ganzoo: a generator and a discriminator share an optimizer object; each "
                "network needs its own optimizer (its own moments and step count)."
            )
        return {
            "g_optimizer": [keras.saving.serialize_keras_object(o) for o in self.g_optimizers],
            "d_optimizer": [keras.saving.serialize_keras_object(o) for o in self.d_optimizers],
        }

    def level_optimizers(self, identifier: Any, default: keras.optimizers.Optimizer, role: str) -> list:
        """``levels`` optimizers: copies of one template, or a list of one per level used as given."""
        policy = self.dtype_policy.name
        if not isinstance(identifier, (list, tuple)):
            template = make_optimizer(identifier, lambda: default)
            return [for_policy(_clone(template, f"{role[0]}{k}"), policy) for k in range(self.levels)]
        if len(identifier) != self.levels:
            raise GanzooError(
                f"ganzoo: LAPGAN has {self.levels} levels but got {len(identifier)} {role} "
                "optimizers; pass one optimizer (copied per level) or one per level."
            )
        optimizers = [
            for_policy(make_optimizer(item, lambda k=k: _clone(default, f"{role[0]}{k}")), policy)
            for k, item in enumerate(identifier)
        ]
        if len({id(o) for o in optimizers}) != len(optimizers):
            raise GanzooError(f"ganzoo: the per-level {role} optimizers must be distinct objects.")
        return optimizers

    # ------------------------------------------------------------ training

    def phases(self) -> list[Phase]:
        """Algorithm 1 at every level, coarse first: ``d_steps`` updates of D_k (``dk``), then one of G_k (``gk``).

        Levels k > 0 start after ``coarse_head_start`` steps (``after_steps``); level 0 runs
        at every step, so its G optimizer's update count stays the step count.
        """
        phases = []
        for k in range(self.levels):
            after = self.coarse_head_start if k else 0
            phases += [
                Phase(f"d{k}", (f"discriminators.{k}",), f"d_optimizers.{k}", "level_discriminator_objective",
                      terms=(f"d{k}_adv",), logs=(f"d{k}_real", f"d{k}_fake"), repeats=self.d_steps, args=(k,),
                      after_steps=after),
                Phase(f"g{k}", (f"generators.{k}",), f"g_optimizers.{k}", "level_generator_objective",
                      terms=(f"g{k}_adv",), args=(k,), after_steps=after),
            ]
        return phases

    def unpack(self, data: Any) -> tuple[Tensor, Tensor | None]:
        """(images, labels or None); CC-LAPGAN needs ``(images, labels)`` batches."""
        if isinstance(data, (tuple, list)):
            images, labels = data[0], (data[1] if len(data) > 1 else None)
        else:
            images, labels = data, None
        if self.num_classes and labels is None:
            raise GanzooError(
                f"ganzoo: LAPGAN(num_classes={self.num_classes}) trains on (images, labels) "
                "batches; load the data with labels (ganzoo.data.load(..., with_labels=True), "
                "or config.data.with_labels = True)."
            )
        return images, (labels if self.num_classes else None)

    def real_levels(self, images: Tensor) -> list[tuple[Tensor, Tensor | None]]:
        """Per level, coarse first: (what D_k sees as real, G_k's coarse input or None).

        Level 0: (I_0, None), the coarsest Gaussian level; level k > 0:
        (h_k = I_k − u(I_{k−1}), u(I_{k−1})), from the pyramid of the real batch.
        """
        gaussian = pyramid.gaussian(tf.cast(images, tf.float32), self.levels)[::-1]
        levels = [(gaussian[0], None)]
        for coarse, fine in zip(gaussian[:-1], gaussian[1:]):
            up = pyramid.upsample(coarse)
            levels.append((fine - up, up))
        return levels

    def generate_level(self, k: int, z: Tensor, coarse: Tensor | None, condition: list, training: bool) -> Tensor:
        """G_k's output: the level-0 image from ``z``, or the residual h̃_k given ``coarse`` = u(I_{k−1})."""
        inputs = [z] if coarse is None else [coarse, z]
        return networks.call_network(self.generators[k], inputs + condition, training)

    def discriminate_level(self, k: int, x: Tensor, coarse: Tensor | None, condition: list, training: bool) -> Tensor:
        """D_k's logits for the level-k image (k = 0) or band ``x`` given ``coarse``."""
        inputs = [x] if coarse is None else [x, coarse]
        return networks.call_network(self.discriminators[k], inputs + condition, training)

    def phase_step(self, step: Step, phase: Phase) -> Step:
        """Level k's view of the step for phases ``dk``/``gk``: its real level, condition and noise.

        ``view.real`` is the real batch's level k (I_0, or the band h_k), ``view.condition`` a
        :class:`LevelCondition` (k, u(I_{k−1}), the one-hot labels), ``view.noise()`` level
        k's part of the update's noise and ``view.fakes()`` G_k's output. Each level learns from
        the real batch's own pyramid (its real coarse image), never from the coarser
        generators' samples, as in the paper (section 3.2); the pyramid is built once a step.
        """
        if not phase.args:
            return step
        k = int(phase.args[0])
        if "levels" not in step.shared:
            step.shared["levels"] = self.real_levels(step.real)
        real, coarse = step.shared["levels"][k]
        condition = LevelCondition(k, coarse, self.generator.condition(step.condition))
        z = tf.split(step.noise(), self.noise_dims, axis=-1)[k]
        return step.view(real, condition, noise=z, shared=step.shared.setdefault(("level", k), {}))

    def generate_fakes(self, z: Tensor, condition: Any = None, training: bool = False) -> Tensor:
        """G_k's output for a :class:`LevelCondition` (a level's view); else the full-size image G(z)."""
        if isinstance(condition, LevelCondition):
            return self.generate_level(condition.level, z, condition.coarse, condition.labels, training)
        return self.generator.chain(z, condition, training)[0][-1]

    def discriminate(self, x: Tensor, condition: Any = None, training: bool = False) -> Tensor:
        """D_k's logits for level k's image or band ``x``; ``condition`` is the level's :class:`LevelCondition`."""
        condition = self.level_condition(condition)
        return self.discriminate_level(condition.level, x, condition.coarse, condition.labels, training)

    def discriminate_features(self, x: Tensor, condition: Any, training: bool, layer: str | None = None):
        """(D_k's logits, D_k's ``layer`` features) from one pass; ``layer`` None: its last hidden layer."""
        condition = self.level_condition(condition)
        k = condition.level
        network = self.discriminators[k]

        def build() -> keras.Model:
            hidden = feature_layer(network, layer)
            return keras.Model(network.inputs, [network.outputs[0], hidden.output])

        model = self.level_feature_models.get((k, layer), build)
        inputs = [x] if condition.coarse is None else [x, condition.coarse]
        outputs, features = model(single_input(inputs + condition.labels), training=training)
        return tf.cast(outputs, tf.float32), features

    def check_feature_layer(self, layer: str | None, user: str) -> None:
        """Every D_k must have the feature layer a regularizer reads (one clear line otherwise)."""
        for network in self.discriminators:
            feature_layer(network, layer)

    def generator_features(self, z: Tensor | None) -> Tensor | None:
        raise GanzooError(
            "ganzoo: LAPGAN's generators take a coarse image besides the noise, so "
            "PullingAway(on='generator') does not apply; use PullingAway(on='discriminator')."
        )

    def level_condition(self, condition: Any) -> LevelCondition:
        if not isinstance(condition, LevelCondition):
            raise GanzooError(
                "ganzoo: LAPGAN has one discriminator per pyramid level; call discriminate inside a "
                "level's phase (its step.condition names the level), or use discriminate_level(k, ...)."
            )
        return condition

    def regularizers_for(self, phase: str) -> list[Any]:
        """A regularizer joins every level: phase ``"g"`` (``"d"``) joins ``g0``, ``g1``, ... (``d0``, ...)."""
        return [r for r in self.regularizers if r.phase == phase or r.phase == phase.rstrip("0123456789")]

    def level_discriminator_objective(self, step: Step, k: int) -> dict[str, Any]:
        """D_k's adversarial loss ``dk_adv`` on the real and generated level k; mean outputs for display."""
        real_out = self.discriminate(step.real, step.condition, step.training)
        fake_out = self.discriminate(step.fakes(), step.condition, step.training)
        step.shared["real_out"], step.shared["fake_out"] = real_out, fake_out
        return {
            f"d{k}_adv": Term(self.loss_fn.discriminator(real_out, fake_out)),
            f"d{k}_real": self.mean_output(real_out),
            f"d{k}_fake": self.mean_output(fake_out),
        }

    def level_generator_objective(self, step: Step, k: int) -> dict[str, Any]:
        """G_k's adversarial loss ``gk_adv`` (relativistic losses also see D_k's real outputs)."""
        fake = step.fakes()
        layers = {r.feature_layer for r in self.regularizers_for(f"g{k}") if r.needs_fake_features}
        if len(layers) == 1:  # one D_k pass gives the outputs and the regularizers' features
            layer = layers.pop()
            fake_out, step.shared[("fake_features", layer)] = self.discriminate_features(
                fake, step.condition, step.training, layer)
        else:
            fake_out = self.discriminate(fake, step.condition, step.training)
        real_out = step.shared.get("real_out")
        if real_out is None:
            real_out = self.discriminate(step.real, step.condition, step.training)
        return {f"g{k}_adv": Term(self.loss_fn.generator(fake_out, tf.stop_gradient(real_out)))}

    def mean_output(self, outputs: Tensor) -> Tensor:
        """D's mean output for display: σ of logits (the probability "real"), raw values otherwise."""
        return tf.reduce_mean(tf.sigmoid(outputs) if self.loss_fn.outputs_are_logits else outputs)

    # ------------------------------------------------------------ sampling

    def call(self, inputs: Any, training: bool = False) -> Tensor:
        """The full-size sample: ``z`` (or ``(z, labels)`` for CC-LAPGAN) -> images."""
        return self.generator(inputs, training=training)[-1]

    def _labels(self, n: int, labels: Any) -> np.ndarray | None:
        if not self.num_classes:
            if labels is not None:
                raise GanzooError(
                    "ganzoo: this LAPGAN is unconditional (num_classes=0) and takes no labels; "
                    "train one with num_classes set to sample chosen classes."
                )
            return None
        if labels is None:
            return (np.arange(n) % self.num_classes).astype(np.int32)
        labels = np.asarray(labels)
        if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
            raise GanzooError(
                f"ganzoo: labels have shape {labels.shape} and dtype {labels.dtype}; pass {n} "
                "integer class ids, one per sample."
            )
        if labels.size and (labels.min() < 0 or labels.max() >= self.num_classes):
            raise GanzooError(
                f"ganzoo: labels must lie in [0, {self.num_classes}); got values from "
                f"{labels.min()} to {labels.max()}."
            )
        return labels.astype(np.int32)

    def generate_levels(
        self,
        n: int,
        seed: int | None = None,
        z: np.ndarray | None = None,
        batch_size: int = 256,
        *,
        labels: Any = None,
    ) -> list[np.ndarray]:
        """Samples every level, coarse to fine: a list of float32 ``[n, s_k, s_k, c]`` in [-1, 1].

        Arguments as :meth:`generate` (``labels``, CC-LAPGAN only).
        """
        z = self.sampling_noise(n, seed, z)  # the levels' parts side by side, coarse first
        labels = self._labels(len(z), labels)
        chunks = []
        for i in range(0, len(z), batch_size):
            z_i = tf.constant(z[i : i + batch_size])
            l_i = None if labels is None else tf.constant(labels[i : i + batch_size])
            chunks.append([np.asarray(x, np.float32) for x in self.generator.chain(z_i, l_i)[0]])
        if not chunks:
            return [np.zeros((0, s, s, self.image_shape[2]), np.float32)
                    for s in networks.level_sizes(self.image_shape[0], self.levels)]
        return [np.concatenate(level, axis=0) for level in zip(*chunks)]

    def generate(
        self, n: int, seed: int | None = None, z: np.ndarray | None = None, batch_size: int = 256, **conditions
    ) -> np.ndarray:
        """Samples ``n`` images coarse to fine: float32 ``[n, size, size, channels]`` in [-1, 1].

        Arguments as :meth:`GAN.generate`; the condition, CC-LAPGAN only: ``labels``, ``n``
        class ids (default ``0, 1, 2, ...`` cycling through the classes, so a grid shows each).
        """
        return self.generate_levels(n, seed, z, batch_size, **conditions)[-1]

    # -------------------------------------------------------------- export

    def serving_endpoints(self) -> dict[str, tuple[Callable, list[tf.TensorSpec]]]:
        """SavedModel signatures; every one runs the whole coarse-to-fine chain.

        ``serving_default``: ``z`` float32 ``[None, latent_dim]`` (the levels'
        noise side by side, coarse first) [+ ``labels`` int32 ``[None]`` for
        CC-LAPGAN] -> ``images`` float32 ``[None, size, size, channels]`` in [-1, 1].
        ``levels``: the same inputs -> ``level_0`` ... ``level_{K−1}`` (each
        level's image, coarse to fine, in [-1, 1]) and ``residual_1`` ...
        (the sampled band-pass images h̃_k, unbounded).
        ``sample``: int32 scalars ``num`` and ``seed`` -> ``images`` and the
        ``z`` drawn in the graph (+ ``labels`` 0, 1, 2, ... cycling for CC).
        """
        sampler, latent_dim, classes = self.generator, self.latent_dim, self.num_classes
        z_spec = tf.TensorSpec([None, latent_dim], tf.float32, name="z")
        specs = [z_spec] + ([tf.TensorSpec([None], tf.int32, name="labels")] if classes else [])

        def level_outputs(z, labels=None):
            images, residuals = sampler.chain(z, labels)
            outputs = {f"level_{k}": image for k, image in enumerate(images)}
            outputs.update({f"residual_{k + 1}": r for k, r in enumerate(residuals)})
            return outputs

        def sample(num, seed):
            seed = tf.stack([tf.cast(seed, tf.int64), tf.constant(0, tf.int64)])
            z = tf.random.stateless_normal([num, latent_dim], seed=seed)
            if not classes:
                return {"images": sampler.chain(z)[0][-1], "z": z}
            labels = tf.range(num, dtype=tf.int32) % classes
            return {"images": sampler.chain(z, labels)[0][-1], "z": z, "labels": labels}

        if classes:
            def serve(z, labels):
                return {"images": sampler.chain(z, labels)[0][-1]}

            def levels(z, labels):
                return level_outputs(z, labels)
        else:
            def serve(z):
                return {"images": sampler.chain(z)[0][-1]}

            def levels(z):
                return level_outputs(z)

        return {
            "serving_default": (serve, specs),
            "levels": (levels, specs),
            "sample": (
                sample,
                [tf.TensorSpec([], tf.int32, name="num"), tf.TensorSpec([], tf.int32, name="seed")],
            ),
        }

    # ------------------------------------------------------- serialization

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "image_shape": list(self.image_shape),
            "levels": self.levels,
            "coarse_latent_dim": self.coarse_latent_dim,
            "num_classes": self.num_classes,
            "g_units": self.g_units,
            "d_units": self.d_units,
            "g_filters": self.g_filters,
            "d_filters": self.d_filters,
            "dropout": self.dropout,
            "packing": self.packing,
            "coarse_network": self.coarse_network,
            "coarse_g_filters": self.coarse_g_filters,
            "coarse_d_filters": self.coarse_d_filters,
            "coarse_head_start": self.coarse_head_start,
            "seed": self.seed,
        }
