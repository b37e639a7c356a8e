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
- with any ``ganzoo.losses`` loss, GAN-CLS is ½[L(r, f) + L(r, w)] — the
  paper's formula for the sigmoid loss, and its analogue for the others; the
  two halves are the terms ``d_adv`` (fake image, right text) and ``d_cls``
  (real image, wrong text), each of weight ½;
- the mismatched caption comes from the dataset (``shapes`` and ``captions``
  draw it from an image with other attributes); a dataset of ``(image,
  caption)`` pairs gets the batch's captions rolled by one instead;
- the GAN-INT term ``g_int`` has its own weight (``interpolation_weight``, the
  paper 1) and its own noise; its partner caption is the next one in the batch;
- φ(t) has unit root-mean-square (``ganzoo.text.build_text_encoder``), so the
  text reaches G's and D's first layers as strongly as the noise does;
- a frozen encoder embeds a step's captions once, shared by D's and G's losses;
- beside the paper's concat D, ``d_conditioning="projection"`` (Miyato & Koyama
  2018), linear in φ(t); with ``encoder="bag_of_words"`` (φ(t) a sum over
  words) D then scores each word's attribute separately, and G learns colour–
  shape pairs it never saw: ``configs/text2image_shapes.py`` uses both (85.4%
  all-attribute on held-out pairs, against 12.8% with the paper's encoder and D;
  BUILD_NOTES.md).

Layout: ``networks.py`` (G, D, the joint D), ``preprocessor.py`` (captions ->
token ids, mapped over the dataset by ``fit``), ``model.py`` (the phases'
objectives, text pretraining, sampling, serving).
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
from ganzoo.models.text_to_image import networks
from ganzoo.models.text_to_image.preprocessor import TextPreprocessor
from ganzoo.training import Phase, Step, Term
from ganzoo.utils import networks as network_utils

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
# unpack's condition: token ids of the matching and mismatched captions, and (a frozen
# encoder) their embeddings.
IDS = {"text": "ids", "wrong_text": "wrong_ids"}


def gan_cls_discriminator_loss(loss_fn, real_outputs, wrong_outputs, fake_outputs) -> tf.Tensor:
    """GAN-CLS, per example: ½[L_D(s_r, s_f) + L_D(s_r, s_w)] (D's ``d_adv`` + ``d_cls`` terms).

    For the sigmoid loss L_D(r, f) = −log σ(r) − log(1 − σ(f)), this is the
    paper's −[log s_r + (log(1 − s_w) + log(1 − s_f)) / 2]: {real image, right
    text} is real, {real image, wrong text} and {fake image, right text} are
    fake, the two fake kinds weighted ½ each.
    """
    return 0.5 * (loss_fn.discriminator(real_outputs, fake_outputs) + loss_fn.discriminator(real_outputs, wrong_outputs))


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
    batches, captions as tf.string (``fit`` and ``evaluate`` map ``preprocessor``
    over the dataset, so the step sees token ids) or as token ids.
    ``generate(n, text=[...])`` returns ``[n, H, W, C]`` in [-1, 1].

    Phases: ``d`` (terms ``d_adv``, and with GAN-CLS ``d_cls``; shows ``d_real``,
    ``d_fake``, ``d_wrong`` = mean σ of D's scores) and ``g`` (``g_adv``, and with
    GAN-INT ``g_int``). ``compile(regularizers=[FeatureMatching(1.0), PullingAway(0.1)])``
    read D's features of (image, matching text) (default layer: ``networks.image_feature_layer``).
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
        preprocessor = TextPreprocessor(tokens, max_length, vocabulary, max_tokens)
        kwargs.pop("generator", None)
        kwargs.pop("discriminator", None)
        text_encoder = text_lib.build_text_encoder(tokens, max_length, max_tokens, text_dim, encoder_width,
                                                   encoder=encoder)
        text_encoder.trainable = bool(train_text_encoder)
        network = networks.build_discriminator(image_shape, text_dim, projection_dim, d_filters, d_conditioning)
        discriminator = (
            networks.JointDiscriminator(network, text_encoder, name="joint_discriminator") if train_text_encoder else network
        )
        super().__init__(
            generator=networks.build_generator(image_shape, latent_dim, text_dim, projection_dim, g_filters),
            discriminator=discriminator,
            latent_dim=latent_dim,
            seed=seed,
            **kwargs,
        )
        self.text_encoder = text_encoder
        self.image_encoder = text_lib.build_image_encoder(image_shape, text_dim)
        self.vectorizer = preprocessor.vectorizer  # tracked here: its vocabulary is saved with the model
        object.__setattr__(self, "preprocessor", preprocessor)
        object.__setattr__(self, "d_feature_models", network_utils.NetworkCache())  # not saved
        self.text_pretrained = keras.Variable(0, dtype="int32", trainable=False, name="text_pretrained")
        self.image_shape = image_shape
        self.projection_dim = int(projection_dim)
        self.text_dim = int(text_dim)
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

    @property
    def tokens(self) -> str:
        return self.preprocessor.tokens

    @property
    def max_length(self) -> int:
        return self.preprocessor.max_length

    @property
    def max_tokens(self) -> int:
        return self.preprocessor.max_tokens

    @property
    def vocabulary(self) -> list[str] | None:
        return self.preprocessor.vocabulary

    def set_vocabulary(self, vocabulary: Sequence[str]) -> None:
        """Sets the word vocabulary (``tokens="words"``); most frequent words first."""
        self.preprocessor.set_vocabulary(vocabulary)

    def set_weights(self, weights: Sequence[Any]) -> None:
        """``keras.Model.set_weights``, refused on a words model that has no vocabulary yet.

        Weights carry the word embeddings' rows but not the vocabulary that numbers them: ``fit``
        would build its own word order from the data and every row would then stand for another
        word (held-out caption accuracy fell from 85% to 6% that way). Copy the source's
        vocabulary first.
        """
        if not self.preprocessor.ready:
            raise GanzooError(
                "ganzoo: set_weights() on a TextToImageGAN with no word vocabulary would mis-number the word "
                "embeddings; call model.set_vocabulary(source.vocabulary) first (or keras.models.load_model the source)."
            )
        super().set_weights(weights)

    def tokenize(self, text: Any) -> tf.Tensor:
        """Strings (any bytes) -> int64 token ids ``[n, max_length]``."""
        return self.preprocessor.tokenize(text)

    def embed_text(self, text: Any) -> np.ndarray:
        """Strings -> sentence embeddings φ(t), float32 ``[n, text_dim]``."""
        return np.asarray(self.text_encoder(self.tokenize(text), training=False), np.float32)

    def encode(self, ids: tf.Tensor, training: bool = False) -> tf.Tensor:
        """Token ids -> φ(t), float32 ``[batch, text_dim]`` (with gradient to the encoder)."""
        return tf.cast(self.text_encoder(ids, training=training), tf.float32)

    def pretrain_text_encoder(self, dataset, steps: int | None = None) -> list[float]:
        """Contrastive pretraining of the text (and image) encoder on ``(images, captions, ...)`` batches.

        Runs ``steps`` (default ``text_pretrain_steps``) Adam steps of
        ``ganzoo.text.contrastive_loss``, then freezes the text encoder unless
        ``train_text_encoder``. ``fit`` calls it once, on its training data.
        """
        steps = self.text_pretrain_steps if steps is None else int(steps)
        if not self.preprocessor.ready:
            self.preprocessor.adapt(dataset)
        batches = self.preprocessor.map(dataset).map(lambda *e: (e[0], e[1]))
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

    # ------------------------------------------------------------------ phases

    def phases(self) -> list[Phase]:
        """``GAN``'s D and G phases; GAN-CLS adds D's ``d_cls`` term, GAN-INT G's ``g_int``."""
        d, g = super().phases()
        if self.matching_aware:
            d = d.with_terms("d_cls").with_logs("d_wrong")
        if self.interpolate:
            g = g.with_terms("g_int")
        return [d, g]

    def unpack(self, data: Any) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
        """``(images, captions[, mismatched, ...])`` -> (images, {"ids", "wrong_ids"[, "text", "wrong_text"]}).

        A frozen encoder (the paper's) runs once a step, on both caption sets
        together, and D's and G's objectives share its embeddings ("text",
        "wrong_text"): it was a third of a step's time when run for each loss.
        """
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise GanzooError(
                "ganzoo: TextToImageGAN trains on (images, captions) or (images, captions, "
                "mismatched captions) batches, e.g. ganzoo.data.load('shapes'); got images only."
            )
        # fit and evaluate map the preprocessor over the dataset, so their steps get ids and this
        # does nothing; a raw element (a callback's, a custom loop's) is tokenized here.
        if self.jit_compile and any(getattr(t, "dtype", None) == tf.string for t in data[1:3]):
            raise GanzooError(
                "ganzoo: TextToImageGAN's XLA-compiled step got caption strings; string ops have no XLA "
                "kernels: map model.preprocessor over the dataset first (fit and evaluate do) or compile "
                "with jit_compile=False."
            )
        data = self.preprocessor(*data)
        ids = data[1]
        wrong = data[2] if len(data) > 2 else tf.roll(ids, shift=1, axis=0)
        condition = {"ids": ids, "wrong_ids": wrong}
        if not self.train_text_encoder:
            both = tf.stop_gradient(self.encode(tf.concat([ids, wrong], axis=0)))
            condition["text"], condition["wrong_text"] = tf.split(both, 2, axis=0)
        return data[0], condition

    def condition_embedding(self, condition: Any, training: bool = False, key: str = "text") -> tf.Tensor:
        """φ(t) from a condition: an embedding already, or ``unpack``'s dict (no gradient).

        ``key``: "text" (the matching captions) or "wrong_text" (the mismatched ones).
        """
        if isinstance(condition, dict):
            if key in condition:
                return condition[key]
            return tf.stop_gradient(self.encode(condition[IDS[key]], training))
        return tf.convert_to_tensor(condition, tf.float32)

    def generate_fakes(self, z, condition=None, training: bool = False) -> tf.Tensor:
        """G(z, φ(t)); ``condition`` is the sentence embedding ``[batch, text_dim]`` (or unpack's dict)."""
        z = tf.convert_to_tensor(z, tf.float32)
        return tf.cast(self.generator([z, self.condition_embedding(condition, training)], training=training),
                       tf.float32)

    def discriminate(self, x, condition=None, training: bool = False) -> tf.Tensor:
        """D(x, φ(t)) logits; ``condition`` is the sentence embedding (or unpack's dict)."""
        x = tf.convert_to_tensor(x, tf.float32)
        return tf.cast(self.discriminator([x, self.condition_embedding(condition, training)], training=training),
                       tf.float32)

    def discriminator_text(self, step: Step, key: str = "text") -> tf.Tensor:
        """φ(t) for D's objective; with ``train_text_encoder`` encoded under D's tape, so D's loss trains it."""
        if self.train_text_encoder:
            return self.encode(step.condition[IDS[key]], step.training)
        return self.condition_embedding(step.condition, step.training, key)

    def mean_score(self, outputs: tf.Tensor) -> tf.Tensor:
        """Mean of D's scores for display: σ of logits, or critic values as they are."""
        return tf.reduce_mean(tf.sigmoid(outputs) if self.loss_fn.outputs_are_logits else outputs)

    def discriminator_objective(self, step: Step) -> dict[str, Any]:
        """s_r = D(x, h), s_f = D(G(z, h), h) and, for GAN-CLS, s_w = D(x, ĥ).

        GAN: ``d_adv`` = L_D(s_r, s_f). GAN-CLS: ``d_adv`` and ``d_cls`` = L_D(s_r, s_w),
        each of weight ½ — for the sigmoid loss together the paper's
        −[log s_r + (log(1 − s_w) + log(1 − s_f)) / 2] (``gan_cls_discriminator_loss``).
        """
        text = self.discriminator_text(step)
        real_out = self.discriminate(step.real, text, training=step.training)
        fake_out = self.discriminate(step.fakes(), text, training=step.training)
        step.shared["real_out"], step.shared["fake_out"] = real_out, fake_out
        weight = 0.5 if self.matching_aware else 1.0
        outputs = {
            "d_adv": Term(self.loss_fn.discriminator(real_out, fake_out), weight),
            "d_real": self.mean_score(real_out),
            "d_fake": self.mean_score(fake_out),
        }
        if self.matching_aware:
            wrong_out = self.discriminate(step.real, self.discriminator_text(step, "wrong_text"),
                                          training=step.training)
            outputs["d_cls"] = Term(self.loss_fn.discriminator(real_out, wrong_out), 0.5)
            outputs["d_wrong"] = self.mean_score(wrong_out)
        return outputs

    def generator_objective(self, step: Step) -> dict[str, Any]:
        """``g_adv`` on G(z, h) (``GAN``'s); GAN-INT adds ``g_int`` on G(z', h_β), h_β = βh + (1 − β)h'.

        h' is the next caption's embedding in the batch; z' is noise of its own.
        """
        outputs = super().generator_objective(step)
        if not self.interpolate:
            return outputs
        text = self.condition_embedding(step.condition, step.training)
        beta = self.interpolation_beta
        mixed = beta * text + (1.0 - beta) * tf.roll(text, shift=1, axis=0)
        fake = self.generate_fakes(self.sample_noise(step.batch_size), mixed, training=step.training)
        real_out = step.shared.get("real_out")
        if real_out is None:  # only relativistic losses read it
            real_out = self.discriminate(step.real, text, training=step.training)
        mixed_out = self.discriminate(fake, mixed, training=step.training)
        outputs["g_int"] = Term(self.loss_fn.generator(mixed_out, tf.stop_gradient(real_out)),
                                self.interpolation_weight)
        return outputs

    # ---------------------------------------------------------------- features

    def discriminator_network(self) -> keras.Model:
        """The functional D(x, φ(t)) (inside the joint model when ``train_text_encoder``).

        A method, not a property: Keras' saving walks properties and would store D twice.
        """
        return getattr(self.discriminator, "network", self.discriminator)

    def check_feature_layer(self, layer: str | None, user: str) -> None:
        """D's features of (image, text) exist; ``layer`` None picks ``networks.image_feature_layer``."""
        network = self.discriminator_network()
        network_utils.feature_layer(network, layer or networks.image_feature_layer(network))

    def discriminate_features(self, x, condition, training: bool, layer: str | None = None):
        """(D(x, φ(t)), D's ``layer`` features) from one forward pass, for feature-based regularizers."""
        def build() -> keras.Model:
            network = self.discriminator_network()
            hidden = network_utils.feature_layer(network, layer or networks.image_feature_layer(network))
            return keras.Model(network.inputs, [network.outputs[0], hidden.output])

        model = self.d_feature_models.get(layer, build)
        x = tf.convert_to_tensor(x, tf.float32)
        outputs, features = model([x, self.condition_embedding(condition, training)], training=training)
        return tf.cast(outputs, tf.float32), features

    def generator_features(self, z):
        """Refused: G(z, φ(t)) has no features of z alone (``PullingAway(on="generator")``)."""
        raise GanzooError(
            "ganzoo: TextToImageGAN's generator reads (z, caption), so it has no features of z alone for "
            "PullingAway(on='generator'); use PullingAway(on='discriminator')."
        )

    # -------------------------------------------------------------------- fit

    def jit_layers(self) -> list:
        """Every layer but the vectorizer's: it runs in tf.data (``fit`` maps ``preprocessor``), never
        in the step, so ``jit_compile=True`` compiles the step with XLA."""
        outside = {id(layer) for layer in self.vectorizer._flatten_layers()}
        return [layer for layer in super().jit_layers() if id(layer) not in outside]

    def fit(self, x=None, *args: Any, **kwargs: Any):
        """``GAN.fit`` on captioned data, with ``preprocessor`` mapped over it.

        Once, before the first GAN step: builds the word vocabulary (``tokens="words"``
        without one) and pretrains the text encoder (``text_pretrain_steps``).
        """
        if self.loss_fn is None:
            return super().fit(x, *args, **kwargs)  # GAN.fit's "not compiled" error
        if isinstance(x, tf.data.Dataset) and not (isinstance(x.element_spec, tuple) and len(x.element_spec) >= 2):
            raise GanzooError(
                "ganzoo: TextToImageGAN trains on (images, captions) or (images, captions, "
                "mismatched captions) batches, e.g. ganzoo.data.load('shapes'); got images only."
            )
        needs_data = not self.preprocessor.ready or (self.text_pretrain_steps and not int(self.text_pretrained.numpy()))
        if needs_data and not isinstance(x, tf.data.Dataset):
            raise GanzooError(
                "ganzoo: TextToImageGAN needs a tf.data.Dataset of (images, captions) to build its word "
                "vocabulary and pretrain its text encoder; pass one (or vocabulary=[...], text_pretrain_steps=0)."
            )
        if not self.preprocessor.ready:
            self.preprocessor.adapt(x)
        if self.text_pretrain_steps and not int(self.text_pretrained.numpy()):
            self.pretrain_text_encoder(x)
        if kwargs.get("validation_data") is not None:
            kwargs["validation_data"] = self.preprocessor.map(kwargs["validation_data"])
        self.preprocessor.build()
        return super().fit(self.preprocessor.map(x), *args, **kwargs)

    def evaluate(self, x=None, *args: Any, **kwargs: Any):
        return super().evaluate(self.preprocessor.map(x), *args, **kwargs)

    # --------------------------------------------------------------- sampling

    def call(self, inputs, training: bool = False):
        """``(z, token_ids)`` -> images, so the model is callable like its generator."""
        z, ids = inputs
        return self.generator([z, self.text_encoder(ids, training=False)], training=training)

    def captions_for(self, n: int, text: Any = None) -> list:
        """``n`` captions: ``text`` (one, or one per image) or ``sample_captions`` cycled, each repeated."""
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
        self, n: int | None = None, seed: int | None = None, text: Any = None, z: np.ndarray | None = None,
        batch_size: int = 256,
    ) -> np.ndarray:
        """Images for captions: float32 ``[n, H, W, C]`` in [-1, 1].

        Args:
            n: how many images (default: one per caption).
            seed: fixes the noise.
            text: the condition: a caption, or one per image; None cycles
                ``sample_captions`` (consecutive images share a caption, so a grid's rows do).
            z: explicit noise ``[n, latent_dim]`` (then ``n`` and ``seed`` are ignored).
            batch_size: generator batch size.
        """
        if z is None and n is None:
            n = 1 if isinstance(text, (str, bytes)) else len(list(text or self.sample_captions))
        z = self.sampling_noise(n, seed, z)
        n = len(z)
        captions = self.captions_for(n, text)
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
        self.preprocessor.check_ready()
        generator, encoder, vectorizer, latent_dim = self.generator, self.text_encoder, self.vectorizer, self.latent_dim

        def embed(text):
            return encoder(vectorizer(text_lib.prepare_text(text)), training=False)

        def images(z, embedding):
            z = tf.debugging.assert_all_finite(z, "ganzoo: z has NaN or infinite values; noise must be finite.")
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


__all__ = ["TextToImageGAN", "gan_cls_discriminator_loss", "DEFAULT_SAMPLE_CAPTIONS"]
