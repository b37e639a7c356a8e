"""Unpaired data for image-to-image translation (CycleGAN): ``(a, b)`` from two independent sources.

``unpaired:<A>|<B>``: any two registered sources, e.g. ``unpaired:digits|printed_digits`` or
``unpaired:tfds:cycle_gan/horse2zebra|tfds:cycle_gan/horse2zebra`` (with ``split_a="{split}A"``,
``split_b="{split}B"``). Each side is loaded and shuffled on its own (B with seed + 1), so a
batch pairs unrelated images; an epoch is as long as the larger side (the smaller repeats),
as in the official CycleGAN code. ``image_size`` and ``channels`` apply to both sides; other
options go to one side through ``options_a`` / ``options_b``.

``unpaired_folder:<root>``: the CycleGAN repository's layout ``<root>/trainA``, ``trainB``,
``testA``, ``testB`` (image files, read like ``folder:<path>``).
"""

from __future__ import annotations

import os
from typing import Any

import tensorflow as tf

from ganzoo.data.registry import Source, load, register
from ganzoo.errors import GanzooError

LAYOUT = ("trainA", "trainB", "testA", "testB")


def split_names(argument: str) -> tuple[str, str]:
    """``"A|B"`` -> ``("A", "B")``; one clear error for anything else."""
    parts = argument.split("|")
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise GanzooError(
            f"ganzoo.data: unpaired:{argument} needs two sources separated by one '|', "
            "e.g. unpaired:digits|printed_digits."
        )
    return parts[0].strip(), parts[1].strip()


def side(name: str, split: str, image_size, channels, with_labels: bool, shuffle: bool, seed: int,
         options: dict[str, Any]) -> tuple[tf.data.Dataset, int | None, bool]:
    """One domain as unbatched examples, its size (None when unknown) and whether it is in memory."""
    options = {"image_size": image_size, "channels": channels, **options}  # a side's own options win
    batches = load(name, split=split, batch_size=1, with_labels=with_labels, shuffle=shuffle,
                   drop_remainder=False, seed=seed, **options)
    size = int(batches.cardinality())
    in_memory = not batches.options().autotune.enabled  # registry.load turns autotune off for in-memory data
    return batches.unbatch(), (size if size >= 0 else None), in_memory


def unpaired_dataset(name_a: str, name_b: str, split="train", image_size=None, channels=None, with_labels=False,
                     shuffle=True, seed=0, split_a="{split}", split_b="{split}", options_a=None,
                     options_b=None) -> Source:
    """``(a, b)`` examples (``(a, b, label_a, label_b)`` with labels) from sources ``name_a`` and ``name_b``."""
    sides = []
    for i, (name, template, options) in enumerate(((name_a, split_a, options_a), (name_b, split_b, options_b))):
        side_split = str(template).replace("{split}", split)
        sides.append(side(name, side_split, image_size, channels, with_labels, shuffle, seed + i, dict(options or {})))
    (a, size_a, memory_a), (b, size_b, memory_b) = sides
    channels_a, channels_b = (s[0].element_spec[0] if with_labels else s[0].element_spec for s in sides)
    if channels_a.shape[-1] != channels_b.shape[-1]:
        raise GanzooError(
            f"ganzoo.data: unpaired:{name_a}|{name_b} has {channels_a.shape[-1]}-channel images in A and "
            f"{channels_b.shape[-1]}-channel in B; set data.channels (1 or 3) so both sides match."
        )
    if size_a and size_b:
        length = max(size_a, size_b)
        dataset = tf.data.Dataset.zip(a.repeat(), b.repeat()).take(length)
    else:
        length = None
        dataset = tf.data.Dataset.zip(a, b)
    if with_labels:
        dataset = dataset.map(lambda x, y: (x[0], y[0], x[1], y[1]))
    return Source(dataset, length, in_memory=memory_a and memory_b, shuffled=True)


@register("unpaired", takes_argument=True,
          description="(a, b) batches from two independent sources for translation, e.g. unpaired:digits|printed_digits")
def unpaired(argument, split="train", image_size=None, channels=None, with_labels=False, shuffle=True, seed=0,
             split_a="{split}", split_b="{split}", options_a=None, options_b=None) -> Source:
    name_a, name_b = split_names(argument)
    return unpaired_dataset(name_a, name_b, split, image_size, channels, with_labels, shuffle, seed,
                            split_a, split_b, options_a, options_b)


@register("unpaired_folder", takes_argument=True,
          description="CycleGAN's folder layout <root>/trainA, trainB, testA, testB as (a, b) batches")
def unpaired_folder(root, split="train", image_size=None, channels=None, with_labels=False, shuffle=True, seed=0,
                    verify_images=True) -> Source:
    root = os.path.expanduser(root)
    for domain in "AB":
        path = os.path.join(root, f"{split}{domain}")
        if not os.path.isdir(path):
            raise GanzooError(
                f"ganzoo.data: unpaired_folder:{root} has no '{split}{domain}' folder; CycleGAN's layout is "
                f"{', '.join(name + '/' for name in LAYOUT)} under one root."
            )
    if with_labels:
        raise GanzooError("ganzoo.data: unpaired_folder has no labels; set with_labels=False.")
    options = {"verify_images": verify_images}
    return unpaired_dataset(f"folder:{os.path.join(root, split + 'A')}", f"folder:{os.path.join(root, split + 'B')}",
                            "train", image_size, channels, False, shuffle, seed,
                            options_a=options, options_b=options)
