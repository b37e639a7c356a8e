"""tf.distribute strategies by name: ``get_strategy(name)``.

Names: ``default`` (no distribution), ``one_device`` (the first GPU, else the
CPU), ``mirrored`` (all local GPUs, or all logical CPUs), ``multi_worker``
(reads ``TF_CONFIG``), ``tpu`` (a TPU cluster resolver with no arguments).
Models, optimizers and metrics must be created under ``strategy.scope()``.
"""

from __future__ import annotations

import tensorflow as tf

from ganzoo.errors import GanzooError

STRATEGIES = ("default", "one_device", "mirrored", "multi_worker", "tpu")


def get_strategy(name: str = "default") -> tf.distribute.Strategy:
    """The strategy called ``name`` (see the module docstring)."""
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "one_device":
        gpus = tf.config.list_logical_devices("GPU")
        return tf.distribute.OneDeviceStrategy(gpus[0].name if gpus else "/cpu:0")
    if name == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        if gpus:
            return tf.distribute.MirroredStrategy()
        return tf.distribute.MirroredStrategy([d.name for d in tf.config.list_logical_devices("CPU")])
    if name == "multi_worker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "tpu":
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return tf.distribute.TPUStrategy(resolver)
    raise GanzooError(
        f"ganzoo.distribute: unknown strategy '{name}'; choose one of {', '.join(STRATEGIES)}."
    )
