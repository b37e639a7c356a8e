"""GAN losses: pure functions on discriminator outputs.

Each function returns a **per-example** loss, shape ``[batch]``, in float32.
Models average it over the *global* batch with ``tf.nn.compute_average_loss``,
so the same code is right on one replica or many. Discriminator outputs may be
``[batch]``, ``[batch, 1]`` or a patch map ``[batch, h, w, 1]``. A patch
discriminator's loss is the mean of its per-patch losses (pix2pix, CycleGAN,
TF-GAN), not the loss of its mean output: each function applies its formula
to every output, then averages per example (for the linear Wasserstein and
BEGAN losses the two agree).

``r`` is D's raw output on real data (a logit for the sigmoid losses, a critic
value for the Wasserstein and hinge losses) and ``f`` its output on G(z).
With σ the logistic sigmoid, ``softplus(-r) = -log σ(r)`` and
``softplus(f) = -log(1 - σ(f))``.

A named loss is a :class:`GANLoss`, a pair of discriminator and generator
terms; ``get(name)`` returns one.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Callable

import tensorflow as tf

from ganzoo.errors import GanzooError

Tensor = tf.Tensor


def _per_example(outputs: Tensor) -> Tensor:
    """Casts to float32 and reduces everything but the batch axis by the mean.

    Losses apply it to per-output (per-patch) loss values, after their formula.
    """
    outputs = tf.cast(outputs, tf.float32)
    if outputs.shape.rank is not None and outputs.shape.rank <= 1:
        return tf.reshape(outputs, [-1])
    return tf.reduce_mean(tf.reshape(outputs, [tf.shape(outputs)[0], -1]), axis=1)


def _float(outputs: Tensor) -> Tensor:
    return tf.cast(outputs, tf.float32)


def _check_smoothing(label_smoothing: float) -> float:
    if not 0.0 <= float(label_smoothing) < 1.0:
        raise GanzooError(
            f"ganzoo.losses: label_smoothing={label_smoothing} is outside [0, 1); "
            "use e.g. 0.1 for the real target 0.9 of Salimans et al. 2016."
        )
    return float(label_smoothing)


def minimax_discriminator_loss(
    real_outputs: Tensor, fake_outputs: Tensor, label_smoothing: float = 0.0
) -> Tensor:
    """D's side of the minimax game (Goodfellow et al. 2014, arXiv 1406.2661).

    D maximises E[log D(x)] + E[log(1 − D(G(z)))]; as a loss to minimise, with
    one-sided label smoothing (Salimans et al. 2016) giving real targets
    t = 1 − label_smoothing and fake targets 0:

        L_D = t·softplus(−r) + (1 − t)·softplus(r) + softplus(f)

    Args:
        real_outputs: logits of D on real data, ``[batch, ...]``.
        fake_outputs: logits of D on generated data, ``[batch, ...]``.
        label_smoothing: how far below 1 the real target sits; 0 = none.

    Returns:
        Per-example loss, ``[batch]`` float32.
    """
    t = 1.0 - _check_smoothing(label_smoothing)
    r, f = _float(real_outputs), _float(fake_outputs)
    real_term = t * tf.nn.softplus(-r)
    if t < 1.0:
        real_term += (1.0 - t) * tf.nn.softplus(r)
    return _per_example(real_term) + _per_example(tf.nn.softplus(f))


def minimax_generator_loss(fake_outputs: Tensor) -> Tensor:
    """G's side of the original, saturating game: minimise log(1 − D(G(z))).

        L_G = log(1 − σ(f)) = −softplus(f)

    Its gradient vanishes when D confidently rejects the fakes, which is why
    the paper recommends :func:`non_saturating_generator_loss` early on.
    """
    return -_per_example(tf.nn.softplus(_float(fake_outputs)))


def non_saturating_generator_loss(fake_outputs: Tensor) -> Tensor:
    """G maximises log D(G(z)) instead (Goodfellow et al. 2014, section 3).

        L_G = −log σ(f) = softplus(−f)

    Same fixed point as the minimax game, strong gradients early in training.
    """
    return _per_example(tf.nn.softplus(-_float(fake_outputs)))


def wasserstein_discriminator_loss(real_outputs: Tensor, fake_outputs: Tensor) -> Tensor:
    """The critic's loss (Arjovsky et al. 2017, arXiv 1701.07875).

    The critic maximises E[f(x)] − E[f(G(z))], an estimate of the Wasserstein-1
    distance when f is 1-Lipschitz:

        L_D = f − r
    """
    return _per_example(fake_outputs) - _per_example(real_outputs)


def wasserstein_generator_loss(fake_outputs: Tensor) -> Tensor:
    """G minimises −E[f(G(z))] (Arjovsky et al. 2017): L_G = −f."""
    return -_per_example(fake_outputs)


def hinge_discriminator_loss(real_outputs: Tensor, fake_outputs: Tensor) -> Tensor:
    """Hinge loss (Lim & Ye 2017, arXiv 1705.02894; Miyato et al. 2018).

        L_D = max(0, 1 − r) + max(0, 1 + f)
    """
    return _per_example(tf.nn.relu(1.0 - _float(real_outputs))) + _per_example(
        tf.nn.relu(1.0 + _float(fake_outputs))
    )


def hinge_generator_loss(fake_outputs: Tensor) -> Tensor:
    """G's hinge loss: L_G = −f."""
    return -_per_example(fake_outputs)


def least_squares_discriminator_loss(
    real_outputs: Tensor, fake_outputs: Tensor, label_smoothing: float = 0.0
) -> Tensor:
    """Least-squares GAN (Mao et al. 2017, arXiv 1611.04076), a = 0, b = 1.

        L_D = ½(r − t)² + ½f²,   t = 1 − label_smoothing
    """
    t = 1.0 - _check_smoothing(label_smoothing)
    r, f = _float(real_outputs), _float(fake_outputs)
    return _per_example(0.5 * tf.square(r - t)) + _per_example(0.5 * tf.square(f))


def least_squares_generator_loss(fake_outputs: Tensor) -> Tensor:
    """Least-squares GAN, c = 1: L_G = ½(f − 1)²."""
    return _per_example(0.5 * tf.square(_float(fake_outputs) - 1.0))


def began_discriminator_loss(real_energy: Tensor, fake_energy: Tensor, k: Tensor | float = 1.0) -> Tensor:
    """BEGAN's discriminator loss (Berthelot et al. 2017, arXiv 1703.10717).

    D's outputs are energies L(v) >= 0 (BEGAN: an auto-encoder's reconstruction
    error |v − D(v)|); D lowers the energy of data and raises that of fakes,
    weighted by the balance k_t in [0, 1]:

        L_D = L(x) − k_t · L(G(z))

    Returns:
        Per-example loss, ``[batch]`` float32 (row i pairs real i with fake i).
    """
    k = tf.cast(k, tf.float32)
    return _per_example(real_energy) - k * _per_example(fake_energy)


def began_generator_loss(fake_energy: Tensor) -> Tensor:
    """BEGAN's generator loss: L_G = L(G(z)), per example."""
    return _per_example(fake_energy)


def began_k_update(
    k: Tensor | float, real_energy: Tensor | float, fake_energy: Tensor | float,
    gamma: float = 0.5, lambda_k: float = 0.001,
) -> Tensor:
    """The balance update k_{t+1} = clip(k_t + λ_k (γ L(x) − L(G(z))), 0, 1).

    ``real_energy`` and ``fake_energy`` are batch means E[L(x)] and E[L(G(z))].
    γ = E[L(G(z))] / E[L(x)] at equilibrium; a lower γ trades diversity for quality.
    """
    k = tf.cast(k, tf.float32)
    step = lambda_k * (gamma * tf.cast(real_energy, tf.float32) - tf.cast(fake_energy, tf.float32))
    return tf.clip_by_value(k + step, 0.0, 1.0)


def began_convergence(real_energy: Tensor | float, fake_energy: Tensor | float, gamma: float = 0.5) -> Tensor:
    """BEGAN's global convergence measure M = L(x) + |γ L(x) − L(G(z))| (batch means)."""
    real = tf.cast(real_energy, tf.float32)
    return real + tf.abs(gamma * real - tf.cast(fake_energy, tf.float32))


def interpolation_weights(batch_size: Tensor | int, rank: int, seed: Tensor | None = None) -> Tensor:
    """ε ~ U[0, 1], one per example, shaped ``[batch, 1, ..., 1]`` to broadcast over a sample.

    WGAN-GP (Gulrajani et al. 2017, Algorithm 1, line 4) draws ε ~ U[0, 1]
    per example; ``rank`` is the rank of a batch of samples (2 for points,
    4 for NHWC images). ``seed``: a stateless ``[2]`` int seed, or None for
    TensorFlow's global stream.
    """
    shape = tf.concat([[batch_size], tf.ones([rank - 1], tf.int32)], axis=0)
    if seed is None:
        return tf.random.uniform(shape, 0.0, 1.0, tf.float32)
    return tf.random.stateless_uniform(shape, seed=seed, minval=0.0, maxval=1.0, dtype=tf.float32)


def gradient_penalty(
    critic: Callable[[Tensor], Tensor],
    real: Tensor,
    fake: Tensor,
    epsilon: Tensor | None = None,
    seed: Tensor | None = None,
    target: float = 1.0,
    packing: int = 1,
) -> Tensor:
    """WGAN-GP's two-sided penalty (Gulrajani et al. 2017, arXiv 1704.00028, eq. 3).

        x̂ = ε x + (1 − ε) G(z),  ε ~ U[0, 1] per example
        P = (‖∇_x̂ f(x̂)‖₂ − 1)²

    Multiply by λ (the paper: 10) and average over the global batch. The
    interpolates, the gradient and its norm are float32 even when the critic
    computes in float16 (mixed precision): the critic's own cast of its input
    carries the gradient back to float32 x̂.

    Args:
        critic: ``x -> [batch, ...]`` critic outputs (e.g. ``lambda x: D(x, training=True)``);
            a patch map is averaged per example before differentiating.
        real: real samples ``[batch, ...]``.
        fake: generated samples, same shape.
        epsilon: explicit weights broadcastable to ``real`` (tests); default
            :func:`interpolation_weights`.
        seed: stateless seed for ε.
        target: the norm the penalty pulls towards (1 in the paper).
        packing: m when the critic packs m consecutive samples into one input
            (``ganzoo.layers.Pack``): the norm is then taken over each pack's m
            rows of the gradient, the gradient of that pack's critic value, and
            ``epsilon`` should be equal within a pack.

    Returns:
        Per-example penalty ``[batch]`` float32 (without λ); ``[batch / m]``, per
        pack, with ``packing`` m > 1.
    """
    real = tf.cast(real, tf.float32)
    fake = tf.cast(tf.stop_gradient(fake), tf.float32)
    if epsilon is None:
        epsilon = interpolation_weights(tf.shape(real)[0], real.shape.rank, seed)
    x_hat = epsilon * real + (1.0 - epsilon) * fake
    with tf.GradientTape() as tape:
        tape.watch(x_hat)
        scores = _per_example(critic(x_hat))
    grads = tf.cast(tape.gradient(scores, x_hat), tf.float32)
    grads = tf.reshape(grads, [tf.shape(grads)[0] // int(packing), -1])
    # A tiny floor keeps the norm differentiable where the gradient is exactly zero.
    norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=1) + 1e-12)
    return tf.square(norms - target)


def feature_matching_loss(real_features: Tensor, fake_features: Tensor) -> Tensor:
    """Feature matching (Salimans et al. 2016, arXiv 1606.03498, section 3.1).

        L_FM = ‖E_x f(x) − E_z f(G(z))‖₂²

    with f an intermediate discriminator layer; the means are over this
    (replica's) batch and the real features carry no gradient.

    Returns:
        A float32 scalar (a batch statistic, not a per-example loss).
    """
    real = tf.reshape(tf.cast(real_features, tf.float32), [tf.shape(real_features)[0], -1])
    fake = tf.reshape(tf.cast(fake_features, tf.float32), [tf.shape(fake_features)[0], -1])
    difference = tf.reduce_mean(tf.stop_gradient(real), axis=0) - tf.reduce_mean(fake, axis=0)
    return tf.reduce_sum(tf.square(difference))


def pulling_away_term(features: Tensor) -> Tensor:
    """EBGAN's repelling regularizer (Zhao et al. 2016, arXiv 1609.03126, eq. 5).

        f_PT(S) = 1 / (N(N − 1)) Σ_i Σ_{j≠i} (S_iᵀ S_j / (‖S_i‖ ‖S_j‖))²

    S holds one feature vector per generated sample; the term is the mean
    squared cosine similarity between distinct samples: 0 for mutually
    orthogonal features, 1 when all are parallel. G minimises it.

    Returns:
        A float32 scalar (needs N >= 2).
    """
    s = tf.reshape(tf.cast(features, tf.float32), [tf.shape(features)[0], -1])
    s = s / tf.sqrt(tf.reduce_sum(tf.square(s), axis=1, keepdims=True) + 1e-12)
    n = tf.cast(tf.shape(s)[0], tf.float32)
    cosine = tf.matmul(s, s, transpose_b=True)
    off_diagonal = tf.reduce_sum(tf.square(cosine)) - tf.reduce_sum(tf.square(tf.linalg.diag_part(cosine)))
    return off_diagonal / (n * (n - 1.0))


@dataclasses.dataclass(frozen=True)
class GANLoss:
    """A named pair of per-example loss terms.

    Attributes:
        name: the name ``get`` knows it by (``"non_saturating"``, ...).
        discriminator: ``(real_outputs, fake_outputs) -> [batch]``.
        generator: ``(fake_outputs, real_outputs) -> [batch]``; the named
            losses ignore ``real_outputs``.
        outputs_are_logits: True when D's outputs are logits, so that models
            report σ(D(x)) as ``d_real``/``d_fake``; False for critics.
    """

    name: str
    discriminator: Callable[[Tensor, Tensor], Tensor]
    generator: Callable[[Tensor, Tensor], Tensor]
    outputs_are_logits: bool = True


def _ignore_real(generator_loss: Callable[[Tensor], Tensor]) -> Callable[[Tensor, Tensor], Tensor]:
    return lambda fake_outputs, real_outputs=None: generator_loss(fake_outputs)


def _named(name: str, d_loss: Callable, g_loss: Callable, logits: bool = True) -> GANLoss:
    return GANLoss(name, d_loss, _ignore_real(g_loss), outputs_are_logits=logits)


_SMOOTHABLE = {"minimax", "non_saturating", "least_squares"}


def get(identifier: str | GANLoss | Callable, label_smoothing: float = 0.0) -> GANLoss:
    """Returns the :class:`GANLoss` for a name, a ``GANLoss`` or a callable.

    Args:
        identifier: one of ``"minimax"``, ``"non_saturating"``,
            ``"wasserstein"``, ``"hinge"``, ``"least_squares"``, ``"began"``; a ``GANLoss``;
            or a callable ``fn(real_outputs, fake_outputs) -> (d_loss, g_loss)``
            of per-example losses (in the generator step it receives D's real
            outputs from the preceding discriminator step, without gradient).
        label_smoothing: one-sided label smoothing for the losses that have
            targets (minimax, non_saturating, least_squares).
    """
    label_smoothing = _check_smoothing(label_smoothing)
    if isinstance(identifier, GANLoss):
        return identifier
    if isinstance(identifier, str):
        if identifier not in LOSSES:
            raise GanzooError(
                f"ganzoo.losses: unknown loss '{identifier}'; "
                f"choose one of {', '.join(sorted(LOSSES))} or pass a callable."
            )
        if label_smoothing and identifier not in _SMOOTHABLE:
            raise GanzooError(
                f"ganzoo.losses: label_smoothing={label_smoothing} has no meaning for the "
                f"'{identifier}' loss (it has no targets); set it to 0 or use one of "
                f"{', '.join(sorted(_SMOOTHABLE))}."
            )
        loss = LOSSES[identifier]
        if label_smoothing:
            loss = dataclasses.replace(
                loss,
                discriminator=functools.partial(
                    loss.discriminator, label_smoothing=label_smoothing
                ),
            )
        return loss
    if callable(identifier):
        return GANLoss(
            name=getattr(identifier, "__name__", "custom"),
            discriminator=lambda r, f: identifier(r, f)[0],
            generator=lambda f, r: identifier(tf.stop_gradient(r), f)[1],
            outputs_are_logits=False,
        )
    raise GanzooError(
        f"ganzoo.losses: cannot interpret loss {identifier!r}; pass a name, a GANLoss or a callable."
    )


LOSSES: dict[str, GANLoss] = {
    "minimax": _named("minimax", minimax_discriminator_loss, minimax_generator_loss),
    "non_saturating": _named(
        "non_saturating", minimax_discriminator_loss, non_saturating_generator_loss
    ),
    "wasserstein": _named(
        "wasserstein", wasserstein_discriminator_loss, wasserstein_generator_loss, logits=False
    ),
    "hinge": _named("hinge", hinge_discriminator_loss, hinge_generator_loss, logits=False),
    "least_squares": _named(
        "least_squares",
        least_squares_discriminator_loss,
        least_squares_generator_loss,
        logits=False,
    ),
    # D's outputs are energies L(v) >= 0; compile(balance_gamma=...) adds k_t.
    "began": _named("began", began_discriminator_loss, began_generator_loss, logits=False),
}


def serialize(identifier: str | GANLoss | Callable) -> str | dict:
    """What a saved model keeps of ``compile(loss=identifier)``; ``deserialize`` inverts it.

    A name, or a ``GANLoss`` that ``get`` returns for a name, is saved as the name; a
    function registered with ``keras.saving.register_keras_serializable`` as its registered
    name. Anything else (a lambda, a local function, a hand-made or smoothed ``GANLoss``)
    cannot be restored by ``load_model``, so saving it is refused in one line.
    """
    import keras

    if isinstance(identifier, str):
        return identifier
    if isinstance(identifier, GANLoss):
        if LOSSES.get(identifier.name) == identifier:
            return identifier.name
        raise GanzooError(
            f"ganzoo.losses: the GANLoss '{identifier.name}' cannot be saved (it is not ganzoo's "
            "named loss); compile with loss='<name>' (and label_smoothing=) or with a function "
            "registered by @keras.saving.register_keras_serializable()."
        )
    name = keras.saving.get_registered_name(identifier)
    if keras.saving.get_registered_object(name) is identifier:
        return {"registered_loss": name}
    raise GanzooError(
        f"ganzoo.losses: the loss {getattr(identifier, '__qualname__', identifier)!r} cannot be "
        "saved; decorate it with @keras.saving.register_keras_serializable() or pass a loss name."
    )


def deserialize(config: str | dict | None) -> str | Callable:
    """The ``compile(loss=...)`` argument saved by ``serialize`` (None: ``"non_saturating"``)."""
    import keras

    if config is None:
        return "non_saturating"
    if isinstance(config, dict):
        loss = keras.saving.get_registered_object(config["registered_loss"])
        if loss is None:
            raise GanzooError(
                f"ganzoo.losses: the saved loss '{config['registered_loss']}' is not registered; "
                "import the module that defines it before load_model."
            )
        return loss
    return config
