"""FrontalizationGAN: TP-GAN's objective on ganzoo's phases (Huang et al. 2017, arXiv 1704.04086).

D's phase is the base GAN's (true frontals against G's). G's phase returns the five terms of
L_syn = L_pixel + λ1 L_sym + λ2 L_adv + λ3 L_ip + λ4 L_tv, and ganzoo's colour-statistics term
``l_colour`` (weight 0 unless set; issue 27), as weighted ``Term`` s; the generic
step sums, averages and logs them. The identity network that L_ip reads is trained once before
the first GAN step (``train_identity_network``, run by ``fit``) or loaded, then frozen.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Sequence

import keras
import numpy as np
import tensorflow as tf

from ganzoo import training
from ganzoo.errors import GanzooError
from ganzoo.models.base import GAN
from ganzoo.models.frontalization import identity as identity_lib
from ganzoo.models.frontalization import losses
from ganzoo.models.frontalization import networks
from ganzoo.models.frontalization.networks import NUM_LANDMARKS
from ganzoo.training import Phase, Term

Tensor = tf.Tensor

# G's terms, in the order of L_syn; each is logged weighted, as the generic step adds it.
LOSS_NAMES = ("l_pixel", "l_sym", "l_adv", "l_ip", "l_tv", "l_colour")
# Arguments of models saved before issue 21, when generate() frontalized dataset faces.
_RETIRED = ("preview_data", "preview_options")
COPY_PRIORS = ("none", "identity", "landmarks")


class IdentityPretraining(keras.callbacks.Callback):
    """Trains the model's identity network on the fit data before the first GAN step, once.

    Added last by ``FrontalizationGAN.fit``, so a ``BackupAndRestore`` earlier in the list has
    already restored a resumed run (whose identity network is then ready and is not retrained).
    """

    def __init__(self, dataset: Any) -> None:
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
            L_sym (λ1 0.3), L_adv (λ2 1e-3), L_ip (λ3 3e-3), L_tv (λ4 1e-4), the paper's; 0
            switches a term off.
        colour_weight: weight of ``losses.colour_statistics_loss`` (ganzoo's addition, issue 27:
            per-channel mean and spread of the output held to the truth's); default 0 (the paper).
        identity_filters: width of the identity network.
        identity_weights: a local ``.weights.h5``/``.keras`` file for the identity network;
            None trains it inside ``fit`` before the first GAN step.
        identity_steps, identity_learning_rate, identity_max_yaw: its training: steps (batches
            of the fit data), Adam's learning rate, and the largest |yaw| (degrees) of the
            poses it sees besides the frontals.
        template: the five frontal landmark positions as (x, y) fractions of the image size,
            where the local pathways' features are placed (default: synthfaces' mean).
        copy_attention: width d of the generator's copy pathway (``networks.CopyByAttention``,
            ganzoo's addition, issue 27): the output blends synthesised pixels with 2×2 blocks of
            the input picked by attention; 0 (default) is TP-GAN's generator.
        copy_prior: where that attention starts: ``"none"`` (default, a uniform mean),
            ``"identity"`` (each block's own position) or ``"landmarks"`` (the affine map from
            ``template`` to the landmarks), so it copies from the first step (needs ``copy_attention``).
        seed: the base GAN's seed (the generator itself is deterministic).

    Data: batches of ``(images, {"landmarks", "frontal", ...})`` as ``synthfaces`` and
    ``pairs:<path>`` yield (``identity`` and ``yaw`` too, to train the identity network).
    ``compile()`` defaults to Adam(2e-4, β1 0.5) for G and D. Inference:
    ``generate(images=..., landmarks=...)`` or ``frontalize(images, landmarks)``.
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
        colour_weight: float = 0.0,
        identity_filters: int = 16,
        identity_weights: str | None = None,
        identity_steps: int = 1500,
        identity_learning_rate: float = 1e-3,
        identity_max_yaw: float = 30.0,
        template: Sequence[Sequence[float]] | None = None,
        copy_attention: int = 0,
        copy_prior: str = "none",
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        image_shape = networks.check_image_shape(image_shape)
        template = networks.check_template(template)
        if copy_prior not in COPY_PRIORS:
            raise GanzooError(f"ganzoo: copy_prior={copy_prior!r} is not one of {', '.join(COPY_PRIORS)}.")
        if copy_prior != "none" and not copy_attention:
            raise GanzooError(f"ganzoo: copy_prior={copy_prior!r} needs the copy pathway; set copy_attention (e.g. 32) too.")
        weights = dict(zip(LOSS_NAMES, (pixel_weight, sym_weight, adv_weight, ip_weight, tv_weight, colour_weight)))
        for name, value in weights.items():
            if not float(value) >= 0.0:
                raise GanzooError(f"ganzoo: the weight of {name} is {value}; loss weights must be >= 0 (0 turns a term off).")
        retired = [key for key in _RETIRED if kwargs.pop(key, None) is not None]
        if retired:
            warnings.warn(
                f"ganzoo: FrontalizationGAN ignores {', '.join(retired)}: generate() frontalizes the faces you "
                "pass (images=, landmarks=) and no longer reads a dataset; remove them from config.model.",
                stacklevel=2,
            )
        for key in ("generator", "discriminator", "latent_dim"):
            kwargs.pop(key, None)
        super().__init__(
            generator=networks.build_generator(image_shape, g_filters, local_filters, bottleneck, template,
                                               copy_attention=copy_attention, copy_prior=copy_prior),
            discriminator=networks.build_discriminator(image_shape, d_filters),
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
        self.copy_attention = int(copy_attention)
        self.copy_prior = str(copy_prior)
        self.identity_network = identity_lib.build_identity_network(image_shape, num_identities, identity_filters)
        # 1 once the identity network is trained or loaded; saved with the weights, so a
        # resumed or reloaded model does not train it again.
        self.identity_ready = keras.Variable(0, dtype="int32", trainable=False, name="identity_ready")
        object.__setattr__(self, "identity_features", identity_lib.feature_model(self.identity_network))
        if identity_weights:
            identity_lib.load_weights(self.identity_network, identity_weights)
            self.identity_ready.assign(1)

    # ------------------------------------------------------------ identity net

    def train_identity_network(self, dataset, steps: int | None = None, log_every: int = 200) -> list[float]:
        """Trains the identity network on ``dataset`` unless it is ready; then it stays frozen.

        A separate, supervised training (cross-entropy over identities on the frontals and the
        poses within ``identity_max_yaw``), standing in for the paper's Light CNN trained on
        MS-Celeb-1M; ``fit`` runs it before the first GAN step. Returns each step's loss.
        """
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
        callbacks = list(callbacks or []) + [IdentityPretraining(x)]
        return super().fit(x, *args, callbacks=callbacks, **kwargs)

    # ------------------------------------------------------------------ phases

    def phases(self) -> list[Phase]:
        """The base's D phase, then G's phase with L_syn's five terms and ``l_colour``."""
        d, g = super().phases()
        return [d, Phase(g.name, g.networks, g.optimizer, "generator_objective", terms=LOSS_NAMES)]

    def generator_objective(self, step: training.Step) -> dict[str, Any]:
        """L_syn's five per-example terms (Huang et al. 2017, Eq. 8) and ``l_colour``, weighted.

        The pixel loss needs every decoder scale, so G runs here even when the D phase shared
        its full-size output (``compile(reuse_fakes=True)`` saves nothing for this model).
        """
        outputs = self.generator([step.condition["images"], step.condition["landmarks"]], training=step.training)
        fake = outputs[-1]
        fake_out = self.fake_outputs(fake, step)
        real_out = step.shared.get("real_out")
        if real_out is None:
            real_out = self.discriminate(step.real, step.condition, training=step.training)
        fake_features = self.identity_features(fake, training=False)
        real_features = [tf.stop_gradient(f) for f in self.identity_features(step.real, training=False)]
        values = {
            "l_pixel": losses.pixel_loss(outputs, step.real),
            "l_sym": losses.symmetry_loss(fake),
            "l_adv": self.loss_fn.generator(fake_out, tf.stop_gradient(real_out)),
            "l_ip": losses.identity_preserving_loss(fake_features, real_features),
            "l_tv": losses.total_variation_loss(fake),
            "l_colour": losses.colour_statistics_loss(fake, step.real),
        }
        return {name: Term(value, self.loss_weights_by_name[name]) for name, value in values.items()}

    def fake_outputs(self, fake: Tensor, step: training.Step) -> Tensor:
        """D's outputs on ``fake``; leaves D's features for the G phase's regularizers in ``step.shared``.

        With them there, feature matching or pulling-away never asks the step for another G(z).
        """
        fake_out = None
        for layer in {r.feature_layer for r in self.regularizers_for("g") if r.needs_fake_features}:
            fake_out, features = self.discriminate_features(fake, step.condition, step.training, layer)
            step.shared[("fake_features", layer)] = features
        if fake_out is None:
            fake_out = self.discriminate(fake, step.condition, training=step.training)
        return fake_out

    # ------------------------------------------------------------------ hooks

    def generator_features(self, z):
        """Refused: G maps faces, not noise, so there are no G(z) features to pull apart."""
        raise GanzooError(
            "ganzoo: FrontalizationGAN's generator has no noise input, so PullingAway(on='generator') "
            "cannot apply; use PullingAway(on='discriminator') (D's features of the frontalized faces)."
        )

    def sample_noise(self, batch_size):
        """TP-GAN here is deterministic: an empty ``[batch, 0]`` noise tensor."""
        return tf.zeros([batch_size, 0], tf.float32)

    def check_images(self, images, what: str) -> None:
        """Fails with one line when ``images`` are not this model's ``[*, S, S, 3]``."""
        shape = tuple(images.shape[1:])
        if shape != self.image_shape:
            raise GanzooError(
                f"ganzoo: {what} have shape {shape} per image; this FrontalizationGAN takes "
                f"{self.image_shape} (set data.image_size={self.image_shape[0]} or build the model for your size)."
            )

    def check_landmark_shape(self, landmarks) -> None:
        """Fails with one line unless landmarks are ``[*, 5, 2]``."""
        if tuple(landmarks.shape[1:]) != (NUM_LANDMARKS, 2):
            raise GanzooError(
                f"ganzoo: landmarks have shape {tuple(landmarks.shape[1:])} per image; FrontalizationGAN takes "
                f"({NUM_LANDMARKS}, 2) (x, y) pixel positions: left_eye, right_eye, nose, mouth_left, mouth_right."
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
        self.check_images(images, "pose images")
        self.check_images(info["frontal"], "frontal images")
        self.check_landmark_shape(info["landmarks"])

    def unpack(self, data: Any) -> tuple[Tensor, dict[str, Tensor]]:
        """``(images, {"landmarks", "frontal", ...})`` -> (frontal truth, {"images", "landmarks"})."""
        self.check_batch(data)
        images, info = data
        landmarks = tf.cast(info["landmarks"], tf.float32)
        size = float(self.image_shape[0])
        inside = tf.reduce_all((landmarks >= 0.0) & (landmarks <= size - 1.0))
        message = (f"ganzoo: landmarks outside the {int(size)}x{int(size)} image; landmarks are (x, y) "
                   f"pixel positions in [0, {int(size) - 1}]")
        with tf.control_dependencies([tf.debugging.Assert(inside, [message])]):
            landmarks = tf.identity(landmarks)
        return tf.cast(info["frontal"], tf.float32), {"images": tf.cast(images, tf.float32), "landmarks": landmarks}

    def generate_fakes(self, z, condition=None, training: bool = False) -> Tensor:
        """G(images, landmarks), the full-size frontal (z is empty and ignored)."""
        return tf.cast(self.generator([condition["images"], condition["landmarks"]], training=training)[-1], tf.float32)

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
        if images is None or landmarks is None:
            raise GanzooError(
                "ganzoo: FrontalizationGAN frontalizes the faces it is given and needs images [n, S, S, 3] "
                "and their landmarks [n, 5, 2] (x, y pixels): call generate(images=..., landmarks=...) or "
                "frontalize(images, landmarks); nothing here detects landmarks."
            )
        images, landmarks = np.asarray(images, np.float32), np.asarray(landmarks, np.float32)
        if images.ndim != 4:
            raise GanzooError(f"ganzoo: images have shape {images.shape}; frontalize takes [n, H, W, 3].")
        self.check_images(images, "images")
        self.check_landmark_shape(landmarks)
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

    def generate(self, n: int | None = None, seed: int | None = None, images: np.ndarray | None = None,
                 landmarks: np.ndarray | None = None, batch_size: int = 64) -> np.ndarray:
        """Frontalizes the given faces: ``images`` ``[n, S, S, 3]`` in [-1, 1] with ``landmarks`` ``[n, 5, 2]``.

        Args:
            n: how many faces; None takes every given image (else it must equal their count).
            seed: unused: the generator is deterministic (kept for the one ``generate`` signature).
            images, landmarks: the conditions, as for ``frontalize``.
            batch_size: generator batch size.

        Returns:
            float32 ``[n, S, S, 3]`` in [-1, 1].
        """
        del seed
        if images is not None and n is not None and int(n) != len(images):
            raise GanzooError(
                f"ganzoo: generate(n={n}) got {len(images)} images; FrontalizationGAN frontalizes exactly the "
                "faces it is given (pass n=None or n=len(images))."
            )
        return self.frontalize(images, landmarks, batch_size)

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
            "colour_weight": w["l_colour"],
            "identity_filters": self.identity_filters,
            "identity_weights": self.identity_weights,
            "identity_steps": self.identity_steps,
            "identity_learning_rate": self.identity_learning_rate,
            "identity_max_yaw": self.identity_max_yaw,
            "template": [list(p) for p in self.template],
            "copy_attention": self.copy_attention,
            "copy_prior": self.copy_prior,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "FrontalizationGAN":
        config = {k: v for k, v in config.items() if k not in _RETIRED}  # files saved before issue 21
        # The saved weights already hold the identity network; its source file may be gone.
        config["identity_weights"] = None
        return cls(**config)
