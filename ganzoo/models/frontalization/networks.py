"""TP-GAN's networks (Huang et al. 2017, arXiv 1704.04086): the two-pathway generator and the patch D.

The generator's global pathway is an encoder–decoder with skips, a fully connected
max-feature-map bottleneck and an image output at every decoder scale; four local pathways
encode patches cropped at the eyes, nose and mouth, and their features, placed where those
parts sit on a frontal face (``template``), are max-fused with the global features before the
full-size output. The discriminator tells true frontals from synthesised ones.

Departures (see the package docstring): 64×64 by default, narrower widths, He initialisation
in the generator, no bottleneck noise, small local encoder–decoders supervised only through the
fused output, a DCGAN-style patch D.
"""

from __future__ import annotations

from typing import Any, Sequence

import keras
import numpy as np
import tensorflow as tf

from ganzoo.errors import GanzooError
from ganzoo.layers.max_feature_map import MaxFeatureMap
from ganzoo.models.dcgan import init as dcgan_init
from ganzoo.ops import resample

NUM_LANDMARKS = 5
# Local pathways: (name, landmark indices whose mean is the patch centre, patch (h, w) / image size).
# The paper's patches at 128²: eyes 40×40, nose 40×32, mouth 32×48; ganzoo's faces fill less of
# the frame, so its patches are a little smaller relative to the image.
PARTS: tuple[tuple[str, tuple[int, ...], tuple[float, float]], ...] = (
    ("left_eye", (0,), (0.25, 0.25)),
    ("right_eye", (1,), (0.25, 0.25)),
    ("nose", (2,), (0.3125, 0.25)),
    ("mouth", (3, 4), (0.25, 0.375)),
)
# Mean frontal landmark positions of synthfaces (x, y as fractions of the image size).
SYNTHFACES_TEMPLATE = ((0.384, 0.511), (0.616, 0.511), (0.5, 0.605), (0.428, 0.687), (0.572, 0.687))
# The generator has no normalization: at DCGAN's N(0, 0.02) each layer shrinks the signal ~10x
# (measured at init: std 0.04 after the first conv, 5e-5 at 1/8 size, 1e-6 after the fc
# bottleneck), so the deep, identity-carrying path starts dead and 3,000 steps could not revive
# it (BUILD_NOTES.md). He init keeps every layer at std 0.1-0.4. D keeps N(0, 0.02): its batch
# norm rescales.
G_INIT = "he_normal"


def check_image_shape(image_shape: Sequence[int]) -> tuple[int, int, int]:
    """A square power-of-two RGB shape from 32 to 128, e.g. ``(64, 64, 3)``."""
    shape = tuple(int(d) for d in image_shape)
    if len(shape) != 3 or shape[0] != shape[1] or shape[0] not in (32, 64, 128) or shape[2] != 3:
        raise GanzooError(
            f"ganzoo: frontalization image_shape={shape} is not supported; use (32, 32, 3), (64, 64, 3) "
            "or (128, 128, 3) (set data.image_size)."
        )
    return shape


def check_template(template: Sequence[Sequence[float]] | None) -> list[tuple[float, float]]:
    """The five frontal landmark positions as (x, y) fractions of the image size (default: synthfaces')."""
    points = [tuple(float(v) for v in p) for p in (template or SYNTHFACES_TEMPLATE)]
    if len(points) != NUM_LANDMARKS or any(len(p) != 2 or not (0 < p[0] < 1 and 0 < p[1] < 1) for p in points):
        raise GanzooError(
            f"ganzoo: template={points} must be {NUM_LANDMARKS} (x, y) positions inside (0, 1), "
            "fractions of the image size."
        )
    return points


def patch_size(part: int, size: int) -> tuple[int, int]:
    """(height, width) in pixels of local pathway ``part`` for ``size``×``size`` images (even, >= 4)."""
    even = lambda x: max(4, 2 * int(round(x / 2)))  # noqa: E731
    h, w = PARTS[part][2]
    return even(h * size), even(w * size)


@keras.saving.register_keras_serializable(package="ganzoo")
class LandmarkPatch(keras.layers.Layer):
    """Crops a fixed-size patch centred on the mean of some landmarks (bilinear, differentiable).

    Inputs ``[images [b, H, W, C], landmarks [b, L, 2] (x, y pixels)]`` -> ``[b, h, w, C]``;
    parts of the patch outside the image are zero.
    """

    def __init__(self, indices: Sequence[int], size: Sequence[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.indices = [int(i) for i in indices]
        self.size = [int(s) for s in size]

    def call(self, inputs):
        images, landmarks = inputs
        centre = tf.reduce_mean(tf.gather(tf.cast(landmarks, tf.float32), self.indices, axis=1), axis=1)
        h, w = float(self.size[0]), float(self.size[1])
        # Pixel centres: sample k of the crop sits at (centre - size/2 + 0.5 + k). A gather, not
        # crop_and_resize (the same samples), which has no XLA kernel; float32 as before.
        corner = tf.stack([centre[:, 1] - h / 2 + 0.5, centre[:, 0] - w / 2 + 0.5], axis=1)
        patches = resample.bilinear_crop(tf.cast(images, tf.float32), corner, self.size, extrapolation_value=0.0)
        return tf.cast(patches, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], self.size[0], self.size[1], input_shape[0][-1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "indices": self.indices, "size": self.size}


@keras.saving.register_keras_serializable(package="ganzoo")
class CopyByAttention(keras.layers.Layer):
    """Copies pixel blocks of the input into the output by attention over positions.

    Each output position at ``1/r`` size (a query) attends over every input position at the
    same size (keys) and takes the softmax-weighted mean of the input's ``r``×``r`` pixel
    blocks, placed back at full size (space-to-depth, attention, depth-to-space). A learned
    correspondence, in the spirit of appearance flow (Zhou et al. 2016, arXiv 1605.03557), but
    with a softmax over all positions instead of a sampled offset, so the gradient reaches
    every candidate source, not only the pixels next to the current one. ganzoo's addition to
    TP-GAN (issue 27): the output can carry the input's own detail where the face is visible.

    Inputs ``[queries [b, h, w, d], keys [b, h, w, d], images [b, h·r, w·r, C]]`` ->
    ``[b, h·r, w·r, C]`` (float32 inside; the softmax is over the h·w keys).

    With a ``template`` (five frontal landmark positions, fractions of the image size), a fourth
    input, the pose's ``landmarks [b, 5, 2]`` (x, y pixels), adds a prior to the logits: the
    least-squares affine map from the template to the landmarks sends each output block to a
    predicted source, and keys there gain −|source − key|² / (2σ²), σ learned (starting at
    ``sigma`` pixels). So the copy starts as a landmark-aligned warp of the input, which the
    learned queries and keys then correct, instead of a uniform mean. An empty template
    (``[]``) centres the prior on each block's own position instead (no landmarks input).
    """

    def __init__(self, block: int = 2, template: Sequence[Sequence[float]] | None = None, sigma: float = 4.0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.block = int(block)
        self.template = None if template is None else [[float(v) for v in p] for p in template]
        self.sigma = float(sigma)

    def build(self, input_shape):
        if self.template is not None:
            self.log_sigma = self.add_weight(shape=(), initializer=keras.initializers.Constant(np.log(self.sigma)),
                                             name="log_sigma")

    def prior(self, landmarks, h: int, w: int, size: int):
        """The warp prior on the logits, ``[b, h·w, h·w]``: the affine map from the template to the
        landmarks, or (``template`` empty) each block's own position."""
        r = float(self.block)
        ys, xs = np.meshgrid(np.arange(h) * r + (r - 1) / 2, np.arange(w) * r + (r - 1) / 2, indexing="ij")
        centres = np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float32)    # [h·w, 2] (x, y)
        if self.template:
            template = np.asarray(self.template, np.float64) * size - 0.5            # pixel coordinates
            design = np.concatenate([template, np.ones((len(template), 1))], axis=1)  # [5, 3]
            solve = tf.constant(np.linalg.pinv(design).astype(np.float32))           # [3, 5]
            affine = tf.einsum("kl,blc->bkc", solve, tf.cast(landmarks, tf.float32))  # [b, 3, 2]
            homogeneous = tf.constant(np.concatenate([centres, np.ones((h * w, 1), np.float32)], axis=1))
            source = tf.einsum("qk,bkc->bqc", homogeneous, affine)                    # [b, h·w, 2]
        else:
            source = tf.constant(centres)[None]
        distance = tf.reduce_sum(tf.square(source[:, :, None, :] - tf.constant(centres)[None, None]), axis=-1)
        return -distance / (2.0 * tf.exp(2.0 * tf.cast(self.log_sigma, tf.float32)))

    def call(self, inputs):
        queries, keys, images = (tf.cast(t, tf.float32) for t in inputs[:3])
        b = tf.shape(queries)[0]
        h, w, d = int(queries.shape[1]), int(queries.shape[2]), int(queries.shape[3])
        values = tf.nn.space_to_depth(images, self.block)                       # [b, h, w, C·r²]
        depth = int(values.shape[-1])
        q = tf.reshape(queries, [b, h * w, d])
        k = tf.reshape(keys, [b, h * w, d])
        logits = tf.matmul(q, k, transpose_b=True) / float(np.sqrt(d))
        if self.template is not None:
            logits = logits + self.prior(inputs[3] if self.template else None, h, w, int(images.shape[1]))
        weights = tf.nn.softmax(logits, axis=-1)
        copied = tf.matmul(weights, tf.reshape(values, [b, h * w, depth]))
        copied = tf.nn.depth_to_space(tf.reshape(copied, [b, h, w, depth]), self.block)
        return tf.cast(copied, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        q, images = input_shape[0], input_shape[2]
        return (q[0], images[1], images[2], images[3])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "block": self.block, "template": self.template, "sigma": self.sigma}


@keras.saving.register_keras_serializable(package="ganzoo")
class PositionChannels(keras.layers.Layer):
    """Appends sines and cosines of each pixel's position: ``[b, h, w, c] -> [b, h, w, c + 4·frequencies]``.

    Frequencies k = 1, 2, 4, … (π·k·x for x in [-1, 1] across the map), so a dot product of
    two positions' channels can peak where they coincide (the keys and queries of
    ``CopyByAttention``).
    """

    def __init__(self, frequencies: int = 4, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.frequencies = int(frequencies)

    def call(self, x):
        h, w = int(x.shape[1]), int(x.shape[2])
        ys = (2.0 * np.arange(h) + 1.0) / h - 1.0
        xs = (2.0 * np.arange(w) + 1.0) / w - 1.0
        channels = []
        for k in range(self.frequencies):
            f = np.pi * 2.0**k
            for grid in (np.broadcast_to(ys[:, None], (h, w)), np.broadcast_to(xs[None, :], (h, w))):
                channels += [np.sin(f * grid), np.cos(f * grid)]
        table = tf.constant(np.stack(channels, axis=-1)[None].astype(np.float32))
        table = tf.cast(tf.tile(table, [tf.shape(x)[0], 1, 1, 1]), x.dtype)
        return tf.concat([x, table], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 4 * self.frequencies)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "frequencies": self.frequencies}


@keras.saving.register_keras_serializable(package="ganzoo")
class MaskBlend(keras.layers.Layer):
    """``[mask [b, H, W, 1], a [b, H, W, C], b [b, H, W, C]] -> mask·a + (1 − mask)·b``."""

    def call(self, inputs):
        mask, a, b = (tf.cast(t, self.compute_dtype) for t in inputs)
        return mask * a + (1.0 - mask) * b

    def compute_output_shape(self, input_shape):
        return input_shape[1]


def conv(x, filters, kernel=3, strides=1, name=None, activation=True):
    """A same-padded conv (He init) and LeakyReLU(0.2)."""
    x = keras.layers.Conv2D(filters, kernel, strides=strides, padding="same", kernel_initializer=G_INIT, name=name)(x)
    return keras.layers.LeakyReLU(0.2, name=None if name is None else f"{name}_act")(x) if activation else x


def up(x, filters, name):
    """A 4×4 stride-2 transposed conv (×2) and ReLU."""
    x = keras.layers.Conv2DTranspose(filters, 4, strides=2, padding="same", kernel_initializer=G_INIT, name=name)(x)
    return keras.layers.ReLU(name=f"{name}_act")(x)


def local_pathway(patch, filters: int, name: str):
    """A small encoder–decoder on one patch: features of the patch's size."""
    x = conv(patch, filters, name=f"{name}_conv1")
    skip = x
    x = conv(x, 2 * filters, strides=2, name=f"{name}_down")
    x = conv(x, 2 * filters, name=f"{name}_conv2")
    x = up(x, filters, name=f"{name}_up")
    x = keras.layers.Concatenate(name=f"{name}_skip")([x, skip])
    return conv(x, filters, name=f"{name}_out")


def place(features, centre_xy: Sequence[float], size: int, name: str):
    """Zero-pads a patch's features into a ``size``×``size`` canvas at a template position."""
    h, w = int(features.shape[1]), int(features.shape[2])
    top = min(max(int(round(centre_xy[1] * size - h / 2)), 0), size - h)
    left = min(max(int(round(centre_xy[0] * size - w / 2)), 0), size - w)
    return keras.layers.ZeroPadding2D(((top, size - h - top), (left, size - w - left)), name=name)(features)


def build_generator(
    image_shape: Sequence[int] = (64, 64, 3),
    filters: int = 16,
    local_filters: int = 16,
    bottleneck: int = 256,
    template: Sequence[Sequence[float]] = SYNTHFACES_TEMPLATE,
    copy_attention: int = 0,
    copy_prior: str = "none",
) -> keras.Model:
    """The two-pathway generator.

    Global pathway: 3×3 conv (filters) at full size, then stride-2 convs doubling the width
    down to 1/8 size; a 1×1 conv to 2·filters, flatten -> dense MFM ``bottleneck`` (the
    paper's fc + maxout, which lets a pose change move content anywhere) -> dense back to 1/8
    size; then per scale a ×2 transposed conv, concatenated with the encoder's skip and the
    previous scale's upsampled image, and an image output (tanh) at 1/4, 1/2 and full size. At
    full size the fused local features (element-wise max of the four placed pathways) join
    before the last convs.

    ``copy_attention = d > 0`` (ganzoo's addition, issue 27) adds a copy pathway: queries from
    the half-size decoder features and keys from the half-size encoder features (both with
    ``PositionChannels``, projected to ``d``) pick 2×2 pixel blocks of the input
    (``CopyByAttention``), and a per-pixel sigmoid mask blends the copied image with the
    synthesised full-size one (mask starts at 0.5). 0 (default) is TP-GAN's generator.
    ``copy_prior`` starts that attention at a warp of the input instead of a uniform mean:
    ``"landmarks"`` the affine map from ``template`` to the landmarks, ``"identity"`` each
    block's own position (``CopyByAttention``'s prior); ``"none"`` (default) no prior.

    Shapes: ``[images [b, S, S, 3], landmarks [b, 5, 2]] ->
    [frontal_4 [b, S/4, S/4, 3], frontal_2 [b, S/2, S/2, 3], frontal [b, S, S, 3]]``.
    """
    size, _, channels = check_image_shape(image_shape)
    images = keras.Input((size, size, channels), name="images")
    landmarks = keras.Input((NUM_LANDMARKS, 2), name="landmarks")

    # Global pathway, encoder: full, 1/2, 1/4, 1/8.
    skips = [conv(images, filters, name="enc0")]
    x = skips[0]
    for k in range(1, 4):
        x = conv(x, filters * 2**k, strides=2, name=f"enc{k}")
        x = conv(x, filters * 2**k, name=f"enc{k}b")
        skips.append(x)
    small = size // 8
    # A 1×1 conv narrows the 1/8-size map first: the fully connected layers stay small.
    x = conv(x, filters * 2, kernel=1, name="enc_narrow")
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(2 * bottleneck, kernel_initializer=G_INIT, name="fc")(x)
    x = MaxFeatureMap(name="fc_mfm")(x)
    x = keras.layers.Dense(small * small * filters * 2, kernel_initializer=G_INIT, name="fc_up")(x)
    x = keras.layers.Reshape((small, small, filters * 2), name="fc_reshape")(x)
    x = keras.layers.ReLU(name="fc_up_act")(x)
    x = keras.layers.Concatenate(name="dec3_skip")([x, skips[3]])
    x = conv(x, filters * 8, name="dec3")

    # Local pathways on landmark patches, placed at the frontal template and max-fused.
    placed = []
    for i, (part, indices, _) in enumerate(PARTS):
        patch = LandmarkPatch(indices, patch_size(i, size), name=f"{part}_patch")([images, landmarks])
        feats = local_pathway(patch, local_filters, part)
        centre = np.mean([template[j] for j in indices], axis=0)
        placed.append(place(feats, centre, size, name=f"{part}_place"))
    local = keras.layers.Maximum(name="local_fusion")(placed)

    outputs = []
    previous = None
    for k, scale in ((2, "frontal_4"), (1, "frontal_2"), (0, "frontal")):
        x = up(x, filters * 2**k, name=f"up{k}")
        parts = [x, skips[k]]
        if previous is not None:
            parts.append(keras.layers.UpSampling2D(2, interpolation="bilinear", name=f"{scale}_prev")(previous))
        if k == 0:
            parts.append(local)
        x = keras.layers.Concatenate(name=f"dec{k}_in")(parts)
        x = conv(x, filters * 2**k, name=f"dec{k}")
        if k == 0:
            x = conv(x, filters, name="dec0b")
        if k == 1 and copy_attention:
            queries = conv(PositionChannels(name="copy_query_pos")(x), int(copy_attention), kernel=1,
                           name="copy_query", activation=False)
            keys = conv(PositionChannels(name="copy_key_pos")(skips[1]), int(copy_attention), kernel=1,
                        name="copy_key", activation=False)
            if copy_prior == "landmarks":
                copied = CopyByAttention(2, template, name="copy")([queries, keys, images, landmarks])
            elif copy_prior == "identity":
                copied = CopyByAttention(2, [], name="copy")([queries, keys, images])
            else:
                copied = CopyByAttention(2, name="copy")([queries, keys, images])
        image = keras.layers.Conv2D(channels, 3, padding="same", kernel_initializer=G_INIT, name=f"{scale}_conv")(x)
        if k == 0 and copy_attention:
            image = keras.layers.Activation("tanh", dtype="float32", name="synthesised")(image)
            mask = keras.layers.Conv2D(1, 3, padding="same", kernel_initializer="zeros", name="copy_mask_conv")(
                keras.layers.Concatenate(name="copy_mask_in")([x, copied]))
            mask = keras.layers.Activation("sigmoid", dtype="float32", name="copy_mask")(mask)
            previous = MaskBlend(dtype="float32", name=scale)([mask, copied, image])
        else:
            previous = keras.layers.Activation("tanh", dtype="float32", name=scale)(image)
        outputs.append(previous)
    return keras.Model([images, landmarks], outputs, name="generator")


def build_discriminator(image_shape: Sequence[int] = (64, 64, 3), filters: int = 32) -> keras.Model:
    """DCGAN-style patch discriminator on frontal faces: stride-2 4×4 convs to 1/16 size, a logit each.

    Shapes: ``[b, S, S, 3] -> [b, S/16, S/16, 1]`` logits.
    """
    size, _, channels = check_image_shape(image_shape)
    images = keras.Input((size, size, channels), name="images")
    x = images
    for stage in range(4):
        x = keras.layers.Conv2D(filters * 2**stage, 4, strides=2, padding="same", kernel_initializer=dcgan_init(),
                                use_bias=stage == 0, name=f"down{stage + 1}")(x)
        if stage:
            x = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=f"down{stage + 1}_bn")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"down{stage + 1}_act")(x)
    logits = keras.layers.Conv2D(1, 3, padding="same", kernel_initializer=dcgan_init(), dtype="float32", name="logits")(x)
    return keras.Model(images, logits, name="discriminator")
