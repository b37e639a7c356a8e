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


def global_batch_random(draw, batch_size, seed):
    """Random numbers for this replica's rows of the global batch.

    ``draw(n, seed)`` makes ``n`` rows from a stateless seed. Every replica
    draws the *global* batch with the same seed and keeps its own slice, so N
    replicas use exactly the numbers one replica would for the same global
    batch (a per-replica fold-in would give other numbers, and a bare
    SeedGenerator would give every replica the same ones). The extra draws are
    cheap next to a network's forward pass.
    """
    context = tf.distribute.get_replica_context()
    replicas = context.num_replicas_in_sync if context is not None else 1
    if replicas == 1:
        return draw(batch_size, seed)
    values = draw(batch_size * replicas, seed)
    start = tf.cast(context.replica_id_in_sync_group, tf.int32) * batch_size
    return values[start : start + batch_size]


def needs_own_multi_step(model) -> bool:
    """True when Keras 3.15's multi-step train function fails for ``model``'s strategy.

    Keras runs each of the ``steps_per_execution`` steps as a nested
    ``tf.function`` inside a ``tf.cond`` of a ``tf.while_loop``. Under
    ``MirroredStrategy`` the step's ``merge_call`` (the gradient all-reduce)
    inside that branch leaves a branch placeholder unfed: "You must feed a
    value for placeholder tensor ... while/cond" (keras-team/keras#19246;
    a plain ``Sequential`` fails the same way on 2 logical CPUs).
    """
    return int(model.steps_per_execution) > 1 and isinstance(
        model.distribute_strategy, tf.distribute.MirroredStrategy
    )


def multi_step_train_function(model):
    """``model.train_function`` running ``steps_per_execution`` steps per call, without the nested cond.

    The same contract as Keras' own: called with a distributed iterator, it
    runs up to ``steps_per_execution`` steps (fewer when the data ends, and an
    ``OutOfRangeError`` that ``fit`` ends the epoch on when there is none left)
    and returns the last step's logs averaged over replicas. The steps run
    in a ``tf.while_loop`` whose condition checks for a next batch, so no step
    sits inside a ``tf.cond`` branch.
    """
    strategy = model.distribute_strategy
    steps = int(model.steps_per_execution)

    def one_step(data):
        outputs = strategy.run(model.train_step, args=(data,))
        return tf.nest.map_structure(lambda v: strategy.reduce("MEAN", v, axis=None), outputs)

    if not model.run_eagerly:
        one_step = tf.function(one_step, reduce_retracing=True, jit_compile=bool(model.jit_compile),
                               autograph=False)

    def steps_on_iterator(iterator):
        logs = one_step(iterator.get_next())

        def more(done, logs, batch):
            return tf.logical_and(done < steps, batch.has_value())

        def step(done, logs, batch):
            logs = one_step(batch.get_value())
            # Fetch a batch only when another step will run, so none is dropped.
            batch = tf.cond(done + 1 < steps, iterator.get_next_as_optional, lambda: batch)
            return done + 1, logs, batch

        _, logs, _ = tf.while_loop(more, step, [tf.constant(1), logs, iterator.get_next_as_optional()])
        return logs

    if not model.run_eagerly:
        steps_on_iterator = tf.function(steps_on_iterator, reduce_retracing=True, autograph=False)

    def train_function(iterator):
        if isinstance(iterator, (tf.data.Iterator, tf.distribute.DistributedIterator)):
            return steps_on_iterator(iterator)
        logs = None
        for _, data in zip(range(steps), iterator):  # train_on_batch passes a Python iterable
            logs = one_step(data)
        return logs

    return train_function


def is_chief(strategy: tf.distribute.Strategy) -> bool:
    """True on the process that writes checkpoints, samples and exports.

    That is every process but a multi-worker cluster's non-chief workers (the
    ``chief`` task, or worker 0 when the cluster has no chief).
    """
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not getattr(resolver, "task_type", None):
        return True
    task_type, task_id = resolver.task_type, resolver.task_id
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return task_type == "chief" or (not has_chief and task_type == "worker" and task_id == 0)


def needs_custom_loop(strategy: tf.distribute.Strategy) -> bool:
    """Keras 3.15's ``fit`` fails under MultiWorkerMirroredStrategy (``PerReplica`` conversion)."""
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


def custom_fit(model, dataset, strategy, epochs: int, steps_per_epoch: int | None, callbacks, verbose: int = 0):
    """``fit`` as a ``tf.function`` loop of ``strategy.run(model.train_step, ...)``.

    For strategies whose ``fit`` fails (MultiWorkerMirrored on Keras 3.15). It
    drives the same callbacks in the same order as ``fit`` (so backups, resume,
    samples and logs behave alike) and returns the ``History``.
    """
    import keras

    distributed = strategy.experimental_distribute_dataset(dataset)

    steps: dict = {}

    def step(batch):
        # One traced step per set of active phases (SRGAN's pre-training, then its GAN steps).
        key = model.phase_key() if hasattr(model, "phase_key") else ()
        if key not in steps:
            steps[key] = tf.function(lambda data: strategy.run(model.train_step, args=(data,)))
        steps[key](batch)

    callback_list = keras.callbacks.CallbackList(
        callbacks, add_history=True, add_progbar=verbose != 0, model=model,
        verbose=verbose, epochs=epochs, steps=steps_per_epoch,
    )
    model.stop_training = False
    callback_list.on_train_begin()
    logs: dict = {}
    iterator = iter(distributed)
    for epoch in range(getattr(model, "_initial_epoch", 0) or 0, epochs):
        model.reset_metrics()
        callback_list.on_epoch_begin(epoch)
        index = 0
        while steps_per_epoch is None or index < steps_per_epoch:
            try:
                batch = next(iterator)
            except StopIteration:
                iterator = iter(distributed)
                if steps_per_epoch is None:
                    break
                batch = next(iterator)
            callback_list.on_train_batch_begin(index)
            step(batch)
            logs = {m.name: float(m.result()) for m in model.metrics}
            callback_list.on_train_batch_end(index, logs)
            index += 1
            if model.stop_training:  # as in fit: e.g. a resumed epoch's last step
                break
        callback_list.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    callback_list.on_train_end(logs)
    return model.history
