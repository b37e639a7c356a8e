r"""Training throughput of every ganzoo model at its standard size: images/s, input vs compute, FLOPs.

    TF_ENABLE_ONEDNN_OPTS=1 python benchmarks/train_throughput.py [--models=dcgan28,srgan96] \
        [--steps=20] [--warmup=5] [--rounds=3]

Each model is built as ``python -m ganzoo.train`` builds it — its config file plus the overrides
listed in MODELS -> ``ganzoo.data.load(..., repeat=True)`` -> ``ganzoo.train.build`` -> ``fit`` —
in its own process (one failing or crashing model gives an error row; memory is returned).
Work done once before the first GAN step is skipped, so that the figures describe the GAN steps
that make up a run: the text encoder's pretraining (``text_pretrained`` set), the identity
network's training (``identity_ready`` set; its weights stay random, its cost per step is the
same) and SRGAN's SRResNet phase (``pretrain_steps=0``; the SRResNet step is ``srresnet96``).
Per-epoch callbacks of the train script (sample grids, backups, TensorBoard) are not run, and
the timed steps lie inside one epoch (the data repeat), so epoch-boundary costs are not in
them; ``first_batch_ms`` in the JSON is the cost of starting an iterator (shuffle-buffer fill).

Columns (every time is the median over ``--rounds`` rounds; a round times the three in turn):
  img/s         batch / step ms.
  step ms       ``fit`` on the model's real dataset: a callback stamps the end of every step;
                the ``--steps`` steps after ``--warmup`` steps of the same ``fit`` call are
                timed (tracing, the iterator's start and the first batches are not).
  compute ms    the same on one real batch, cached and repeated
                (``dataset.take(1).cache().repeat()``): the step with its input for free.
  input ms      the input pipeline alone: ``next()`` on the dataset that ``fit`` reads (for
                TextToImageGAN with the captions tokenized, as its ``fit`` does), ``--steps``
                batches after ``--warmup``, nothing else running in the process.
  input %       input ms / step ms: the share of a step the pipeline costs if nothing overlaps
                it. An upper bound (prefetching overlaps it with the step, but on a 2-core
                machine it then competes with the step for the cores); the ≤ 5% target is
                checked on this figure and models above it are listed under the table.
  stall %       max(0, step ms − compute ms) / step ms: how much slower the real data made
                the step, overlap included (a difference of two timings: noisy near 0).
  GFLOP/step    float operations of one ``train_step``, counted on the graph of
                ``tf.function(model.train_step)`` traced for the batch's shapes with the FLOP
                statistics TensorFlow registers for its profiler (what ``tf.compat.v1.profiler``'s
                ``float_operation()`` sums: convolutions and both their gradients, matmuls,
                element-wise maths, optimizer updates), over the ops that feed the step's
                outputs or variable updates (unused gradients the tapes build are pruned, as
                grappler prunes them). Not counted: ops without a registered count (fused batch
                norm, resizes, pixel shuffle) and ops inside loop bodies (the frozen text
                encoder's GRU in ``t2i64``, < 1% by hand count): a slight lower bound.
  GFLOP/s       GFLOP/step / step time; ``% peak`` divides it by the rate of a 2048² float32
                ``tf.linalg.matmul`` measured in this run (median of 10, before the models;
                the JSON also has the same measured after them, to show drift).

A model runs 2 x ``--rounds`` x (``--warmup`` + ``--steps``) training steps, plus its build
and one extra trace for the FLOP count. Prints a Markdown table, then (last line) one JSON line
with every model's figures (``models``: per model key; a failed model has only ``error``).
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import dataclasses  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import pathlib  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

from absl import app, flags  # noqa: E402

import networks  # noqa: E402  (benchmarks/networks.py, beside this script)

ROOT = pathlib.Path(__file__).resolve().parents[1]


@dataclasses.dataclass(frozen=True)
class Spec:
    """One benchmarked model: a config file, its overrides, and what is special about it."""

    label: str
    config: str                                   # file in configs/
    overrides: dict[str, Any] = dataclasses.field(default_factory=dict)  # "group.key": value
    data_note: str = ""                           # when the data differ from the config's
    network: str = ""                             # when the config does not say the sizes
    build: str = "config"                         # "config" (ganzoo.train.build) or "dcgan28"


MODELS: dict[str, Spec] = {
    # The README's speed table network (benchmarks/compare_dcgan.py): no config builds a 28x28
    # DCGAN (DCGAN sizes are powers of two), so it is a ganzoo GAN with the digits config's data
    # (at 28x28) and training settings.
    "dcgan28": Spec("DCGAN-28", "dcgan_digits.py", {"data.image_size": 28}, build="dcgan28",
                    network="28x28x1, G dense 7x7x128 -> convT 64 -> 1, D conv 64 -> 128 -> dense"),
    "dcgan32": Spec("DCGAN-32", "dcgan_digits.py"),
    # The CelebA config's model at batch 64 (the config: 128); celeb_a needs TFDS data, so the
    # bundled digits at 64x64x3 feed it (an in-memory source, as celeb_a is not).
    "dcgan64": Spec("DCGAN-64", "dcgan_celeba64.py",
                    {"train.batch_size": 64, "data.name": "digits", "data.data_dir": None, "data.download": None},
                    data_note="digits 64x64x3 (config: tfds:celeb_a)"),
    # WGAN-GP's image networks are DCGAN's (powers of two): its digits config at 32x32.
    "wgan_gp32": Spec("WGAN-GP-32", "wgan_gp_digits.py"),
    "lapgan32": Spec("LAPGAN-32", "lapgan_digits.py"),
    "srgan96": Spec("SRGAN 24->96", "srgan_photos.py", {"model.pretrain_steps": 0}),
    "srresnet96": Spec("SRResNet 24->96", "srresnet_photos.py"),
    "t2i64": Spec("GAN-INT-CLS-64", "text2image_shapes.py", {"data.image_size": 64}),
    "frontal64": Spec("TP-GAN-64", "frontalization_synthfaces.py"),
}
DEFAULT_MODELS = ["dcgan28", "dcgan32", "dcgan64", "wgan_gp32", "lapgan32", "srgan96", "t2i64", "frontal64"]
# Model keys that say how big the networks are, shown in the table's "network" column.
SIZE_KEYS = ("g_filters", "d_filters", "local_filters", "g_units", "d_units", "num_blocks", "d_dense",
             "bottleneck", "text_dim", "encoder_width", "levels")
INPUT_TARGET = 0.05

_MODELS = flags.DEFINE_list("models", DEFAULT_MODELS, f"Models to time, from: {', '.join(MODELS)}.")
_STEPS = flags.DEFINE_integer("steps", 20, "Timed steps per measurement.")
_WARMUP = flags.DEFINE_integer("warmup", 5, "Untimed steps before them in the same fit (>= 1: the first traces).")
_ROUNDS = flags.DEFINE_integer("rounds", 3, "Rounds (real data, cached batch, input alone); medians are reported.")
_TIMEOUT = flags.DEFINE_integer("timeout", 3600, "Seconds allowed per model before it is reported as an error.")
_WORKER = flags.DEFINE_string("worker", "", "Internal: time this one model in this process and print its JSON.")


# ----------------------------------------------------------------------------- building


def load_config(spec: Spec) -> dict[str, Any]:
    """The config file's ``get_config()`` with the spec's overrides, validated, as a dict."""
    from ganzoo import config as config_lib

    module_spec = importlib.util.spec_from_file_location(spec.config[:-3], ROOT / "configs" / spec.config)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    config = config_lib.to_dict(module.get_config())
    for key, value in spec.overrides.items():
        group, name = key.split(".")
        if value is None:
            config[group].pop(name, None)
        else:
            config[group][name] = value
    config_lib.validate(config)
    return config

def build_dcgan28(config: dict[str, Any]):
    """A ``ganzoo.models.GAN`` on the DCGAN-28 networks, compiled as ``ganzoo.train.build`` compiles."""
    from ganzoo.models import GAN
    from ganzoo.train import compile_model

    generator, discriminator = networks.dcgan28(config["model"]["latent_dim"])
    model = GAN(generator, discriminator, seed=config["seed"])
    compile_model(model, config["train"])
    return model


def skip_one_time_work(model) -> None:
    """Marks pretraining that ``fit`` would run once before the first GAN step as done."""
    from ganzoo.models import FrontalizationGAN, TextToImageGAN

    if isinstance(model, TextToImageGAN):
        model.text_pretrained.assign(1)
    if isinstance(model, FrontalizationGAN):
        model.identity_ready.assign(1)


def as_fit_reads(model, dataset):
    """The dataset as the model's ``fit`` consumes it (TextToImageGAN maps captions to token ids first)."""
    from ganzoo.models import TextToImageGAN

    if isinstance(model, TextToImageGAN):
        if not model.preprocessor.ready:  # a words model builds its vocabulary first, as its fit does
            model.preprocessor.adapt(dataset)
        return model.preprocessor.map(dataset)
    return dataset


def network_description(config: dict[str, Any], element_spec) -> str:
    """``32x32x1, g_filters=64, d_filters=64, d_steps=5``: the data shape and the size keys."""
    if config["model"]["name"] == "srgan":  # (lr, hr) pairs: both shapes
        shape = "->".join("x".join(str(d) for d in s.shape[1:]) for s in element_spec)
    else:
        spec = element_spec[0] if isinstance(element_spec, tuple) else element_spec
        shape = "x".join(str(d) for d in spec.shape[1:])
    sizes = [f"{k}={v}" for k, v in config["model"].items() if k in SIZE_KEYS]
    sizes = [s.replace("[", "(").replace("]", ")").replace(" ", "") for s in sizes]
    if config["train"]["d_steps"] != 1:
        sizes.append(f"d_steps={config['train']['d_steps']}")
    return ", ".join([shape] + sizes)


# ----------------------------------------------------------------------------- timing


def timed_fit(model, dataset, warmup: int, steps: int) -> float:
    """Seconds per step of ``fit`` over ``steps`` steps that follow ``warmup`` steps in the same call."""
    import keras

    class StepClock(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.ends: list[float] = []

        def on_train_batch_end(self, batch, logs=None):
            self.ends.append(time.perf_counter())

    clock = StepClock()
    model.fit(dataset, epochs=1, steps_per_epoch=warmup + steps, callbacks=[clock], verbose=0)
    return (clock.ends[-1] - clock.ends[warmup - 1]) / steps


def timed_input(dataset, warmup: int, steps: int) -> tuple[float, float]:
    """(seconds per batch of the pipeline alone after ``warmup`` batches, seconds to the first batch)."""
    start = time.perf_counter()
    iterator = iter(dataset)
    next(iterator)
    first = time.perf_counter() - start
    for _ in range(warmup - 1):
        next(iterator)
    start = time.perf_counter()
    for _ in range(steps):
        next(iterator)
    return (time.perf_counter() - start) / steps, first


def count_flops(model, element_spec) -> float:
    """Float operations of one ``train_step`` on a batch of ``element_spec``.

    TensorFlow's registered FLOP statistics (those ``tf.compat.v1.profiler``'s
    ``float_operation()`` sums) over the ops of the traced step that feed its outputs or its
    variable updates. The rest is pruned first, as grappler prunes it before running: the
    tapes also build gradients nobody asks for (G's in the D step, D's weights' in the G
    step), a quarter of DCGAN-28's raw graph.
    """
    import tensorflow as tf
    from tensorflow.python.framework import ops as tf_ops

    graph = tf.function(model.train_step).get_concrete_function(element_spec).graph
    live: set[str] = set()
    stack = [t.op for t in graph.outputs] + list(graph.control_outputs)
    while stack:
        op = stack.pop()
        if op.name not in live:
            live.add(op.name)
            stack.extend(t.op for t in op.inputs)
            stack.extend(op.control_inputs)
    total = 0
    for op in graph.get_operations():
        if op.name in live:
            try:
                total += tf_ops.get_stats_for_node_def(graph, op.node_def, "flops").value or 0
            except ValueError:  # a shape not known when traced: not counted
                pass
    return float(total)


def matmul_gflops(samples: int = 10) -> float:
    """GFLOP/s of a 2048² float32 matmul in TensorFlow (median of ``samples``, after one warm-up)."""
    import tensorflow as tf

    a = tf.random.normal([2048, 2048])
    b = tf.random.normal([2048, 2048])
    tf.linalg.matmul(a, b).numpy()
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        tf.linalg.matmul(a, b).numpy()
        times.append(time.perf_counter() - start)
    return 2 * 2048**3 / statistics.median(times) / 1e9


def measure(key: str, warmup: int, steps: int, rounds: int) -> dict[str, Any]:
    """Builds model ``key`` as its config does and times it (see the module docstring)."""
    import keras

    from ganzoo import data as data_lib
    from ganzoo import train as train_lib

    spec = MODELS[key]
    config = load_config(spec)
    keras.utils.set_random_seed(config["seed"])
    data_options = dict(config["data"])
    data_name = data_options.pop("name")
    batch = int(config["train"]["batch_size"])
    dataset = data_lib.load(data_name, batch_size=batch, seed=config["seed"], repeat=True, **data_options)
    keras.config.set_dtype_policy(config["train"]["precision"])
    if spec.build == "dcgan28":
        model = build_dcgan28(config)
    else:
        model = train_lib.build(config, dataset.element_spec)
    skip_one_time_work(model)
    fit_reads = as_fit_reads(model, dataset)
    cached = fit_reads.take(1).cache().repeat()
    step_s, compute_s, input_s, first_s = [], [], [], []
    for _ in range(rounds):
        step_s.append(timed_fit(model, dataset, warmup, steps))
        compute_s.append(timed_fit(model, cached, warmup, steps))
        per_batch, first = timed_input(fit_reads, warmup, steps)
        input_s.append(per_batch)
        first_s.append(first)
    step, compute, input_ = (statistics.median(t) for t in (step_s, compute_s, input_s))
    flops = count_flops(model, fit_reads.element_spec)
    return {
        "label": spec.label,
        "config": spec.config,
        "network": spec.network or network_description(config, dataset.element_spec),
        "data": spec.data_note or data_name,
        "batch": batch,
        "img_s": round(batch / step, 2),
        "step_ms": round(1e3 * step, 2),
        "compute_ms": round(1e3 * compute, 2),
        "input_ms": round(1e3 * input_, 3),
        "input_share": round(input_ / step, 4),
        "stall_share": round(max(0.0, step - compute) / step, 4),
        "first_batch_ms": round(1e3 * statistics.median(first_s), 1),
        "gflop_per_step": round(flops / 1e9, 3),
        "step_ms_rounds": [round(1e3 * t, 2) for t in step_s],
        "compute_ms_rounds": [round(1e3 * t, 2) for t in compute_s],
    }


# ----------------------------------------------------------------------------- the run


def run_worker(key: str) -> dict[str, Any]:
    """Runs ``measure`` for ``key`` in a child process; its last stdout line is the result."""
    command = [sys.executable, __file__, f"--worker={key}", f"--steps={_STEPS.value}",
               f"--warmup={_WARMUP.value}", f"--rounds={_ROUNDS.value}"]
    label = MODELS[key].label
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=_TIMEOUT.value, env=dict(os.environ))
    except subprocess.TimeoutExpired:
        return {"label": label, "error": f"timed out after {_TIMEOUT.value} s"}
    lines = result.stdout.strip().splitlines()
    if lines:
        try:
            return json.loads(lines[-1])
        except json.JSONDecodeError:
            pass
    errors = [line for line in result.stderr.strip().splitlines() if line.strip()]
    return {"label": label, "error": f"exit code {result.returncode}: {errors[-1] if errors else 'no output'}"}


def add_rates(row: dict[str, Any], peak: float) -> dict[str, Any]:
    """GFLOP/s and the fraction of the matmul peak, from the worker's step time and FLOP count."""
    if "error" in row:
        return row
    gflops = row["gflop_per_step"] / (row["step_ms"] / 1e3)
    return {**row, "gflops": round(gflops, 1), "peak_fraction": round(gflops / peak, 3)}


def table(rows: dict[str, dict[str, Any]]) -> str:
    header = ["model", "network (config)", "data", "batch", "img/s", "step ms", "compute ms", "input ms",
              "input %", "stall %", "GFLOP/step", "GFLOP/s", "% peak"]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for row in rows.values():
        if "error" in row:
            cells = [row["label"], f"error: {row['error']}"] + ["-"] * (len(header) - 2)
        else:
            cells = [
                row["label"], f"{row['network']} ({row['config']})", row["data"], str(row["batch"]),
                f"{row['img_s']:.1f}", f"{row['step_ms']:.1f}", f"{row['compute_ms']:.1f}",
                f"{row['input_ms']:.2f}", f"{100 * row['input_share']:.1f}", f"{100 * row['stall_share']:.1f}",
                f"{row['gflop_per_step']:.2f}", f"{row['gflops']:.1f}", f"{100 * row['peak_fraction']:.0f}",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {' '.join(argv[1:])}")
    if _WARMUP.value < 1 or _STEPS.value < 1 or _ROUNDS.value < 1:
        raise app.UsageError("--warmup, --steps and --rounds must be at least 1 (the first step traces).")
    unknown = [m for m in _MODELS.value if m not in MODELS]
    if unknown:
        raise app.UsageError(f"Unknown model(s) {', '.join(unknown)}; choose from {', '.join(MODELS)}.")
    if _WORKER.value:
        try:
            result = measure(_WORKER.value, _WARMUP.value, _STEPS.value, _ROUNDS.value)
        except Exception as error:  # the parent prints an error row and goes on
            message = (str(error).strip().splitlines() or [""])[0]
            result = {"label": MODELS[_WORKER.value].label, "error": f"{type(error).__name__}: {message}"}
        print(json.dumps(result), flush=True)
        return
    peak = matmul_gflops()
    rows = {key: add_rates(run_worker(key), peak) for key in _MODELS.value}
    peak_end = matmul_gflops()
    print(f"2048² float32 matmul: {peak:.0f} GFLOP/s (after the models: {peak_end:.0f}); "
          f"{_STEPS.value} timed steps after {_WARMUP.value}, median of {_ROUNDS.value} rounds; "
          f"TF_ENABLE_ONEDNN_OPTS={os.environ.get('TF_ENABLE_ONEDNN_OPTS')}\n")
    print(table(rows))
    over = [f"{r['label']} ({100 * r['input_share']:.1f}%)" for r in rows.values()
            if "error" not in r and r["input_share"] > INPUT_TARGET]
    print(f"\ninput pipeline above {100 * INPUT_TARGET:.0f}% of a step: {', '.join(over) or 'none'}")
    print(json.dumps({
        "matmul_gflops": round(peak, 1),
        "matmul_gflops_end": round(peak_end, 1),
        "steps": _STEPS.value,
        "warmup": _WARMUP.value,
        "rounds": _ROUNDS.value,
        "models": rows,
    }))


if __name__ == "__main__":
    app.run(main)
