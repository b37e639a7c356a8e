"""tf.distribute strategies by name: ``get_strategy(name)``.

Names: ``default`` (no distribution), ``one_device`` (the first GPU, else the
CPU), ``mirrored`` (all local GPUs, or all logical CPUs), ``multi_worker``
(reads ``TF_CONFIG``), ``tpu`` (a TPU cluster resolver with no arguments).
Models, optimizers and metrics must be created under ``strategy.scope()``.
"""

from __future__ import annotations

import contextlib
from typing import Callable, Iterator

import tensorflow as tf

from ganzoo.errors import GanzooError

try:  # TensorFlow's own module; device_datasets_untuned() is a no-op without it
    from tensorflow.python.data.ops import multi_device_iterator_ops as multi_device
except ImportError:  # pragma: no cover
    multi_device = None

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


JIT_CHOICES = (True, False, "auto")


def resolve_jit_compile(value, strategy: tf.distribute.Strategy | None = None) -> bool:
    """``jit_compile`` as a bool: ``"auto"`` is XLA on a TPU or a single GPU, oneDNN (no XLA) on CPUs.

    Measured here (BUILD_NOTES "Performance" and "Accelerators"): with oneDNN on, XLA made
    DCGAN-28 slower on CPU (715 vs 907 img/s), so CPUs keep the oneDNN kernels. GPUs and TPUs
    gain from XLA's fusion (TPUs compile everything with it anyway). With several replicas on
    GPUs ``"auto"`` stays off, as Keras' own ``"auto"``: untested here (XLA over logical CPU
    replicas fails on variable placement); pass ``True`` to try it.
    """
    if isinstance(value, str) and value.lower() in ("true", "false"):
        value = value.lower() == "true"
    if value not in JIT_CHOICES or (isinstance(value, str) and value != "auto"):
        raise GanzooError(f"ganzoo: jit_compile={value!r}; use True (XLA), False (no XLA) or 'auto' "
                          "(XLA on a TPU or a single GPU, oneDNN on CPUs).")
    if value != "auto":
        return bool(value)
    if tf.config.list_logical_devices("TPU"):
        return True
    replicas = strategy.num_replicas_in_sync if strategy is not None else 1
    return bool(tf.config.list_logical_devices("GPU")) and replicas == 1


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


def untuned(create_device_dataset: Callable[..., tf.data.Dataset]) -> Callable[..., tf.data.Dataset]:
    """``create_device_dataset`` whose datasets run without tf.data's autotuning (``options.autotune``)."""
    def create(*args, **kwargs):
        options = tf.data.Options()
        options.autotune.enabled = False
        return create_device_dataset(*args, **kwargs).with_options(options)

    create.ganzoo_untuned = True
    return create


@contextlib.contextmanager
def device_datasets_untuned() -> Iterator[None]:
    """While active, the per-device datasets of ``tf.distribute``'s iterators run without autotuning.

    MirroredStrategy (and a multi-worker one) iterates a dataset through a ``MultiDeviceIterator``,
    whose per-device datasets get tf.data's default options: each starts an autotuning thread that
    sleeps 10 ms, 20 ms, 40 ms ... (up to 60 s) between rounds, and deleting the iterator waits
    for the current sleep to end. ``fit`` deletes its iterator when it returns, and at the end of
    every epoch of a finite dataset. Measured here (BUILD_NOTES.md, accelerators): a 14-second
    40-step DCGAN fit on 2 replicas returned at 20.6 s (the 20.47 s tick), sometimes at 41.2 s.
    Those datasets' prefetch buffers have a fixed size, so there is nothing for autotuning to
    tune. ``GAN.fit``, ``evaluate``, ``predict`` and ``custom_fit`` run inside this. It swaps a
    TensorFlow-internal function for the duration (nested uses keep the outer swap) and does
    nothing where that function is missing.
    """
    create = getattr(multi_device, "_create_device_dataset", None)
    if create is None or getattr(create, "ganzoo_untuned", False):
        yield
        return
    multi_device._create_device_dataset = untuned(create)
    try:
        yield
    finally:
        multi_device._create_device_dataset = create


def replica_step(model, step=None):
    """``model.train_step`` (or ``step``) as one replica runs it: XLA-compiled when ``model.jit_compile``.

    Only the replica's own step is compiled, as Keras does: the cross-replica call around it
    (``strategy.run``, the all-reduce's ``merge_call``) stays outside XLA.
    """
    step = model.train_step if step is None else step
    if model.jit_compile and not model.run_eagerly:
        return tf.function(step, jit_compile=True, reduce_retracing=True)
    return step


def steps_loop(model, steps: int):
    """A function ``(distributed iterator) -> (last step's logs, steps run)`` running up to ``steps`` steps.

    The steps run in a ``tf.while_loop`` whose condition checks for a next batch, so no step sits
    inside a ``tf.cond`` branch (which fails under MirroredStrategy, see ``needs_own_multi_step``).
    It stops early when the data ends (then ``steps run`` < ``steps``); with no batch left at
    all it raises ``tf.errors.OutOfRangeError``, which ``fit`` ends the epoch on. Logs are
    averaged over replicas.
    """
    strategy = model.distribute_strategy
    train_step = replica_step(model)
    steps = int(steps)

    def one_step(data):
        outputs = strategy.run(train_step, args=(data,))
        return tf.nest.map_structure(lambda v: strategy.reduce("MEAN", v, axis=None), outputs)

    if not model.run_eagerly:  # one trace of the step, called twice below
        one_step = tf.function(one_step, reduce_retracing=True, autograph=False)

    def run(iterator, first=None):
        # ``first``: a batch already taken from ``iterator`` (custom_fit peeks at the data's end).
        logs = one_step(iterator.get_next() if first is None else first)

        def more(done, logs, batch):
            return tf.logical_and(done < steps, batch.has_value())

        def step(done, logs, batch):
            logs = one_step(batch.get_value())
            # Fetch a batch only when another step will run, so none is dropped.
            batch = tf.cond(done + 1 < steps, iterator.get_next_as_optional, lambda: batch)
            return done + 1, logs, batch

        next_batch = iterator.get_next_as_optional() if steps > 1 else None
        if next_batch is None:
            return logs, tf.constant(1)
        done, logs, _ = tf.while_loop(more, step, [tf.constant(1), logs, next_batch])
        return logs, done

    if not model.run_eagerly:
        run = tf.function(run, reduce_retracing=True, autograph=False)
    return run


def multi_step_train_function(model):
    """``model.train_function`` running ``steps_per_execution`` steps per call, without the nested cond.

    The same contract as Keras' own: called with a distributed iterator, it
    runs up to ``steps_per_execution`` steps (fewer when the data ends, and an
    ``OutOfRangeError`` that ``fit`` ends the epoch on when there is none left)
    and returns the last step's logs averaged over replicas (``steps_loop``).
    """
    strategy = model.distribute_strategy
    steps = int(model.steps_per_execution)
    loop = steps_loop(model, steps)
    train_step = replica_step(model)

    def one_step(data):
        outputs = strategy.run(train_step, args=(data,))
        return tf.nest.map_structure(lambda v: strategy.reduce("MEAN", v, axis=None), outputs)

    def train_function(iterator):
        if isinstance(iterator, (tf.data.Iterator, tf.distribute.DistributedIterator)):
            return loop(iterator)[0]
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
    samples and logs behave alike) and returns the ``History``. It honours
    ``model.steps_per_execution`` (``steps_loop``; callbacks see each execution's
    first and last step, as in ``fit``) and ``model.jit_compile`` (``replica_step``).
    """
    import keras

    distributed = strategy.experimental_distribute_dataset(dataset)
    per_execution = max(int(getattr(model, "steps_per_execution", 1) or 1), 1)
    steps: dict = {}

    def execute(batch, iterator, count: int) -> int:
        """Runs ``batch`` and up to ``count - 1`` more from ``iterator``; returns the steps run.

        One traced loop per set of active phases (SRGAN's pre-training, then its GAN steps) and count.
        """
        key = (model.phase_key() if hasattr(model, "phase_key") else (), count)
        if key not in steps:
            if count == 1:
                train_step = replica_step(model)
                one = tf.function(lambda data: strategy.run(train_step, args=(data,)))
                steps[key] = lambda data, _: (one(data), 1)
            else:
                loop = steps_loop(model, count)
                steps[key] = lambda data, it: loop(it, data)
        return int(steps[key](batch, iterator)[1])

    callback_list = keras.callbacks.CallbackList(
        callbacks, add_history=True, add_progbar=verbose != 0, model=model,
        verbose=verbose, epochs=epochs, steps=steps_per_epoch,
    )
    model.stop_training = False
    callback_list.on_train_begin()
    logs: dict = {}
    with device_datasets_untuned():
        iterator = iter(distributed)
    for epoch in range(getattr(model, "_initial_epoch", 0) or 0, epochs):
        model.reset_metrics()
        callback_list.on_epoch_begin(epoch)
        index = 0
        while steps_per_epoch is None or index < steps_per_epoch:
            try:
                batch = next(iterator)
            except StopIteration:
                with device_datasets_untuned():
                    iterator = iter(distributed)
                if steps_per_epoch is None:
                    break
                batch = next(iterator)
            # steps_per_execution steps per call, as fit: callbacks see the execution's first
            # and last step index.
            count = per_execution if steps_per_epoch is None else min(per_execution, steps_per_epoch - index)
            callback_list.on_train_batch_begin(index)
            done = execute(batch, iterator, count)
            logs = {m.name: float(m.result()) for m in model.metrics}
            callback_list.on_train_batch_end(index + done - 1, logs)
            index += done
            if done < count:  # the data ended inside the execution
                with device_datasets_untuned():
                    iterator = iter(distributed)
                if steps_per_epoch is None:
                    break
            if model.stop_training:  # as in fit: e.g. a resumed epoch's last step
                break
        callback_list.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    callback_list.on_train_end(logs)
    return model.history
