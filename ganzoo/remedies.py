"""Training remedies for GANs, composable on any model.

The remedies of "Improved Techniques for Training GANs" (Salimans et al. 2016,
arXiv 1606.03498), EBGAN (Zhao et al. 2016, arXiv 1609.03126), BEGAN
(Berthelot et al. 2017, arXiv 1703.10717), spectral normalization (Miyato
et al. 2018, arXiv 1802.05957) and PacGAN (Lin et al. 2018, arXiv 1712.04086)
live where they act:

    loss-side: ``GAN.compile`` options
        label_smoothing=0.1          one-sided label smoothing (real target 0.9)
        feature_matching=w           G also matches D's mean hidden features
        pulling_away=w               EBGAN's repelling term on a batch's features
        loss="began", balance_gamma  BEGAN's k_t balance and convergence measure
    architectural: functions here that return a new discriminator
        with_minibatch_discrimination(d)   a MinibatchDiscrimination layer before D's output
        spectral_normalize(d)              every Dense/Conv in SpectralNorm
        with_packing(d, m)                 D judges m samples at once (PacGAN's packing)
        build_autoencoder_discriminator    BEGAN's auto-encoder, outputs energies |v − AE(v)|

The models that build their own networks (VanillaGAN, DCGAN, WGAN) switch the
architectural ones on with constructor arguments (``minibatch_kernels``,
``spectral_norm``, ``packing``) through :func:`apply_to_discriminator`.
A generic ``ganzoo.models.GAN(generator, discriminator)`` serializes whatever
networks it is given, so a model built from these round-trips through
``model.save``/``keras.models.load_model``.
"""

from __future__ import annotations

from typing import Sequence

import keras
from keras import ops

from ganzoo.errors import GanzooError
from ganzoo.layers import MinibatchDiscrimination, Pack, SpectralNorm
from ganzoo.layers.packing import check_packing
from ganzoo.utils.networks import feature_layer as find_feature_layer, single_input

_NORMALIZABLE = (
    keras.layers.Dense,
    keras.layers.Conv1D,
    keras.layers.Conv2D,
    keras.layers.Conv3D,
)


def _check_functional(network: keras.Model, what: str) -> None:
    if not hasattr(network, "inputs") or not network.inputs or len(network.outputs) != 1:
        raise GanzooError(
            f"ganzoo.remedies: {what} needs a built functional or Sequential Keras model with "
            f"one output; got {type(network).__name__} '{getattr(network, 'name', '?')}'."
        )


def with_minibatch_discrimination(
    discriminator: keras.Model,
    num_kernels: int = 100,
    kernel_dim: int = 5,
    feature_layer: str | None = None,
    include_self: bool = False,
) -> keras.Model:
    """A copy-sharing discriminator: f = D's hidden features, then [f, o(f)] -> Dense(1).

    Salimans et al. 2016, section 3.2: the minibatch layer sits on an
    intermediate layer and its output is concatenated to it before the last
    layer. The returned model shares D's layers up to ``feature_layer`` (default
    the last hidden layer) and adds a new output Dense. Shapes as D's: ``[batch, 1]``.
    """
    _check_functional(discriminator, "with_minibatch_discrimination")
    layer = find_feature_layer(discriminator, feature_layer)
    features = keras.layers.Flatten(name="mbd_flatten")(layer.output)
    x = MinibatchDiscrimination(num_kernels, kernel_dim, include_self, name="minibatch_discrimination")(features)
    logits = keras.layers.Dense(1, dtype="float32", name="mbd_logit")(x)
    return keras.Model(single_input(discriminator.inputs), logits, name=f"{discriminator.name}_mbd")


def spectral_normalize(network: keras.Model, power_iterations: int = 1) -> keras.Model:
    """A clone of ``network`` with every Dense/Conv layer wrapped in :class:`SpectralNorm`.

    Fresh weights (a clone); the last layer is normalized too, as in Miyato et al.
    """
    _check_functional(network, "spectral_normalize")

    def wrap(layer):
        config = layer.get_config()
        clone = type(layer).from_config(config)
        if isinstance(layer, _NORMALIZABLE):
            return SpectralNorm(clone, power_iterations=power_iterations, name=f"{layer.name}_sn")
        return clone

    clone = keras.models.clone_model(network, clone_function=wrap)
    return clone


def with_packing(discriminator: keras.Model, packing: int) -> keras.Model:
    """PacGAN's packed discriminator: ``Pack(packing)`` after D's input, then D's layers.

    Lin et al. 2018 (arXiv 1712.04086), section 3: D receives m samples, all
    real or all generated, concatenated into one input (PacGAN2: m = 2,
    PacGAN4: m = 4), and decides about the whole pack. The returned model keeps
    D's per-sample input and stacks every m consecutive samples:

        ``[batch, F] -> [batch / m, m·F]`` or ``[batch, H, W, C] -> [batch / m, H, W, m·C]``

    then runs clones of D's layers (fresh weights: D's first layer now sees m
    times as many input features), so the output is ``[batch / m, 1]``, one
    logit per pack. Losses average over packs, which equals the paper's loss.
    The batch size must be a multiple of ``packing``. Apply it before the other
    remedies (:func:`apply_to_discriminator` does), so that minibatch
    discrimination and spectral norm see packs.

    Args:
        discriminator: a functional discriminator whose layers form a chain
            (each layer takes the previous one's output), built for one sample.
        packing: m >= 1 (1 returns ``discriminator`` unchanged).
    """
    _check_functional(discriminator, "with_packing")
    packing = check_packing(packing)
    if packing == 1:
        return discriminator
    if len(discriminator.inputs) != 1:
        raise GanzooError(
            f"ganzoo.remedies: with_packing needs a discriminator with one input; "
            f"'{discriminator.name}' has {len(discriminator.inputs)}."
        )
    layers = [layer for layer in discriminator.layers if not isinstance(layer, keras.layers.InputLayer)]
    previous = discriminator.inputs[0]
    for layer in layers:
        if layer.input is not previous:
            raise GanzooError(
                f"ganzoo.remedies: with_packing rebuilds a chain of layers, but layer '{layer.name}' of "
                f"'{discriminator.name}' does not take the previous layer's output; put "
                f"ganzoo.layers.Pack({packing}) after the discriminator's input yourself."
            )
        previous = layer.output
    inputs = keras.Input(tuple(discriminator.inputs[0].shape[1:]), name=discriminator.inputs[0].name)
    x = Pack(packing, name="pack")(inputs)
    for layer in layers:
        x = type(layer).from_config(layer.get_config())(x)
    return keras.Model(inputs, x, name=f"{discriminator.name}_pac{packing}")


@keras.saving.register_keras_serializable(package="ganzoo")
class ReconstructionEnergy(keras.layers.Layer):
    """L(v) = mean |v − D(v)|, per example: BEGAN's discriminator energy.

    Call on ``[inputs, reconstructions]``; returns ``[batch, 1]`` float32.
    """

    def call(self, inputs):
        samples, reconstructions = inputs
        difference = ops.abs(ops.cast(samples, "float32") - ops.cast(reconstructions, "float32"))
        return ops.mean(ops.reshape(difference, (ops.shape(difference)[0], -1)), axis=1, keepdims=True)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], 1)


def build_autoencoder_discriminator(
    data_shape: Sequence[int], units: Sequence[int] = (128, 128), code_dim: int = 16
) -> keras.Model:
    """BEGAN's discriminator as an MLP auto-encoder. ``[batch, *data_shape] -> [batch, 1]`` energies.

    Use with ``compile(loss="began", balance_gamma=0.5)``.
    """
    shape = tuple(int(d) for d in data_shape)
    inputs = keras.Input(shape, name="samples")
    x = keras.layers.Flatten()(inputs)
    for i, width in enumerate(units):
        x = keras.layers.Dense(width, activation="elu", name=f"encode{i + 1}")(x)
    x = keras.layers.Dense(code_dim, name="code")(x)
    for i, width in enumerate(reversed(units)):
        x = keras.layers.Dense(width, activation="elu", name=f"decode{i + 1}")(x)
    x = keras.layers.Dense(_size(shape), name="reconstruction")(x)
    reconstruction = keras.layers.Reshape(shape)(x)
    energy = ReconstructionEnergy(name="energy")([inputs, reconstruction])
    return keras.Model(inputs, energy, name="autoencoder")


def _size(shape: Sequence[int]) -> int:
    size = 1
    for d in shape:
        size *= int(d)
    return size


def apply_to_discriminator(
    discriminator: keras.Model, minibatch_kernels: int = 0, spectral_norm: bool = False, packing: int = 1
) -> keras.Model:
    """The model constructors' switches: packing, then spectral norm, then minibatch discrimination.

    Args:
        discriminator: a functional discriminator.
        minibatch_kernels: number of minibatch-discrimination kernels (0 = off;
            Salimans et al. 2016 use 100 with 5 dimensions each).
        spectral_norm: wrap every Dense/Conv layer in :class:`SpectralNorm`.
        packing: samples per discriminator input (1 = off; PacGAN uses 2-4).
    """
    discriminator = with_packing(discriminator, packing)
    if spectral_norm:
        discriminator = spectral_normalize(discriminator)
    if minibatch_kernels:
        discriminator = with_minibatch_discrimination(discriminator, int(minibatch_kernels))
    return discriminator
