"""Class-conditional DCGAN: AC-GAN's auxiliary classifier or the projection discriminator.

Odena, Olah, Shlens 2017, "Conditional Image Synthesis with Auxiliary Classifier GANs",
arXiv 1610.09585; Miyato & Koyama 2018, "cGANs with Projection Discriminator",
arXiv 1802.05637. Networks: Radford et al. 2015's DCGAN (``ganzoo.models.dcgan``).

The idea: G(z, c) draws an image of class c. With ``conditioning="auxiliary"`` (AC-GAN) D
has two heads on one trunk: the real/fake logit and a classifier over the classes, and both
players also minimise the classifier's cross-entropy on the class asked for — D on real and
fake images, G on its fakes (the paper: D maximises L_S + L_C, G maximises L_C − L_S). With
``conditioning="projection"`` D's logit is ψ(h) + ⟨h, V·W·onehot(c)⟩ (the same head as
text-to-image's projection D, ``text_to_image.networks.projection_logits``) and no
classifier is trained.

Where ganzoo departs from the papers:
- G reads [z, onehot(c)] through DCGAN's project-and-reshape layer (AC-GAN's ImageNet G
  feeds the class the same way; Miyato & Koyama's ResNet G uses conditional batch norm);
- D's class head is a 4×4 valid convolution beside the logit's (AC-GAN: a softmax layer on
  D's last features); the projection D keeps the 4×4 map whole rather than sum-pooling it;
- the fakes of a D step take the real batch's labels, so D sees both classes' distributions
  alike; any ``ganzoo.losses`` adversarial loss (paper: the sigmoid one).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import keras
import numpy as np
import tensorflow as tf

from ganzoo import training
from ganzoo.errors import GanzooError
from ganzoo.models import dcgan
from ganzoo.models.base import GAN
from ganzoo.models.text_to_image import networks as projection
from ganzoo.training import Phase, Term
from ganzoo.utils import networks as network_utils

CONDITIONING = ("auxiliary", "projection")


def build_generator(
    image_shape: Sequence[int] = (32, 32, 1), num_classes: int = 10, latent_dim: int = 100, filters: int = 64
) -> keras.Model:
    """G(z, c): DCGAN's generator on [z, onehot(c)].

    Shapes: ``z [batch, latent_dim]``, ``labels [batch, num_classes]`` (one-hot float) ->
    ``[batch, H, W, C]`` in [-1, 1].
    """
    z = keras.Input((latent_dim,), name="z")
    labels = keras.Input((num_classes,), name="labels")
    code = keras.layers.Concatenate(name="noise_and_class")([z, labels])
    images = dcgan.build_generator(image_shape, latent_dim + num_classes, filters)(code)
    return keras.Model([z, labels], images, name="generator")


def build_discriminator(
    image_shape: Sequence[int] = (32, 32, 1), num_classes: int = 10, filters: int = 64,
    conditioning: str = "auxiliary", projection_dim: int = 128,
) -> keras.Model:
    """D on DCGAN's stages down to 4×4, then the class enters by ``conditioning``.

    ``"auxiliary"`` (AC-GAN): ``images [batch, H, W, C]`` -> ``[logits [batch, 1],
    class_logits [batch, num_classes]]``. ``"projection"``: ``[images, labels [batch,
    num_classes] one-hot]`` -> ``logits [batch, 1]`` (``projection_logits``).
    """
    if conditioning not in CONDITIONING:
        raise GanzooError(f"ganzoo: conditioning='{conditioning}'; choose from {', '.join(CONDITIONING)}.")
    size, _, _ = dcgan.check_image_shape(image_shape)
    images = keras.Input(tuple(image_shape), name="images")
    trunk = dcgan.build_discriminator(image_shape, filters)
    h = keras.Model(trunk.inputs, trunk.get_layer(f"down{dcgan.stages(size)}_act").output, name="trunk")(images)
    if conditioning == "projection":
        labels = keras.Input((num_classes,), name="labels")
        logits = projection.projection_logits(h, labels, projection_dim, "class")
        return keras.Model([images, labels], logits, name="discriminator")
    logits = keras.layers.Conv2D(1, 4, padding="valid", kernel_initializer=dcgan.init(), name="logit")(h)
    logits = keras.layers.Flatten(dtype="float32", name="logits")(logits)
    classes = keras.layers.Conv2D(num_classes, 4, padding="valid", kernel_initializer=dcgan.init(),
                                  name="class_logit")(h)
    classes = keras.layers.Flatten(dtype="float32", name="class_logits")(classes)
    return keras.Model(images, [logits, classes], name="discriminator")


def check_labels(labels: Any, n: int, num_classes: int) -> np.ndarray:
    """``n`` int32 class ids: ``labels`` checked (one id, or one per sample), or 0, 1, 2, ... cycling.

    Cycling through the classes when ``labels`` is None makes a grid of ``num_classes``
    columns show one class per column.
    """
    if labels is None:
        return (np.arange(n) % num_classes).astype(np.int32)
    array = np.asarray(labels)
    if array.ndim == 0:
        array = np.full([n], array)
    if array.shape != (n,) or not np.issubdtype(array.dtype, np.integer):
        raise GanzooError(
            f"ganzoo: labels have shape {array.shape} and dtype {array.dtype}; pass one integer class id "
            f"or {n} of them (one per sample)."
        )
    if array.size and (array.min() < 0 or array.max() >= num_classes):
        raise GanzooError(
            f"ganzoo: labels must lie in [0, {num_classes}); got values from {array.min()} to {array.max()}."
        )
    return array.astype(np.int32)


@keras.saving.register_keras_serializable(package="ganzoo")
class ConditionalDCGAN(GAN):
    """A class-conditional DCGAN: AC-GAN (Odena et al. 2017) or a projection D (Miyato & Koyama 2018).

    Args:
        image_shape: ``(size, size, channels)``, size a power of two in [16, 128].
        num_classes: how many classes the labels take (ids 0 .. num_classes − 1).
        latent_dim: noise size (DCGAN: 100).
        g_filters, d_filters: DCGAN widths (paper 64).
        conditioning: ``"auxiliary"`` (AC-GAN: D also classifies) or ``"projection"``.
        class_weight: weight of the auxiliary classifier's cross-entropy in both players'
            losses (AC-GAN: 1).
        classify_fakes: AC-GAN's D also learns to give G's fakes their asked-for class (the
            paper's L_C on both); False trains D's classifier on real images only.
        projection_dim: rank of the projection D's class embedding.
        seed: noise seed.

    Data: ``(images, int labels)`` batches (``ganzoo.data.load(..., with_labels=True)``).
    Phases: ``d`` (``d_adv``; AC-GAN also ``d_cls``; shows ``d_real``, ``d_fake`` and, for
    AC-GAN, ``d_accuracy``, the classifier's accuracy on the real batch) and ``g``
    (``g_adv``; AC-GAN also ``g_cls``). ``generate(n, seed, labels=[...])`` draws chosen
    classes. Shapes: ``z [batch, latent_dim]``, labels ``[batch]`` int -> images
    ``[batch, size, size, channels]`` in [-1, 1].

    Example:
        >>> gan = ganzoo.models.ConditionalDCGAN(image_shape=(32, 32, 1), num_classes=10)
        >>> gan.compile()
        >>> gan.fit(ganzoo.data.load("digits", with_labels=True), epochs=1)
        >>> sevens = gan.generate(8, seed=0, labels=7)
    """

    def __init__(
        self,
        image_shape: Sequence[int] = (32, 32, 1),
        num_classes: int = 10,
        latent_dim: int = 100,
        g_filters: int = 64,
        d_filters: int = 64,
        conditioning: str = "auxiliary",
        class_weight: float = 1.0,
        classify_fakes: bool = True,
        projection_dim: int = 128,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        image_shape = dcgan.check_image_shape(image_shape)
        if int(num_classes) < 2:
            raise GanzooError(f"ganzoo: ConditionalDCGAN num_classes={num_classes}; a conditional model needs >= 2.")
        if not float(class_weight) >= 0.0:
            raise GanzooError(f"ganzoo: class_weight={class_weight} must be >= 0 (AC-GAN: 1).")
        kwargs.pop("generator", None)
        kwargs.pop("discriminator", None)
        num_classes = int(num_classes)
        generator = build_generator(image_shape, num_classes, latent_dim, g_filters)
        discriminator = build_discriminator(image_shape, num_classes, d_filters, conditioning, projection_dim)
        super().__init__(generator=generator, discriminator=discriminator, latent_dim=latent_dim, seed=seed, **kwargs)
        self.image_shape = image_shape
        self.num_classes = num_classes
        self.g_filters = int(g_filters)
        self.d_filters = int(d_filters)
        self.conditioning = conditioning
        self.class_weight = float(class_weight)
        self.classify_fakes = bool(classify_fakes)
        self.projection_dim = int(projection_dim)
        object.__setattr__(self, "d_feature_models", network_utils.NetworkCache())  # not saved

    @property
    def auxiliary(self) -> bool:
        """True for AC-GAN (D has a class head)."""
        return self.conditioning == "auxiliary"

    @property
    def data_shape(self) -> tuple[int, ...]:
        return tuple(self.image_shape)

    # ------------------------------------------------------------------ phases

    def phases(self) -> list[Phase]:
        """``GAN``'s D and G phases; AC-GAN adds the class terms ``d_cls`` and ``g_cls``."""
        d, g = super().phases()
        if self.auxiliary:
            d = d.with_terms("d_cls").with_logs("d_accuracy")
            g = g.with_terms("g_cls")
        return [d, g]

    def unpack(self, data: Any) -> tuple[tf.Tensor, tf.Tensor]:
        """``(images, labels)`` -> (images, int32 labels ``[batch]``)."""
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise GanzooError(
                "ganzoo: ConditionalDCGAN trains on (images, labels) batches; load the data with labels "
                "(ganzoo.data.load(..., with_labels=True), or config.data.with_labels = True)."
            )
        return data[0], tf.cast(tf.reshape(data[1], [-1]), tf.int32)

    def one_hot(self, labels: Any) -> tf.Tensor:
        """int labels ``[batch]`` -> float32 ``[batch, num_classes]``."""
        return tf.one_hot(tf.cast(labels, tf.int32), self.num_classes, dtype=tf.float32)

    def generate_fakes(self, z, condition=None, training: bool = False) -> tf.Tensor:
        """G(z, c); ``condition`` is the int labels ``[batch]``."""
        return tf.cast(self.generator([z, self.one_hot(condition)], training=training), tf.float32)

    def discriminate_all(self, x, labels, training: bool = False) -> tuple[tf.Tensor, tf.Tensor | None]:
        """(D's real/fake logits ``[batch, 1]``, AC-GAN's class logits ``[batch, classes]`` or None).

        ``x`` passes ``augment_inputs`` first (DiffAugment/ADA in training, when compiled with them).
        """
        return self.judge(self.augment_inputs(tf.convert_to_tensor(x, tf.float32), training), labels, training)

    def judge(self, x, labels, training: bool = False) -> tuple[tf.Tensor, tf.Tensor | None]:
        """``discriminate_all`` on ``x`` as given (already augmented)."""
        if self.auxiliary:
            logits, classes = self.discriminator(x, training=training)
            return tf.cast(logits, tf.float32), tf.cast(classes, tf.float32)
        return tf.cast(self.discriminator([x, self.one_hot(labels)], training=training), tf.float32), None

    def discriminate(self, x, condition=None, training: bool = False) -> tf.Tensor:
        """D's real/fake logits on ``x`` (of classes ``condition``); regularizers use it."""
        return self.discriminate_all(x, condition, training)[0]

    def class_loss(self, labels: tf.Tensor, class_logits: tf.Tensor) -> tf.Tensor:
        """AC-GAN's L_C per example: −log P(C = c | x), ``[batch]``."""
        return keras.ops.sparse_categorical_crossentropy(labels, class_logits, from_logits=True)

    def discriminator_objective(self, step: training.Step) -> dict[str, Any]:
        """``d_adv`` on D(x) and D(G(z, c)); AC-GAN adds ``d_cls`` = L_C(real) (+ L_C(fake))."""
        if not self.auxiliary:
            return super().discriminator_objective(step)
        labels = step.condition
        real_out, real_classes = self.discriminate_all(step.real, labels, step.training)
        fake_out, fake_classes = self.discriminate_all(step.fakes(), labels, step.training)
        step.shared["real_out"], step.shared["fake_out"] = real_out, fake_out
        class_loss = self.class_loss(labels, real_classes)
        if self.classify_fakes:
            class_loss += self.class_loss(labels, fake_classes)
        correct = tf.equal(tf.argmax(real_classes, axis=-1, output_type=tf.int32), labels)
        return {
            "d_adv": Term(self.loss_fn.discriminator(real_out, fake_out)),
            "d_cls": Term(class_loss, self.class_weight),
            "d_real": self._mean_output(real_out),
            "d_fake": self._mean_output(fake_out),
            "d_accuracy": tf.reduce_mean(tf.cast(correct, tf.float32)),
        }

    def generator_objective(self, step: training.Step) -> dict[str, Any]:
        """``g_adv`` on D(G(z, c)); AC-GAN adds ``g_cls`` = L_C(G(z, c)) from the same D pass."""
        if not self.auxiliary:
            return super().generator_objective(step)
        fake_out, fake_classes = self.discriminate_all(step.fakes(), step.condition, step.training)
        real_out = step.shared.get("real_out")
        if real_out is None:  # only relativistic losses read it
            real_out = self.discriminate(step.real, step.condition, step.training)
        return {
            "g_adv": Term(self.loss_fn.generator(fake_out, tf.stop_gradient(real_out))),
            "g_cls": Term(self.class_loss(step.condition, fake_classes), self.class_weight),
        }

    # ---------------------------------------------------------------- features

    def feature_layer_name(self, layer: str | None) -> str:
        """``layer``, or D's last hidden stage (``down<k>_act`` of its trunk)."""
        return layer or f"down{dcgan.stages(self.image_shape[0])}_act"

    def check_feature_layer(self, layer: str | None, user: str) -> None:
        """D's trunk has the feature layer ``user`` reads."""
        network_utils.feature_layer(self.discriminator.get_layer("trunk"), self.feature_layer_name(layer))

    def discriminate_features(self, x, condition, training: bool, layer: str | None = None):
        """(D's logits, D's trunk features at ``layer``) from one forward pass (feature matching)."""
        def build() -> keras.Model:
            trunk = self.discriminator.get_layer("trunk")
            hidden = network_utils.feature_layer(trunk, self.feature_layer_name(layer))
            return keras.Model(trunk.inputs, [trunk.outputs[0], hidden.output])

        model = self.d_feature_models.get(layer, build)
        x = self.augment_inputs(tf.convert_to_tensor(x, tf.float32), training)  # one draw for both
        _, features = model(x, training=training)
        return self.judge(x, condition, training)[0], features

    def check_augmentable(self, user: str) -> None:
        """Every D input of this model passes ``augment_inputs`` (``discriminate_all``), so any augmentation applies."""

    def generator_features(self, z):
        """Refused: G(z, c) has no features of z alone (``PullingAway(on="generator")``)."""
        raise GanzooError(
            "ganzoo: ConditionalDCGAN's generator reads (z, class), so it has no features of z alone for "
            "PullingAway(on='generator'); use PullingAway(on='discriminator')."
        )

    # ---------------------------------------------------------------- sampling

    def call(self, inputs, training: bool = False):
        """``(z, labels)`` (int ``[batch]``) -> images, so the model is callable like its generator."""
        z, labels = inputs
        return self.generator([z, self.one_hot(labels)], training=training)

    def generate(
        self, n: int, seed: int | None = None, z: np.ndarray | None = None, batch_size: int = 256,
        labels: Any = None, truncation: float | None = None,
    ) -> np.ndarray:
        """Samples ``n`` images of chosen classes: float32 ``[n, H, W, C]`` in [-1, 1].

        Args:
            n: how many images.
            seed: fixes the noise.
            z: explicit noise ``[n, latent_dim]`` (then ``n`` and ``seed`` are ignored).
            batch_size: generator batch size.
            labels: one class id for all, or one per image; None cycles 0, 1, 2, ...
            truncation: ψ of the truncation trick (entries of z with |z| > ψ are redrawn).
        """
        z = self.sampling_noise(n, seed, z, truncation=truncation)
        labels = check_labels(labels, len(z), self.num_classes)
        chunks = [
            np.asarray(self.generator([tf.constant(z[i : i + batch_size]), self.one_hot(labels[i : i + batch_size])],
                                      training=False), np.float32)
            for i in range(0, len(z), batch_size)
        ]
        return np.concatenate(chunks, axis=0)

    def serving_endpoints(self) -> dict[str, tuple[Callable, list[tf.TensorSpec]]]:
        """SavedModel signatures; every one takes the classes as int32 ``labels``.

        ``serving_default``: ``z`` float32 ``[None, latent_dim]`` and ``labels`` int32 ``[None]``
        (class ids in [0, num_classes)) -> ``images`` float32 ``[None, H, W, C]`` in [-1, 1].
        ``sample``: int32 scalars ``num`` and ``seed`` -> ``images``, the ``z`` drawn in the graph
        and ``labels`` 0, 1, 2, ... cycling. ``sample_uint8``: the same inputs ->
        ``images_uint8`` uint8 in [0, 255]. ``labels_and_seed``: ``labels`` and an int32
        ``seed`` -> ``images`` (reproducible images of chosen classes).
        """
        generator, latent_dim, classes = self.generator, self.latent_dim, self.num_classes

        def images(z, labels):
            z = tf.debugging.assert_all_finite(z, "ganzoo: z has NaN or infinite values; noise must be finite.")
            checks = [tf.debugging.assert_less(labels, classes, f"ganzoo: labels must be < {classes}."),
                      tf.debugging.assert_non_negative(labels, "ganzoo: labels must be >= 0.")]
            with tf.control_dependencies(checks):  # one_hot would give an out-of-range id a zero row
                onehot = tf.one_hot(labels, classes, dtype=tf.float32)
            return tf.cast(generator([z, onehot], training=False), tf.float32)

        def noise(num, seed):
            seed = tf.stack([tf.cast(seed, tf.int64), tf.constant(0, tf.int64)])
            return tf.random.stateless_normal([num, latent_dim], seed=seed)

        def serve(z, labels):
            return {"images": images(z, labels)}

        def sample(num, seed):
            z, labels = noise(num, seed), tf.range(num, dtype=tf.int32) % classes
            return {"images": images(z, labels), "z": z, "labels": labels}

        def sample_uint8(num, seed):
            out = sample(num, seed)["images"]
            return {"images_uint8": tf.cast(tf.round(tf.clip_by_value((out + 1.0) * 127.5, 0.0, 255.0)), tf.uint8)}

        def labels_and_seed(labels, seed):
            return {"images": images(noise(tf.shape(labels)[0], seed), labels)}

        z_spec = tf.TensorSpec([None, latent_dim], tf.float32, name="z")
        labels_spec = tf.TensorSpec([None], tf.int32, name="labels")
        scalars = [tf.TensorSpec([], tf.int32, name="num"), tf.TensorSpec([], tf.int32, name="seed")]
        return {
            "serving_default": (serve, [z_spec, labels_spec]),
            "sample": (sample, scalars),
            "sample_uint8": (sample_uint8, scalars),
            "labels_and_seed": (labels_and_seed, [labels_spec, tf.TensorSpec([], tf.int32, name="seed")]),
        }

    # ---------------------------------------------------------- serialization

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "image_shape": list(self.image_shape),
            "num_classes": self.num_classes,
            "latent_dim": self.latent_dim,
            "g_filters": self.g_filters,
            "d_filters": self.d_filters,
            "conditioning": self.conditioning,
            "class_weight": self.class_weight,
            "classify_fakes": self.classify_fakes,
            "projection_dim": self.projection_dim,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "ConditionalDCGAN":
        return cls(**config)


__all__ = ["CONDITIONING", "ConditionalDCGAN", "build_discriminator", "build_generator", "check_labels"]
