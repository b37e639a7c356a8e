"""CycleGAN: unpaired image-to-image translation with cycle-consistent adversarial networks.

Zhu, Park, Isola, Efros 2017, "Unpaired Image-to-Image Translation using Cycle-Consistent
Adversarial Networks", arXiv 1703.10593.

The idea: learn G: A → B and F: B → A from two *unpaired* image sets. Each is adversarial
against its own discriminator (D_B judges G(a), D_A judges F(b)); the problem is made
well-posed by the cycle-consistency loss F(G(a)) ≈ a, G(F(b)) ≈ b (λ = 10), and an optional
identity loss G(b) ≈ b, F(a) ≈ a (0.5·λ) that keeps colours. Least-squares adversarial
losses, discriminators trained on a history of 50 generated images (``HistoryPool``).

Training in ganzoo: two phases (``CycleGAN.phases``), as the official code's two Adams:
``g`` updates both generators with ``g_optimizer`` on
``adv_b + adv_a + λ(cycle_a + cycle_b) + 0.5λ(identity_a + identity_b)``, then ``d``
updates both discriminators with ``d_optimizer`` on ``d_b + d_a``, each the halved
least-squares loss on real images and pooled translations from the ``g`` phase. Data are
``(a, b)`` batches of two independent sources (``ganzoo.data``'s ``unpaired:<A>|<B>``).
Linear learning-rate decay is the schedule ``LinearDecay`` (constant, then linearly to 0).

Where ganzoo departs from the paper:
- sizes scale down (``base_filters``, ``num_blocks``, ``downsamplings``, ``d_filters``,
  ``d_layers``) so that small images train on CPUs; the paper's networks are the defaults. At
  16×16 the paper's G layers see 121 pixels (``networks.receptive_field``; 169 of 256 in the
  paper) and were seen to permute digit classes;
- ``structure_weight`` (off by default) adds a shape-keeping term, 1 − cos of HOG shape
  descriptors of each translation and its input (``ganzoo.ops.hog``): with it, generators that
  see the whole digit keep its class more often (configs/cyclegan_digits.py);
- ``semantic_weight`` (off by default) adds CyCADA's semantic consistency (Hoffman et al. 2018,
  arXiv 1711.03213) with classes found without labels (``semantic.match_shape_classes``:
  clusters of the same descriptors in each domain, matched across them) instead of the
  source domain's labels;
- the PatchGAN's stride-1 layers use "same" padding (the official code pads 1 pixel, which
  shrinks each stride-1 map by one): one score per input patch at any size;
- generators and serving accept any image size: inputs whose sides are not multiples of 4
  are padded symmetrically and the output cropped back;
- the linear decay is per step, not per epoch; under MirroredStrategy every replica draws
  from one shared pool (the first replica's images are stored).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

from absl import logging
import keras
import numpy as np
import tensorflow as tf

from ganzoo.errors import GanzooError
from ganzoo.models.base import GAN
from ganzoo.models.cyclegan import networks
from ganzoo.models.cyclegan.pool import HistoryPool
from ganzoo.models.cyclegan.semantic import ShapeClasses, build_class_net, match_shape_classes, train_class_net
from ganzoo.ops import hog as hog_ops
from ganzoo.training import Phase, Step, Term

Tensor = tf.Tensor

# (generator, discriminator) weights that make ganzoo's losses the official code's:
# least squares there is G: (D(G(a)) − 1)², D: ½[(D(b) − 1)² + D(G(a))²]; ganzoo's
# least_squares_*_loss are ½(f − 1)² and ½(r − 1)² + ½f². Other losses: D's loss halved.
PAPER_LOSS_WEIGHTS = {"least_squares": (2.0, 1.0)}
DEFAULT_LOSS_WEIGHTS = (1.0, 0.5)
PAPER_DOWNSAMPLINGS = 2   # d2k, d4k in G
SEMANTIC_CLASSIFIERS = ("descriptor", "cnn")
CLASS_NET_EPOCHS = 10     # semantic_classifier="cnn": epochs over the semantic_examples images


def l1_per_example(x: Tensor, y: Tensor) -> Tensor:
    """Mean absolute difference per example, ``[batch]`` float32 (the paper's ‖·‖₁ per pixel)."""
    d = tf.abs(tf.cast(x, tf.float32) - tf.cast(y, tf.float32))
    return tf.reduce_mean(tf.reshape(d, [tf.shape(d)[0], -1]), axis=1)


@keras.saving.register_keras_serializable(package="ganzoo")
class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """The paper's schedule: ``initial_learning_rate`` for ``constant_steps``, then linearly to 0
    over ``decay_steps`` (paper: 100 epochs each).

    In a config: ``learning_rate={"class_name": "ganzoo>LinearDecay", "config": {...}}``.
    """

    def __init__(self, initial_learning_rate: float, constant_steps: int, decay_steps: int,
                 name: str = "LinearDecay") -> None:
        if int(constant_steps) < 0 or int(decay_steps) < 1:
            raise GanzooError(
                f"ganzoo: LinearDecay(constant_steps={constant_steps}, decay_steps={decay_steps}) needs "
                "constant_steps >= 0 and decay_steps >= 1."
            )
        self.initial_learning_rate = float(initial_learning_rate)
        self.constant_steps, self.decay_steps, self.name = int(constant_steps), int(decay_steps), name

    def __call__(self, step):
        progress = (tf.cast(step, tf.float32) - self.constant_steps) / float(self.decay_steps)
        return self.initial_learning_rate * (1.0 - tf.clip_by_value(progress, 0.0, 1.0))

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "constant_steps": self.constant_steps,
                "decay_steps": self.decay_steps, "name": self.name}


@keras.saving.register_keras_serializable(package="ganzoo")
class CycleGAN(GAN):
    """CycleGAN (Zhu et al. 2017, arXiv 1703.10593): G: A → B, F: B → A, D_B and D_A.

    Attributes ``generator`` (G: A → B) and ``discriminator`` (D_B) are the base's; ``generator_ba``
    (F: B → A), ``discriminator_a`` (D_A) and the pools ``pool_a``/``pool_b`` are CycleGAN's.

    Args:
        image_shape: ``(H, W, C)`` of the training images of both domains (the data set it);
            H and W multiples of 4.
        base_filters: G's first width k (paper 64): c7s1-k, d2k, d4k, R4k…, u2k, uk, c7s1-C.
        num_blocks: residual blocks (paper 6 at 128², 9 at 256²).
        downsamplings: G's stride-2 stages; None gives the paper's 2 (0 is a valid choice). Fewer keep G's receptive field a similar
            share of a small image as the paper's is of 256² (see ``networks.receptive_field``).
        d_filters: D's first width (paper 64).
        d_layers: D's stride-2 layers (paper 3: the 70×70 PatchGAN; 2: 34×34).
        cycle_weight: λ (paper 10).
        identity_weight: the identity loss's weight as a fraction of λ (paper 0.5 for
            colour tasks; 0 turns it off).
        pool_size: generated images each discriminator's history keeps (paper 50).
        edge_kernel: side of G's first and last convolutions (paper 7: c7s1; odd). With
            ``num_blocks`` and ``downsamplings`` it sets G's receptive field.
        warp: each generator first zooms and shifts its input as a whole, by a scale and shift it
            predicts per image (``networks.warp_input``; not in the paper; a spatial transformer
            restricted so that it never mirrors). For domains whose content differs in size and
            place (printed digits are smaller than handwritten ones) with a generator that sees
            only a few pixels. Experimental: on handwritten ↔ printed digits one seed of two
            collapsed (BUILD_NOTES.md).
        structure_weight: weight of a shape-keeping term (not in the paper): ``structure_a`` is
            1 − cos between the HOG shape descriptors (``ganzoo.ops.hog.shape_descriptor``;
            Dalal & Triggs 2005) of G(a) and a, ``structure_b`` the same for F(b) and b. The
            descriptor sees the layout of edges of the drawn foreground, fitted to its bounding
            square, and not its polarity, contrast, size or place; so the term lets G restyle a
            shape but not redraw it as another (a handwritten 4 as a printed 9). For drawings
            on a plain background (digits, glyphs, sketches). 0 turns it off.
        semantic_weight: weight of a class-keeping term (CyCADA's semantic consistency, with
            classes found without labels; not in the paper): ``semantic_a`` is the cross-entropy
            of G(a)'s class logits in domain B against a's class, ``semantic_b`` that of F(b) in
            A against b's class. Classes are clusters of the shape descriptors of each domain,
            matched across the domains once, before the first step of ``fit``
            (``semantic.match_shape_classes``; saved with the model). For drawings on a plain
            background whose classes differ in shape. 0 turns it off.
        semantic_clusters: k-means clusters of domain A (more than the classes when A's
            styles split a class into several modes).
        semantic_classes: the classes: k-means clusters of domain B.
        semantic_examples: images of each domain ``fit`` reads to find the classes.
        semantic_classifier: what gives a translation's class logits (and an input's class) in
            ``semantic_a``/``semantic_b``: ``"descriptor"``, a cosine classifier over the
            clusters' centroids of the shape descriptors; or ``"cnn"``, a small CNN per domain
            (``semantic.build_class_net``) trained before the first step on that domain's images
            labelled with the classes found (CyCADA's task network, without labels). The CNN
            reads the drawn image, so it asks G for digits a CNN reads, not only the right edge
            layout.
        seed: seed of the pools' choices and of the clustering.

    Data: ``(a, b)`` batches, float32 in [-1, 1], the same shape. ``compile()`` defaults to the
    paper's Adam(2e-4, β1 0.5) for both phases and the least-squares loss. Metrics: ``g_loss``
    and its terms ``adv_b``, ``adv_a``, ``cycle_a`` (‖F(G(a)) − a‖₁), ``cycle_b``,
    ``identity_a`` (‖F(a) − a‖₁), ``identity_b`` (‖G(b) − b‖₁), ``structure_a``, ``structure_b``,
    ``semantic_a``, ``semantic_b``, each as weighted in the loss;
    ``d_loss`` with ``d_b``, ``d_a``; ``d_real``, ``d_fake`` (mean patch scores of both Ds).
    """

    def __init__(
        self,
        image_shape: Sequence[int] = (256, 256, 3),
        base_filters: int = 64,
        num_blocks: int = 9,
        downsamplings: int | None = None,
        d_filters: int = 64,
        d_layers: int = 3,
        cycle_weight: float = 10.0,
        identity_weight: float = 0.5,
        pool_size: int = 50,
        edge_kernel: int = 7,
        warp: bool = False,
        structure_weight: float = 0.0,
        semantic_weight: float = 0.0,
        semantic_clusters: int = 20,
        semantic_classes: int = 10,
        semantic_examples: int = 2000,
        semantic_classifier: str = "descriptor",
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        image_shape = tuple(int(d) for d in image_shape)
        downsamplings = PAPER_DOWNSAMPLINGS if downsamplings is None else int(downsamplings)
        multiple = networks.size_multiple(downsamplings)
        if downsamplings < 0:
            raise GanzooError(f"ganzoo: CycleGAN downsamplings={downsamplings} must be >= 0 (paper 2).")
        if len(image_shape) != 3 or image_shape[2] < 1 or any(d < multiple or d % multiple for d in image_shape[:2]):
            raise GanzooError(
                f"ganzoo: CycleGAN image_shape={image_shape} must be (height, width, channels) with height "
                f"and width multiples of {multiple}; set data.image_size (e.g. 16, 32, 128, 256)."
            )
        if (not float(cycle_weight) >= 0.0 or not float(identity_weight) >= 0.0 or int(pool_size) < 0
                or not float(structure_weight) >= 0.0 or not float(semantic_weight) >= 0.0):
            raise GanzooError(
                f"ganzoo: CycleGAN cycle_weight={cycle_weight}, identity_weight={identity_weight}, "
                f"structure_weight={structure_weight}, semantic_weight={semantic_weight} and "
                f"pool_size={pool_size} must be >= 0."
            )
        if int(semantic_classes) < 2 or int(semantic_clusters) < int(semantic_classes) \
                or int(semantic_examples) < int(semantic_clusters):
            raise GanzooError(
                f"ganzoo: CycleGAN needs semantic_classes >= 2 <= semantic_clusters <= semantic_examples; got "
                f"semantic_classes={semantic_classes}, semantic_clusters={semantic_clusters}, "
                f"semantic_examples={semantic_examples}."
            )
        if semantic_classifier not in SEMANTIC_CLASSIFIERS:
            raise GanzooError(
                f"ganzoo: CycleGAN semantic_classifier={semantic_classifier!r} is not one of "
                f"{', '.join(repr(c) for c in SEMANTIC_CLASSIFIERS)}."
            )
        if int(edge_kernel) < 1 or int(edge_kernel) % 2 == 0:
            raise GanzooError(f"ganzoo: CycleGAN edge_kernel={edge_kernel} must be odd and >= 1 (paper 7).")
        for key in ("generator", "discriminator", "latent_dim"):
            kwargs.pop(key, None)
        channels = image_shape[2]
        super().__init__(
            generator=networks.build_generator(channels, base_filters, num_blocks, downsamplings, name="generator_ab",
                                               edge_kernel=edge_kernel, warp=bool(warp)),
            discriminator=networks.build_discriminator(channels, d_filters, d_layers, name="discriminator_b"),
            latent_dim=0,
            seed=seed,
            **kwargs,
        )
        self.generator_ba = networks.build_generator(channels, base_filters, num_blocks, downsamplings,
                                                     name="generator_ba", edge_kernel=edge_kernel, warp=bool(warp))
        self.discriminator_a = networks.build_discriminator(channels, d_filters, d_layers, name="discriminator_a")
        self.pool_a = HistoryPool(pool_size, seed=seed + 1, name="pool_a")
        self.pool_b = HistoryPool(pool_size, seed=seed + 2, name="pool_b")
        for pool in (self.pool_a, self.pool_b):
            pool.build((None, *image_shape))
        self.image_shape = image_shape
        self.base_filters, self.num_blocks, self.downsamplings = int(base_filters), int(num_blocks), int(downsamplings)
        self.d_filters, self.d_layers = int(d_filters), int(d_layers)
        self.cycle_weight, self.identity_weight = float(cycle_weight), float(identity_weight)
        self.pool_size, self.edge_kernel, self.warp = int(pool_size), int(edge_kernel), bool(warp)
        self.structure_weight = float(structure_weight)
        self.semantic_weight, self.semantic_clusters = float(semantic_weight), int(semantic_clusters)
        self.semantic_classes, self.semantic_examples = int(semantic_classes), int(semantic_examples)
        self.semantic_classifier = str(semantic_classifier)
        self.shape_classes = self.class_net_a = self.class_net_b = None
        if self.semantic_weight > 0.0:
            features = int(self.shape_descriptor(tf.zeros([1, *image_shape])).shape[-1])
            self.shape_classes = ShapeClasses(features, self.semantic_clusters, self.semantic_classes,
                                              name="shape_classes")
            if self.semantic_classifier == "cnn":
                self.class_net_a = build_class_net(image_shape, self.semantic_classes, "class_net_a", seed=seed)
                self.class_net_b = build_class_net(image_shape, self.semantic_classes, "class_net_b", seed=seed + 1)

    # ------------------------------------------------------------ compile

    def compile(self, g_optimizer=None, d_optimizer=None, loss="least_squares", d_steps=1, **kwargs: Any) -> None:
        """``GAN.compile``; the least-squares loss by default. ``g_optimizer`` updates both
        generators, ``d_optimizer`` both discriminators (the official code's two Adams).
        Only named losses (``ganzoo.losses.LOSSES``) and ``d_steps=1`` apply."""
        if not isinstance(loss, str) or int(d_steps) != 1:
            raise GanzooError(
                f"ganzoo: CycleGAN takes a loss name such as 'least_squares' (got {loss!r}) and d_steps=1 "
                f"(got {d_steps}); its two phases update G and F, then D_A and D_B, once per step."
            )
        super().compile(g_optimizer, d_optimizer, loss=loss, d_steps=1, **kwargs)

    def loss_weights(self) -> tuple[float, float]:
        """(adversarial weight in G's loss, weight of each D loss): the official code's losses."""
        return PAPER_LOSS_WEIGHTS.get(self.loss_fn.name, DEFAULT_LOSS_WEIGHTS)

    # ------------------------------------------------------------ phases and objectives

    def phases(self) -> list[Phase]:
        """``g``: both generators (adversarial, cycle and identity terms); then ``d``: both
        discriminators, on real images and the pooled translations of ``g``."""
        identity = ("identity_a", "identity_b") if self.identity_weight > 0.0 else ()
        structure = ("structure_a", "structure_b") if self.structure_weight > 0.0 else ()
        semantic = ("semantic_a", "semantic_b") if self.semantic_weight > 0.0 else ()
        return [
            Phase("g", ("generator", "generator_ba"), "g_optimizer", "generator_objective",
                  terms=("adv_b", "adv_a", "cycle_a", "cycle_b") + identity + structure + semantic),
            Phase("d", ("discriminator", "discriminator_a"), "d_optimizer", "discriminator_objective",
                  terms=("d_b", "d_a"), logs=("d_real", "d_fake")),
        ]

    def generator_objective(self, step: Step) -> dict[str, Any]:
        """G's and F's terms on a batch: adversarial, cycle (λ), identity (0.5·λ) and structure."""
        a, b, training = step.condition["a"], step.real, step.training
        fake_b = tf.cast(self.generator(a, training=training), tf.float32)
        fake_a = tf.cast(self.generator_ba(b, training=training), tf.float32)
        step.shared["fake_b"], step.shared["fake_a"] = tf.stop_gradient(fake_b), tf.stop_gradient(fake_a)
        adv_weight, _ = self.loss_weights()
        lam = self.cycle_weight
        terms = {
            "adv_b": Term(self.loss_fn.generator(self.discriminate(fake_b, training=training)), adv_weight),
            "adv_a": Term(self.loss_fn.generator(self.discriminate_a(fake_a, training=training)), adv_weight),
            "cycle_a": Term(l1_per_example(self.generator_ba(fake_b, training=training), a), lam),
            "cycle_b": Term(l1_per_example(self.generator(fake_a, training=training), b), lam),
        }
        if self.identity_weight > 0.0:
            weight = self.identity_weight * lam
            terms["identity_a"] = Term(l1_per_example(self.generator_ba(a, training=training), a), weight)
            terms["identity_b"] = Term(l1_per_example(self.generator(b, training=training), b), weight)
        by_descriptor = self.semantic_weight > 0.0 and self.semantic_classifier == "descriptor"
        if self.structure_weight > 0.0 or by_descriptor:
            desc = {name: self.shape_descriptor(x) for name, x in (("fake_b", fake_b), ("fake_a", fake_a))}
            desc.update({name: tf.stop_gradient(self.shape_descriptor(x)) for name, x in (("a", a), ("b", b))})
        if self.structure_weight > 0.0:
            terms["structure_a"] = Term(self.descriptor_distance(desc["fake_b"], desc["a"]), self.structure_weight)
            terms["structure_b"] = Term(self.descriptor_distance(desc["fake_a"], desc["b"]), self.structure_weight)
        if self.semantic_weight > 0.0 and not by_descriptor:
            terms.update(self.class_net_terms(a, b, fake_b, fake_a))
        elif by_descriptor:
            classes = self.shape_classes
            terms["semantic_a"] = Term(keras.losses.sparse_categorical_crossentropy(
                classes.classes_of_a(desc["a"]), classes.logits_b(desc["fake_b"]), from_logits=True),
                self.semantic_weight)
            terms["semantic_b"] = Term(keras.losses.sparse_categorical_crossentropy(
                classes.classes_of_b(desc["b"]), classes.logits_a(desc["fake_a"]), from_logits=True),
                self.semantic_weight)
        return terms

    def class_net_terms(self, a: Tensor, b: Tensor, fake_b: Tensor, fake_a: Tensor) -> dict[str, Term]:
        """``semantic_classifier="cnn"``: ``semantic_a`` = CE(class_net_b(G(a)), argmax class_net_a(a)),
        ``semantic_b`` = CE(class_net_a(F(b)), argmax class_net_b(b)); the class nets are fixed."""
        def classes(net: keras.Model, x: Tensor) -> Tensor:
            return tf.stop_gradient(tf.argmax(net(x, training=False), axis=1, output_type=tf.int32))

        def cross_entropy(labels: Tensor, net: keras.Model, x: Tensor) -> Tensor:
            return keras.losses.sparse_categorical_crossentropy(labels, tf.cast(net(x, training=False), tf.float32),
                                                                from_logits=True)

        return {"semantic_a": Term(cross_entropy(classes(self.class_net_a, a), self.class_net_b, fake_b),
                                   self.semantic_weight),
                "semantic_b": Term(cross_entropy(classes(self.class_net_b, b), self.class_net_a, fake_a),
                                   self.semantic_weight)}

    def shape_descriptor(self, images: Tensor) -> Tensor:
        """``ganzoo.ops.hog.shape_descriptor`` at ≥ 32 pixels a side: ``[b, H, W, C]`` -> ``[b, F]``."""
        return hog_ops.shape_descriptor(images, size=max(32, self.image_shape[0], self.image_shape[1]))

    @staticmethod
    def descriptor_distance(x: Tensor, y: Tensor) -> Tensor:
        """1 − cos of two ``[b, F]`` descriptors, ``[batch]`` in [0, 1] for HOG (non-negative)."""
        return 1.0 - tf.reduce_sum(tf.math.l2_normalize(x, axis=1) * tf.math.l2_normalize(y, axis=1), axis=1)

    def structure_distance(self, translated: Tensor, source: Tensor) -> Tensor:
        """1 − cos between the shape descriptors of ``translated`` and ``source``, ``[batch]`` in
        [0, 1] (``structure_weight``; ``ganzoo.ops.hog.shape_descriptor`` at ≥ 32 pixels a side)."""
        return self.descriptor_distance(self.shape_descriptor(translated),
                                        tf.stop_gradient(self.shape_descriptor(source)))

    # ------------------------------------------------------------ fit

    def fit(self, x=None, *args: Any, **kwargs: Any):
        """``GAN.fit``; with ``semantic_weight``, first (once: the result is saved with the model)
        finds the shape classes from up to ``semantic_examples`` images of each domain of ``x``."""
        if self.shape_classes is not None and self.loss_fn is not None and not self.shape_classes.is_fitted:
            self.fit_shape_classes(x)
        return super().fit(x, *args, **kwargs)

    def fit_shape_classes(self, data: Any) -> dict[str, np.ndarray]:
        """Find and store the classes shared by the domains (``semantic.match_shape_classes``)
        from ``data``: a ``tf.data.Dataset`` of ``(a, b)`` batches, read until ``semantic_examples``
        images of each domain (or its end). With ``semantic_classifier="cnn"``, then trains
        ``class_net_a`` and ``class_net_b`` on those images and classes (``CLASS_NET_EPOCHS``).
        Returns the match (with each image's class)."""
        if not isinstance(data, tf.data.Dataset):
            raise GanzooError(
                "ganzoo: CycleGAN(semantic_weight>0) finds its classes from a tf.data.Dataset of (a, b) batches "
                f"before training; got {type(data).__name__}. Pass a dataset, or semantic_weight=0."
            )
        parts: dict[str, list] = {"a": [], "b": [], "images_a": [], "images_b": []}
        count = 0
        for batch in data:
            b, condition = self.unpack(batch)
            parts["a"].append(self.shape_descriptor(condition["a"]).numpy())
            parts["b"].append(self.shape_descriptor(b).numpy())
            if self.class_net_a is not None:
                parts["images_a"].append(np.asarray(condition["a"], np.float32))
                parts["images_b"].append(np.asarray(b, np.float32))
            count += int(b.shape[0])
            if count >= self.semantic_examples:
                break
        desc_a, desc_b = (np.concatenate(parts[k])[: self.semantic_examples] if parts[k] else np.zeros([0, 1])
                          for k in ("a", "b"))
        match = match_shape_classes(desc_a, desc_b, self.semantic_clusters, self.semantic_classes, seed=self.seed)
        if self.class_net_a is not None:
            for net, key, labels, seed in ((self.class_net_a, "images_a", match["labels_a"], self.seed),
                                           (self.class_net_b, "images_b", match["labels_b"], self.seed + 1)):
                images = np.concatenate(parts[key])[: self.semantic_examples]
                match[f"fit_{net.name}"] = train_class_net(net, images, labels, epochs=CLASS_NET_EPOCHS, seed=seed)
        self.shape_classes.assign(match)
        logging.info("CycleGAN: %d shape classes found from %d images of A (%d clusters) and %d of B.",
                     self.semantic_classes, len(desc_a), self.semantic_clusters, len(desc_b))
        if self.class_net_a is not None:
            logging.info("CycleGAN: class nets trained; they give %.1f%% of A's and %.1f%% of B's images their class.",
                         100 * match["fit_class_net_a"], 100 * match["fit_class_net_b"])
        return match

    def discriminator_objective(self, step: Step) -> dict[str, Any]:
        """D_B on b and pooled G(a); D_A on a and pooled F(b) (each loss halved, as the paper)."""
        a, b, training = step.condition["a"], step.real, step.training
        fake_b, fake_a = step.shared.get("fake_b"), step.shared.get("fake_a")
        if fake_b is None:  # a d phase without a g phase before it
            fake_b = tf.stop_gradient(tf.cast(self.generator(a, training=training), tf.float32))
            fake_a = tf.stop_gradient(tf.cast(self.generator_ba(b, training=training), tf.float32))
        if training:
            fake_b, fake_a = self.pool_b(fake_b), self.pool_a(fake_a)
        real_b, fake_b = self.discriminate(b, training=training), self.discriminate(fake_b, training=training)
        real_a, fake_a = self.discriminate_a(a, training=training), self.discriminate_a(fake_a, training=training)
        _, d_weight = self.loss_weights()
        return {
            "d_b": Term(self.loss_fn.discriminator(real_b, fake_b), d_weight),
            "d_a": Term(self.loss_fn.discriminator(real_a, fake_a), d_weight),
            "d_real": self.mean_score(real_a, real_b),
            "d_fake": self.mean_score(fake_a, fake_b),
        }

    def mean_score(self, *outputs: Tensor) -> Tensor:
        """Mean D output over patches and both discriminators (σ of it for logit losses)."""
        mean = tf.add_n([tf.reduce_mean(o) for o in outputs]) / float(len(outputs))
        return tf.sigmoid(mean) if self.loss_fn.outputs_are_logits else mean

    # ------------------------------------------------------------ hooks

    def discriminate_a(self, x: Tensor, training: bool = False) -> Tensor:
        """D_A's patch scores on ``x`` (domain A), float32."""
        return tf.cast(self.discriminator_a(x, training=training), tf.float32)

    def sample_noise(self, batch_size):
        """The generators are deterministic: an empty ``[batch, 0]`` noise tensor."""
        return tf.zeros([batch_size, 0], tf.float32)

    def unpack(self, data: Any) -> tuple[Tensor, dict[str, Tensor]]:
        """``(a, b)`` -> (b, {"a": a}): G's input a is the condition, b the real images of D_B."""
        if not (isinstance(data, (tuple, list)) and len(data) == 2):
            raise GanzooError(
                "ganzoo: CycleGAN trains on (a, b) batches of two unpaired domains, such as "
                "data.name='unpaired:digits|printed_digits' yields; this batch is not a pair."
            )
        a, b = data
        channels = self.image_shape[2]
        if a.shape[-1] != b.shape[-1] or a.shape[-1] != channels:
            raise GanzooError(
                f"ganzoo: CycleGAN's domains must have the same channels: A has {a.shape[-1]}, B has "
                f"{b.shape[-1]} and the model {channels}; set data.channels (1 or 3) so both sides match."
            )
        for what, x in (("a", a), ("b", b)):
            if x.dtype != tf.float32:
                raise GanzooError(
                    f"ganzoo: CycleGAN's {what} images are {x.dtype.name}; it trains on float32 in [-1, 1]."
                )
        return b, {"a": a}

    def generate_fakes(self, z, condition=None, training: bool = False) -> Tensor:
        """G(a) for ``condition["a"]`` (z is empty)."""
        return tf.cast(self.generator(condition["a"], training=training), tf.float32)

    def generator_features(self, z):
        raise GanzooError(
            "ganzoo: CycleGAN's generators take images, not noise, so PullingAway(on='generator') does not apply."
        )

    # ------------------------------------------------------------ inference

    def call(self, a: Tensor, training: bool = False) -> Tensor:
        """G(a): ``[b, H, W, C]`` domain A -> domain B."""
        return self.generator(a, training=training)

    def translate(self, network: keras.Model, images: Tensor) -> Tensor:
        """``network`` on float32 ``[n, h, w, C]`` images of any size: symmetric padding to a multiple
        of 4, then the output cropped back to ``h × w``; float32 in [-1, 1]."""
        images = tf.convert_to_tensor(images, tf.float32)
        multiple = networks.size_multiple(self.downsamplings)
        shape = tf.shape(images)
        pad_h, pad_w = (-shape[1]) % multiple, (-shape[2]) % multiple
        padded = tf.pad(images, [[0, 0], [pad_h // 2, pad_h - pad_h // 2], [pad_w // 2, pad_w - pad_w // 2], [0, 0]],
                        mode="SYMMETRIC")
        out = tf.cast(network(padded, training=False), tf.float32)
        return out[:, pad_h // 2: pad_h // 2 + shape[1], pad_w // 2: pad_w // 2 + shape[2], :]

    def a_to_b(self, a: Any, batch_size: int = 64) -> np.ndarray:
        """G(a) for numpy ``[n, h, w, C]`` float32 in [-1, 1] (or uint8), any size."""
        return self.translate_array(self.generator, a, "a", batch_size)

    def b_to_a(self, b: Any, batch_size: int = 64) -> np.ndarray:
        """F(b) for numpy ``[n, h, w, C]`` float32 in [-1, 1] (or uint8), any size."""
        return self.translate_array(self.generator_ba, b, "b", batch_size)

    def translate_array(self, network: keras.Model, images: Any, what: str, batch_size: int) -> np.ndarray:
        x = np.asarray(images)
        if x.dtype == np.uint8:
            x = x.astype(np.float32) / 127.5 - 1.0
        if x.ndim != 4 or x.shape[-1] != self.image_shape[2]:
            raise GanzooError(
                f"ganzoo: CycleGAN translates [n, h, w, {self.image_shape[2]}] images; {what} has shape {x.shape}."
            )
        chunks = [self.translate(network, x[i: i + batch_size].astype(np.float32)).numpy()
                  for i in range(0, len(x), batch_size)]
        return np.concatenate(chunks) if chunks else np.zeros((0, *x.shape[1:]), np.float32)

    def generate(self, n: int, seed: int | None = None, a: Any = None, b: Any = None, **conditions: Any) -> np.ndarray:
        """Translations of the first inputs: ``generate(n, a=images)`` is G(a), ``b=`` gives F(b).

        With both, the first ⌈n/2⌉ outputs are G(a) and the other ⌊n/2⌋ are F(b) (a grid of
        translations both ways). Returns float32 ``[n, h, w, C]`` in [-1, 1].

        Args:
            n: how many outputs.
            seed: unused (the generators are deterministic); kept for the one signature.
            a, b: ``[m, h, w, C]`` float32 in [-1, 1] or uint8, any size; required: CycleGAN
                translates images and has no noise to sample from.
        """
        if conditions:
            raise GanzooError(f"ganzoo: CycleGAN.generate takes a= and b= images only, not {', '.join(sorted(conditions))}.")
        if a is None and b is None:
            raise GanzooError(
                "ganzoo: CycleGAN translates images, it does not sample noise; call generate(n, a=images) "
                "(A -> B), generate(n, b=images) (B -> A), or both for a grid of both ways."
            )
        n = int(n)
        n_a = n if b is None else (0 if a is None else math.ceil(n / 2))
        parts = []
        for images, network, count, what in ((a, self.generator, n_a, "a"), (b, self.generator_ba, n - n_a, "b")):
            if images is None or count == 0:
                continue
            if len(images) < count:
                raise GanzooError(f"ganzoo: CycleGAN.generate(n={n}) needs at least {count} {what} images; got {len(images)}.")
            parts.append(self.translate_array(network, np.asarray(images)[:count], what, 64))
        return np.concatenate(parts)

    def preview_rows(self, batch: Any, num: int) -> np.ndarray:
        """``[3·n, H, W, C]``, rows input, translation, reconstruction, of an ``(a, b)`` batch: the
        first columns a → G(a) → F(G(a)) (⌈num/2⌉ of them, at most the batch's), the others
        b → F(b) → G(F(b)) (the rest of ``num``, at most the batch's): ``ganzoo.sample``'s grid of
        translations both ways."""
        b, condition = self.unpack(batch)
        a = np.asarray(condition["a"])[: math.ceil(int(num) / 2)]
        b = np.asarray(b)[: int(num) - len(a)]
        fake_b, fake_a = self.a_to_b(a), self.b_to_a(b)
        rows = [(a, b), (fake_b, fake_a), (self.b_to_a(fake_b), self.a_to_b(fake_a))]
        return np.concatenate([np.concatenate(row) for row in rows]).astype(np.float32)

    def serving_networks(self) -> list[keras.Model]:
        return [self.generator, self.generator_ba]

    def serving_endpoints(self) -> dict[str, tuple[Callable, list[tf.TensorSpec]]]:
        """``a_to_b`` and ``b_to_a``: ``images`` float32 ``[None, None, None, C]`` in [-1, 1] ->
        ``images`` of the same size in [-1, 1]; ``a_to_b_uint8`` / ``b_to_a_uint8`` take and
        return uint8 [0, 255]. ``serving_default`` is ``a_to_b``."""
        channels = self.image_shape[2]
        float_spec = [tf.TensorSpec([None, None, None, channels], tf.float32, name="images")]
        uint8_spec = [tf.TensorSpec([None, None, None, channels], tf.uint8, name="images")]

        def as_float(network):
            return lambda images: {"images": self.translate(network, images)}

        def as_uint8(network):
            def run(images):
                out = self.translate(network, tf.cast(images, tf.float32) / 127.5 - 1.0)
                return {"images": tf.cast(tf.round((tf.clip_by_value(out, -1.0, 1.0) + 1.0) * 127.5), tf.uint8)}
            return run

        endpoints = {}
        for name, network in (("a_to_b", self.generator), ("b_to_a", self.generator_ba)):
            endpoints[name] = (as_float(network), float_spec)
            endpoints[f"{name}_uint8"] = (as_uint8(network), uint8_spec)
        endpoints["serving_default"] = endpoints["a_to_b"]
        return endpoints

    @property
    def data_shape(self) -> tuple[int, ...]:
        return self.image_shape

    # ------------------------------------------------------------ serialization

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "image_shape": list(self.image_shape),
            "base_filters": self.base_filters,
            "num_blocks": self.num_blocks,
            "downsamplings": self.downsamplings,
            "d_filters": self.d_filters,
            "d_layers": self.d_layers,
            "cycle_weight": self.cycle_weight,
            "identity_weight": self.identity_weight,
            "pool_size": self.pool_size,
            "edge_kernel": self.edge_kernel,
            "warp": self.warp,
            "structure_weight": self.structure_weight,
            "semantic_weight": self.semantic_weight,
            "semantic_clusters": self.semantic_clusters,
            "semantic_classes": self.semantic_classes,
            "semantic_examples": self.semantic_examples,
            "semantic_classifier": self.semantic_classifier,
            "seed": self.seed,
        }


__all__ = ["CycleGAN", "HistoryPool", "LinearDecay", "l1_per_example", "PAPER_LOSS_WEIGHTS"]
