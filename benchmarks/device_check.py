r"""What one accelerator does with every model: images/s, peak memory and the matmul-peak fraction.

    python benchmarks/device_check.py                 # on a GPU (or TPU) machine: about 8 minutes
    python benchmarks/device_check.py --smoke         # anywhere, CPU included: the same code, tiny runs

For every model of ``benchmarks/train_throughput.py`` (built from its config, as ``ganzoo.train``
builds it; one-time pretraining skipped), every precision (``float32`` and ``mixed_float16`` on
a GPU; ``float32`` and, with AVX512_BF16, ``mixed_bfloat16`` on a CPU) and XLA off and on, one
child process (so that peak memory is per variant and a crash is an error row) measures:

  img_s            batch / step time, ``--steps`` steps after ``--warmup`` in one ``fit``
  peak_memory_mb   the device's peak allocation (``tf.config.experimental.get_memory_info``);
                   on a CPU the process's peak resident memory
  matmul_gflops    a square matmul on the device in the policy's compute dtype (float16,
                   bfloat16 or float32; 4096² on accelerators, 1024² on a CPU), median of 10
  peak_fraction    (FLOPs of one train_step / step time) / matmul_gflops, with the step's FLOPs
                   counted as ``train_throughput.count_flops`` counts them (a slight lower bound)

Each row is printed as a JSON line when it is measured; the last line is one JSON object with
every row and the device. ``--smoke`` runs DCGAN-28 only, 2 steps after 1, in this process: the
suite runs it on CPU to keep the script working where no GPU is. When a GPU is lent to the
project, this is the script to run (BUILD_NOTES.md, "Accelerators").
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

from absl import app, flags  # noqa: E402

# benchmarks/train_throughput.py, beside this script: its models, builders, timing and FLOP
# count (and its --models, --steps, --warmup, --timeout flags).
import train_throughput as throughput  # noqa: E402

_SMOKE = flags.DEFINE_bool("smoke", False, "DCGAN-28, 2 steps after 1, in this process: a check that runs on CPU.")
_PRECISIONS = flags.DEFINE_list("precisions", None, "Policies (default: float32 and the device's mixed one).")
_XLA = flags.DEFINE_list("xla", ["false", "true"], "jit_compile settings to measure.")
_VARIANT = flags.DEFINE_string("variant", "", "Internal: measure MODEL:POLICY:XLA in this process.")


def device_kind() -> str:
    import tensorflow as tf

    for kind in ("TPU", "GPU"):
        if tf.config.list_logical_devices(kind):
            return kind
    return "CPU"


def default_precisions(kind: str) -> list[str]:
    if kind != "CPU":
        return ["float32", "mixed_float16"] if kind == "GPU" else ["float32", "mixed_bfloat16"]
    try:
        with open("/proc/cpuinfo") as f:
            return ["float32", "mixed_bfloat16"] if "avx512_bf16" in f.read() else ["float32"]
    except OSError:
        return ["float32"]


def matmul_gflops(dtype: str, size: int, samples: int = 10) -> float:
    """GFLOP/s of a ``size``² matmul in ``dtype`` on the default device (median of ``samples``)."""
    import tensorflow as tf

    a = tf.cast(tf.random.normal([size, size]), dtype)
    b = tf.cast(tf.random.normal([size, size]), dtype)
    matmul = tf.function(lambda x, y: tf.reduce_sum(tf.cast(tf.linalg.matmul(x, y)[:1, :1], tf.float32)))
    matmul(a, b).numpy()
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        matmul(a, b).numpy()  # the tiny reduction makes .numpy() wait for the matmul, not copy it
        times.append(time.perf_counter() - start)
    return 2 * size**3 / statistics.median(times) / 1e9


def peak_memory_mb(kind: str) -> float:
    import tensorflow as tf

    if kind in ("GPU", "TPU"):
        return tf.config.experimental.get_memory_info(f"{kind}:0")["peak"] / 2**20
    try:  # this process's own peak: ru_maxrss would keep the parent's across fork and exec
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def measure(key: str, policy: str, xla: bool, warmup: int, steps: int) -> dict[str, Any]:
    """One model in one precision with XLA on or off (see the module docstring)."""
    import keras
    import tensorflow as tf

    from ganzoo import data as data_lib
    from ganzoo import train as train_lib

    kind = device_kind()
    spec = throughput.MODELS[key]
    config = throughput.load_config(spec)
    config["train"]["precision"], config["train"]["jit_compile"] = policy, xla
    keras.utils.set_random_seed(config["seed"])
    data_options = dict(config["data"])
    data_name = data_options.pop("name")
    batch = int(config["train"]["batch_size"])
    dataset = data_lib.load(data_name, batch_size=batch, seed=config["seed"], repeat=True, **data_options)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        model = throughput.build_dcgan28(config) if spec.build == "dcgan28" else train_lib.build(config, dataset.element_spec)
    finally:
        keras.config.set_dtype_policy(previous)
    throughput.skip_one_time_work(model)
    if kind != "CPU":
        tf.config.experimental.reset_memory_stats(f"{kind}:0")
    step = throughput.timed_fit(model, dataset, warmup, steps)
    memory = peak_memory_mb(kind)
    flops = throughput.count_flops(model, throughput.as_fit_reads(model, dataset).element_spec)
    compute = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}.get(policy, "float32")
    peak = matmul_gflops(compute, 4096 if kind != "CPU" else 1024)
    return {
        "model": spec.label, "device": kind, "policy": policy, "xla": bool(model.jit_compile),
        "batch": batch, "img_s": round(batch / step, 2), "step_ms": round(1e3 * step, 2),
        "peak_memory_mb": round(memory, 1), "gflop_per_step": round(flops / 1e9, 3),
        "matmul_gflops": round(peak, 1), "peak_fraction": round(flops / step / 1e9 / peak, 4),
    }


def run_variant(key: str, policy: str, xla: bool, warmup: int, steps: int) -> dict[str, Any]:
    """``measure`` in a child process (or in this one with ``--smoke``); errors become rows."""
    row = {"model": throughput.MODELS[key].label, "policy": policy, "xla": xla}
    if _SMOKE.value:
        try:
            return measure(key, policy, xla, warmup, steps)
        except Exception as error:  # noqa: BLE001 - reported as the row, as a child's crash is
            return {**row, "error": f"{type(error).__name__}: {str(error).splitlines()[0][:300]}"}
    command = [sys.executable, __file__, f"--variant={key}:{policy}:{xla}", f"--steps={steps}", f"--warmup={warmup}"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=flags.FLAGS.timeout,
                                env=dict(os.environ))
    except subprocess.TimeoutExpired:
        return {**row, "error": f"timed out after {flags.FLAGS.timeout} s"}
    lines = result.stdout.strip().splitlines()
    if result.returncode == 0 and lines:
        return json.loads(lines[-1])
    errors = [line for line in result.stderr.strip().splitlines() if line.strip()]
    return {**row, "error": f"exit code {result.returncode}: {errors[-1][:300] if errors else 'no output'}"}


def main(argv: list[str]) -> None:
    del argv
    if _VARIANT.value:
        key, policy, xla = _VARIANT.value.split(":")
        print(json.dumps(measure(key, policy, xla == "True", flags.FLAGS.warmup, flags.FLAGS.steps)))
        return
    kind = device_kind()
    if _SMOKE.value:
        models, warmup, steps = ["dcgan28"], 1, 2
    else:
        models, warmup, steps = flags.FLAGS.models, flags.FLAGS.warmup, flags.FLAGS.steps
    precisions = _PRECISIONS.value or default_precisions(kind)
    settings = [value.lower() == "true" for value in _XLA.value]
    rows = []
    for key in models:
        for policy in precisions:
            for xla in settings:
                rows.append(run_variant(key, policy, xla, warmup, steps))
                print(json.dumps(rows[-1]), flush=True)
    print(json.dumps({"device": kind, "smoke": _SMOKE.value, "steps": steps, "warmup": warmup, "rows": rows}))
    if any("error" in row for row in rows):
        sys.exit(1)


if __name__ == "__main__":
    app.run(main)
