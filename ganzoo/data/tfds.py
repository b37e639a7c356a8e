"""``tfds:<name>``: any TensorFlow Datasets image dataset (``tfds:mnist``, ``tfds:cifar10``, ...).

Nothing is downloaded unless asked: the dataset must be prepared in
``data_dir`` (``tfds build <name>`` where there is network, then copy the
directory), or the ``download`` option set to True on a machine with network
(the online configs, e.g. ``configs/dcgan_mnist.py``, set it). Images are cropped to a central square when they are
not square, resized to ``image_size`` when given, and mapped to [-1, 1].
"""

from __future__ import annotations

import os

import tensorflow as tf

from ganzoo.data.registry import Source, import_tfds, register, set_channels, square_resize, to_range
from ganzoo.errors import GanzooError


@register("tfds", takes_argument=True, description="any TFDS image dataset, e.g. tfds:mnist, tfds:cifar10, tfds:celeb_a")
def tfds_source(
    name, split="train", image_size=None, channels=None, with_labels=False, shuffle=True, seed=0,
    data_dir=None, download=False, image_key="image", label_key="label",
) -> Source:
    tfds = import_tfds()  # imported here: only this source needs it

    try:
        builder = tfds.builder(name, data_dir=os.path.expanduser(data_dir) if data_dir else None)
        if download:
            builder.download_and_prepare()
        read_config = tfds.ReadConfig(shuffle_seed=seed)
        dataset = builder.as_dataset(split=split, shuffle_files=shuffle, read_config=read_config)
    except Exception as error:  # TFDS raises many types; the user needs one message
        first_line = (str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__).rstrip(".")
        raise GanzooError(
            f"ganzoo.data: TFDS dataset '{name}' (split '{split}') could not be loaded: "
            f"{first_line}. Check the name and split; prepare the data where there is network "
            "(`tfds build NAME`) and pass its data_dir, or turn on the download option "
            "(--config.data.download=true) on a machine with network."
        ) from None
    features = builder.info.features
    if image_key not in features:
        raise GanzooError(
            f"ganzoo.data: TFDS dataset '{name}' has no '{image_key}' feature (it has "
            f"{', '.join(features.keys())}); set the image_key option."
        )
    if with_labels and label_key not in features:
        raise GanzooError(
            f"ganzoo.data: TFDS dataset '{name}' has no '{label_key}' feature for labels; "
            "set label_key or with_labels=False."
        )

    def convert(example):
        image = to_range(square_resize(tf.cast(example[image_key], tf.float32), image_size), 255.0)
        image = tf.clip_by_value(set_channels(image, channels), -1.0, 1.0)
        if with_labels:
            return image, tf.cast(example[label_key], tf.int32)
        return image

    try:
        num_examples = builder.info.splits[split].num_examples
    except Exception:  # sliced splits such as train[:10%] on some versions
        num_examples = None
    dataset = dataset.map(convert, num_parallel_calls=tf.data.AUTOTUNE)
    return Source(dataset, num_examples, in_memory=False, shuffled=False)
