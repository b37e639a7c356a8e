"""TP-GAN: face frontalization with a global and four local pathways.

Huang, Zhang, Li, He 2017, "Beyond Face Rotation: Global and Local Perception GAN for
Photorealistic and Identity Preserving Frontal View Synthesis", arXiv 1704.04086.

The idea: a generator maps a posed face to its frontal view. A global encoder–decoder (with a
fully connected bottleneck, skip connections and an output at every decoder scale) sees the
whole face; four local pathways see patches cropped at the landmarks of the eyes, nose and
mouth, and their features, placed at the frontal positions of those parts, are fused (max)
with the global features. Training minimises
    L_syn = L_pixel + λ1 L_sym + λ2 L_adv + λ3 L_ip + λ4 L_tv   (λ1 0.3, λ2 1e-3, λ3 3e-3, λ4 1e-4)
— multi-scale pixel L1 to the ground truth, symmetry, adversarial, identity preserving
(Light CNN features of output vs truth) and total variation; the discriminator tells true
frontals from synthesised ones.

Where ganzoo departs from the paper:
- default 64×64 (``image_shape=(128, 128, 3)`` gives the paper's size); narrower networks;
  decoder outputs at 1/4, 1/2 and full size (the paper: 32², 64², 128²);
- local pathways are small conv encoder–decoders whose *features* are fused; the paper also
  gives each its own pixel loss and its own decoded patch. Their outputs are placed at a fixed
  frontal ``template`` (normalised landmark positions), as frontal faces are aligned;
- the generator, which has no normalization layers, is He-initialised (D keeps DCGAN's
  N(0, 0.02) with batch norm): at N(0, 0.02) the signal reached the fc bottleneck ~1e-6 in
  scale and the identity-carrying path learnt almost nothing in 3,000 steps;
- no noise vector at the bottleneck (the paper concatenates 100-d noise): the generator is
  deterministic, so ``sample_noise`` returns an empty ``[batch, 0]`` tensor;
- the identity network is ganzoo's Light-CNN-style net trained on the training identities
  (``ganzoo.models.identity``) — before the first GAN step, inside ``fit`` — not Light CNN-29
  trained on MS-Celeb-1M; D is a DCGAN-style patch discriminator;
- the data are ganzoo's rendered ``synthfaces`` (or ``pairs:<path>``), not Multi-PIE.

Inputs: ``images`` float32 ``[batch, H, W, 3]`` in [-1, 1] (any pose) and ``landmarks`` float32
``[batch, 5, 2]``: (x, y) pixel positions of the left eye, right eye, nose tip, left and right
mouth corners (``ganzoo.data.synthfaces.LANDMARKS``). Landmarks are required — nothing here
detects them. Output: the frontal face ``[batch, H, W, 3]`` in [-1, 1].
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import keras
import numpy as np
import tensorflow as tf

from ganzoo.errors import GanzooError
from ganzoo.layers.max_feature_map import MaxFeatureMap
from ganzoo.models import frontalization_losses as fl
from ganzoo.models import identity as identity_lib
from ganzoo.models.base import GAN
from ganzoo.training import average as _average

Tensor = tf.Tensor

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
LOSS_NAMES = ("l_pixel", "l_sym", "l_adv", "l_ip", "l_tv")
# D keeps DCGAN's N(0, 0.02), which its batch norm rescales. The generator has no normalization:
# at N(0, 0.02) each layer shrinks the signal ~10x (measured at init: std 0.04 after the first
# conv, 5e-5 at 1/8 size, 1e-6 after the fc bottleneck), so the deep, identity-carrying path
# starts dead and 3,000 steps could not revive it (BUILD_NOTES.md). He init keeps every layer
# at std 0.1-0.4.
_INIT = keras.initializers.RandomNormal(0.0, 0.02)
_G_INIT = "he_normal"


def check_image_shape(image_shape: Sequence[int]) -> tuple[int, int, int]:
    """A square power-of-two RGB shape from 32 to 128, e.g. ``(64, 64, 3)``."""
    shape = tuple(int(d) for d in image_shape)
    if len(shape) != 3 or shape[0] != shape[1] or shape[0] not in (32, 64, 128) or shape[2] != 3:
        raise GanzooError(
            f"ganzoo: frontalization image_shape={shape} is not supported; use (32, 32, 3), (64, 64, 3) "
            "or (128, 128, 3) (set data.image_size)."
        )
    return shape


def _even(x: float) -> int:
    return max(4, 2 * int(round(x / 2)))


def patch_size(part: int, size: int) -> tuple[int, int]:
    """(height, width) in pixels of local pathway ``part`` for ``size``×``size`` images."""
    h, w = PARTS[part][2]
    return _even(h * size), _even(w * size)


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
        height = tf.cast(tf.shape(images)[1], tf.float32)
        width = tf.cast(tf.shape(images)[2], tf.float32)
        centre = tf.reduce_mean(tf.gather(tf.cast(landmarks, tf.float32), self.indices, axis=1), axis=1)
        h, w = float(self.size[0]), float(self.size[1])
        # Pixel centres: sample k of the crop sits at (centre - size/2 + 0.5 + k).
        y1 = (centre[:, 1] - h / 2 + 0.5) / (height - 1.0)
        x1 = (centre[:, 0] - w / 2 + 0.5) / (width - 1.0)
        y2 = (centre[:, 1] + h / 2 - 0.5) / (height - 1.0)
        x2 = (centre[:, 0] + w / 2 - 0.5) / (width - 1.0)
        boxes = tf.stack([y1, x1, y2, x2], axis=1)
        index = tf.range(tf.shape(images)[0])
        # crop_and_resize takes no bfloat16 and always returns float32 (mixed precision).
        patches = tf.image.crop_and_resize(tf.cast(images, tf.float32), boxes, index, self.size,
                                           extrapolation_value=0.0)
        return tf.cast(patches, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], self.size[0], self.size[1], input_shape[0][-1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "indices": self.indices, "size": self.size}


def _conv(x, filters, kernel=3, strides=1, name=None, activation=True):
    x = keras.layers.Conv2D(filters, kernel, strides=strides, padding="same", kernel_initializer=_G_INIT, name=name)(x)
    return keras.layers.LeakyReLU(0.2, name=None if name is None else f"{name}_act")(x) if activation else x


def _up(x, filters, name):
    x = keras.layers.Conv2DTranspose(filters, 4, strides=2, padding="same", kernel_initializer=_G_INIT, name=name)(x)
    return keras.layers.ReLU(name=f"{name}_act")(x)


def _local_pathway(patch, filters: int, name: str):
    """A small encoder–decoder on one patch: features of the patch's size."""
    x = _conv(patch, filters, name=f"{name}_conv1")
    skip = x
    x = _conv(x, 2 * filters, strides=2, name=f"{name}_down")
    x = _conv(x, 2 * filters, name=f"{name}_conv2")
    x = _up(x, filters, name=f"{name}_up")
    x = keras.layers.Concatenate(name=f"{name}_skip")([x, skip])
    return _conv(x, filters, name=f"{name}_out")


def _place(features, centre_xy: Sequence[float], size: int, name: str):
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
) -> keras.Model:
    """The two-pathway generator.

    Global pathway: 3×3 conv (filters) at full size, then stride-2 convs doubling the width
    down to 1/8 size; a 1×1 conv to 2·filters, flatten -> dense MFM ``bottleneck`` (the paper's fc + maxout, which lets
    a pose change move content anywhere) -> dense back to 1/8 size; then per scale a ×2
    transposed conv, concatenated with the encoder's skip and the previous scale's upsampled
    image, and an image output (tanh) at 1/4, 1/2 and full size. At full size the fused local
    features (element-wise max of the four placed pathways) join before the last convs.

    Shapes: ``[images [b, S, S, 3], landmarks [b, 5, 2]] ->
    [frontal_4 [b, S/4, S/4, 3], frontal_2 [b, S/2, S/2, 3], frontal [b, S, S, 3]]``.
    """
    size, _, channels = check_image_shape(image_shape)
    images = keras.Input((size, size, channels), name="images")
    landmarks = keras.Input((NUM_LANDMARKS, 2), name="landmarks")

    # Global pathway, encoder: full, 1/2, 1/4, 1/8.
    skips = [_conv(images, filters, name="enc0")]
    x = skips[0]
    for k in range(1, 4):
        x = _conv(x, filters * 2**k, strides=2, name=f"enc{k}")
        x = _conv(x, filters * 2**k, name=f"enc{k}b")
        skips.append(x)
    small = size // 8
    # A 1×1 conv narrows the 1/8-size map first: the fully connected layers stay small.
    x = _conv(x, filters * 2, kernel=1, name="enc_narrow")
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(2 * bottleneck, kernel_initializer=_G_INIT, name="fc")(x)
    x = MaxFeatureMap(name="fc_mfm")(x)
    x = keras.layers.Dense(small * small * filters * 2, kernel_initializer=_G_INIT, name="fc_up")(x)
    x = keras.layers.Reshape((small, small, filters * 2), name="fc_reshape")(x)
    x = keras.layers.ReLU(name="fc_up_act")(x)
    x = keras.layers.Concatenate(name="dec3_skip")([x, skips[3]])
    x = _conv(x, filters * 8, name="dec3")

    # Local pathways on landmark patches, placed at the frontal template and max-fused.
    placed = []
    for i, (part, indices, _) in enumerate(PARTS):
        patch = LandmarkPatch(indices, patch_size(i, size), name=f"{part}_patch")([images, landmarks])
        feats = _local_pathway(patch, local_filters, part)
        centre = np.mean([template[j] for j in indices], axis=0)
        placed.append(_place(feats, centre, size, name=f"{part}_place"))
    local = keras.layers.Maximum(name="local_fusion")(placed)

    outputs = []
    previous = None
    for k, scale in ((2, "frontal_4"), (1, "frontal_2"), (0, "frontal")):
        x = _up(x, filters * 2**k, name=f"up{k}")
        parts = [x, skips[k]]
        if previous is not None:
            parts.append(keras.layers.UpSampling2D(2, interpolation="bilinear", name=f"{scale}_prev")(previous))
        if k == 0:
            parts.append(local)
        x = keras.layers.Concatenate(name=f"dec{k}_in")(parts)
        x = _conv(x, filters * 2**k, name=f"dec{k}")
        if k == 0:
            x = _conv(x, filters, name="dec0b")
        image = keras.layers.Conv2D(channels, 3, padding="same", kernel_initializer=_G_INIT, name=f"{scale}_conv")(x)
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
        x = keras.layers.Conv2D(filters * 2**stage, 4, strides=2, padding="same", kernel_initializer=_INIT,
                                use_bias=stage == 0, name=f"down{stage + 1}")(x)
        if stage:
            x = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=f"down{stage + 1}_bn")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"down{stage + 1}_act")(x)
    logits = keras.layers.Conv2D(1, 3, padding="same", kernel_initializer=_INIT, dtype="float32", name="logits")(x)
    return keras.Model(images, logits, name="discriminator")


class _IdentityPretraining(keras.callbacks.Callback):
    """Trains the identity network on the fit data before the first GAN step, once.

    Added last by ``FrontalizationGAN.fit``, so a ``BackupAndRestore`` earlier in the list has
    already restored a resumed run (whose identity network is then ready and is not retrained).
    """

    def __init__(self, dataset):
        super().__init__()
        self.dataset = dataset

    def on_train_begin(self, logs=None):
        self.model.train_identity_network(self.dataset)


@keras.saving.register_keras_serializable(package="ganzoo")
class FrontalizationGAN(GAN):
    """TP-GAN-style face frontalization (Huang et al. 2017, arXiv 1704.04086).

    Args:
        image_shape: ``(S, S, 3)``, S in 32, 64 (default), 128 (the paper's).
        num_identities: classes of the identity network (the dataset's identity count; labels
            are global, test identities included).
        g_filters, local_filters, d_filters: widths of the global pathway, the local
            pathways and the discriminator.
        bottleneck: width of the global pathway's fully connected MFM layer (paper 256).
        pixel_weight, sym_weight, adv_weight, ip_weight, tv_weight: the weights of L_pixel,
            L_sym (λ1), L_adv (λ2), L_ip (λ3), L_tv (λ4); 0 switches a term off (it is still logged).
        identity_filters: width of the identity network.
        identity_weights: a local ``.weights.h5``/``.keras`` file for the identity network;
            None trains it inside ``fit`` before the first GAN step.
        identity_steps, identity_learning_rate, identity_max_yaw: its training: steps (batches
            of the fit data), Adam's learning rate, and the largest |yaw| (degrees) of the
            poses it sees besides the frontals.
        template: the five frontal landmark positions as (x, y) fractions of the image size,
            where the local pathways' features are placed (default: synthfaces' mean).
        preview_data, preview_options: the dataset (``ganzoo.data.load`` name and options)
            whose ``test`` split ``generate`` frontalizes; None disables ``generate``.
        seed: seed of the preview choice.

    Data: batches of ``(images, {"landmarks", "frontal", ...})`` as ``synthfaces`` and
    ``pairs:<path>`` yield. ``compile()`` defaults to Adam(2e-4, β1 0.5) for G and D.
    """

    def __init__(
        self,
        image_shape: Sequence[int] = (64, 64, 3),
        num_identities: int = 500,
        g_filters: int = 16,
        local_filters: int = 16,
        d_filters: int = 32,
        bottleneck: int = 256,
        pixel_weight: float = 1.0,
        sym_weight: float = 0.3,
        adv_weight: float = 1e-3,
        ip_weight: float = 3e-3,
        tv_weight: float = 1e-4,
        identity_filters: int = 16,
        identity_weights: str | None = None,
        identity_steps: int = 1500,
        identity_learning_rate: float = 1e-3,
        identity_max_yaw: float = 30.0,
        template: Sequence[Sequence[float]] | None = None,
        preview_data: str | None = "synthfaces",
        preview_options: dict[str, Any] | None = None,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        image_shape = check_image_shape(image_shape)
        template = [tuple(float(v) for v in p) for p in (template or SYNTHFACES_TEMPLATE)]
        if len(template) != NUM_LANDMARKS or any(len(p) != 2 or not (0 < p[0] < 1 and 0 < p[1] < 1) for p in template):
            raise GanzooError(
                f"ganzoo: template={template} must be {NUM_LANDMARKS} (x, y) positions inside (0, 1), "
                "fractions of the image size."
            )
        weights = dict(zip(LOSS_NAMES, (pixel_weight, sym_weight, adv_weight, ip_weight, tv_weight)))
        for name, value in weights.items():
            if not float(value) >= 0.0:
                raise GanzooError(f"ganzoo: the weight of {name} is {value}; loss weights must be >= 0 (0 turns a term off).")
        for key in ("generator", "discriminator", "latent_dim"):
            kwargs.pop(key, None)
        super().__init__(
            generator=build_generator(image_shape, g_filters, local_filters, bottleneck, template),
            discriminator=build_discriminator(image_shape, d_filters),
            latent_dim=0,
            seed=seed,
            **kwargs,
        )
        self.image_shape = image_shape
        self.num_identities = int(num_identities)
        self.g_filters, self.local_filters, self.d_filters = int(g_filters), int(local_filters), int(d_filters)
        self.bottleneck = int(bottleneck)
        self.loss_weights_by_name = {k: float(v) for k, v in weights.items()}
        self.identity_filters = int(identity_filters)
        self.identity_weights = identity_weights
        self.identity_steps = int(identity_steps)
        self.identity_learning_rate = float(identity_learning_rate)
        self.identity_max_yaw = float(identity_max_yaw)
        self.template = template
        self.preview_data = preview_data
        self.preview_options = dict(preview_options or {})
        self.identity_network = identity_lib.build_identity_network(image_shape, num_identities, identity_filters)
        # 1 once the identity network is trained or loaded; saved with the weights, so a
        # resumed or reloaded model does not train it again.
        self.identity_ready = keras.Variable(0, dtype="int32", trainable=False, name="identity_ready")
        object.__setattr__(self, "_identity_features", identity_lib.feature_model(self.identity_network))
        object.__setattr__(self, "_preview_cache", None)
        if identity_weights:
            identity_lib.load_weights(self.identity_network, identity_weights)
            self.identity_ready.assign(1)

    # ------------------------------------------------------------ identity net

    def train_identity_network(self, dataset, steps: int | None = None, log_every: int = 200) -> list[float]:
        """Trains the identity network on ``dataset`` unless it is ready; then it stays frozen."""
        if int(self.identity_ready.numpy()):
            return []
        steps = self.identity_steps if steps is None else int(steps)
        history = identity_lib.train(
            self.identity_network, dataset, steps, self.identity_learning_rate, self.identity_max_yaw,
            strategy=self.distribute_strategy, log_every=log_every,
        )
        self.identity_ready.assign(1)
        return history

    def fit(self, x=None, *args: Any, callbacks=None, **kwargs: Any):
        """Keras ``fit``; first trains the identity network on ``x`` if it is not ready."""
        if isinstance(x, tf.data.Dataset):
            self.check_batch(x.element_spec)  # before the identity network reads it
        callbacks = list(callbacks or []) + [_IdentityPretraining(x)]
        return super().fit(x, *args, callbacks=callbacks, **kwargs)

    # ------------------------------------------------------------------ hooks

    def default_optimizers(self):
        return (
            keras.optimizers.Adam(2e-4, beta_1=0.5, name="g_adam"),
            keras.optimizers.Adam(2e-4, beta_1=0.5, name="d_adam"),
        )

    def metric_names(self) -> list[str]:
        return super().metric_names() + list(LOSS_NAMES)

    def sample_noise(self, batch_size):
        """TP-GAN here is deterministic: an empty ``[batch, 0]`` noise tensor."""
        return tf.zeros([batch_size, 0], tf.float32)

    def _check_images(self, images, what: str) -> None:
        shape = tuple(images.shape[1:])
        if shape != self.image_shape:
            raise GanzooError(
                f"ganzoo: {what} have shape {shape} per image; this FrontalizationGAN takes "
                f"{self.image_shape} (set data.image_size={self.image_shape[0]} or build the model for your size)."
            )

    def check_batch(self, data: Any) -> None:
        """Checks the structure and static shapes of a batch (tensors) or an element_spec (TensorSpecs)."""
        if not (isinstance(data, (tuple, list)) and len(data) == 2 and isinstance(data[1], dict)):
            raise GanzooError(
                "ganzoo: FrontalizationGAN trains on (images, {'landmarks': ..., 'frontal': ...}) batches "
                "such as synthfaces or pairs:<path> yield; this batch has no landmarks dictionary."
            )
        images, info = data
        for key in ("landmarks", "frontal"):
            if key not in info:
                raise GanzooError(
                    f"ganzoo: the batch has no '{key}' (it has {', '.join(sorted(info))}); FrontalizationGAN needs "
                    "the pose images, their landmarks and the frontal truth."
                )
        self._check_images(images, "pose images")
        self._check_images(info["frontal"], "frontal images")
        self._check_landmark_shape(info["landmarks"])

    def unpack(self, data: Any) -> tuple[Tensor, dict[str, Tensor]]:
        """``(images, {"landmarks", "frontal", ...})`` -> (frontal truth, {"images", "landmarks"})."""
        self.check_batch(data)
        images, info = data
        landmarks = self._checked_landmarks(info["landmarks"])
        return tf.cast(info["frontal"], tf.float32), {"images": tf.cast(images, tf.float32), "landmarks": landmarks}

    def _check_landmark_shape(self, landmarks) -> None:
        if tuple(landmarks.shape[1:]) != (NUM_LANDMARKS, 2):
            raise GanzooError(
                f"ganzoo: landmarks have shape {tuple(landmarks.shape[1:])} per image; FrontalizationGAN takes "
                f"({NUM_LANDMARKS}, 2) (x, y) pixel positions: left_eye, right_eye, nose, mouth_left, mouth_right."
            )

    def _checked_landmarks(self, landmarks):
        """float32 landmarks, with a run-time check that they lie inside the image."""
        landmarks = tf.cast(landmarks, tf.float32)
        size = float(self.image_shape[0])
        inside = tf.reduce_all((landmarks >= 0.0) & (landmarks <= size - 1.0))
        message = (f"ganzoo: landmarks outside the {int(size)}x{int(size)} image; landmarks are (x, y) "
                   f"pixel positions in [0, {int(size) - 1}]")
        with tf.control_dependencies([tf.debugging.Assert(inside, [message])]):
            return tf.identity(landmarks)

    def generate_fakes(self, z, condition=None, training: bool = False) -> Tensor:
        """G(images, landmarks), the full-size frontal (z is ignored)."""
        return self.generator([condition["images"], condition["landmarks"]], training=training)[-1]

    def discriminate(self, x, condition=None, training: bool = False) -> Tensor:
        return tf.cast(self.discriminator(x, training=training), tf.float32)

    def loss_terms(self, real: Tensor, condition: dict[str, Tensor], real_out: Tensor | None, training: bool):
        """The five per-example synthesis terms (unweighted) by name, and the full-size output."""
        outputs = self.generator([condition["images"], condition["landmarks"]], training=training)
        fake = outputs[-1]
        fake_out = self.discriminate(fake, condition, training=training)
        fake_features = self._identity_features(fake, training=False)
        real_features = [tf.stop_gradient(f) for f in self._identity_features(real, training=False)]
        terms = {
            "l_pixel": fl.pixel_loss(outputs, real),
            "l_sym": fl.symmetry_loss(fake),
            "l_adv": self.loss_fn.generator(fake_out, real_out),
            "l_ip": fl.identity_preserving_loss(fake_features, real_features),
            "l_tv": fl.total_variation_loss(fake),
        }
        return terms, fake

    def _generator_losses(self, real, condition, real_out, training, z=None, fake=None):
        """L_syn = Σ weight·term, averaged over the global batch; every term is logged unweighted.

        The pixel loss needs every decoder scale, so the generator runs here even when the base
        passes the D step's full-size ``fake`` (``compile(reuse_fakes=True)``).
        """
        terms, fake = self.loss_terms(real, condition, real_out, training)
        per_example = tf.add_n([self.loss_weights_by_name[n] * t for n, t in terms.items()])
        total = _average(per_example)
        logs = {"g_loss": tf.reduce_mean(per_example)}
        logs.update({name: tf.reduce_mean(t) for name, t in terms.items()})
        if z is None:
            z = self.sample_noise(tf.shape(real)[0])
        for name, term in self._generator_remedies(real, z, fake, condition).items():
            total += _average(term)
            logs[name] = tf.reduce_mean(term)
        if self.generator.losses:
            total += tf.nn.scale_regularization_loss(tf.add_n(self.generator.losses))
        return total, logs

    # --------------------------------------------------------------- inference

    def call(self, inputs: Any, training: bool = False) -> Tensor:
        """``(images, landmarks)`` or ``{"images", "landmarks"}`` -> frontal images."""
        if isinstance(inputs, dict):
            inputs = (inputs["images"], inputs["landmarks"])
        images, landmarks = inputs
        return self.generator([images, landmarks], training=training)[-1]

    def frontalize(self, images: np.ndarray, landmarks: np.ndarray, batch_size: int = 64) -> np.ndarray:
        """Frontal views of ``images`` ``[n, S, S, 3]`` in [-1, 1] with ``landmarks`` ``[n, 5, 2]`` (x, y pixels).

        Returns float32 ``[n, S, S, 3]`` in [-1, 1].
        """
        images = np.asarray(images, np.float32)
        if landmarks is None:
            raise GanzooError("ganzoo: frontalize needs landmarks [n, 5, 2] (x, y pixels); nothing here detects them.")
        landmarks = np.asarray(landmarks, np.float32)
        if images.ndim != 4:
            raise GanzooError(f"ganzoo: images have shape {images.shape}; frontalize takes [n, H, W, 3].")
        self._check_images(images, "images")
        self._check_landmark_shape(landmarks)
        if len(landmarks) != len(images):
            raise GanzooError(
                f"ganzoo: {len(landmarks)} sets of landmarks for {len(images)} images; give one [5, 2] set per image."
            )
        size = self.image_shape[0]
        bad = np.flatnonzero(((landmarks < 0) | (landmarks > size - 1)).any(axis=(1, 2)))
        if len(bad):
            raise GanzooError(
                f"ganzoo: landmarks of image {int(bad[0])} lie outside the {size}x{size} image "
                f"({landmarks[bad[0]].tolist()}); give (x, y) pixel positions in [0, {size - 1}]."
            )
        chunks = [
            np.asarray(self.generator([images[i : i + batch_size], landmarks[i : i + batch_size]], training=False)[-1])
            for i in range(0, len(images), batch_size)
        ]
        return np.concatenate(chunks).astype(np.float32) if chunks else np.zeros((0,) + self.image_shape, np.float32)

    def preview(self, n: int, seed: int | None = None) -> dict[str, np.ndarray]:
        """``n`` held-out faces: ``pose``, ``output`` (frontalized) and ``frontal`` (truth), each ``[n, S, S, 3]``.

        The faces come from the ``test`` split of ``preview_data`` (its first 1,024 examples,
        unshuffled), chosen by ``seed``; the same seed gives the same faces.
        """
        if not self.preview_data:
            raise GanzooError("ganzoo: this FrontalizationGAN has preview_data=None; pass images and landmarks to frontalize().")
        if self._preview_cache is None:
            from ganzoo import data as data_lib  # only previews need a dataset
            from ganzoo.data import pairs, synthfaces  # noqa: F401  (registers the face sources)

            options = {**self.preview_options, "image_size": self.image_shape[0]}
            batch = next(iter(data_lib.load(self.preview_data, split="test", batch_size=1024, shuffle=False, **options)))
            pose, info = batch
            object.__setattr__(self, "_preview_cache", {
                "pose": pose.numpy(), "landmarks": info["landmarks"].numpy(), "frontal": info["frontal"].numpy(),
            })
        pool = self._preview_cache
        rng = np.random.default_rng(self.seed if seed is None else int(seed))
        pick = rng.choice(len(pool["pose"]), size=int(n), replace=int(n) > len(pool["pose"]))
        return {
            "pose": pool["pose"][pick],
            "output": self.frontalize(pool["pose"][pick], pool["landmarks"][pick]),
            "frontal": pool["frontal"][pick],
        }

    def generate(self, n: int, seed: int | None = None, **unused: Any) -> np.ndarray:
        """Frontalizes ``n`` fixed held-out faces (see ``preview``): ``[n, S, S, 3]`` in [-1, 1].

        There is no noise to sample: ``SampleGrid`` therefore shows the same held-out poses,
        frontalized, as training goes on. ``preview`` also returns the inputs and the truths.
        """
        return self.preview(n, seed)["output"]

    def serving_networks(self) -> list[keras.Model]:
        return [self.generator]

    def serving_endpoints(self) -> dict[str, tuple[Callable, list[tf.TensorSpec]]]:
        """``serving_default``: ``images`` float32 ``[None, S, S, 3]`` in [-1, 1] and ``landmarks``
        float32 ``[None, 5, 2]`` (x, y pixels; required, not detected) -> ``frontal`` float32
        ``[None, S, S, 3]`` in [-1, 1]."""
        generator, shape = self.generator, self.image_shape

        def serve(images, landmarks):
            return {"frontal": tf.cast(generator([images, landmarks], training=False)[-1], tf.float32)}

        return {
            "serving_default": (serve, [
                tf.TensorSpec([None, *shape], tf.float32, name="images"),
                tf.TensorSpec([None, NUM_LANDMARKS, 2], tf.float32, name="landmarks"),
            ]),
        }

    @property
    def data_shape(self) -> tuple[int, ...]:
        return self.image_shape

    # ----------------------------------------------------------- serialization

    def get_config(self) -> dict[str, Any]:
        w = self.loss_weights_by_name
        return {
            "name": self.name,
            "image_shape": list(self.image_shape),
            "num_identities": self.num_identities,
            "g_filters": self.g_filters,
            "local_filters": self.local_filters,
            "d_filters": self.d_filters,
            "bottleneck": self.bottleneck,
            "pixel_weight": w["l_pixel"],
            "sym_weight": w["l_sym"],
            "adv_weight": w["l_adv"],
            "ip_weight": w["l_ip"],
            "tv_weight": w["l_tv"],
            "identity_filters": self.identity_filters,
            "identity_weights": self.identity_weights,
            "identity_steps": self.identity_steps,
            "identity_learning_rate": self.identity_learning_rate,
            "identity_max_yaw": self.identity_max_yaw,
            "template": [list(p) for p in self.template],
            "preview_data": self.preview_data,
            "preview_options": self.preview_options,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "FrontalizationGAN":
        config = dict(config)
        # The saved weights already hold the identity network; its source file may be gone.
        config["identity_weights"] = None
        return cls(**config)
