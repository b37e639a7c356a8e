"""GAN-INT-CLS: text-to-image synthesis with a matching-aware discriminator.

Reed, Akata, Yan, Logeswaran, Schiele, Lee 2016, "Generative Adversarial Text
to Image Synthesis", arXiv 1605.05396.

The idea: G(z, φ(t)) and D(x, φ(t)) are both conditioned on a frozen sentence
embedding φ(t); D also learns to reject real images paired with the wrong
caption (GAN-CLS), and G also learns from embeddings interpolated between
captions (GAN-INT), which fills the gaps of the text manifold between training captions.

    s_r = D(x, h)   s_w = D(x, ĥ)   s_f = D(G(z, h), h)     (h matching, ĥ mismatched)
    L_D = log s_r + (log(1 − s_w) + log(1 − s_f)) / 2         (maximised)
    L_G = log s_f + log D(G(z', h_β), h_β),  h_β = β h₁ + (1 − β) h₂,  β = 0.5

``matching_aware`` and ``interpolate`` switch the two ideas, so the paper's four
variants are ``TextToImageGAN(matching_aware=False, interpolate=False)`` (GAN),
``(True, False)`` (GAN-CLS), ``(False, True)`` (GAN-INT) and ``(True, True)`` (GAN-INT-CLS).

Networks (the paper's Figure 2): φ(t) is projected to ``projection_dim`` (128)
with a leaky ReLU and concatenated with z (100) before G's DCGAN stack; in D
the same kind of projection is replicated over D's 4×4 feature map and
depth-concatenated, then a 1×1 convolution and a 4×4 convolution give the score.

Where ganzoo departs from the paper:
- the text encoder (``ganzoo.text``) is a small char-CNN-GRU (embedding 256,
  not 1024) pretrained with a symmetric contrastive image–text loss at the start
  of the first ``fit`` (``text_pretrain_steps``), on the same data, then frozen;
  ``train_text_encoder=True`` keeps training it with D's loss instead;
- with any ``ganzoo.losses`` loss, GAN-CLS is ½[L(r, w) + L(r, f)] — the
  paper's formula for the sigmoid loss, and its analogue for the others;
- the mismatched caption comes from the dataset (``shapes`` and ``captions``
  draw it from an image with other attributes); a dataset of ``(image,
  caption)`` pairs gets the batch's captions rolled by one instead;
- the GAN-INT term has its own weight (``interpolation_weight``, the paper 1)
  and its own noise; its partner caption is the next one in the batch;
- φ(t) has unit root-mean-square (``ganzoo.text.build_text_encoder``), so the
  text reaches G's and D's first layers as strongly as the noise does;
- a frozen encoder embeds a step's captions once, shared by D's and G's losses;
- beside the paper's concat D, ``d_conditioning="projection"`` (Miyato & Koyama
  2018), linear in φ(t); with ``encoder="bag_of_words"`` (φ(t) a sum over
  words) D then scores each word's attribute separately, and G learns colour–
  shape pairs it never saw: ``configs/text2image_shapes.py`` uses both (85.4%
  all-attribute on held-out pairs, against 12.8% with the paper's encoder and D;
  BUILD_NOTES.md).
"""

from __future__ import annotations

from typing import Any, Sequence

from absl import logging
import keras
import numpy as np
import tensorflow as tf

from ganzoo import text as text_lib
from ganzoo.errors import GanzooError
from ganzoo.models import dcgan
from ganzoo.models.base import GAN
from ganzoo.training import average as _average

_INIT = keras.initializers.RandomNormal(0.0, 0.02)

# Shown by generate() (and so by the train script's sample grids) when no captions are given.
DEFAULT_SAMPLE_CAPTIONS = (
    "a large red circle in the center",
    "a small blue square on the left",
    "a large green triangle at the top",
    "a small yellow diamond on the right",
    "a large blue triangle at the bottom",
    "a small green circle in the middle",
    "a large red square on the right",
    "a small yellow diamond at the top",
)


def gan_cls_discriminator_loss(loss_fn, real_outputs, wrong_outputs, fake_outputs) -> tf.Tensor:
    """GAN-CLS, per example: ½[L_D(s_r, s_w) + L_D(s_r, s_f)].

    For the sigmoid loss L_D(r, f) = −log σ(r) − log(1 − σ(f)), this is the
    paper's −[log s_r + (log(1 − s_w) + log(1 − s_f)) / 2]: {real image, right
    text} is real, {real image, wrong text} and {fake image, right text} are
    fake, the two fake kinds weighted ½ each.
    """
    return 0.5 * (loss_fn.discriminator(real_outputs, wrong_outputs) + loss_fn.discriminator(real_outputs, fake_outputs))


D_CONDITIONING = ("concat", "projection")


@keras.saving.register_keras_serializable(package="ganzoo")
class InnerProduct(keras.layers.Layer):
    """``[a, b] -> Σ a·b`` over all but the batch axis: ``[batch, ...] x2 -> [batch, 1]``."""

    def call(self, inputs):
        a, b = inputs
        product = keras.ops.reshape(a * b, (keras.ops.shape(a)[0], -1))
        return keras.ops.sum(product, axis=-1, keepdims=True)


def _text_projection(text, projection_dim: int, name: str):
    """φ(t) -> leaky_relu(W φ(t)): the paper's 1024 -> 128 compression."""
    x = keras.layers.Dense(projection_dim, kernel_initializer=_INIT, name=f"{name}_projection")(text)
    return keras.layers.LeakyReLU(0.2, name=f"{name}_projection_act")(x)


def build_generator(
    image_shape: Sequence[int] = (64, 64, 3),
    latent_dim: int = 100,
    text_dim: int = 256,
    projection_dim: int = 128,
    filters: int = 64,
) -> keras.Model:
    """G(z, φ(t)): [z, leaky_relu(W φ(t))] -> DCGAN generator -> image in [-1, 1].

    Shapes: ``z [batch, latent_dim]``, ``text_embedding [batch, text_dim]`` -> ``[batch, H, W, C]``.
    """
    z = keras.Input((latent_dim,), name="z")
    text = keras.Input((text_dim,), name="text_embedding")
    code = keras.layers.Concatenate(name="noise_and_text")([z, _text_projection(text, projection_dim, "g_text")])
    stack = dcgan.build_generator(image_shape, latent_dim + projection_dim, filters)
    images = stack(code)
    return keras.Model([z, text], images, name="generator")


def build_discriminator(
    image_shape: Sequence[int] = (64, 64, 3),
    text_dim: int = 256,
    projection_dim: int = 128,
    filters: int = 64,
    conditioning: str = "concat",
) -> keras.Model:
    """D(x, φ(t)) on DCGAN stages down to 4×4; the text enters by ``conditioning``.

    ``"concat"`` (Reed et al. 2016): the projected text is replicated 4×4 and depth-concatenated
    with the image features, then a 1×1 conv and a 4×4 conv give the logit.
    ``"projection"`` (Miyato & Koyama 2018, arXiv 1802.05637): logit = ψ(h) + ⟨h, V·W·φ(t)⟩, with
    h the 4×4 feature map (kept whole, so the inner product sees where things are), ψ a 4×4 conv,
    W a linear projection to ``projection_dim`` (no activation: the logit stays linear in φ(t))
    and V a dense map to h's shape.

    Shapes: ``images [batch, H, W, C]``, ``text_embedding [batch, text_dim]`` -> ``[batch, 1]`` logits.
    """
    if conditioning not in D_CONDITIONING:
        raise GanzooError(f"ganzoo: d_conditioning='{conditioning}'; choose from {', '.join(D_CONDITIONING)}.")
    size, _, _ = dcgan.check_image_shape(image_shape)
    images = keras.Input(tuple(image_shape), name="images")
    text = keras.Input((text_dim,), name="text_embedding")
    x, width = images, filters
    for stage in range(1, int(np.log2(size // 4)) + 1):
        x = keras.layers.Conv2D(width, 4, strides=2, padding="same", use_bias=stage == 1,
                                kernel_initializer=_INIT, name=f"down{stage}")(x)
        if stage > 1:
            x = dcgan.batch_norm_layer(f"down{stage}_bn")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"down{stage}_act")(x)
        width *= 2
    if conditioning == "projection":
        # Linear in φ(t), as Miyato & Koyama's class embedding is: with a bag-of-words φ the
        # logit is then a sum of one term per word ("blue" + "triangle"), which judges colour
        # and shape separately on pairs never trained on (BUILD_NOTES.md, text to image).
        channels = width // 2
        t = keras.layers.Dense(projection_dim, kernel_initializer=_INIT, name="d_text_projection")(text)
        v = keras.layers.Dense(16 * channels, kernel_initializer=_INIT, name="text_to_features")(t)
        v = keras.layers.Reshape((4, 4, channels), name="text_feature_map")(v)
        inner = InnerProduct(name="projection")([x, v])
        psi = keras.layers.Conv2D(1, 4, padding="valid", kernel_initializer=_INIT, name="logit")(x)
        psi = keras.layers.Flatten(name="unconditional_logit")(psi)
        logits = keras.layers.Add(dtype="float32", name="logits")([psi, inner])
        return keras.Model([images, text], logits, name="discriminator")
    t = _text_projection(text, projection_dim, "d_text")
    t = keras.layers.RepeatVector(16, name="replicate_4x4")(t)
    t = keras.layers.Reshape((4, 4, projection_dim), name="text_map")(t)
    x = keras.layers.Concatenate(name="image_and_text")([x, t])
    x = keras.layers.Conv2D(width // 2, 1, use_bias=False, kernel_initializer=_INIT, name="joint")(x)
    x = keras.layers.LeakyReLU(0.2, name="joint_act")(dcgan.batch_norm_layer("joint_bn")(x))
    x = keras.layers.Conv2D(1, 4, padding="valid", kernel_initializer=_INIT, name="logit")(x)
    logits = keras.layers.Flatten(dtype="float32", name="logits")(x)
    return keras.Model([images, text], logits, name="discriminator")


@keras.saving.register_keras_serializable(package="ganzoo")
class JointDiscriminator(keras.Model):
    """D together with the text encoder it reads, so D's optimizer trains both (``train_text_encoder``)."""

    def __init__(self, network: keras.Model, text_encoder: keras.Model, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.network = network
        self.text_encoder = text_encoder
        self.built = True

    def call(self, inputs, training: bool = False):
        return self.network(inputs, training=training)


@keras.saving.register_keras_serializable(package="ganzoo")
class TextToImageGAN(GAN):
    """GAN-INT-CLS (Reed et al. 2016, arXiv 1605.05396): images from captions.

    Args:
        image_shape: ``(size, size, 3)``, size a power of two in [16, 128].
        latent_dim: noise size (paper 100).
        projection_dim: size of the projected text in G and D (paper 128).
        text_dim: the sentence embedding's size (paper 1024; 256 here).
        tokens: ``"characters"`` (the paper's) or ``"words"``; see ``ganzoo.text``.
        max_length: tokens kept per caption; None: 128 characters or 32 words.
        vocabulary: word vocabulary for ``tokens="words"``; None builds it from
            the first ``fit``'s captions (most frequent first, at most
            ``max_tokens - 2`` words). Ignored for characters.
        max_tokens: rows of the word embedding table (``"words"`` only).
        encoder_width: channels of the text encoder's convolutions and GRU (or,
            for ``"bag_of_words"``, of its word embeddings).
        encoder: ``"conv_gru"`` (the paper's char-CNN-RNN, smaller) or
            ``"bag_of_words"`` (averaged word embeddings, ``tokens="words"``):
            additive in the words, so unseen colour–shape pairs compose; see
            ``ganzoo.text.build_text_encoder``.
        g_filters, d_filters: DCGAN widths (paper 64).
        matching_aware: GAN-CLS: D also scores {real image, mismatched text} as fake.
        interpolate: GAN-INT: G also learns on β-interpolated caption embeddings.
        interpolation_beta: β (paper 0.5).
        interpolation_weight: weight of the GAN-INT term in G's loss (paper 1).
        d_conditioning: how D reads the text: ``"concat"`` (paper: replicated
            4×4 and depth-concatenated) or ``"projection"`` (Miyato & Koyama
            2018: an inner product of D's 4×4 features with the projected text).
        text_pretrain_steps: contrastive pretraining steps of the text encoder
            at the start of the first ``fit`` (0: none, e.g. when fine-tuning).
        text_pretrain_learning_rate: Adam's learning rate for that pretraining.
        text_temperature: the contrastive softmax temperature.
        train_text_encoder: False (paper): the encoder is frozen after
            pretraining; True: D's optimizer keeps training it with D's loss.
        sample_captions: captions that ``generate`` (and the sample grids) use
            when none are given.
        seed: noise seed.

    Data: ``(images, captions)`` or ``(images, captions, mismatched_captions)``
    batches, captions as tf.string (``fit`` tokenises them in the input
    pipeline) or as token ids. ``generate(n, text=[...])`` returns
    ``[n, H, W, C]`` in [-1, 1].
    """

    def __init__(
        self,
        image_shape: Sequence[int] = (64, 64, 3),
        latent_dim: int = 100,
        projection_dim: int = 128,
        text_dim: int = 256,
        tokens: str = "characters",
        max_length: int | None = None,
        vocabulary: Sequence[str] | None = None,
        max_tokens: int = 1000,
        encoder_width: int = 256,
        encoder: str = "conv_gru",
        g_filters: int = 64,
        d_filters: int = 64,
        matching_aware: bool = True,
        interpolate: bool = True,
        interpolation_beta: float = 0.5,
        interpolation_weight: float = 1.0,
        d_conditioning: str = "concat",
        text_pretrain_steps: int = 2000,
        text_pretrain_learning_rate: float = 1e-3,
        text_temperature: float = 0.1,
        train_text_encoder: bool = False,
        sample_captions: Sequence[str] | None = None,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        image_shape = dcgan.check_image_shape(image_shape)
        if image_shape[-1] != 3:
            raise GanzooError(f"ganzoo: TextToImageGAN makes RGB images; image_shape={image_shape} has {image_shape[-1]} channel(s).")
        if not 0.0 <= float(interpolation_beta) <= 1.0:
            raise GanzooError(f"ganzoo: interpolation_beta={interpolation_beta} must be in [0, 1] (paper: 0.5).")
        if int(text_pretrain_steps) < 0:
            raise GanzooError(f"ganzoo: text_pretrain_steps={text_pretrain_steps} must be >= 0 (0 skips pretraining).")
        tokens = text_lib.check_tokens(tokens)
        max_length = int(max_length or (128 if tokens == "characters" else 32))
        sample_captions = list(sample_captions or DEFAULT_SAMPLE_CAPTIONS)
        if not sample_captions:
            raise GanzooError("ganzoo: sample_captions is empty; give at least one caption.")
        kwargs.pop("generator", None)
        kwargs.pop("discriminator", None)
        text_encoder = text_lib.build_text_encoder(tokens, max_length, max_tokens, text_dim, encoder_width,
                                                   encoder=encoder)
        text_encoder.trainable = bool(train_text_encoder)
        network = build_discriminator(image_shape, text_dim, projection_dim, d_filters, d_conditioning)
        discriminator = (
            JointDiscriminator(network, text_encoder, name="joint_discriminator") if train_text_encoder else network
        )
        super().__init__(
            generator=build_generator(image_shape, latent_dim, text_dim, projection_dim, g_filters),
            discriminator=discriminator,
            latent_dim=latent_dim,
            seed=seed,
            **kwargs,
        )
        self.text_encoder = text_encoder
        self.image_encoder = text_lib.build_image_encoder(image_shape, text_dim)
        self.vectorizer = text_lib.make_vectorizer(tokens, max_length, vocabulary, max_tokens)
        self.text_pretrained = keras.Variable(0, dtype="int32", trainable=False, name="text_pretrained")
        self.image_shape = image_shape
        self.projection_dim = int(projection_dim)
        self.text_dim = int(text_dim)
        self.tokens = tokens
        self.max_length = max_length
        self.vocabulary = None if vocabulary is None or tokens == "characters" else list(vocabulary)
        self.max_tokens = int(max_tokens)
        self.encoder_width = int(encoder_width)
        self.encoder = encoder
        self.g_filters = int(g_filters)
        self.d_filters = int(d_filters)
        self.matching_aware = bool(matching_aware)
        self.interpolate = bool(interpolate)
        self.interpolation_beta = float(interpolation_beta)
        self.interpolation_weight = float(interpolation_weight)
        self.d_conditioning = d_conditioning
        self.text_pretrain_steps = int(text_pretrain_steps)
        self.text_pretrain_learning_rate = float(text_pretrain_learning_rate)
        self.text_temperature = float(text_temperature)
        self.train_text_encoder = bool(train_text_encoder)
        self.sample_captions = sample_captions
        self.pretrain_losses: list[float] = []

    # ------------------------------------------------------------------ text

    @property
    def variant(self) -> str:
        """The paper's name of this configuration: GAN, GAN-CLS, GAN-INT or GAN-INT-CLS."""
        return "GAN" + ("-INT" if self.interpolate else "") + ("-CLS" if self.matching_aware else "")

    def _check_vocabulary(self) -> None:
        if self.tokens == "words" and self.vocabulary is None:
            raise GanzooError(
                "ganzoo: this TextToImageGAN reads words but has no vocabulary yet; pass "
                "vocabulary=[...] or fit() it on captioned data first (it builds one)."
            )

    def set_vocabulary(self, vocabulary: Sequence[str]) -> None:
        """Sets the word vocabulary (``tokens="words"``); most frequent words first."""
        if self.tokens != "words":
            raise GanzooError("ganzoo: set_vocabulary() is for tokens='words'; characters use a fixed alphabet.")
        fresh = text_lib.make_vectorizer("words", self.max_length, vocabulary, self.max_tokens)
        self.vectorizer.set_vocabulary(fresh.get_vocabulary())
        self.vocabulary = [w for w in vocabulary if w not in (text_lib.PAD, text_lib.UNKNOWN)]

    def tokenize(self, text: Any) -> tf.Tensor:
        """Strings (any bytes) -> int64 token ids ``[n, max_length]``."""
        self._check_vocabulary()
        return self.vectorizer(text_lib.prepare_text(text))

    def embed_text(self, text: Any) -> np.ndarray:
        """Strings -> sentence embeddings φ(t), float32 ``[n, text_dim]``."""
        return np.asarray(self.text_encoder(self.tokenize(text), training=False), np.float32)

    def _tokenized(self, data):
        """A dataset element with its caption strings replaced by token ids (done in tf.data)."""
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            return data
        return (data[0], *[self.tokenize(t) if t.dtype == tf.string else t for t in data[1:3]], *data[3:])

    def _ids_dataset(self, dataset):
        if isinstance(dataset, tf.data.Dataset):
            spec = dataset.element_spec
            if isinstance(spec, tuple) and any(s.dtype == tf.string for s in spec[1:3]):
                return dataset.map(lambda *e: self._tokenized(e), num_parallel_calls=2)
        return dataset

    def _build_vocabulary(self, dataset) -> None:
        texts = []
        for element in dataset.take(200):
            for captions in element[1:3]:
                texts.extend(np.asarray(captions).ravel().tolist())
        if not texts:
            raise GanzooError("ganzoo: cannot build a word vocabulary: the training data has no captions.")
        self.set_vocabulary(text_lib.word_vocabulary(texts, self.max_tokens))
        logging.info("TextToImageGAN: word vocabulary of %d words from the training captions.", len(self.vocabulary))

    def pretrain_text_encoder(self, dataset, steps: int | None = None) -> list[float]:
        """Contrastive pretraining of the text (and image) encoder on ``(images, captions, ...)`` batches.

        Runs ``steps`` (default ``text_pretrain_steps``) Adam steps of
        ``ganzoo.text.contrastive_loss``, then freezes the text encoder unless
        ``train_text_encoder``. ``fit`` calls it once, on its training data.
        """
        steps = self.text_pretrain_steps if steps is None else int(steps)
        if self.tokens == "words" and self.vocabulary is None:
            self._build_vocabulary(dataset)
        batches = self._ids_dataset(dataset).map(lambda *e: (e[0], e[1]))
        self.text_encoder.trainable = True
        try:
            losses = text_lib.pretrain(
                self.text_encoder, self.image_encoder, batches, steps,
                self.text_pretrain_learning_rate, self.text_temperature, strategy=self.distribute_strategy,
            )
        finally:
            self.text_encoder.trainable = self.train_text_encoder
        self.text_pretrained.assign(1)
        self.pretrain_losses = losses
        if losses:
            logging.info("TextToImageGAN: text encoder pretrained, %d steps, contrastive loss %.3f -> %.3f.",
                         len(losses), losses[0], float(np.mean(losses[-20:])))
        return losses

    # ---------------------------------------------------------------- compile

    def compile(self, *args: Any, **kwargs: Any) -> None:
        """``GAN.compile``; the remedies that read D's features of one input do not apply to D(x, φ(t))."""
        for key in ("feature_matching", "pulling_away", "balance_gamma"):
            if kwargs.get(key):
                raise GanzooError(
                    f"ganzoo: TextToImageGAN does not support compile({key}=...): its discriminator "
                    "takes (image, text); leave it unset."
                )
        super().compile(*args, **kwargs)

    def metric_names(self) -> list[str]:
        names = super().metric_names()
        if getattr(self, "matching_aware", False):
            names.append("d_wrong")
        if getattr(self, "interpolate", False):
            names.append("g_int")
        return names

    # ------------------------------------------------------------------ hooks

    def unpack(self, data: Any) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
        """``(images, captions[, mismatched captions, ...])`` -> (images, {"ids", "wrong_ids"[, "text", "wrong_text"]}).

        A frozen encoder (the paper's) runs once a step, on both caption sets
        together, and D's and G's losses share its embeddings ("text",
        "wrong_text"): it was a third of a step's time when run for each loss.
        """
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise GanzooError(
                "ganzoo: TextToImageGAN trains on (images, captions) or (images, captions, "
                "mismatched captions) batches, e.g. ganzoo.data.load('shapes'); got images only."
            )
        data = self._tokenized(data)
        ids = data[1]
        wrong = data[2] if len(data) > 2 else tf.roll(ids, shift=1, axis=0)
        condition = {"ids": ids, "wrong_ids": wrong}
        if not self.train_text_encoder:
            both = tf.stop_gradient(self._encode(tf.concat([ids, wrong], axis=0), training=False))
            condition["text"], condition["wrong_text"] = tf.split(both, 2, axis=0)
        return data[0], condition

    def _encode(self, ids: tf.Tensor, training: bool) -> tf.Tensor:
        return tf.cast(self.text_encoder(ids, training=training), tf.float32)

    def _embedding(self, condition, training: bool, key: str = "text") -> tf.Tensor:
        """φ(t) from a condition: an embedding already, or ``unpack``'s dict (no gradient).

        ``key``: "text" (the matching captions) or "wrong_text" (the mismatched ones).
        """
        if isinstance(condition, dict):
            if key in condition:
                return condition[key]
            ids = condition["ids" if key == "text" else "wrong_ids"]
            return tf.stop_gradient(self._encode(ids, training))
        return tf.convert_to_tensor(condition, tf.float32)

    def generate_fakes(self, z, condition=None, training: bool = False) -> tf.Tensor:
        """G(z, φ(t)); ``condition`` is the sentence embedding ``[batch, text_dim]`` (or unpack's ids)."""
        z = tf.convert_to_tensor(z, tf.float32)
        return tf.cast(self.generator([z, self._embedding(condition, training)], training=training), tf.float32)

    def discriminate(self, x, condition=None, training: bool = False) -> tf.Tensor:
        """D(x, φ(t)) logits; ``condition`` is the sentence embedding (or unpack's ids)."""
        x = tf.convert_to_tensor(x, tf.float32)
        return tf.cast(self.discriminator([x, self._embedding(condition, training)], training=training), tf.float32)

    def _text_under_d_tape(self, condition, training: bool, key: str) -> tf.Tensor:
        """φ(t) for D's loss: with ``train_text_encoder`` encoded here so D's gradient reaches the encoder."""
        if self.train_text_encoder:
            return self._encode(condition["ids" if key == "text" else "wrong_ids"], training)
        return self._embedding(condition, training, key)

    def _discriminator_losses(self, real, condition, training, fake=None):
        """GAN-CLS's three terms (or the plain conditional pair); same contract as ``GAN``'s.

        The caption embedding is computed here, under D's tape, so that with
        ``train_text_encoder`` D's loss trains the encoder too.
        """
        text = self._text_under_d_tape(condition, training, "text")
        if fake is None:
            fake = self.generate_fakes(self.sample_noise(tf.shape(real)[0]), tf.stop_gradient(text), training=training)
        else:  # G(z) of the generator step (compile(reuse_fakes=True)): no gradient to G here
            fake = tf.stop_gradient(fake)
        real_out = self.discriminate(real, text, training=training)
        fake_out = self.discriminate(fake, text, training=training)
        logs = {"d_real": self._d_outputs_for_display(real_out), "d_fake": self._d_outputs_for_display(fake_out)}
        if self.matching_aware:
            wrong_out = self.discriminate(real, self._text_under_d_tape(condition, training, "wrong_text"), training=training)
            per_example = gan_cls_discriminator_loss(self.loss_fn, real_out, wrong_out, fake_out)
            logs["d_wrong"] = self._d_outputs_for_display(wrong_out)
        else:
            per_example = self.loss_fn.discriminator(real_out, fake_out)
        total = _average(per_example)
        logs = {"d_loss": tf.reduce_mean(per_example), **logs}
        logs.update(self.discriminator_logs(real_out, fake_out))
        for name, term in self.discriminator_penalty(real, fake, condition).items():
            total += _average(term)
            logs[name] = tf.reduce_mean(term)
        if self.discriminator.losses:
            total += tf.nn.scale_regularization_loss(tf.add_n(self.discriminator.losses))
        return total, logs, real_out

    def _generator_losses(self, real, condition, real_out, training, z=None, fake=None):
        """G's loss on matching captions, plus GAN-INT's on interpolated ones."""
        batch = tf.shape(real)[0]
        text = self._embedding(condition, training)
        if fake is None:
            fake = self.generate_fakes(self.sample_noise(batch), text, training=training)
        per_example = self.loss_fn.generator(self.discriminate(fake, text, training=training), real_out)
        total = _average(per_example)
        logs = {"g_loss": tf.reduce_mean(per_example)}
        penalties = self.generator_penalty(real, fake, condition)
        if self.interpolate:
            beta = self.interpolation_beta
            mixed = beta * text + (1.0 - beta) * tf.roll(text, shift=1, axis=0)
            fake_mixed = self.generate_fakes(self.sample_noise(batch), mixed, training=training)
            mixed_out = self.discriminate(fake_mixed, mixed, training=training)
            penalties["g_int"] = self.interpolation_weight * self.loss_fn.generator(mixed_out, real_out)
        for name, term in penalties.items():
            total += _average(term)
            logs[name] = tf.reduce_mean(term)
        if self.generator.losses:
            total += tf.nn.scale_regularization_loss(tf.add_n(self.generator.losses))
        return total, logs

    # -------------------------------------------------------------------- fit

    def fit(self, x=None, *args: Any, **kwargs: Any):
        """``GAN.fit`` on captioned data; first builds the vocabulary and pretrains the text encoder if needed."""
        self._check_compiled()
        if isinstance(x, tf.data.Dataset) and not (isinstance(x.element_spec, tuple) and len(x.element_spec) >= 2):
            raise GanzooError(
                "ganzoo: TextToImageGAN trains on (images, captions) or (images, captions, "
                "mismatched captions) batches, e.g. ganzoo.data.load('shapes'); got images only."
            )
        if self.tokens == "words" and self.vocabulary is None:
            if not isinstance(x, tf.data.Dataset):
                raise GanzooError("ganzoo: a words TextToImageGAN without a vocabulary needs a tf.data.Dataset to build one.")
            self._build_vocabulary(x)
        if self.text_pretrain_steps and not int(self.text_pretrained.numpy()):
            if not isinstance(x, tf.data.Dataset):
                raise GanzooError(
                    "ganzoo: text encoder pretraining needs a tf.data.Dataset of (images, captions); "
                    "pass one, or set text_pretrain_steps=0."
                )
            self.pretrain_text_encoder(x)
        validation = kwargs.get("validation_data")
        if validation is not None:
            kwargs["validation_data"] = self._ids_dataset(validation)
        # Under a strategy, fit calls the model on a data batch when any layer is unbuilt
        # (and fails: call() takes noise); the vectorizer's StringLookup never marks itself built.
        for layer in self.vectorizer._flatten_layers():
            if not layer.built:
                layer.build(None)
        return super().fit(self._ids_dataset(x), *args, **kwargs)

    def evaluate(self, x=None, *args: Any, **kwargs: Any):
        return super().evaluate(self._ids_dataset(x), *args, **kwargs)

    # --------------------------------------------------------------- sampling

    def call(self, inputs, training: bool = False):
        """``(z, token_ids)`` -> images, so the model is callable like its generator."""
        z, ids = inputs
        return self.generator([z, self.text_encoder(ids, training=False)], training=training)

    def _captions_for(self, n: int, text: Any) -> list:
        if text is None:
            repeat = -(-n // len(self.sample_captions))
            return [c for c in self.sample_captions for _ in range(repeat)][:n]
        if isinstance(text, (str, bytes)):
            text = [text]
        text = list(np.asarray(text, dtype=object).ravel())
        if len(text) == 1 and n > 1:
            text = text * n
        if len(text) != n:
            raise GanzooError(f"ganzoo: got {len(text)} captions for {n} samples; give one caption or one per sample.")
        return text

    def generate(
        self, n: int | None = None, seed: int | None = None, z: np.ndarray | None = None,
        text: Any = None, batch_size: int = 256,
    ) -> np.ndarray:
        """Images for captions: float32 ``[n, H, W, C]`` in [-1, 1].

        Args:
            n: how many images (default: one per caption).
            seed: fixes the noise.
            z: explicit noise ``[n, latent_dim]`` (then ``n`` and ``seed`` are ignored).
            text: a caption, or one per image; None cycles ``sample_captions``
                (consecutive images share a caption, so a grid's rows do).
            batch_size: generator batch size.
        """
        if z is not None:
            z = np.asarray(z, np.float32)
            n = len(z)
        elif n is None:
            n = 1 if isinstance(text, (str, bytes)) else len(list(text or self.sample_captions))
        n = int(n)
        captions = self._captions_for(n, text)
        if z is None:
            z = self.noise(n, seed)
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise GanzooError(f"ganzoo: z has shape {z.shape}; expected [n, {self.latent_dim}] float32 noise.")
        chunks = []
        for i in range(0, n, batch_size):
            embedding = self.embed_text(captions[i : i + batch_size])
            chunks.append(np.asarray(self.generator([z[i : i + batch_size], embedding], training=False), np.float32))
        return np.concatenate(chunks) if chunks else np.zeros((0, *self.image_shape), np.float32)

    def interpolate_text(self, text_a: str, text_b: str, steps: int = 8, z: np.ndarray | None = None,
                         seed: int = 0) -> np.ndarray:
        """GAN-INT's walk: images for (1 − t)·φ(a) + t·φ(b), t from 0 to 1, at one fixed noise.

        Returns float32 ``[steps, H, W, C]`` in [-1, 1].
        """
        ends = self.embed_text([text_a, text_b])
        t = np.linspace(0.0, 1.0, int(steps), dtype=np.float32)[:, None]
        embedding = (1.0 - t) * ends[0] + t * ends[1]
        z = self.noise(1, seed) if z is None else np.asarray(z, np.float32).reshape(1, -1)
        z = np.repeat(z, int(steps), axis=0)
        return np.asarray(self.generator([z, embedding], training=False), np.float32)

    # ---------------------------------------------------------------- serving

    def serving_networks(self) -> list:
        """The generator, the text encoder and the vectorizer (its vocabulary table) travel together."""
        self.tokenize([""])  # builds the vectorizer, which export requires
        return [self.generator, self.text_encoder, self.vectorizer]

    def serving_endpoints(self):
        """SavedModel signatures: raw caption strings in, images out.

        ``serving_default``: ``text`` tf.string ``[None]`` -> ``images`` float32
        ``[None, H, W, C]`` in [-1, 1], with fresh noise on every call.
        ``text_and_z``: ``text`` and ``z`` float32 ``[None, latent_dim]`` (the
        "optional z": a SavedModel signature cannot have an optional input, so it
        is a second signature); one caption with several z is repeated.
        ``text_and_seed``: ``text`` and an int32 ``seed``: reproducible images.
        Any string is answered: empty, unknown words or characters, too long,
        or not UTF-8 (see ``ganzoo.text``).
        """
        self._check_vocabulary()
        generator, encoder, vectorizer, latent_dim = self.generator, self.text_encoder, self.vectorizer, self.latent_dim

        def embed(text):
            return encoder(vectorizer(text_lib.prepare_text(text)), training=False)

        def images(z, embedding):
            return {"images": tf.cast(generator([z, embedding], training=False), tf.float32)}

        def serve(text):
            embedding = embed(text)
            return images(tf.random.normal([tf.shape(embedding)[0], latent_dim]), embedding)

        def serve_z(text, z):
            embedding = embed(text)
            rows = tf.shape(z)[0]
            embedding = tf.cond(
                tf.equal(tf.shape(embedding)[0], 1), lambda: tf.repeat(embedding, rows, axis=0), lambda: embedding
            )
            return images(z, embedding)

        def serve_seed(text, seed):
            embedding = embed(text)
            seed = tf.stack([tf.cast(seed, tf.int64), tf.constant(0, tf.int64)])
            return images(tf.random.stateless_normal([tf.shape(embedding)[0], latent_dim], seed=seed), embedding)

        text_spec = tf.TensorSpec([None], tf.string, name="text")
        return {
            "serving_default": (serve, [text_spec]),
            "text_and_z": (serve_z, [text_spec, tf.TensorSpec([None, latent_dim], tf.float32, name="z")]),
            "text_and_seed": (serve_seed, [text_spec, tf.TensorSpec([], tf.int32, name="seed")]),
        }

    @property
    def data_shape(self) -> tuple[int, ...]:
        return tuple(self.image_shape)

    # ---------------------------------------------------------- serialization

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "image_shape": list(self.image_shape),
            "latent_dim": self.latent_dim,
            "projection_dim": self.projection_dim,
            "text_dim": self.text_dim,
            "tokens": self.tokens,
            "max_length": self.max_length,
            "vocabulary": None if self.vocabulary is None else list(self.vocabulary),
            "max_tokens": self.max_tokens,
            "encoder_width": self.encoder_width,
            "encoder": self.encoder,
            "g_filters": self.g_filters,
            "d_filters": self.d_filters,
            "matching_aware": self.matching_aware,
            "interpolate": self.interpolate,
            "interpolation_beta": self.interpolation_beta,
            "interpolation_weight": self.interpolation_weight,
            "d_conditioning": self.d_conditioning,
            "text_pretrain_steps": self.text_pretrain_steps,
            "text_pretrain_learning_rate": self.text_pretrain_learning_rate,
            "text_temperature": self.text_temperature,
            "train_text_encoder": self.train_text_encoder,
            "sample_captions": list(self.sample_captions),
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "TextToImageGAN":
        return cls(**config)


__all__ = ["TextToImageGAN", "build_generator", "build_discriminator", "gan_cls_discriminator_loss",
           "JointDiscriminator", "DEFAULT_SAMPLE_CAPTIONS"]
