"""SRGAN: photo-realistic single-image super-resolution with a GAN.

Ledig et al. 2017, "Photo-Realistic Single Image Super-Resolution Using a Generative Adversarial
Network", arXiv 1609.04802.

The idea: a deep residual generator (SRResNet: B residual blocks, two ×2 sub-pixel upsamplers)
maps a low-resolution image to one 4× larger. Trained on pixel MSE alone it gives the best PSNR
but blurry textures; SRGAN fine-tunes it with a perceptual loss — a content term on VGG19 features
(φ5,4, before the activation, rescaled by 1/12.75) plus 1e-3 × the adversarial term of a
VGG-style discriminator — which trades PSNR for sharp, natural textures.

Training in ganzoo: one model, up to three phases (``SRGAN.phases``), scheduled by the
generator's optimizer steps. ``adv_weight=0`` is SRResNet: one ``content`` phase (G on the pixel
MSE; D never runs). With ``adv_weight > 0`` the ``content`` phase runs for the first
``pretrain_steps`` steps (SRResNet MSE pre-training) and the adversarial phases ``d`` and ``g``
(content + ``adv_weight`` × adversarial) after them — the paper's recipe from one config;
``init_generator`` instead starts G from a saved SRResNet run. Data are ``(lr, hr)`` pairs in
[-1, 1] (``ganzoo.data.photos``).

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
  it); the generator is fully convolutional and serves images of any size, in overlapping tiles
  of ``tile_size`` LR pixels (the same result as the whole image; flat memory) up to
  ``max_pixels`` LR pixels per image;
- LR images are made with TensorFlow's antialiased bicubic (rounded to 8-bit levels), not
  MATLAB's ``imresize``: the same kernel (a = −0.5, widened by the scale) as PIL's ``BICUBIC``,
  whose LR photos differ by 0.1 8-bit levels on average and give the same PSNR to 0.002 dB
  (``benchmarks/super_resolution.py --lr_from=tf,pil``). LR from ``tf.image.resize``'s defaults
  (no antialiasing) is another degradation, on which a model trained here loses to bicubic;
- optional EDSR simplifications (Lim et al. 2017, arXiv 1707.02921): ``batch_norm=False``,
  ``residual_scale`` and ``content_loss="l1"``;
- the GAN step runs G once: D is updated on that output (without gradient), then G's loss
  uses the updated D (the order of PyTorch SRGAN code; ``Phase.shares_fakes``, always on).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Callable, Sequence

import keras
import numpy as np
import tensorflow as tf

from ganzoo.errors import GanzooError
from ganzoo.models.base import GAN
from ganzoo.models.srgan import networks
from ganzoo.models.srgan import objective as objective_lib
from ganzoo.ops.tiling import tiled_apply
from ganzoo.training import Phase, Step, Term

Tensor = tf.Tensor

# The largest LR image (height × width) super_resolve and the serving signatures take: 2048²
# in, 8192² out (805 MB as float32). Larger requests get an error, not an out-of-memory crash.
MAX_PIXELS = 2048 * 2048
# LR pixels per side of a tile's core; each tile adds the generator's receptive radius around it.
TILE_SIZE = 128


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
        residual_scale: factor on each residual block's branch (EDSR's 0.1; paper 1.0).
        content_loss: ``"vgg"`` (paper: VGG19 φ5,4 / 12.75), ``"mse"`` (pixels), ``"mse_y"``
            (pixels in BT.601 YCbCr: ΔY² + ¼ of the chroma's, the channel SR is evaluated on) or
            ``"l1"`` (pixels, EDSR's loss). SRResNet training and pre-training use the pixel
            loss: L1 with ``"l1"``, the luma-weighted MSE with ``"mse_y"``, else MSE.
        vgg_weights: local path of ``vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5``;
            None reads ``$GANZOO_VGG19_WEIGHTS``. Only needed for ``content_loss="vgg"`` with
            ``adv_weight > 0`` (SRResNet and pre-training use the pixel MSE).
        vgg_rescale: factor on the VGG features (paper 1/12.75).
        adv_weight: weight of the adversarial term (paper 1e-3); 0 trains SRResNet alone.
        pretrain_steps: SRResNet MSE steps before GAN fine-tuning (paper: 1e6, a separate run).
        init_generator: a ``.keras`` file of a trained SRGAN/SRResNet (or a generator
            ``.weights.h5``) whose generator weights G starts from. A ``.keras`` generator with
            fewer ``g_filters`` (and otherwise the same layout, no batch norm) is widened to this
            one's width with its function kept (``networks.widen_generator``).
        max_pixels: the largest LR image (height × width) ``super_resolve``, ``generate`` and
            the serving signatures accept (default 2048², ``MAX_PIXELS``).
        tile_size: LR pixels per side of the tiles large images are super-resolved in.
        self_ensemble: infer with EDSR+'s geometric self-ensemble (Lim et al. 2017, arXiv
            1707.02921) by default: ``super_resolve``, ``generate`` and the serving signatures
            average G's outputs for the 8 flips and quarter-turns of each image, each turned
            back (8× the inference cost). Training is unchanged.
        seed: seed of the (unused, empty) noise stream.

    Data: batches of ``(lr [b, h, w, 3], hr [b, h·scale, w·scale, 3])`` float32 in [-1, 1].
    ``compile()`` defaults to Adam(1e-4, β1 0.9) for G and D and the non-saturating loss.
    Metrics: ``content_loss``, ``mse``, ``psnr`` (training crops, RGB) and, with a
    discriminator, ``g_loss`` (= ``content_loss`` + ``adv_loss``), ``adv_loss`` (``adv_weight``
    × −log D(G(lr)), as added to G's loss), ``d_loss``, ``d_real``, ``d_fake`` (these stay 0
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
        residual_scale: float = 1.0,
        content_loss: str = "vgg",
        vgg_weights: str | None = None,
        vgg_rescale: float = 1.0 / 12.75,
        adv_weight: float = 1e-3,
        pretrain_steps: int = 0,
        init_generator: str | None = None,
        max_pixels: int = MAX_PIXELS,
        tile_size: int = TILE_SIZE,
        self_ensemble: bool = False,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        scale = networks.check_scale(scale)
        lr_shape = tuple(int(d) for d in lr_shape)
        if len(lr_shape) != 3 or lr_shape[2] != 3 or min(lr_shape[:2]) < 1:
            raise GanzooError(
                f"ganzoo: SRGAN lr_shape={lr_shape} must be (height, width, 3) of the LR training crops; "
                "the data's RGB (lr, hr) pairs set it."
            )
        if content_loss not in objective_lib.CONTENT_LOSSES:
            raise GanzooError(f"ganzoo: content_loss='{content_loss}' is unknown; "
                              f"use one of {', '.join(objective_lib.CONTENT_LOSSES)}.")
        if not 0.0 < float(residual_scale) <= 1.0:
            raise GanzooError(f"ganzoo: SRGAN residual_scale={residual_scale} must be in (0, 1] (EDSR uses 0.1).")
        if not float(adv_weight) >= 0.0:
            raise GanzooError(f"ganzoo: adv_weight={adv_weight} must be >= 0 (0 trains SRResNet alone).")
        if int(pretrain_steps) < 0:
            raise GanzooError(f"ganzoo: pretrain_steps={pretrain_steps} must be >= 0.")
        if int(max_pixels) < 1 or int(tile_size) < 1:
            raise GanzooError(f"ganzoo: SRGAN max_pixels={max_pixels} and tile_size={tile_size} must be >= 1.")
        for key in ("generator", "discriminator", "latent_dim"):
            kwargs.pop(key, None)
        hr_shape = (lr_shape[0] * scale, lr_shape[1] * scale, 3)
        super().__init__(
            generator=networks.build_generator(scale, num_blocks, g_filters, batch_norm, residual_to_bicubic,
                                               residual_scale=float(residual_scale)),
            discriminator=networks.build_discriminator(hr_shape, d_filters, d_dense, batch_norm),
            latent_dim=0,
            seed=seed,
            **kwargs,
        )
        self.lr_shape, self.hr_shape, self.scale = lr_shape, hr_shape, scale
        self.num_blocks, self.g_filters, self.d_filters, self.d_dense = (
            int(num_blocks), int(g_filters), int(d_filters), int(d_dense))
        self.batch_norm, self.residual_to_bicubic = bool(batch_norm), bool(residual_to_bicubic)
        self.residual_scale = float(residual_scale)
        self.content_loss, self.vgg_weights, self.vgg_rescale = content_loss, vgg_weights or None, float(vgg_rescale)
        self.adv_weight, self.pretrain_steps = float(adv_weight), int(pretrain_steps)
        self.init_generator = init_generator or None
        self.max_pixels, self.tile_size = int(max_pixels), int(tile_size)
        self.self_ensemble = bool(self_ensemble)
        # Tiles overlap by G's receptive radius, so tiled outputs equal the whole image's.
        self.tile_overlap = networks.receptive_radius(self.generator)
        object.__setattr__(self, "_vgg", None)
        object.__setattr__(self, "_loading", False)
        object.__setattr__(self, "_tiled_generators", {})
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
            same = shapes == [tuple(w.shape) for w in self.generator.weights]
            if same:
                self.generator.set_weights(weights)
            elif getattr(source, "g_filters", self.g_filters) < self.g_filters:
                networks.widen_generator(source.generator, self.generator)   # same function, more channels
            else:
                raise GanzooError(
                    f"ganzoo: init_generator='{path}' holds a generator of another architecture; match "
                    "scale, num_blocks, g_filters, batch_norm and residual_to_bicubic to that run."
                )
        else:
            self.generator.load_weights(path)

    # ------------------------------------------------------------ compile

    def default_optimizers(self):
        """The paper's Adam(1e-4, β1 = 0.9) for G and D."""
        return (
            keras.optimizers.Adam(1e-4, beta_1=0.9, name="g_adam"),
            keras.optimizers.Adam(1e-4, beta_1=0.9, name="d_adam"),
        )

    def compile(self, g_optimizer=None, d_optimizer=None, loss="non_saturating", d_steps=1, reuse_fakes=True,
                **kwargs: Any) -> None:
        """``GAN.compile``. ``reuse_fakes`` is always on: a GAN step runs G once (D on that output,
        then G through the updated D, as the paper's recipe here has always trained); a False from
        a config's ``train.reuse_fakes`` default or an older file is ignored.

        With ``content_loss="vgg"`` and ``adv_weight > 0`` the VGG19 weights file must exist
        (checked and loaded here, before the first step, inside the caller's strategy scope).
        """
        super().compile(g_optimizer, d_optimizer, loss=loss, d_steps=d_steps, reuse_fakes=True, **kwargs)
        object.__setattr__(self, "_vgg", None)
        if not self._loading:
            self.build_content_network()

    def compile_from_config(self, config: dict[str, Any]) -> None:
        # Loading a saved model must not need the VGG file; fit() and evaluate() ask for it.
        object.__setattr__(self, "_loading", True)
        try:
            super().compile_from_config(config)
        finally:
            object.__setattr__(self, "_loading", False)

    def build_optimizers(self) -> None:
        """Both optimizers, as before phases existed: an SRResNet's D optimizer is built (unused) too,
        so SRResNet and SRGAN checkpoints hold the same variables."""
        super().build_optimizers()
        if not self.d_optimizer.built:
            self.d_optimizer.build(self.discriminator.trainable_variables)

    @property
    def needs_vgg(self) -> bool:
        """True when training needs the VGG19 feature network (VGG content loss and a GAN phase)."""
        return self.content_loss == "vgg" and self.adv_weight > 0.0

    def build_content_network(self) -> None:
        """Loads VGG19 φ5,4 from the local weights file when ``needs_vgg`` (once)."""
        if self.needs_vgg and self._vgg is None:
            path = objective_lib.vgg19_weights_path(self.vgg_weights)
            object.__setattr__(self, "_vgg", objective_lib.build_vgg_features(path))

    def fit(self, *args: Any, **kwargs: Any):
        """Keras ``fit``; the phases switch from pre-training to GAN steps at ``pretrain_steps`` G steps."""
        if self.loss_fn is not None:
            self.build_content_network()
        return super().fit(*args, **kwargs)

    def evaluate(self, *args: Any, **kwargs: Any):
        if self.loss_fn is not None:
            self.build_content_network()
        return super().evaluate(*args, **kwargs)

    # ------------------------------------------------------------ phases and objectives

    def phases(self) -> list[Phase]:
        """``content`` (SRResNet: G on the pixel MSE) for the first ``pretrain_steps`` steps, or
        alone when ``adv_weight=0``; then ``d`` (D on G(lr), which the following ``g`` shares) and
        ``g`` (content + ``adv_weight`` × adversarial)."""
        content = Phase("content", ("generator",), "g_optimizer", "content_objective", terms=("content_loss",),
                        logs=("mse", "psnr"))
        if self.adv_weight == 0.0:
            return [content]
        d, g = super().phases()
        after = self.pretrain_steps
        d = dataclasses.replace(d, shares_fakes=True, after_steps=after)
        g = dataclasses.replace(g, terms=("content_loss", "adv_loss"), logs=("mse", "psnr"), after_steps=after)
        pretraining = [dataclasses.replace(content, first_steps=after, evaluate=False)] if after else []
        return pretraining + [d, g]

    def content_objective(self, step: Step) -> dict[str, Any]:
        """SRResNet's loss: the pixel MSE (or L1 with ``content_loss="l1"``) of G(lr) against hr,
        ``content_loss``; shows ``mse`` and ``psnr``."""
        sr = step.fakes()
        mse = objective_lib.mse_per_example(sr, step.real)
        return {"content_loss": Term(self.pixel_loss(sr, step.real, mse)), **self.fidelity(sr, step.real, mse)}

    def pixel_loss(self, sr: Tensor, hr: Tensor, mse: Tensor) -> Tensor:
        """The per-example pixel loss ``content_loss`` names: ``mse`` (given), ``mse_y`` or ``l1``."""
        if self.content_loss == "l1":
            return objective_lib.l1_per_example(sr, hr)
        if self.content_loss == "mse_y":
            return objective_lib.mse_y_per_example(sr, hr)
        return mse

    def generator_objective(self, step: Step) -> dict[str, Any]:
        """The perceptual loss: ``content_loss`` (MSE or VGG) + ``adv_weight`` × ``adv_loss`` (GAN's G loss)."""
        adversarial = super().generator_objective(step)["g_adv"].value
        sr = step.fakes()
        mse = objective_lib.mse_per_example(sr, step.real)
        if self.content_loss == "vgg":
            content = objective_lib.vgg_content_per_example(self._vgg, sr, step.real, self.vgg_rescale)
        else:
            content = self.pixel_loss(sr, step.real, mse)
        return {"content_loss": Term(content), "adv_loss": Term(adversarial, self.adv_weight),
                **self.fidelity(sr, step.real, mse)}

    def fidelity(self, sr: Tensor, hr: Tensor, mse: Tensor) -> dict[str, Tensor]:
        """The display values ``mse`` and ``psnr`` (RGB, [-1, 1], G's output clipped for PSNR)."""
        return {"mse": tf.reduce_mean(mse), "psnr": tf.reduce_mean(objective_lib.psnr_per_example(sr, hr))}

    # ------------------------------------------------------------ hooks

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
        """G(lr) (z is empty): ``condition["lr"]`` ``[b, h, w, 3]`` -> ``[b, h·scale, w·scale, 3]``."""
        return tf.cast(self.generator(condition["lr"], training=training), tf.float32)

    def generator_features(self, z):
        raise GanzooError(
            "ganzoo: SRGAN's generator takes LR images, not noise, so PullingAway(on='generator') does not "
            "apply; use PullingAway(on='discriminator')."
        )

    # ------------------------------------------------------------ inference

    def call(self, lr: Tensor, training: bool = False) -> Tensor:
        """G(lr): ``[b, h, w, 3] -> [b, h·scale, w·scale, 3]`` in [-1, 1] (unclipped)."""
        return self.generator(lr, training=training)

    def tiled(self, run: Callable[[Tensor], Tensor], images: Tensor, dtype: tf.DType = tf.float32) -> Tensor:
        """``run`` (G and its pre/post-processing) over ``[n, h, w, 3]``, one image and one tile at a time.

        Tiles of ``tile_size`` LR pixels overlap by G's receptive radius, so the result equals
        ``run(images)`` up to float rounding while the memory stays that of one tile.
        """
        def one(image):
            return tiled_apply(run, image[None], scale=self.scale, tile=self.tile_size,
                               overlap=self.tile_overlap, dtype=dtype)[0]

        return tf.map_fn(one, images, parallel_iterations=1, fn_output_signature=tf.TensorSpec(None, dtype))

    def super_resolve(self, images: Any, value_range: tuple[float, float] = (-1.0, 1.0),
                      self_ensemble: bool | None = None) -> Any:
        """Super-resolves images of any size up to ``max_pixels`` (in tiles; see ``tiled``).

        Args:
            images: one ``[h, w, C]`` image, a batch ``[n, h, w, C]`` or a list of images of
                different sizes. uint8 arrays are read as [0, 255] and give uint8 results;
                float arrays must lie in ``value_range`` (ganzoo's (-1, 1) by default; pass
                (0, 1) for [0, 1] floats). C = 1 (grayscale, replicated to RGB) or 4 (RGBA,
                alpha dropped) are converted; the result is RGB.
            value_range: the range of float inputs and outputs.
            self_ensemble: EDSR+'s geometric self-ensemble (Lim et al. 2017, arXiv 1707.02921):
                the mean of G's outputs for the 8 flips and quarter-turns of each image, each
                turned back; 8× the cost, a little more PSNR. None: the model's
                ``self_ensemble`` setting.

        Returns:
            The same structure, ``scale``× larger, clipped to the input's range and dtype.
        """
        if isinstance(images, (list, tuple)):
            return [self.super_resolve(image, value_range, self_ensemble) for image in images]
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
        if x.shape[1] * x.shape[2] > self.max_pixels:
            raise GanzooError(
                f"ganzoo: super_resolve got a {x.shape[1]}x{x.shape[2]} image, more than this SRGAN's "
                f"max_pixels={self.max_pixels} (height x width); split it, or raise model.max_pixels if memory allows."
            )
        unit = _to_unit(x, value_range)
        if unit.shape[-1] == 1:
            unit = np.repeat(unit, 3, axis=-1)
        unit = unit[..., :3]
        ensemble = self.self_ensemble if self_ensemble is None else bool(self_ensemble)
        if ensemble not in self._tiled_generators:
            spec = tf.TensorSpec([None, None, None, 3], tf.float32)
            run = self.unit_ensemble if ensemble else self.unit_generator
            self._tiled_generators[ensemble] = tf.function(lambda lr: self.tiled(run, lr), input_signature=[spec])
        out = self._tiled_generators[ensemble](tf.constant(unit, tf.float32)).numpy()
        if x.dtype == np.uint8:
            out = np.round(out * 255.0).astype(np.uint8)
        else:
            lo, hi = value_range
            out = (out * (hi - lo) + lo).astype(np.float32)
        return out[0] if single else out

    def unit_generator(self, unit: Tensor) -> Tensor:
        """G on [0, 1] images, clipped to [0, 1]: the serving form of ``call``."""
        out = tf.cast(self.generator(unit * 2.0 - 1.0, training=False), tf.float32)
        return tf.clip_by_value((out + 1.0) / 2.0, 0.0, 1.0)

    def unit_ensemble(self, unit: Tensor) -> Tensor:
        """EDSR+'s self-ensemble of ``unit_generator``: ``[b, h, w, 3]`` -> ``[b, h·s, w·s, 3]``.

        The mean of G's outputs for the 8 flips and quarter-turns of ``unit``, each turned back
        (a running sum: one extra output in memory). Applied per tile, it equals the whole
        image's ensemble, since every view's tiles overlap by G's receptive radius.
        """
        total = 0.0
        for turns in range(4):
            for flip in (False, True):
                view = tf.image.rot90(unit, turns)
                view = tf.reverse(view, [2]) if flip else view
                out = self.unit_generator(view)
                out = tf.reverse(out, [2]) if flip else out
                total = total + tf.image.rot90(out, (4 - turns) % 4)
        return total / 8.0

    def unit_output(self, unit: Tensor) -> Tensor:
        """What the serving signatures compute: ``unit_ensemble`` if ``self_ensemble``, else ``unit_generator``."""
        return self.unit_ensemble(unit) if self.self_ensemble else self.unit_generator(unit)

    def generate(self, n: int, seed: int | None = None, lr: Any = None, **conditions: Any) -> np.ndarray:
        """Super-resolves the first ``n`` LR images ``lr``: ``[n, h·scale, w·scale, 3]`` float32 in [-1, 1].

        Args:
            n: how many images.
            seed: unused (G is deterministic); kept for the one ``generate`` signature.
            lr: ``[m, h, w, 3]`` (m ≥ n) float32 in [-1, 1] or uint8; required: SRGAN has no
                noise to sample from. ``super_resolve`` takes other ranges, sizes and lists.
        """
        if conditions:
            raise GanzooError(f"ganzoo: SRGAN.generate takes lr= images only, not {', '.join(sorted(conditions))}.")
        if lr is None:
            raise GanzooError(
                "ganzoo: SRGAN generates from low-resolution images, not noise; call generate(n, lr=images) with "
                "[n, h, w, 3] float32 in [-1, 1], or super_resolve(images)."
            )
        lr = np.asarray(lr)
        if lr.ndim != 4 or len(lr) < int(n):
            raise GanzooError(f"ganzoo: SRGAN.generate(n={n}) needs lr of shape [>= {n}, h, w, 3]; got {lr.shape}.")
        if lr.dtype == np.uint8:
            lr = lr.astype(np.float32) / 127.5 - 1.0
        return self.super_resolve(lr[: int(n)].astype(np.float32))

    def serving_networks(self) -> list[keras.Model]:
        return [self.generator]

    def serving_endpoints(self) -> dict[str, tuple[Callable, list[tf.TensorSpec]]]:
        """Any-size serving, in tiles, up to ``max_pixels`` LR pixels per image.

        ``serving_default``: ``lr_images`` float32 ``[None, None, None, 3]`` in [0, 1] ->
        ``hr_images`` float32 ``[None, scale·H, scale·W, 3]`` in [0, 1]. Values outside [0, 1]
        (e.g. uint8 pixels sent as floats) or NaN fail with an InvalidArgument error.
        ``super_resolve_uint8``: ``lr_images`` uint8 -> ``hr_images`` uint8, same shapes.
        Both answer an image of more than ``max_pixels`` (height × width; 2048² by default)
        with an InvalidArgument error that names the limit; images are processed one at a time
        in overlapping tiles, so the memory is that of one tile plus the output.
        """
        max_pixels = self.max_pixels

        def size_check(lr_images):
            shape = tf.shape(lr_images, out_type=tf.int64)
            return tf.debugging.assert_less_equal(
                shape[1] * shape[2], tf.constant(max_pixels, tf.int64),
                message=f"lr_images has more pixels (height x width) than max_pixels={max_pixels}, the most this "
                        "export serves; send smaller images (split a large one into parts)",
            )

        def to_uint8(unit):
            return tf.cast(tf.round(self.unit_output(unit) * 255.0), tf.uint8)

        def serve(lr_images):
            checks = [
                size_check(lr_images),
                tf.debugging.assert_all_finite(lr_images, "lr_images has NaN or Inf pixels"),
                tf.debugging.Assert(
                    tf.reduce_all((lr_images >= 0.0) & (lr_images <= 1.0)),
                    ["lr_images must be float32 in [0, 1] (uint8 pixels? divide by 255 or use the "
                     "super_resolve_uint8 signature); min and max are", tf.reduce_min(lr_images),
                     tf.reduce_max(lr_images)],
                ),
            ]
            with tf.control_dependencies(checks):
                return {"hr_images": self.tiled(self.unit_output, tf.identity(lr_images))}

        def serve_uint8(lr_images):
            with tf.control_dependencies([size_check(lr_images)]):
                unit = tf.cast(lr_images, tf.float32) / 255.0
            return {"hr_images": self.tiled(to_uint8, unit, dtype=tf.uint8)}

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
            "residual_scale": self.residual_scale,
            "content_loss": self.content_loss,
            "vgg_weights": self.vgg_weights,
            "vgg_rescale": self.vgg_rescale,
            "adv_weight": self.adv_weight,
            "pretrain_steps": self.pretrain_steps,
            "init_generator": self.init_generator,
            "max_pixels": self.max_pixels,
            "tile_size": self.tile_size,
            "self_ensemble": self.self_ensemble,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "SRGAN":
        config = dict(config)
        # The saved weights already hold the generator; its starting file may be gone.
        config["init_generator"] = None
        # Files saved before previews moved to a callback name the preview dataset; models no longer read data.
        config.pop("preview_data", None)
        config.pop("preview_options", None)
        return cls(**config)


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
