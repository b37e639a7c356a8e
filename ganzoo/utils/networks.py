"""Helpers for building and inspecting Keras networks, shared by models and remedies."""

from __future__ import annotations

from typing import Any, Callable

import keras
import numpy as np

from ganzoo.errors import GanzooError


def single_input(inputs: list) -> Any:
    """A one-input model's input as a tensor, not a list (Keras warns when called otherwise)."""
    return inputs[0] if len(inputs) == 1 else inputs


def feature_layer(network: keras.Model, name: str | None) -> keras.layers.Layer:
    """The named layer, or the last one whose output is a hidden representation.

    "Hidden" means its output size is neither the final output's nor 1.
    """
    if name is not None:
        try:
            return network.get_layer(name)
        except ValueError:
            names = [layer.name for layer in network.layers]
            raise GanzooError(
                f"ganzoo: {network.name} has no layer '{name}' for feature_layer; its layers are "
                f"{', '.join(names)}."
            ) from None
    final = int(np.prod(network.outputs[0].shape[1:]))
    for layer in reversed(network.layers[:-1]):
        if isinstance(layer, keras.layers.InputLayer):
            continue
        size = int(np.prod(layer.output.shape[1:]))
        if size not in (1, final):
            return layer
    raise GanzooError(
        f"ganzoo: cannot find a hidden layer in {network.name} for feature matching or the "
        "pulling-away term; pass the layer's name (e.g. FeatureMatching(1.0, layer='<name>'))."
    )


def make_optimizer(identifier: Any, default: Callable[[], keras.optimizers.Optimizer]) -> keras.optimizers.Optimizer:
    """An optimizer from an instance, a name or a config dict; ``default()`` when None."""
    if identifier is None:
        return default()
    try:
        return keras.optimizers.get(identifier)
    except ValueError as error:
        raise GanzooError(
            f"ganzoo: cannot make an optimizer from {identifier!r} ({error}); pass a "
            "keras.optimizers.Optimizer, a name such as 'adam', or its config dict."
        ) from None


def for_policy(optimizer: keras.optimizers.Optimizer, policy_name: str) -> keras.optimizers.Optimizer:
    """Wraps ``optimizer`` in a ``LossScaleOptimizer`` under ``mixed_float16`` (float16 gradients underflow)."""
    if policy_name == "mixed_float16" and not isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


class NetworkCache:
    """Networks built on demand (e.g. D's feature models), out of ``model.save``'s sight.

    Keras' saving walks every attribute of a model, private ones too, and stores the
    networks it finds in lists and dicts: a dict of helper models on a GAN would add
    groups to its .keras file. It does not look inside other objects, such as this one.
    """

    def __init__(self) -> None:
        self._networks: dict[Any, keras.Model] = {}

    def get(self, key: Any, build: Callable[[], keras.Model]) -> keras.Model:
        """The network stored under ``key``, built by ``build()`` the first time."""
        if key not in self._networks:
            self._networks[key] = build()
        return self._networks[key]

    def __len__(self) -> int:
        return len(self._networks)
