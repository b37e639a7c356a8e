"""Augmentation of the discriminator's inputs, as remedies passed to ``GAN.compile``.

    DiffAugment(policy)                   Zhao et al. 2020 (arXiv 2006.10738)
    AdaptiveAugment(policy, target=0.6)   ADA, Karras et al. 2020 (arXiv 2006.06676)

``model.compile(augment="diffaugment:color,translation,cutout")`` (or ``"ada"``,
``"ada:translation,cutout"``) adds one of them; so do ``compile(regularizers=[DiffAugment()])``
and a config's ``train.augment`` / ``train.regularizers``. In training, every image the
discriminator judges — real, generated, interpolated for a gradient penalty — passes through
``GAN.augment_inputs`` (called by ``GAN.discriminate`` and ``GAN.discriminate_features``),
which hands it to each compiled regularizer's ``discriminator_inputs``. The ops
(``ganzoo.ops.augment``) are differentiable, so G's update sees D(T(G(z))) and learns through
T. ``evaluate()`` and sampling see no augmentation.

Randomness: each call draws its numbers for the *global* batch from a stateless seed and keeps
this replica's rows (``global_batch_random``), so replicas augment distinct images differently
and N replicas do what one would on the same global batch.

Where ganzoo departs from the papers:
- ADA's pipeline has 18 transforms (blit, geometric, colour, filter, noise, cutout); here p
  gates the same differentiable ops as DiffAugment (plus ``xflip``/``rot90`` when asked), each
  applied to an image independently with probability p (as ADA gates each transform).
- ADA adjusts p every 4 minibatches from r_t over those; here after every D update from that
  update's global batch (the same expected speed: p moves by batch / (speed_kimg · 1000) per
  image-batch either way).
"""

from __future__ import annotations

from typing import Any, Sequence

import keras
import tensorflow as tf

from ganzoo.distribute import global_batch_random
from ganzoo.errors import GanzooError
from ganzoo.ops import augment as ops
from ganzoo.training.regularizers import Regularizer


@keras.saving.register_keras_serializable(package="ganzoo")
class DiffAugment(Regularizer):
    """D judges T(x) and T(G(z)) for random differentiable transforms T (DiffAugment).

    Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient GAN Training",
    arXiv 2006.10738: colour, translation (1/8) and cutout (1/2) on every image D sees in
    both the D and G updates; the paper's 100-shot figures improve most with all three.

    Args:
        policy: comma-separated ops of ``ganzoo.ops.augment`` (``color``, ``translation``,
            ``cutout``, ``xflip``, ``rot90``, or single colour ops).
        seed: seed of the augmentation stream (not in checkpoints: a resumed run draws a new
            stream from it).

    Shapes: images ``[batch, H, W, C]`` in, the same out.
    """

    phase = "d"

    def __init__(self, policy: str | Sequence[str] = ops.DEFAULT_POLICY, seed: int = 3) -> None:
        self.ops = ops.parse_policy(policy)
        self.seed = int(seed)
        self._seed_generator = None

    @property
    def policy(self) -> str:
        return ",".join(self.ops)

    def build(self, model: Any) -> None:
        model.check_augmentable(type(self).__name__)
        if "rot90" in self.ops and model.data_shape[0] != model.data_shape[1]:
            raise GanzooError(f"ganzoo: {type(self).__name__}'s rot90 needs square images, got {model.data_shape}.")
        if self._seed_generator is None:
            self._seed_generator = keras.random.SeedGenerator(self.seed, name="augment_seed")

    def probability(self, model: Any) -> tf.Tensor | float:
        """The probability each op is applied with: 1 (every op, every image)."""
        return 1.0

    def discriminator_inputs(self, model: Any, images: tf.Tensor) -> tf.Tensor:
        count = ops.uniforms_needed(self.ops)
        uniforms = global_batch_random(
            lambda n, seed: tf.random.stateless_uniform([n, count], seed=seed),
            tf.shape(images)[0], self._seed_generator.next(),
        )
        return ops.augment(images, self.ops, uniforms, self.probability(model))

    def __call__(self, model, step, outputs):
        return {}

    def get_config(self):
        return {"policy": self.policy, "seed": self.seed}


@keras.saving.register_keras_serializable(package="ganzoo")
class AdaptiveAugment(DiffAugment):
    """ADA: each op applied with probability p, p steered so that r_t = E[sign(D(x))] → target.

    Karras et al. 2020, "Training Generative Adversarial Networks with Limited Data",
    arXiv 2006.06676, section 3: r_t measures how far D's outputs on (augmented) real images
    are on the "real" side (0: no overfitting, 1: complete). After every D update,
    p ← clip(p + sign(r_t − target) · batch / (speed_kimg · 1000), 0, 1), with the global
    batch and r_t averaged over replicas. p is the model's non-trainable variable ``ada_p``
    (in checkpoints and ``.keras`` files, so a resumed run continues with it); ``ada_p`` and
    ``ada_rt`` are logged every step.

    Args:
        policy: the ops p gates (see ``DiffAugment``).
        target: r_t's target (paper: 0.6).
        speed_kimg: thousands of images for p to go from 0 to 1 (paper: 500; small runs need
            less, e.g. 20).
        initial_p: p at the start (paper: 0).
        seed: seed of the augmentation stream.

    Needs D outputs whose sign means real/fake (logits, or the hinge loss's scores).
    """

    logs = ("ada_p", "ada_rt")

    def __init__(
        self,
        policy: str | Sequence[str] = ops.DEFAULT_POLICY,
        target: float = 0.6,
        speed_kimg: float = 500.0,
        initial_p: float = 0.0,
        seed: int = 3,
    ) -> None:
        super().__init__(policy, seed)
        if not 0.0 < float(target) < 1.0:
            raise GanzooError(f"ganzoo: AdaptiveAugment(target={target}) must be in (0, 1); ADA uses 0.6.")
        if not float(speed_kimg) > 0.0:
            raise GanzooError(f"ganzoo: AdaptiveAugment(speed_kimg={speed_kimg}) must be positive; ADA uses 500.")
        if not 0.0 <= float(initial_p) <= 1.0:
            raise GanzooError(f"ganzoo: AdaptiveAugment(initial_p={initial_p}) must be in [0, 1].")
        self.target, self.speed_kimg, self.initial_p = float(target), float(speed_kimg), float(initial_p)
        self._batch = None

    def build(self, model: Any) -> None:
        super().build(model)
        loss = model.loss_fn
        if not (loss.outputs_are_logits or loss.name == "hinge"):
            raise GanzooError(
                f"ganzoo: AdaptiveAugment reads r_t = E[sign(D(x))], which needs logits or hinge scores; "
                f"the '{loss.name}' loss gives D other outputs. Use DiffAugment (augment='diffaugment') instead."
            )
        if not hasattr(model, "ada_p"):
            # Tracked only when ADA is on, so models without it save the same variables as before.
            model.ada_p = keras.Variable(self.initial_p, trainable=False, name="ada_p", aggregation="mean")

    def probability(self, model: Any) -> tf.Tensor:
        return tf.cast(model.ada_p.value, tf.float32)

    def __call__(self, model, step, outputs):
        real_out = tf.reshape(tf.cast(step.shared["real_out"], tf.float32), [-1])  # logits, packs or patches
        # after_update (in the same traced step) needs this replica's batch for p's step size.
        self._batch = step.batch_size
        return {
            "ada_p": tf.identity(self.probability(model)),
            "ada_rt": tf.reduce_mean(tf.sign(real_out)),
        }

    def after_update(self, model, logs):
        r_t, images = logs["ada_rt"], tf.cast(self._batch, tf.float32)
        context = tf.distribute.get_replica_context()
        if context is not None and context.num_replicas_in_sync > 1:
            r_t = context.all_reduce(tf.distribute.ReduceOp.MEAN, r_t)
            images = images * context.num_replicas_in_sync
        model.ada_p.assign(ada_update(model.ada_p.value, r_t, self.target, images, self.speed_kimg))

    def get_config(self):
        return {**super().get_config(), "target": self.target, "speed_kimg": self.speed_kimg,
                "initial_p": self.initial_p}


def ada_update(p: Any, r_t: Any, target: float, images: Any, speed_kimg: float) -> tf.Tensor:
    """ADA's step: ``clip(p + sign(r_t − target) · images / (speed_kimg · 1000), 0, 1)``."""
    p = tf.cast(p, tf.float32)
    step = tf.sign(tf.cast(r_t, tf.float32) - target) * tf.cast(images, tf.float32) / (speed_kimg * 1000.0)
    return tf.clip_by_value(p + step, 0.0, 1.0)


def from_option(option: str | None) -> list[Regularizer]:
    """The regularizer of ``compile(augment=...)``: ``""``/None none; ``"diffaugment[:ops]"``; ``"ada[:ops]"``."""
    if option is None or not str(option).strip():
        return []
    kind, _, policy = str(option).strip().partition(":")
    kinds = {"diffaugment": DiffAugment, "ada": AdaptiveAugment}
    if kind.lower() not in kinds:
        raise GanzooError(
            f"ganzoo: augment='{option}' is unknown; use 'diffaugment', 'ada', or either with ops, "
            f"e.g. 'diffaugment:{ops.DEFAULT_POLICY}' ('' turns augmentation off)."
        )
    return [kinds[kind.lower()](policy or ops.DEFAULT_POLICY)]
