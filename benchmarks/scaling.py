r"""Examples/s of DCGAN-32 training for 1 and 2 CPU replicas and for float32 vs mixed precision.

    python benchmarks/scaling.py [--steps=40] [--batch=64]

Each configuration runs in its own process (logical CPU devices must be set up
before TensorFlow starts, and one MirroredStrategy per process): the default
strategy, MirroredStrategy over 2 logical CPUs (the same 2 cores split), and
the mixed_bfloat16 / mixed_float16 policies. On CPUs, 2 logical replicas share
the same cores, so this measures the strategy's overhead, not a speed-up; on
GPUs each replica is a device. Prints a table, then one JSON line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from absl import app, flags

_STEPS = flags.DEFINE_integer("steps", 40, "Timed steps per configuration (after one warm-up epoch).")
_BATCH = flags.DEFINE_integer("batch", 64, "Global batch.")

SCRIPT = textwrap.dedent(
    """
    import json, os, sys, time
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import tensorflow as tf, keras
    replicas, policy, steps, batch = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    if replicas > 1:
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * replicas)
    from ganzoo import data
    from ganzoo.distribute import get_strategy
    from ganzoo.models import DCGAN
    strategy = get_strategy("mirrored" if replicas > 1 else "default")
    keras.config.set_dtype_policy(policy)
    with strategy.scope():
        gan = DCGAN(image_shape=(32, 32, 1), latent_dim=100)
        # steps_per_execution > 1 under MirroredStrategy fails here ("You must feed a value
        # for placeholder tensor ... while/cond"): a known limit, see BUILD_NOTES.md.
        gan.compile(steps_per_execution=1 if replicas > 1 else steps)
    dataset = data.load("digits", batch_size=batch, repeat=True)
    gan.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)
    start = time.perf_counter()
    gan.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)
    seconds = time.perf_counter() - start
    print(json.dumps({"replicas": replicas, "policy": policy, "examples_per_s": steps * batch / seconds}))
    """
)

CONFIGS = [(1, "float32"), (2, "float32"), (1, "mixed_bfloat16"), (1, "mixed_float16")]


def main(argv):
    del argv
    rows = []
    for replicas, policy in CONFIGS:
        result = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(replicas), policy, str(_STEPS.value), str(_BATCH.value)],
            capture_output=True, text=True, env=dict(os.environ),
        )
        if result.returncode != 0:
            rows.append({"replicas": replicas, "policy": policy, "error": result.stderr.strip().splitlines()[-1]})
            continue
        rows.append(json.loads(result.stdout.strip().splitlines()[-1]))
    print(f"{'replicas':>8}  {'policy':<15}{'examples/s':>12}")
    for row in rows:
        value = f"{row['examples_per_s']:.1f}" if "examples_per_s" in row else row["error"][:60]
        print(f"{row['replicas']:>8}  {row['policy']:<15}{value:>12}")
    print(json.dumps({"batch": _BATCH.value, "steps": _STEPS.value, "rows": rows}))


if __name__ == "__main__":
    app.run(main)
