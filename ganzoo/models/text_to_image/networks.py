"""GAN-INT-CLS's networks (Reed et al. 2016, arXiv 1605.05396, Figure 2), text-conditioned DCGANs.

    G(z, φ(t)):  [z, leaky_relu(W φ(t))] -> DCGAN generator stack -> image in [-1, 1]
    D(x, φ(t)):  DCGAN stages down to 4×4, then the text joins by
                 "concat"     (paper) leaky_relu(W φ(t)) replicated 4×4, depth-concatenated,
                              1×1 conv + BN + leaky ReLU, 4×4 conv -> logit
                 "projection" (Miyato & Koyama 2018, arXiv 1802.05637) ψ(h) + ⟨h, V W φ(t)⟩

φ(t) is the caption's sentence embedding (``ganzoo.text.build_text_encoder``).
"""

from __future__ import annotations

from typing import Any, Sequence

import keras

from ganzoo.errors import GanzooError
from ganzoo.models import dcgan

D_CONDITIONING = ("concat", "projection")


@keras.saving.register_keras_serializable(package="ganzoo")
class InnerProduct(keras.layers.Layer):
    """``[a, b] -> Σ a·b`` over all but the batch axis: ``[batch, ...] x2 -> [batch, 1]``."""

    def call(self, inputs):
        a, b = inputs
        product = keras.ops.reshape(a * b, (keras.ops.shape(a)[0], -1))
        return keras.ops.sum(product, axis=-1, keepdims=True)


def text_projection(text, projection_dim: int, name: str):
    """φ(t) -> leaky_relu(W φ(t)): the paper's 1024 -> 128 compression."""
    x = keras.layers.Dense(projection_dim, kernel_initializer=dcgan.init(), name=f"{name}_projection")(text)
    return keras.layers.LeakyReLU(0.2, name=f"{name}_projection_act")(x)


def projection_logits(features, condition, projection_dim: int, condition_name: str = "text"):
    """The projection discriminator's head (Miyato & Koyama 2018, arXiv 1802.05637): ψ(h) + ⟨h, V·W·c⟩.

    ``features`` h is D's last ``[batch, 4, 4, channels]`` map (kept whole, so the inner product
    sees where things are); ``condition`` c is a vector ``[batch, d]`` (a sentence embedding, or
    a one-hot class, for which V·W is Miyato & Koyama's class embedding of rank
    ``projection_dim``); ψ is a 4×4 valid convolution to one logit. No activation between W and
    V: the logit stays linear in c. Layers ``d_<name>_projection``, ``<name>_to_features``,
    ``<name>_feature_map``, ``projection``, ``logit``, ``unconditional_logit``, ``logits``.
    Shapes: ``[batch, 4, 4, C]``, ``[batch, d]`` -> ``[batch, 1]`` float32 logits.
    """
    size, channels = int(features.shape[1]), int(features.shape[-1])
    w = keras.layers.Dense(projection_dim, kernel_initializer=dcgan.init(), name=f"d_{condition_name}_projection")
    v = keras.layers.Dense(size * size * channels, kernel_initializer=dcgan.init(), name=f"{condition_name}_to_features")
    v = keras.layers.Reshape((size, size, channels), name=f"{condition_name}_feature_map")(v(w(condition)))
    inner = InnerProduct(name="projection")([features, v])
    psi = keras.layers.Conv2D(1, size, padding="valid", kernel_initializer=dcgan.init(), name="logit")(features)
    psi = keras.layers.Flatten(name="unconditional_logit")(psi)
    return keras.layers.Add(dtype="float32", name="logits")([psi, inner])


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
    code = keras.layers.Concatenate(name="noise_and_text")([z, text_projection(text, projection_dim, "g_text")])
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
    for stage in range(1, dcgan.stages(size) + 1):
        x = keras.layers.Conv2D(width, 4, strides=2, padding="same", use_bias=stage == 1,
                                kernel_initializer=dcgan.init(), name=f"down{stage}")(x)
        if stage > 1:
            x = dcgan.batch_norm_layer(f"down{stage}_bn")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"down{stage}_act")(x)
        width *= 2
    if conditioning == "projection":
        # Linear in φ(t), as Miyato & Koyama's class embedding is: with a bag-of-words φ the
        # logit is then a sum of one term per word ("blue" + "triangle"), which judges colour
        # and shape separately on pairs never trained on (BUILD_NOTES.md, text to image).
        logits = projection_logits(x, text, projection_dim, "text")
        return keras.Model([images, text], logits, name="discriminator")
    t = text_projection(text, projection_dim, "d_text")
    t = keras.layers.RepeatVector(16, name="replicate_4x4")(t)
    t = keras.layers.Reshape((4, 4, projection_dim), name="text_map")(t)
    x = keras.layers.Concatenate(name="image_and_text")([x, t])
    x = keras.layers.Conv2D(width // 2, 1, use_bias=False, kernel_initializer=dcgan.init(), name="joint")(x)
    x = keras.layers.LeakyReLU(0.2, name="joint_act")(dcgan.batch_norm_layer("joint_bn")(x))
    x = keras.layers.Conv2D(1, 4, padding="valid", kernel_initializer=dcgan.init(), name="logit")(x)
    logits = keras.layers.Flatten(dtype="float32", name="logits")(x)
    return keras.Model([images, text], logits, name="discriminator")


def image_feature_layer(discriminator: keras.Model) -> str:
    """D's last hidden layer that has seen the image: what feature matching compares by default.

    ``"joint_act"`` (image and text, the concat D) or the last ``down<k>_act`` (the projection
    D, whose later layers hold the text alone or single logits).
    """
    names = [layer.name for layer in discriminator.layers]
    if "joint_act" in names:
        return "joint_act"
    return [name for name in names if name.startswith("down") and name.endswith("_act")][-1]


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


__all__ = ["D_CONDITIONING", "InnerProduct", "JointDiscriminator", "build_discriminator", "build_generator",
           "image_feature_layer", "projection_logits", "text_projection"]
