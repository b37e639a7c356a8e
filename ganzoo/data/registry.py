"""The dataset registry: ``load(name, ...)`` -> a batched ``tf.data.Dataset``.

A source is a function registered under a name (``digits``) or a prefix that
takes an argument (``tfds:<name>``, ``folder:<path>``, ``mixture2d:<name>``).
It returns the unbatched examples; ``load`` shuffles, batches and prefetches
them the same way for every source.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any, Callable

import tensorflow as tf

from ganzoo.errors import GanzooError


@dataclasses.dataclass
class Source:
    """What a source function returns.

    Attributes:
        dataset: unbatched examples: float32 samples (images NHWC in [-1, 1],
            points ``[2]``), or ``(sample, int32 label)`` pairs when labels were asked for.
        num_examples: how many examples, when known.
        in_memory: True when the examples are already tensors in memory (small
            data): ``load`` then shuffles them fully and turns tf.data
            autotuning off (its wake-ups stall short epochs).
        shuffled: True when the source already shuffled (e.g. file names).
    """

    dataset: tf.data.Dataset
    num_examples: int | None = None
    in_memory: bool = False
    shuffled: bool = False


SourceFn = Callable[..., Source]


@dataclasses.dataclass(frozen=True)
class _Entry:
    fn: SourceFn
    takes_argument: bool
    description: str


_REGISTRY: dict[str, _Entry] = {}


def register(name: str, takes_argument: bool = False, description: str = "") -> Callable[[SourceFn], SourceFn]:
    """Decorator: registers a source function under ``name``.

    The function is called as ``fn(argument, split=..., image_size=...,
    channels=..., with_labels=..., shuffle=..., seed=..., **options)`` (without
    ``argument`` unless ``takes_argument``) and returns a :class:`Source`.
    """

    def decorator(fn: SourceFn) -> SourceFn:
        _REGISTRY[name] = _Entry(fn, takes_argument, description)
        return fn

    return decorator


def list_datasets() -> dict[str, str]:
    """Registered names (``prefix:<arg>`` for those that take one) and their descriptions."""
    return {
        (f"{name}:<arg>" if entry.takes_argument else name): entry.description
        for name, entry in sorted(_REGISTRY.items())
    }


def resolve(name: str) -> tuple[_Entry, str | None]:
    """The registry entry and argument for a source name (``"folder:/data"``); unknown names fail."""
    prefix, sep, argument = name.partition(":")
    entry = _REGISTRY.get(prefix)
    if entry is None:
        raise GanzooError(
            f"ganzoo.data: unknown dataset '{name}'; choose one of "
            f"{', '.join(list_datasets())}."
        )
    if entry.takes_argument and not argument:
        raise GanzooError(
            f"ganzoo.data: dataset '{name}' needs an argument after the colon, e.g. "
            f"'{prefix}:{'mnist' if prefix == 'tfds' else '...'}'."
        )
    if not entry.takes_argument and sep:
        raise GanzooError(f"ganzoo.data: dataset '{prefix}' takes no ':{argument}' argument.")
    return entry, (argument if entry.takes_argument else None)


def load(
    name: str,
    split: str = "train",
    batch_size: int = 64,
    image_size: int | None = None,
    channels: int | None = None,
    with_labels: bool = False,
    shuffle: bool | None = None,
    drop_remainder: bool | None = None,
    repeat: bool = False,
    seed: int = 0,
    **options: Any,
) -> tf.data.Dataset:
    """Loads a dataset by name as batches of float32 samples.

    Args:
        name: ``"digits"``, ``"mixture2d:ring8"``, ``"mixture2d:grid25"``,
            ``"tfds:<name>"`` or ``"folder:<path>"``; ``list_datasets()`` has all.
        split: ``"train"`` or ``"test"`` (TFDS takes its own split strings).
        batch_size: examples per batch (the global batch under tf.distribute).
        image_size: resize images to ``image_size``×``image_size`` (sources'
            defaults otherwise: digits 32, folder 64, TFDS native).
        channels: 1 or 3 (grayscale/RGB conversion); the source's own by default.
        with_labels: yield ``(samples, labels)`` with int32 labels.
        shuffle: shuffle examples; default True for the training split.
        drop_remainder: drop a last partial batch; default True for the
            training split (fixed shapes, no retracing).
        repeat: repeat forever (then pass ``steps_per_epoch`` to ``fit``).
        seed: shuffling (and synthetic data) seed.
        **options: source options, e.g. ``data_dir`` for TFDS, ``num_examples``
            for mixture2d.

    Returns:
        ``tf.data.Dataset`` of ``[batch, H, W, C]`` float32 images in [-1, 1]
        (``[batch, 2]`` for points), or ``(samples, labels)`` pairs.
    """
    if int(batch_size) < 1:
        raise GanzooError(f"ganzoo.data: batch_size={batch_size} must be at least 1.")
    if channels not in (None, 1, 3):
        raise GanzooError(f"ganzoo.data: channels={channels}; use 1 (grayscale) or 3 (RGB).")
    if image_size is not None and int(image_size) < 1:
        raise GanzooError(f"ganzoo.data: image_size={image_size} must be a positive number of pixels.")
    entry, argument = resolve(name)
    training = split == "train"
    shuffle = training if shuffle is None else bool(shuffle)
    drop_remainder = training if drop_remainder is None else bool(drop_remainder)
    args = (argument,) if entry.takes_argument else ()
    accepted = set(inspect.signature(entry.fn).parameters)
    unknown = sorted(set(options) - accepted)
    if unknown:
        own = sorted(accepted - {"split", "image_size", "channels", "with_labels", "shuffle", "seed"})
        own = [o for o in own if o not in ("name", "path")]
        raise GanzooError(
            f"ganzoo.data: dataset '{name}' has no option {', '.join(map(repr, unknown))}; "
            f"its own options are: {', '.join(own) or 'none'}."
        )
    source = entry.fn(
        *args,
        split=split,
        image_size=image_size,
        channels=channels,
        with_labels=with_labels,
        shuffle=shuffle,
        seed=seed,
        **options,
    )
    dataset = source.dataset
    if shuffle and not source.shuffled:
        buffer = source.num_examples if source.in_memory and source.num_examples else 1000
        dataset = dataset.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        dataset = dataset.repeat()
    dataset = dataset.batch(int(batch_size), drop_remainder=drop_remainder)
    if source.in_memory:
        dataset = dataset.prefetch(2)
        data_options = tf.data.Options()
        data_options.autotune.enabled = False
        dataset = dataset.with_options(data_options)
    else:
        dataset = dataset.prefetch(tf.data.AUTOTUNE)
    return dataset


def to_range(images: tf.Tensor, maximum: float) -> tf.Tensor:
    """Maps pixel values in [0, maximum] to float32 [-1, 1]."""
    return tf.cast(images, tf.float32) * (2.0 / maximum) - 1.0


def set_channels(images: tf.Tensor, channels: int | None) -> tf.Tensor:
    """Converts NHWC (or HWC) images to 1 or 3 channels; None keeps them."""
    have = images.shape[-1]
    if channels is None or have == channels:
        return images
    if have == 1 and channels == 3:
        return tf.image.grayscale_to_rgb(images)
    if have == 3 and channels == 1:
        return tf.image.rgb_to_grayscale(images)
    if have == 4:
        return set_channels(images[..., :3], channels)
    raise GanzooError(f"ganzoo.data: cannot convert {have}-channel images to {channels} channels.")


def square_resize(image: tf.Tensor, size: int | None) -> tf.Tensor:
    """Central square crop (when not square), then an antialiased resize to ``size``."""
    if size is None:
        return image
    shape = tf.shape(image)
    height, width = shape[-3], shape[-2]
    side = tf.minimum(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    image = image[..., top : top + side, left : left + side, :]
    return tf.image.resize(image, [size, size], method="bilinear", antialias=True)


def import_tfds():
    """``tensorflow_datasets``, or one line saying how to install it (it is the ``[tfds]`` extra)."""
    try:
        import tensorflow_datasets
    except ImportError:
        raise GanzooError(
            "ganzoo.data: TFDS sources need the tensorflow-datasets package; install it with "
            "pip install 'ganzoo[tfds]' (or pip install tensorflow-datasets)."
        ) from None
    return tensorflow_datasets
