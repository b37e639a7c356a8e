r"""Which remedies stop mode collapse? Every configuration on ring8 and grid25, same networks, same steps.

    python benchmarks/mode_coverage.py                               # 1 seed, every configuration
    python benchmarks/mode_coverage.py --seeds=5 --out=/tmp/modes    # the issue's 5 seeds
    python benchmarks/mode_coverage.py --datasets=grid25 --configs=vanilla,minibatch --seeds=5
    python benchmarks/mode_coverage.py --merge=a.log,b.log   # one table from runs made in parallel

Every configuration trains the same MLPs (NETWORKS below) on ``mixture2d:ring8`` and
``mixture2d:grid25`` for the same number of generator steps (``--steps``, batch
``--batch_size``; fresh points every step from the in-graph stream, ``num_examples=0``),
then draws 2,500 samples and counts, with ``ganzoo.metrics.mode_coverage``: modes captured
(a centre holding at least 1% of the samples, 25 of 2,500, within 3 std), % high-quality
samples (within 3 std of the nearest centre) and KL(mode histogram ‖ uniform).

Each run is the ``ganzoo.train`` config that :func:`experiment` returns, built by
``ganzoo.train.build`` and trained with ``fit`` (no checkpoints or sample grids), so
``python -m ganzoo.train`` on a config file with the same keys (configs/*_ring8.py,
configs/*_grid25.py) trains the same model on the same stream with the same seed.

The configurations change one thing each from the non-saturating GAN (SETTINGS below holds
the optimizers and their sources); ``pacgan4_cosine`` adds a cosine learning-rate decay to
``pacgan4``, ``pacgan4_ema`` samples from G's exponential moving average of weights, and
``wgan_gp_ttur`` gives WGAN-GP's critic a 10x faster rate (and G's average).
One invocation gives every run the same ``--steps``; a ``--merge``d table may hold
runs of other lengths (e.g. the 5× costlier WGAN steps at an equal CPU budget), and its
"G steps" column says which. Prints one line per run, a Markdown table (mean ± std over
seeds; CPU seconds from ``time.process_time``, which the 2-core machine's other load inflates
less than wall time), the published figures (PacGAN, Lin et al. 2018, Table 1) and one JSON
line. Saves a scatter plot per run in ``--out``.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import json  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402

from absl import app, flags  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from ganzoo import config as config_lib  # noqa: E402
from ganzoo import data as data_lib  # noqa: E402
from ganzoo import train as train_lib  # noqa: E402
from ganzoo.metrics.mode_coverage import (  # noqa: E402
    GRID25_STD, RING8_STD, grid25_centres, mode_coverage, ring8_centres,
)
from ganzoo.utils import images  # noqa: E402

CONFIGS = (
    "vanilla", "minibatch", "feature_match", "pulling_away", "label_smooth",
    "wgan_clip", "wgan_gp", "spectral_norm", "pacgan2", "pacgan4", "pacgan4_cosine",
    "pacgan4_ema", "wgan_gp_ttur",
)
DATASETS = ("ring8", "grid25")

# The same sizes for every configuration. G: ReLU MLP, linear output. D: LeakyReLU(0.2)
# MLP for the non-saturating GANs (ganzoo.models.vanilla, no maxout, no dropout), ReLU MLP
# for the WGAN critics (ganzoo.models.wgan, as in Gulrajani et al.'s toy code).
NETWORKS = {"latent_dim": 8, "g_units": (128, 128, 128), "d_units": (128, 128, 128)}

# Non-saturating GANs: Adam(1e-3, β1 0.5) for G and D — DCGAN's β1; the rate is the one
# that trains these MLPs in the step budget (2e-4 and 5e-4 leave grid25 far from converged
# at 30,000 steps, see BUILD_NOTES.md). The WGANs keep their papers' optimizers.
_NS_ADAM = dict(name="adam", learning_rate=1e-3, beta_1=0.5, beta_2=0.999)


def _cosine_adam(steps: int) -> dict:
    """_NS_ADAM with its rate decayed to 0 over the run's ``steps`` (cosine): G settles on the modes."""
    schedule = {"class_name": "CosineDecay", "config": {"initial_learning_rate": _NS_ADAM["learning_rate"],
                                                        "decay_steps": int(steps), "alpha": 0.0}}
    return {**_NS_ADAM, "learning_rate": schedule}


SETTINGS = {
    # name: (model keys, train keys, where the values come from)
    "vanilla": ({}, {}, "non-saturating G loss (Goodfellow et al. 2014)"),
    # B = 8 kernels of C = 5 (the paper: 100 of 5): the layer's cost grows as batch² · B · C;
    # 8 × 5 already makes a step about 10x a vanilla step at batch 512.
    "minibatch": ({"minibatch_kernels": 8}, {}, "B = 8 kernels of C = 5 (Salimans et al. 2016: 100 of 5)"),
    "feature_match": ({}, {"feature_matching": 1.0}, "added to G's loss, D's last hidden layer"),
    "pulling_away": ({}, {"pulling_away": 1.0}, "weight 1 on D's last hidden layer (EBGAN: 0.1, on its encoder)"),
    "label_smooth": ({}, {"label_smoothing": 0.1}, "real target 0.9 (Salimans et al. 2016)"),
    "spectral_norm": ({"spectral_norm": True}, {}, "every D layer (Miyato et al. 2018)"),
    # D sees m samples concatenated; its input layer grows, its hidden sizes stay (the paper
    # keeps the architecture and only widens the input).
    "pacgan2": ({"packing": 2}, {}, "m = 2 samples per D input (Lin et al. 2018)"),
    "pacgan4": ({"packing": 4}, {}, "m = 4 samples per D input (Lin et al. 2018)"),
    # A train value that is a function gets the run's step count (the schedule spans the run).
    "pacgan4_cosine": ({"packing": 4}, {"g_optimizer": _cosine_adam, "d_optimizer": _cosine_adam},
                       "pacgan4 + both rates cosine-decayed to 0 over the run"),
    # G's weights averaged over the run (Keras's optimizer EMA, copied into G when fit ends;
    # GAN.finalize_ema): the rates stay constant and the average smooths G's oscillation.
    "pacgan4_ema": ({"packing": 4}, {"g_optimizer": {**_NS_ADAM, "use_ema": True, "ema_momentum": 0.999}},
                    "pacgan4 + G's weights averaged, EMA 0.999 (Yazıcı et al. 2019)"),
    "wgan_clip": (
        {"lipschitz": "clip", "clip_value": 0.01},
        {"loss": "wasserstein", "d_steps": 5,
         "g_optimizer": dict(name="rmsprop", learning_rate=5e-5),
         "d_optimizer": dict(name="rmsprop", learning_rate=5e-5)},
        "c = 0.01, n_critic 5, RMSProp 5e-5 (Arjovsky et al. 2017)",
    ),
    "wgan_gp": (
        {"lipschitz": "gradient_penalty", "gp_weight": 10.0},
        {"loss": "wasserstein", "d_steps": 5,
         "g_optimizer": dict(name="adam", learning_rate=1e-4, beta_1=0.5, beta_2=0.9),
         "d_optimizer": dict(name="adam", learning_rate=1e-4, beta_1=0.5, beta_2=0.9)},
        "λ 10, n_critic 5, Adam 1e-4 β (0.5, 0.9) (Gulrajani et al. 2017, toy code)",
    ),
    # The critic learns 10x faster than G (the two time-scale rule, Heusel et al. 2017) and Adam's
    # β1 is the WGAN-GP paper's 0: with the toy code's shared 1e-4 the 3 x 128 critic resolves no
    # mode in 20,000 G steps; at 3e-4 / 3e-3 with β1 0.5 and cosine-decayed rates it collapsed,
    # and at 3e-4 / 3e-3 with β1 0 it found no mode (BUILD_NOTES.md).
    "wgan_gp_ttur": (
        {"lipschitz": "gradient_penalty", "gp_weight": 10.0},
        {"loss": "wasserstein", "d_steps": 5,
         "g_optimizer": dict(name="adam", learning_rate=2e-4, beta_1=0.0, beta_2=0.9,
                             use_ema=True, ema_momentum=0.999),
         "d_optimizer": dict(name="adam", learning_rate=2e-3, beta_1=0.0, beta_2=0.9)},
        "λ 10, n_critic 5, Adam β (0, 0.9), 2e-4 for G, 2e-3 for the critic (TTUR, Heusel et al. 2017), G averaged (EMA 0.999)",
    ),
}

# PacGAN (Lin et al. 2018) Table 1, mean of 10 trials: (modes, % high quality).
PUBLISHED = {
    "ring8": {"GAN": (6.3, 98.2), "PacGAN2": (7.9, 95.6), "VEEGAN": (8.0, 52.9), "Unrolled GAN": (7.6, 35.6)},
    "grid25": {"GAN": (17.3, 94.8), "PacGAN2": (23.8, 91.3), "PacGAN4": (24.8, 93.6),
               "VEEGAN": (24.6, 40.0), "Unrolled GAN": (23.6, 16.0)},
}
GEOMETRY = {
    "ring8": (ring8_centres(), RING8_STD, 2.6),
    "grid25": (grid25_centres(), GRID25_STD, 5.2),
}

_CONFIGS = flags.DEFINE_list("configs", list(CONFIGS), "Configurations to run.")
_DATASETS = flags.DEFINE_list("datasets", list(DATASETS), "ring8, grid25.")
_SEEDS = flags.DEFINE_integer("seeds", 1, "Seeds per configuration (the issue's full run: 5).")
_FIRST_SEED = flags.DEFINE_integer("first_seed", 0, "Seeds are first_seed, first_seed + 1, ...")
_STEPS = flags.DEFINE_integer("steps", 30_000, "Generator steps per run (the same for every configuration).")
_BATCH = flags.DEFINE_integer("batch_size", 512, "Batch size.")
_SAMPLES = flags.DEFINE_integer("samples", 2500, "Samples drawn for counting.")
_OUT = flags.DEFINE_string("out", "/tmp/ganzoo_mode_coverage", "Folder for scatter plots.")
_JIT = flags.DEFINE_bool("jit_compile", True, "XLA-compile the train step.")
_STEPS_PER_EXECUTION = flags.DEFINE_integer("steps_per_execution", 500, "Train steps per tf.function call.")
_THREADS = flags.DEFINE_integer("threads", 1, "TensorFlow intra- and inter-op threads (0: TF's default).")
_MERGE = flags.DEFINE_list(
    "merge", [], "Train nothing: summarise the runs in these logs' JSON lines (of --configs and --datasets)."
)


def experiment(config: str, dataset: str, seed: int, steps: int, batch_size: int,
               steps_per_execution: int = 500, jit_compile: bool = True):
    """The ``ganzoo.train`` config of one run: ``config`` on ``mixture2d:<dataset>`` with ``seed``."""
    model_keys, train_keys, _ = SETTINGS[config]
    c = config_lib.base_config()
    c.seed = seed
    c.model.name = "wgan" if config.startswith("wgan") else "vanilla"
    if c.model.name == "wgan":
        c.model.network = "mlp"
    else:  # LeakyReLU D without maxout and dropout (ganzoo.models.vanilla)
        c.model.maxout = False
        c.model.dropout = 0.0
    for key, value in {**NETWORKS, **model_keys}.items():
        setattr(c.model, key, value)
    c.data.name = f"mixture2d:{dataset}"
    c.data.num_examples = 0  # an endless stream of fresh points, drawn in the graph
    c.train.epochs = 1
    c.train.steps_per_epoch = steps
    c.train.batch_size = batch_size
    c.train.g_optimizer = dict(_NS_ADAM)
    c.train.d_optimizer = dict(_NS_ADAM)
    c.train.steps_per_execution = steps_per_execution
    c.train.jit_compile = jit_compile
    for key, value in train_keys.items():
        setattr(c.train, key, value(steps) if callable(value) else value)
    return c


def train(config) -> tuple[keras.Model, float, float]:
    """Trains ``config`` as ``ganzoo.train`` does, without its callbacks; returns (model, CPU s, wall s)."""
    config = config_lib.to_dict(config)
    config_lib.validate(config)
    cpu, wall = time.process_time(), time.perf_counter()
    keras.utils.set_random_seed(config["seed"])
    options = dict(config["data"])
    name = options.pop("name")
    train_cfg = config["train"]
    dataset = data_lib.load(name, batch_size=train_cfg["batch_size"], seed=config["seed"], repeat=True, **options)
    model = train_lib.build(config, dataset.element_spec)
    model.fit(dataset, epochs=train_cfg["epochs"], steps_per_epoch=train_cfg["steps_per_epoch"], verbose=0)
    return model, time.process_time() - cpu, time.perf_counter() - wall


def run(config: str, dataset: str, seed: int) -> dict:
    """Trains one run; returns its coverage, CPU and wall seconds."""
    experiment_config = experiment(config, dataset, seed, _STEPS.value, _BATCH.value,
                                   _STEPS_PER_EXECUTION.value, _JIT.value)
    model, cpu, wall = train(experiment_config)
    samples = model.generate(_SAMPLES.value, seed=10_000 + seed)
    centres, std, extent = GEOMETRY[dataset]
    result = mode_coverage(samples, centres, std, min_count=math.ceil(0.01 * len(samples)))
    path = os.path.join(_OUT.value, f"{dataset}_{config}_seed{seed}.png")
    images.save_png(path, images.scatter_image(samples, size=256, extent=extent))
    return {
        "config": config, "dataset": dataset, "seed": seed, "steps": _STEPS.value, "batch_size": _BATCH.value,
        "modes": result.modes_captured, "num_modes": result.num_modes, "min_count": result.min_count,
        "high_quality": 100.0 * result.high_quality_fraction,
        "kl": result.reverse_kl, "counts": list(result.counts),
        "cpu_seconds": cpu, "wall_seconds": wall, "plot": path,
    }


def _mean_std(values: list[float]) -> tuple[float, float]:
    return float(np.mean(values)), float(np.std(values))


def summarise(runs: list[dict]) -> list[dict]:
    rows = []
    for dataset in _DATASETS.value:
        for config in _CONFIGS.value:
            group = [r for r in runs if r["config"] == config and r["dataset"] == dataset]
            if not group:
                continue
            finite = all(math.isfinite(r["kl"]) for r in group)
            rows.append({
                "dataset": dataset, "config": config, "seeds": len(group),
                # Merged logs may hold runs of other lengths: the row names them all.
                "steps": sorted({r.get("steps", _STEPS.value) for r in group}),
                "modes": _mean_std([r["modes"] for r in group]),
                "modes_min": int(min(r["modes"] for r in group)),
                "num_modes": group[0]["num_modes"],
                "high_quality": _mean_std([r["high_quality"] for r in group]),
                # None (JSON null) when a run has no high-quality sample: KL is then undefined.
                "kl": _mean_std([r["kl"] for r in group]) if finite else None,
                "cpu_seconds": _mean_std([r["cpu_seconds"] for r in group]),
                "wall_seconds": _mean_std([r["wall_seconds"] for r in group]),
            })
    return rows


def _merged_runs(paths: list[str]) -> list[dict]:
    """The runs in the final JSON lines of earlier invocations' logs (a run repeated: the last wins)."""
    runs = {}
    for path in paths:
        with open(path) as handle:
            for line in handle:
                if line.startswith('{"benchmark": "mode_coverage"'):
                    for r in json.loads(line)["runs"]:
                        runs[(r["config"], r["dataset"], r["seed"])] = r
    return list(runs.values())


def _pm(pair, digits=1) -> str:
    return f"{pair[0]:.{digits}f} ± {pair[1]:.{digits}f}"


def main(argv):
    del argv
    unknown = sorted(set(_CONFIGS.value) - set(CONFIGS)) + sorted(set(_DATASETS.value) - set(DATASETS))
    if unknown:
        raise app.UsageError(f"unknown configs/datasets {unknown}; choose from {CONFIGS} and {DATASETS}.")
    if _THREADS.value:  # the MLPs are too small to split across threads
        tf.config.threading.set_intra_op_parallelism_threads(_THREADS.value)
        tf.config.threading.set_inter_op_parallelism_threads(_THREADS.value)
    seeds = range(_FIRST_SEED.value, _FIRST_SEED.value + _SEEDS.value)
    runs = []
    if _MERGE.value:
        runs = [r for r in _merged_runs(_MERGE.value)
                if r["config"] in _CONFIGS.value and r["dataset"] in _DATASETS.value]
        seeds = sorted({r["seed"] for r in runs})
    for dataset in _DATASETS.value if not _MERGE.value else ():
        for config in _CONFIGS.value:
            for seed in seeds:
                runs.append(run(config, dataset, seed))
                r = runs[-1]
                print(f"# {dataset} {config} seed {seed}: {r['modes']}/{r['num_modes']} modes, "
                      f"{r['high_quality']:.1f}% hq, KL {r['kl']:.3f}, {r['cpu_seconds']:.0f} CPU s, "
                      f"{r['wall_seconds']:.0f} s wall, fewest in a mode {min(r['counts'])}", flush=True)
    rows = summarise(runs)
    steps = "G steps per row" if _MERGE.value else f"{_STEPS.value} G steps"
    print(f"\nMode coverage: seeds {list(seeds)}, {steps}, batch {_BATCH.value}, "
          f"{_SAMPLES.value} samples; a mode needs >= 1% of samples within 3 std. "
          f"G {NETWORKS['g_units']}, D {NETWORKS['d_units']}, z in R^{NETWORKS['latent_dim']}.\n")
    print("| dataset | configuration | seeds | G steps | modes (min) | % high quality | KL(hist ‖ uniform) "
          "| CPU s / run | wall s / run |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        kl = "–" if row["kl"] is None else _pm(row["kl"], 3)
        steps = ", ".join(f"{n:,}" for n in row["steps"])
        print(f"| {row['dataset']} | {row['config']} | {row['seeds']} | {steps} | {_pm(row['modes'])} / {row['num_modes']} "
              f"({row['modes_min']}) | {_pm(row['high_quality'])} | {kl} | {row['cpu_seconds'][0]:.0f} "
              f"| {row['wall_seconds'][0]:.0f} |")
    for dataset in _DATASETS.value:
        for name, (modes, quality) in PUBLISHED[dataset].items():
            print(f"| {dataset} | published: {name} (PacGAN Table 1) | 10 | – | {modes} / {len(GEOMETRY[dataset][0])} "
                  f"| {quality} | – | – | – |")
    # A merged table's runs may differ in length: each row and run carries its own steps then.
    print(json.dumps({"benchmark": "mode_coverage", "steps": None if _MERGE.value else _STEPS.value,
                      "seeds": list(seeds),
                      "batch_size": _BATCH.value, "samples": _SAMPLES.value, "networks": NETWORKS,
                      "min_count": math.ceil(0.01 * _SAMPLES.value), "results": rows, "runs": runs}))


if __name__ == "__main__":
    app.run(main)
