r"""Examples/s of DCGAN-32 training on 1 and 2 CPU replicas at the same steps per execution, and per precision.

    python benchmarks/scaling.py [--steps=40] [--steps_per_execution=10] [--batch_per_replica=64] \
        [--rounds=3] [--repeats=2] [--noreference] [--policies=float32,mixed_bfloat16]

Each configuration runs in its own process (logical CPU devices must be set up before TensorFlow
starts, and one MirroredStrategy per process): the default strategy, then MirroredStrategy over
2 logical CPUs (the same 2 cores split), both at the same ``--steps_per_execution`` and the same
batch per replica (the mirrored global batch is twice as large), then the other precision
policies on one replica. On CPUs the 2 logical replicas share the same cores, so the mirrored
row measures the strategy's overhead, not a speed-up:

    overhead = 1 - (examples/s on 2 replicas) / (examples/s on 1)

(the issue's target: within 15%), twice: per ``fit`` call ("fit ex/s": the wall time of whole
fits, including what a fit costs outside its steps) and per execution inside a fit ("steady
ex/s": the median interval between executions' ends, the first one left out). With
``--reference`` (default) a plain Keras classifier of DCGAN-32's discriminator layers is timed
the same way, on 1 and 2 replicas, so the strategy's own overhead is visible beside ganzoo's (at
steps_per_execution 1: Keras' own multi-step function fails under MirroredStrategy,
keras#19246). ``--repeats`` processes per float32 row alternate 1 and 2 replicas. On GPUs each
replica is a device and the same script measures the scaling. ``mixed_bfloat16`` is listed only where the CPU has AVX512_BF16 (or on a GPU/TPU),
``mixed_float16`` only on GPUs (it is emulated, slowly, on CPUs). Each process times ``--rounds``
fits of ``--steps`` steps after one warm-up fit and reports the median. Prints a table, then one
JSON line. About 10 minutes on an idle 2-core machine with the defaults.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import textwrap

from absl import app, flags

_STEPS = flags.DEFINE_integer("steps", 40, "Timed steps per fit (after one warm-up fit).")
_SPE = flags.DEFINE_integer("steps_per_execution", 10, "Steps per execution, the same for every row.")
_BATCH = flags.DEFINE_integer("batch_per_replica", 64, "Batch per replica (global batch = this x replicas).")
_ROUNDS = flags.DEFINE_integer("rounds", 3, "Timed fits per configuration; the median is reported.")
_REPEATS = flags.DEFINE_integer("repeats", 2, "Processes per float32 row, alternating 1 and 2 replicas; "
                                "the median over them is reported.")
_REFERENCE = flags.DEFINE_boolean("reference", True, "Also time a plain Keras classifier (DCGAN-32's D "
                                  "layers) on 1 and 2 replicas: the strategy's own overhead, outside ganzoo.")
_POLICIES = flags.DEFINE_list("policies", None, "Precision policies on one replica (default: what the "
                              "device runs natively, see the module docstring).")

SCRIPT = textwrap.dedent(
    """
    import json, os, statistics, sys, time
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import tensorflow as tf, keras
    model_name, replicas, policy = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    steps, spe, per_replica, rounds = map(int, sys.argv[4:])
    if replicas > 1 and not tf.config.list_physical_devices("GPU"):
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * replicas)
    from ganzoo import data
    from ganzoo.distribute import get_strategy
    from ganzoo.models import DCGAN
    strategy = get_strategy("mirrored" if replicas > 1 else "default")
    batch = per_replica * strategy.num_replicas_in_sync
    keras.config.set_dtype_policy(policy)
    with strategy.scope():
        if model_name == "dcgan":
            model = DCGAN(image_shape=(32, 32, 1), latent_dim=100)
            model.compile(steps_per_execution=spe)
        else:  # plain Keras: DCGAN-32's discriminator as a 10-class digit classifier
            layers = keras.layers
            model = keras.Sequential([keras.Input((32, 32, 1))] + [
                layer for filters in (64, 128, 256) for layer in (
                    layers.Conv2D(filters, 4, 2, padding="same"), layers.BatchNormalization(),
                    layers.LeakyReLU(0.2))] + [layers.Flatten(), layers.Dense(10)])
            spe = 1  # Keras' own multi-step function fails under MirroredStrategy (keras#19246)
            model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    keras.config.set_dtype_policy("float32")
    dataset = data.load("digits", batch_size=batch, repeat=True, with_labels=model_name != "dcgan")

    class Ends(keras.callbacks.Callback):  # Keras calls it once per execution (every spe steps)
        def __init__(self):
            super().__init__()
            self.ends = []

        def on_train_batch_end(self, batch, logs=None):
            self.ends.append(time.perf_counter())

    model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)
    seconds, per_step, executions = [], [], []
    for _ in range(rounds):
        ends = Ends()
        start = time.perf_counter()
        model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0, callbacks=[ends])
        seconds.append(time.perf_counter() - start)
        per_step += [(b - a) / spe for a, b in zip(ends.ends, ends.ends[1:])]
        # Every execution's wall time, the first one (from fit's start) included, and fit's tail.
        marks = [start] + ends.ends
        executions.append([round(b - a, 2) for a, b in zip(marks, marks[1:])] + [round(start + seconds[-1] - marks[-1], 2)])
    print(json.dumps({"model": model_name, "replicas": strategy.num_replicas_in_sync, "policy": policy,
                      "global_batch": batch, "steps_per_execution": spe,
                      "examples_per_s": round(steps * batch / statistics.median(seconds), 1),
                      "steady_examples_per_s": round(batch / statistics.median(per_step), 1),
                      "rounds_s": [round(s, 2) for s in seconds], "executions_s": executions}))
    """
)


def default_policies() -> list[str]:
    """float32, plus the mixed policies this machine runs natively (no TensorFlow import here)."""
    policies = ["float32"]
    accelerator = subprocess.run([sys.executable, "-c", "import os; os.environ['TF_CPP_MIN_LOG_LEVEL']='3'; "
                                  "import tensorflow as tf; print(bool(tf.config.list_physical_devices('GPU')))"],
                                 capture_output=True, text=True).stdout.strip().endswith("True")
    try:
        with open("/proc/cpuinfo") as f:
            bf16 = "avx512_bf16" in f.read()
    except OSError:
        bf16 = False
    if bf16 or accelerator:
        policies.append("mixed_bfloat16")
    if accelerator:
        policies.append("mixed_float16")
    return policies


def run(model: str, replicas: int, policy: str) -> dict:
    args = [model, replicas, policy, _STEPS.value, _SPE.value, _BATCH.value, _ROUNDS.value]
    result = subprocess.run([sys.executable, "-c", SCRIPT, *map(str, args)], capture_output=True, text=True,
                            env=dict(os.environ))
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or ["no output"]
        return {"model": model, "replicas": replicas, "policy": policy, "error": lines[-1]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def overhead(rows: list[dict], model: str, key: str) -> float | None:
    """1 - (median over repeats of 2 replicas' rate) / (the same for 1 replica), float32 rows of ``model``."""
    def rate(replicas):
        values = [r[key] for r in rows if r.get("model") == model and r["replicas"] == replicas
                  and r["policy"] == "float32" and key in r]
        return statistics.median(values) if values else None

    one, two = rate(1), rate(2)
    return None if not (one and two) else round(1.0 - two / one, 4)


def main(argv):
    del argv
    policies = _POLICIES.value or default_policies()
    models = ["dcgan"] + (["keras"] if _REFERENCE.value else [])
    rows = []
    for _ in range(_REPEATS.value):  # 1 and 2 replicas alternate, so a load change hits both
        for model in models:
            rows += [run(model, 1, "float32"), run(model, 2, "float32")]
    rows += [run("dcgan", 1, p) for p in policies if p != "float32"]
    print(f"{'model':<7}{'replicas':>8}  {'policy':<15}{'global batch':>13}{'steps/exec':>11}{'fit ex/s':>10}"
          f"{'steady ex/s':>13}")
    for row in rows:
        if "error" in row:
            cells = f"{row['error'][:60]:>23}"
        else:
            cells = (f"{row['steps_per_execution']:>11}{row['examples_per_s']:>10.1f}"
                     f"{row['steady_examples_per_s']:>13.1f}")
        print(f"{row['model']:<7}{row['replicas']:>8}  {row['policy']:<15}{row.get('global_batch', ''):>13}{cells}")
    summary = {}
    for model in models:
        for key, name in (("examples_per_s", "fit"), ("steady_examples_per_s", "steady")):
            summary[f"overhead_2_replicas_{model}_{name}"] = value = overhead(rows, model, key)
            if value is not None:
                print(f"2-replica overhead, {model}, {name}: "
                      f"{100 * value:.1f}%" + (" (target <= 15%)" if model == "dcgan" else ""))
    print(json.dumps({"steps": _STEPS.value, "steps_per_execution": _SPE.value,
                      "batch_per_replica": _BATCH.value, "rounds": _ROUNDS.value, "repeats": _REPEATS.value,
                      **summary, "rows": rows}))


if __name__ == "__main__":
    app.run(main)
