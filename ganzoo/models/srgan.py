"""SRGAN: photo-realistic single-image super-resolution with a GAN.

Ledig et al. 2017, "Photo-Realistic Single Image Super-Resolution Using a Generative Adversarial
Network", arXiv 1609.04802.

The idea: a deep residual generator (SRResNet: B residual blocks, two ×2 sub-pixel upsamplers)
maps a low-resolution image to one 4× larger. Trained on pixel MSE alone it gives the best PSNR
but blurry textures; SRGAN fine-tunes it with a perceptual loss — a content term on VGG19 features
(φ5,4, before the activation, rescaled by 1/12.75) plus 1e-3 × the adversarial term of a
VGG-style discriminator — which trades PSNR for sharp, natural textures.

Training in ganzoo: one model, up to two phases, counted by the generator's optimizer steps.
``adv_weight=0`` is SRResNet (G on the content loss; D is never run). With ``adv_weight > 0`` the
first ``pretrain_steps`` steps are SRResNet MSE pre-training and the rest are GAN fine-tuning
initialised from it (the paper's recipe, from one config); ``init_generator`` instead starts G
from a saved SRResNet run. Data are ``(lr, hr)`` pairs in [-1, 1] (``ganzoo.data.photos``).

Where ganzoo departs from the paper:
- the paper's LR inputs are in [0, 1]; here LR and HR are both in [-1, 1] (the zoo's range);
  the serving signatures take and return [0, 1] (float) or uint8;
- the paper's MSE is on [-1, 1] outputs, as here; the 1/12.75 VGG rescaling is applied to the
  feature maps (the loss is the MSE of φ/12.75), the usual reading of the paper's sentence;
- optional ``residual_to_bicubic`` (default off, the paper's network): G adds its output to a
  bicubic upsampling of the input and its last layer starts at zero, so training starts at
  bicubic quality — the 30-CPU-minute configs use it to converge in ~1e3 steps, not 1e6;
- one Adam per network for both phases (the paper restarts training at fine-tuning), and no
  learning-rate step at 1e5 GAN steps (set the optimizers' schedules in code if wanted);
- the discriminator's input size is fixed by the training crop (the paper's dense layers need
  it); the generator is fully convolutional and serves images of any size;
- LR images are made with TensorFlow's antialiased bicubic (rounded to 8-bit levels), not
  MATLAB's ``imresize``;
- the GAN step runs G once: D is updated on that output (without gradient), then G's loss
  uses the updated D (the order of PyTorch SRGAN code; the base's ``reuse_fakes=True``).
"""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence

import keras
import numpy as np
import tensorflow as tf

from ganzoo.errors import GanzooError
from ganzoo.models.base import GAN
from ganzoo.training import average as _average

Tensor = tf.Tensor

SCALES = (2, 3, 4)
CONTENT_LOSSES = ("mse", "vgg")
VGG19_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
VGG19_ENV = "GANZOO_VGG19_WEIGHTS"
# Caffe-style VGG preprocessing: BGR, ImageNet channel means, [0, 255].
_VGG_MEAN_BGR = (103.939, 116.779, 123.68)


# ------------------------------------------------------------------ layers


@keras.saving.register_keras_serializable(package="ganzoo")
class PixelShuffle(keras.layers.Layer):
    """Sub-pixel convolution's shuffle (Shi et al. 2016): ``[b, h, w, c·r²] -> [b, h·r, w·r, c]``.

    ``tf.nn.depth_to_space``: output ``[b, h·r + i, w·r + j, k]`` = input ``[b, h, w, (i·r + j)·c + k]``.
    """

    def __init__(self, factor: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.factor = int(factor)

    def call(self, x):
        return tf.nn.depth_to_space(x, self.factor)

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        r = self.factor
        return (b, None if h is None else h * r, None if w is None else w * r, c // (r * r))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor}


@keras.saving.register_keras_serializable(package="ganzoo")
class BicubicUpsample(keras.layers.Layer):
    """Bicubic upsampling by an integer factor, for any input size: ``[b, h, w, c] -> [b, h·r, w·r, c]``."""

    def __init__(self, factor: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.factor = int(factor)

    def call(self, x):
        shape = tf.shape(x)
        return tf.image.resize(x, tf.stack([shape[1] * self.factor, shape[2] * self.factor]), method="bicubic")

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        r = self.factor
        return (b, None if h is None else h * r, None if w is None else w * r, c)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor}


# ------------------------------------------------------------------ networks


def check_scale(scale: int) -> int:
    if int(scale) not in SCALES:
        raise GanzooError(f"ganzoo: SRGAN scale={scale} is not supported; use 2, 3 or 4.")
    return int(scale)


def _upsampling_factors(scale: int) -> list[int]:
    """The paper's two ×2 sub-pixel blocks for 4×; one ×2 or one ×3 block for 2× and 3×."""
    return {2: [2], 3: [3], 4: [2, 2]}[check_scale(scale)]


def _norm(batch_norm: bool, name: str) -> keras.layers.Layer:
    if batch_norm:
        return keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name)
    return keras.layers.Identity(name=name)


def build_generator(
    scale: int = 4,
    num_blocks: int = 16,
    filters: int = 64,
    batch_norm: bool = True,
    residual_to_bicubic: bool = False,
    channels: int = 3,
) -> keras.Model:
    """SRResNet (the paper's Figure 4), fully convolutional.

    k9n64 conv + PReLU; B residual blocks (k3n64 conv, BN, PReLU, k3n64 conv, BN, + skip); k3n64
    conv, BN, + the long skip from the first layer; per ×r sub-pixel block a k3n(64·r²) conv, the
    pixel shuffle and PReLU; a k9n3 conv to the image (linear, as the paper).

    Shapes: ``[batch, h, w, channels] -> [batch, h·scale, w·scale, channels]``, any h and w,
    float32 in [-1, 1] (not clipped in training; ``SRGAN.super_resolve`` clips).
    """
    scale = check_scale(scale)
    lr = keras.Input((None, None, channels), name="lr_images")
    x = keras.layers.Conv2D(filters, 9, padding="same", name="head")(lr)
    x = keras.layers.PReLU(shared_axes=[1, 2], name="head_prelu")(x)
    long_skip = x
    for b in range(1, num_blocks + 1):
        y = keras.layers.Conv2D(filters, 3, padding="same", use_bias=not batch_norm, name=f"block{b}_conv1")(x)
        y = _norm(batch_norm, f"block{b}_bn1")(y)
        y = keras.layers.PReLU(shared_axes=[1, 2], name=f"block{b}_prelu")(y)
        y = keras.layers.Conv2D(filters, 3, padding="same", use_bias=not batch_norm, name=f"block{b}_conv2")(y)
        y = _norm(batch_norm, f"block{b}_bn2")(y)
        x = keras.layers.Add(name=f"block{b}_add")([x, y])
    x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=not batch_norm, name="body_conv")(x)
    x = _norm(batch_norm, "body_bn")(x)
    x = keras.layers.Add(name="long_skip")([long_skip, x])
    for i, factor in enumerate(_upsampling_factors(scale), start=1):
        x = keras.layers.Conv2D(filters * factor * factor, 3, padding="same", name=f"up{i}_conv")(x)
        x = PixelShuffle(factor, name=f"up{i}_shuffle")(x)
        x = keras.layers.PReLU(shared_axes=[1, 2], name=f"up{i}_prelu")(x)
    # Starting the residual at zero makes the untrained network exactly bicubic.
    tail_init = "zeros" if residual_to_bicubic else "glorot_uniform"
    x = keras.layers.Conv2D(channels, 9, padding="same", kernel_initializer=tail_init, dtype="float32", name="tail")(x)
    if residual_to_bicubic:
        base = BicubicUpsample(scale, dtype="float32", name="bicubic")(lr)
        x = keras.layers.Add(dtype="float32", name="hr_images")([base, x])
    return keras.Model(lr, x, name="generator")


def build_discriminator(
    hr_shape: Sequence[int] = (96, 96, 3), filters: int = 64, dense_units: int = 1024, batch_norm: bool = True
) -> keras.Model:
    """The paper's VGG-style discriminator.

    k3n64s1 conv + LeakyReLU(0.2); seven conv–BN–LeakyReLU blocks k3n64s2, k3n128s1, k3n128s2,
    k3n256s1, k3n256s2, k3n512s1, k3n512s2 (``filters`` scales the widths); dense 1024 +
    LeakyReLU; dense 1 (a logit; the paper's sigmoid is in the loss).

    Shapes: ``[batch, *hr_shape] -> [batch, 1]``; H and W fixed (the dense layer needs them).
    """
    images = keras.Input(tuple(int(d) for d in hr_shape), name="hr_images")
    x = keras.layers.Conv2D(filters, 3, padding="same", name="conv1")(images)
    x = keras.layers.LeakyReLU(0.2, name="conv1_act")(x)
    blocks = [(1, 2), (2, 1), (2, 2), (4, 1), (4, 2), (8, 1), (8, 2)]
    for i, (width, stride) in enumerate(blocks, start=2):
        x = keras.layers.Conv2D(filters * width, 3, strides=stride, padding="same", use_bias=not batch_norm,
                                name=f"conv{i}")(x)
        x = _norm(batch_norm, f"conv{i}_bn")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"conv{i}_act")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(dense_units, name="dense")(x)
    x = keras.layers.LeakyReLU(0.2, name="dense_act")(x)
    logits = keras.layers.Dense(1, dtype="float32", name="logits")(x)
    return keras.Model(images, logits, name="discriminator")


def vgg19_weights_path(path: str | None = None) -> str:
    """The local VGG19 weights file: ``path``, else ``$GANZOO_VGG19_WEIGHTS``; checked to exist."""
    path = path or os.environ.get(VGG19_ENV, "")
    if not path or not os.path.isfile(os.path.expanduser(path)):
        where = f"'{path}' does not exist" if path else f"no path given and ${VGG19_ENV} is not set"
        raise GanzooError(
            f"ganzoo: content_loss='vgg' needs VGG19 ImageNet weights {VGG19_FILE} at a local path ({where}); "
            f"set {VGG19_ENV} or model.vgg_weights to the file, or use content_loss='mse'."
        )
    return os.path.expanduser(path)


def build_vgg_features(weights: str | None) -> keras.Model:
    """VGG19 φ5,4: the conv5_4 feature maps *before* their ReLU, frozen.

    Input: images float32 in [-1, 1] (RGB, any size ≥ 16); caffe preprocessing is inside.
    ``weights``: a local ``.h5`` (``None`` gives random weights, for tests only).
    Shapes: ``[batch, H, W, 3] -> [batch, H/16, W/16, 512]``.
    """
    vgg = keras.applications.VGG19(include_top=False, weights=weights, input_shape=(None, None, 3))
    last = vgg.get_layer("block5_conv4")
    images = keras.Input((None, None, 3), name="images")
    x = keras.ops.flip((images + 1.0) * 127.5, axis=-1) - np.array(_VGG_MEAN_BGR, np.float32)
    features = keras.Model(vgg.input, last.input, name="vgg19_to_conv5_3")(x)
    preact = keras.layers.Conv2D(512, 3, padding="same", activation=None, name="conv5_4_preact")
    output = preact(features)
    preact.set_weights(last.get_weights())
    model = keras.Model(images, output, name="vgg19_phi54")
    model.trainable = False
    return model


# ------------------------------------------------------------------ losses and measures


def mse_per_example(predictions: Tensor, targets: Tensor) -> Tensor:
    """Pixel MSE per image, ``[batch]``: mean over H, W, C of (G(lr) − hr)²."""
    return tf.reduce_mean(tf.square(tf.cast(predictions, tf.float32) - tf.cast(targets, tf.float32)), axis=[1, 2, 3])


def psnr_per_example(predictions: Tensor, targets: Tensor) -> Tensor:
    """PSNR per image in dB for [-1, 1] RGB images (peak-to-peak 2), predictions clipped first.

    The training display; the evaluation number (Y channel, shaved border) is
    ``ganzoo.metrics.psnr``.
    """
    mse = mse_per_example(tf.clip_by_value(predictions, -1.0, 1.0), targets)
    return 10.0 * tf.math.log(4.0 / tf.maximum(mse, 1e-12)) / tf.math.log(10.0)


# ------------------------------------------------------------------ the model


@keras.saving.register_keras_serializable(package="ganzoo")
class SRGAN(GAN):
    """SRResNet / SRGAN super-resolution (Ledig et al. 2017, arXiv 1609.04802).

    Args:
        lr_shape: the training LR crop ``(h, w, 3)``; sets D's input ``(h·scale, w·scale, 3)``.
            G takes any size.
        scale: 2, 3 or 4 (paper 4).
        num_blocks: residual blocks B (paper 16).
        g_filters: G's width (paper 64). d_filters: D's first width (paper 64).
        d_dense: D's hidden dense units (paper 1024).
        batch_norm: the paper's batch norm in G's blocks and D.
        residual_to_bicubic: G predicts a residual over bicubic upsampling (a departure that
            speeds early training; off in the paper).
        content_loss: ``"vgg"`` (paper: VGG19 φ5,4 / 12.75) or ``"mse"`` (pixels).
        vgg_weights: local path of ``vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5``;
            None reads ``$GANZOO_VGG19_WEIGHTS``. Only needed for ``content_loss="vgg"``.
        vgg_rescale: factor on the VGG features (paper 1/12.75).
        adv_weight: weight of the adversarial term (paper 1e-3); 0 trains SRResNet alone.
        pretrain_steps: SRResNet MSE steps before GAN fine-tuning (paper: 1e6, a separate run).
        init_generator: a ``.keras`` file of a trained SRGAN/SRResNet (or a generator
            ``.weights.h5``) whose generator weights G starts from.
        preview_data, preview_options: the dataset (``ganzoo.data.load`` name, options) whose
            ``test`` split ``generate`` super-resolves; None disables ``generate``.
        seed: seed of the preview choice.

    Data: batches of ``(lr [b, h, w, 3], hr [b, h·scale, w·scale, 3])`` float32 in [-1, 1].
    ``compile()`` defaults to Adam(1e-4, β1 0.9) for G and D and the non-saturating loss.
    Metrics: ``content_loss``, ``mse``, ``psnr`` (training crops, RGB) and, with a
    discriminator, ``adv_loss``, ``g_loss``, ``d_loss``, ``d_real``, ``d_fake`` (these stay 0
    during pre-training steps).
    """

    def __init__(
        self,
        lr_shape: Sequence[int] = (24, 24, 3),
        scale: int = 4,
        num_blocks: int = 16,
        g_filters: int = 64,
        d_filters: int = 64,
        d_dense: int = 1024,
        batch_norm: bool = True,
        residual_to_bicubic: bool = False,
        content_loss: str = "vgg",
        vgg_weights: str | None = None,
        vgg_rescale: float = 1.0 / 12.75,
        adv_weight: float = 1e-3,
        pretrain_steps: int = 0,
        init_generator: str | None = None,
        preview_data: str | None = "photos",
        preview_options: dict[str, Any] | None = None,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        scale = check_scale(scale)
        lr_shape = tuple(int(d) for d in lr_shape)
        if len(lr_shape) != 3 or lr_shape[2] != 3 or min(lr_shape[:2]) < 1:
            raise GanzooError(
                f"ganzoo: SRGAN lr_shape={lr_shape} must be (height, width, 3) of the LR training crops; "
                "the data's RGB (lr, hr) pairs set it."
            )
        if content_loss not in CONTENT_LOSSES:
            raise GanzooError(f"ganzoo: content_loss='{content_loss}' is unknown; use 'vgg' or 'mse'.")
        if not float(adv_weight) >= 0.0:
            raise GanzooError(f"ganzoo: adv_weight={adv_weight} must be >= 0 (0 trains SRResNet alone).")
        if int(pretrain_steps) < 0:
            raise GanzooError(f"ganzoo: pretrain_steps={pretrain_steps} must be >= 0.")
        for key in ("generator", "discriminator", "latent_dim"):
            kwargs.pop(key, None)
        hr_shape = (lr_shape[0] * scale, lr_shape[1] * scale, 3)
        super().__init__(
            generator=build_generator(scale, num_blocks, g_filters, batch_norm, residual_to_bicubic),
            discriminator=build_discriminator(hr_shape, d_filters, d_dense, batch_norm),
            latent_dim=0,
            seed=seed,
            **kwargs,
        )
        self.lr_shape, self.hr_shape, self.scale = lr_shape, hr_shape, scale
        self.num_blocks, self.g_filters, self.d_filters, self.d_dense = (
            int(num_blocks), int(g_filters), int(d_filters), int(d_dense))
        self.batch_norm, self.residual_to_bicubic = bool(batch_norm), bool(residual_to_bicubic)
        self.content_loss, self.vgg_weights, self.vgg_rescale = content_loss, vgg_weights or None, float(vgg_rescale)
        self.adv_weight, self.pretrain_steps = float(adv_weight), int(pretrain_steps)
        self.init_generator = init_generator or None
        self.preview_data, self.preview_options = preview_data, dict(preview_options or {})
        object.__setattr__(self, "_vgg", None)
        object.__setattr__(self, "_preview_cache", None)
        object.__setattr__(self, "_loading", False)
        object.__setattr__(self, "_gan_phase", self.adv_weight > 0.0 and self.pretrain_steps == 0)
        if init_generator:
            self._load_generator(init_generator)

    def _load_generator(self, path: str) -> None:
        if not os.path.isfile(os.path.expanduser(path)):
            raise GanzooError(
                f"ganzoo: init_generator='{path}' does not exist; pass a trained SRResNet run's "
                "checkpoints/model.keras (or a generator .weights.h5)."
            )
        path = os.path.expanduser(path)
        if path.endswith(".keras"):
            source = keras.models.load_model(path, compile=False)
            weights = source.generator.get_weights()
            shapes = [w.shape for w in weights]
            if shapes != [tuple(w.shape) for w in self.generator.weights]:
                raise GanzooError(
                    f"ganzoo: init_generator='{path}' holds a generator of another architecture; match "
                    "scale, num_blocks, g_filters, batch_norm and residual_to_bicubic to that run."
                )
            self.generator.set_weights(weights)
        else:
            self.generator.load_weights(path)

    # ------------------------------------------------------------ compile

    def default_optimizers(self):
        """The paper's Adam(1e-4, β1 = 0.9) for G and D."""
        return (
            keras.optimizers.Adam(1e-4, beta_1=0.9, name="g_adam"),
            keras.optimizers.Adam(1e-4, beta_1=0.9, name="d_adam"),
        )

    def compile(self, g_optimizer=None, d_optimizer=None, loss="non_saturating", d_steps=1, label_smoothing=0.0,
                feature_matching=0.0, pulling_away=0.0, balance_gamma=None, **kwargs: Any) -> None:
        """``GAN.compile``; feature matching, the pulling-away term and BEGAN balance are not offered.

        With ``content_loss="vgg"`` and ``adv_weight > 0`` the VGG19 weights file must exist
        (checked here, before the first step).
        """
        for name, value in (("feature_matching", feature_matching), ("pulling_away", pulling_away),
                            ("balance_gamma", balance_gamma)):
            if value:
                raise GanzooError(
                    f"ganzoo: SRGAN does not support compile({name}={value}); its generator has a content "
                    "loss instead (content_loss, adv_weight)."
                )
        super().compile(g_optimizer, d_optimizer, loss=loss, d_steps=d_steps, label_smoothing=label_smoothing,
                        **kwargs)
        object.__setattr__(self, "_vgg", None)
        if self._needs_vgg and not self._loading:
            vgg19_weights_path(self.vgg_weights)

    def compile_from_config(self, config: dict[str, Any]) -> None:
        # Loading a saved model must not need the VGG file; fit() asks for it.
        object.__setattr__(self, "_loading", True)
        try:
            super().compile_from_config(config)
        finally:
            object.__setattr__(self, "_loading", False)

    @property
    def _needs_vgg(self) -> bool:
        return self.content_loss == "vgg" and self.adv_weight > 0.0

    def _ensure_content_network(self) -> None:
        if self._needs_vgg and self._vgg is None:
            object.__setattr__(self, "_vgg", build_vgg_features(vgg19_weights_path(self.vgg_weights)))

    def fit(self, *args: Any, callbacks=None, **kwargs: Any):
        """Keras ``fit``; switches from pre-training to GAN steps at ``pretrain_steps`` G steps."""
        self._check_compiled()
        self._ensure_content_network()
        if self.sync_phase():
            self.train_function = None  # traced for the other phase by an earlier fit
        callbacks = list(callbacks or []) + [_PhaseSwitch()]
        return super().fit(*args, callbacks=callbacks, **kwargs)

    def evaluate(self, *args: Any, **kwargs: Any):
        self._check_compiled()
        self._ensure_content_network()
        return super().evaluate(*args, **kwargs)

    # ------------------------------------------------------------ hooks

    def metric_names(self) -> list[str]:
        names = ["content_loss", "mse", "psnr"]
        if self.adv_weight > 0.0:
            names += ["adv_loss", "g_loss", "d_loss", "d_real", "d_fake"]
        return names

    def sample_noise(self, batch_size):
        """SRGAN's generator is deterministic: an empty ``[batch, 0]`` noise tensor."""
        return tf.zeros([batch_size, 0], tf.float32)

    def unpack(self, data: Any) -> tuple[Tensor, dict[str, Tensor]]:
        """``(lr, hr)`` -> (hr, {"lr": lr}): the real images and the generator's condition."""
        if not (isinstance(data, (tuple, list)) and len(data) == 2):
            raise GanzooError(
                "ganzoo: SRGAN trains on (lr, hr) pairs such as the photos or sr_crops:<...> datasets yield; "
                "this batch is not a pair."
            )
        lr, hr = data
        for what, x in (("lr", lr), ("hr", hr)):
            if x.dtype != tf.float32:
                raise GanzooError(
                    f"ganzoo: SRGAN's {what} images are {x.dtype.name}; it trains on float32 in [-1, 1] "
                    "(ganzoo.data sources yield that; map uint8 with x / 127.5 - 1)."
                )
        if tuple(hr.shape[1:]) != self.hr_shape or tuple(lr.shape[1:]) != self.lr_shape:
            raise GanzooError(
                f"ganzoo: the batch's lr {tuple(lr.shape[1:])} / hr {tuple(hr.shape[1:])} crops do not match this "
                f"SRGAN's lr_shape {self.lr_shape} and hr {self.hr_shape} (scale {self.scale}); build the model "
                "from the data (ganzoo.train does) or set data.image_size and data.scale to match."
            )
        return hr, {"lr": lr}

    def generate_fakes(self, z, condition=None, training: bool = False) -> Tensor:
        """G(lr) (z is empty); a step that already ran G passes its output as ``condition["sr"]``."""
        if "sr" in condition:
            return condition["sr"]
        return tf.cast(self.generator(condition["lr"], training=training), tf.float32)

    def content_terms(self, sr: Tensor, hr: Tensor, pixel_only: bool = False) -> tuple[Tensor, Tensor]:
        """Per-example (content loss, pixel MSE); the content loss is the MSE when ``pixel_only``."""
        mse = mse_per_example(sr, hr)
        if pixel_only or self.content_loss == "mse":
            return mse, mse
        fake_features = tf.cast(self._vgg(sr, training=False), tf.float32) * self.vgg_rescale
        real_features = tf.stop_gradient(tf.cast(self._vgg(hr, training=False), tf.float32) * self.vgg_rescale)
        return mse_per_example(fake_features, real_features), mse

    # ------------------------------------------------------------ steps

    def _srresnet_step(self, lr: Tensor, hr: Tensor) -> None:
        """One generator update on the pixel MSE (SRResNet; also GAN pre-training)."""
        with tf.GradientTape() as tape:
            sr = tf.cast(self.generator(lr, training=True), tf.float32)
            content, mse = self.content_terms(sr, hr, pixel_only=True)
            total = _average(content)
            if self.generator.losses:
                total += tf.nn.scale_regularization_loss(tf.add_n(self.generator.losses))
        self._apply(self.g_optimizer, tape, total, self.generator.trainable_variables)
        self._track({"content_loss": tf.reduce_mean(content), "mse": tf.reduce_mean(mse),
                     "psnr": tf.reduce_mean(psnr_per_example(sr, hr))})

    def _gan_step(self, lr: Tensor, hr: Tensor) -> None:
        """``d_steps`` D updates on G's output for this batch, then one G update on
        content + adv_weight × adversarial, through the updated D. G runs once."""
        with tf.GradientTape() as g_tape:
            sr = tf.cast(self.generator(lr, training=True), tf.float32)
            with g_tape.stop_recording():
                condition = {"lr": lr, "sr": tf.stop_gradient(sr)}
                for _ in range(self.d_steps):
                    with tf.GradientTape() as d_tape:
                        d_total, d_logs, real_out = self._discriminator_losses(hr, condition, True)
                    self._apply(self.d_optimizer, d_tape, d_total, self.discriminator.trainable_variables)
                    self.after_discriminator_step()
            fake_out = self.discriminate(sr, condition, training=True)
            adv = self.loss_fn.generator(fake_out, tf.stop_gradient(real_out))
            content, mse = self.content_terms(sr, hr)
            per_example = content + self.adv_weight * adv
            total = _average(per_example)
            if self.generator.losses:
                total += tf.nn.scale_regularization_loss(tf.add_n(self.generator.losses))
        self._apply(self.g_optimizer, g_tape, total, self.generator.trainable_variables)
        self._track({**d_logs, "content_loss": tf.reduce_mean(content), "mse": tf.reduce_mean(mse),
                     "psnr": tf.reduce_mean(psnr_per_example(sr, hr)), "adv_loss": tf.reduce_mean(adv),
                     "g_loss": tf.reduce_mean(per_example)})

    def _track(self, values: dict[str, Tensor]) -> None:
        for name, value in values.items():
            if name in self._trackers:
                self._trackers[name].update_state(value)

    def _results(self) -> dict[str, Tensor]:
        return {name: tracker.result() for name, tracker in self._trackers.items()}

    def train_step(self, data: Any) -> dict[str, Tensor]:
        """An SRResNet step (``adv_weight=0``, or the first ``pretrain_steps``), else a GAN step.

        The phase is fixed when the step is traced; ``fit`` retraces it when G's step count
        reaches ``pretrain_steps`` (a Python switch, not ``tf.cond``: optimizer updates inside
        control flow fail under ``MirroredStrategy``).
        """
        hr, condition = self.unpack(data)
        if self._gan_phase:
            self._gan_step(condition["lr"], hr)
        else:
            self._srresnet_step(condition["lr"], hr)
        return self._results()

    def sync_phase(self) -> bool:
        """Sets the training phase from G's step count; True when it changed.

        G's step count is in checkpoints, so a resumed run continues in its phase.
        """
        gan = self.adv_weight > 0.0 and int(tf.convert_to_tensor(self.g_optimizer.iterations.value).numpy()) >= self.pretrain_steps
        if gan == self._gan_phase:
            return False
        object.__setattr__(self, "_gan_phase", gan)
        return True

    def test_step(self, data: Any) -> dict[str, Tensor]:
        """The training losses on this batch, without updates, in inference mode."""
        hr, condition = self.unpack(data)
        sr = self.generate_fakes(None, condition, training=False)
        content, mse = self.content_terms(sr, hr)
        values = {"content_loss": tf.reduce_mean(content), "mse": tf.reduce_mean(mse),
                  "psnr": tf.reduce_mean(psnr_per_example(sr, hr))}
        if self.adv_weight > 0.0:
            condition = {**condition, "sr": sr}
            _, d_logs, real_out = self._discriminator_losses(hr, condition, False)
            adv = self.loss_fn.generator(self.discriminate(sr, condition, False), real_out)
            values.update(d_logs)
            values.update({"adv_loss": tf.reduce_mean(adv),
                           "g_loss": tf.reduce_mean(content + self.adv_weight * adv)})
        self._track(values)
        return self._results()

    # ------------------------------------------------------------ inference

    def call(self, lr: Tensor, training: bool = False) -> Tensor:
        """G(lr): ``[b, h, w, 3] -> [b, h·scale, w·scale, 3]`` in [-1, 1] (unclipped)."""
        return self.generator(lr, training=training)

    def super_resolve(self, images: Any, value_range: tuple[float, float] = (-1.0, 1.0)) -> Any:
        """Super-resolves images of any size.

        Args:
            images: one ``[h, w, C]`` image, a batch ``[n, h, w, C]`` or a list of images of
                different sizes. uint8 arrays are read as [0, 255] and give uint8 results;
                float arrays must lie in ``value_range`` (ganzoo's (-1, 1) by default; pass
                (0, 1) for [0, 1] floats). C = 1 (grayscale, replicated to RGB) or 4 (RGBA,
                alpha dropped) are converted; the result is RGB.
            value_range: the range of float inputs and outputs.

        Returns:
            The same structure, ``scale``× larger, clipped to the input's range and dtype.
        """
        if isinstance(images, (list, tuple)):
            return [self.super_resolve(image, value_range) for image in images]
        x = np.asarray(images)
        single = x.ndim in (2, 3)
        if x.ndim == 2:
            x = x[None, ..., None]
        elif x.ndim == 3:
            x = x[None]
        if x.ndim != 4 or x.shape[-1] not in (1, 3, 4):
            raise GanzooError(
                f"ganzoo: super_resolve takes [h, w, C] or [n, h, w, C] images with C in 1, 3, 4; got shape {np.shape(images)}."
            )
        unit = _to_unit(x, value_range)
        if unit.shape[-1] == 1:
            unit = np.repeat(unit, 3, axis=-1)
        unit = unit[..., :3]
        out = self.generator(tf.constant(unit * 2.0 - 1.0, tf.float32), training=False)
        out = np.clip((np.asarray(out, np.float32) + 1.0) / 2.0, 0.0, 1.0)
        if x.dtype == np.uint8:
            out = np.round(out * 255.0).astype(np.uint8)
        else:
            lo, hi = value_range
            out = (out * (hi - lo) + lo).astype(np.float32)
        return out[0] if single else out

    def preview(self, n: int, seed: int | None = None) -> dict[str, np.ndarray]:
        """``n`` held-out crops: ``lr``, ``bicubic``, ``sr`` (this model) and ``hr``, each ``[n, H, W, 3]``
        in [-1, 1] (``lr`` at LR size). Crops come from the ``test`` split of ``preview_data`` at
        the training crop size, unshuffled; ``seed`` picks them (the same seed, the same crops).
        """
        if not self.preview_data:
            raise GanzooError("ganzoo: this SRGAN has preview_data=None; call super_resolve() on your own images.")
        if self._preview_cache is None:
            from ganzoo import data as data_lib  # only previews need a dataset

            options = {"image_size": self.hr_shape[0], "scale": self.scale, **self.preview_options}
            lr, hr = next(iter(data_lib.load(self.preview_data, split="test", batch_size=256, shuffle=False, **options)))
            object.__setattr__(self, "_preview_cache", (lr.numpy(), hr.numpy()))
        lr, hr = self._preview_cache
        rng = np.random.default_rng(self.seed if seed is None else int(seed))
        pick = rng.choice(len(lr), size=int(n), replace=int(n) > len(lr))
        sr = np.clip(np.asarray(self.generator(lr[pick], training=False), np.float32), -1.0, 1.0)
        bicubic = BicubicUpsample(self.scale)(tf.constant(lr[pick]))
        return {"lr": lr[pick], "bicubic": np.clip(np.asarray(bicubic), -1.0, 1.0), "sr": sr, "hr": hr[pick]}

    def generate(self, n: int, seed: int | None = None, **unused: Any) -> np.ndarray:
        """Super-resolves ``n`` fixed held-out LR crops (see ``preview``): ``[n, H, W, 3]`` in [-1, 1].

        There is no noise: ``SampleGrid`` therefore shows the same held-out crops, super-resolved,
        as training goes on. ``preview`` also returns the inputs, bicubic and the truths.
        """
        return self.preview(n, seed)["sr"]

    def serving_networks(self) -> list[keras.Model]:
        return [self.generator]

    def serving_endpoints(self) -> dict[str, tuple[Callable, list[tf.TensorSpec]]]:
        """Any-size serving.

        ``serving_default``: ``lr_images`` float32 ``[None, None, None, 3]`` in [0, 1] ->
        ``hr_images`` float32 ``[None, scale·H, scale·W, 3]`` in [0, 1]. Values outside [0, 1]
        (e.g. uint8 pixels sent as floats) or NaN fail with an InvalidArgument error.
        ``super_resolve_uint8``: ``lr_images`` uint8 -> ``hr_images`` uint8, same shapes.
        """
        generator = self.generator

        def run(unit):
            out = tf.cast(generator(unit * 2.0 - 1.0, training=False), tf.float32)
            return tf.clip_by_value((out + 1.0) / 2.0, 0.0, 1.0)

        def serve(lr_images):
            checks = [
                tf.debugging.assert_all_finite(lr_images, "lr_images has NaN or Inf pixels"),
                tf.debugging.Assert(
                    tf.reduce_all((lr_images >= 0.0) & (lr_images <= 1.0)),
                    ["lr_images must be float32 in [0, 1] (uint8 pixels? divide by 255 or use the "
                     "super_resolve_uint8 signature); min and max are", tf.reduce_min(lr_images),
                     tf.reduce_max(lr_images)],
                ),
            ]
            with tf.control_dependencies(checks):
                return {"hr_images": run(tf.identity(lr_images))}

        def serve_uint8(lr_images):
            out = run(tf.cast(lr_images, tf.float32) / 255.0)
            return {"hr_images": tf.cast(tf.round(out * 255.0), tf.uint8)}

        return {
            "serving_default": (serve, [tf.TensorSpec([None, None, None, 3], tf.float32, name="lr_images")]),
            "super_resolve_uint8": (serve_uint8, [tf.TensorSpec([None, None, None, 3], tf.uint8, name="lr_images")]),
        }

    @property
    def data_shape(self) -> tuple[int, ...]:
        """The HR training crop's shape (G serves any size)."""
        return self.hr_shape

    # ------------------------------------------------------------ serialization

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "lr_shape": list(self.lr_shape),
            "scale": self.scale,
            "num_blocks": self.num_blocks,
            "g_filters": self.g_filters,
            "d_filters": self.d_filters,
            "d_dense": self.d_dense,
            "batch_norm": self.batch_norm,
            "residual_to_bicubic": self.residual_to_bicubic,
            "content_loss": self.content_loss,
            "vgg_weights": self.vgg_weights,
            "vgg_rescale": self.vgg_rescale,
            "adv_weight": self.adv_weight,
            "pretrain_steps": self.pretrain_steps,
            "init_generator": self.init_generator,
            "preview_data": self.preview_data,
            "preview_options": self.preview_options,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "SRGAN":
        config = dict(config)
        # The saved weights already hold the generator; its starting file may be gone.
        config["init_generator"] = None
        return cls(**config)


class _PhaseSwitch(keras.callbacks.Callback):
    """Retraces the train step when SRGAN's phase changes (checked before every batch, so also
    after ``BackupAndRestore`` restored a run). With ``steps_per_execution`` = k the switch
    happens at the first multiple of k at or after ``pretrain_steps``."""

    def on_train_batch_begin(self, batch, logs=None):
        if self.model.sync_phase():
            self.model.make_train_function(force=True)


def _to_unit(x: np.ndarray, value_range: tuple[float, float]) -> np.ndarray:
    """uint8 [0, 255] or floats in ``value_range`` -> float32 [0, 1]; NaN and out-of-range fail."""
    if x.dtype == np.uint8:
        return x.astype(np.float32) / 255.0
    if not np.issubdtype(x.dtype, np.floating):
        raise GanzooError(f"ganzoo: super_resolve takes uint8 or float images, got {x.dtype}.")
    if np.isnan(x).any():
        raise GanzooError("ganzoo: the images have NaN pixels; super_resolve needs finite values.")
    lo, hi = (float(v) for v in value_range)
    if x.min() < lo - 1e-6 or x.max() > hi + 1e-6:
        raise GanzooError(
            f"ganzoo: float images have values in [{x.min():g}, {x.max():g}] outside value_range=({lo:g}, {hi:g}); "
            "pass uint8 arrays for [0, 255] pixels or set value_range to the images' range."
        )
    return ((x.astype(np.float32) - lo) / (hi - lo)).astype(np.float32)
