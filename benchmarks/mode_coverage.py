r"""Which remedies stop mode collapse? Every configuration on ring8 and grid25, same networks.

    python benchmarks/mode_coverage.py                       # default: 1 seed, 1,500 G steps (~6 min)
    python benchmarks/mode_coverage.py --seeds=5 --steps=5000 --out=/tmp/modes   # the issue's 5 seeds

Each configuration trains the same MLPs (G: 3 × 128 ReLU, z ∈ R^8, linear output;
D: 2 × 128 LeakyReLU(0.2)) on ``mixture2d:ring8`` and ``mixture2d:grid25`` for a fixed
number of generator steps (batch 256), then draws 2,500 samples and counts, with
``ganzoo.metrics.mode_coverage``: modes captured (a centre holding at least 1% of the
samples, 25 of 2,500, within 3 std), % high-quality samples (within 3 std of the nearest
centre) and KL(mode histogram ‖ uniform). Remedies change one thing each:

    vanilla        non-saturating GAN, Adam(1e-3, β1 0.5)
    minibatch      + MinibatchDiscrimination(B=16, C=4) before D's output
    feature_match  + compile(feature_matching=1.0) (added to G's loss)
    pulling_away   + compile(pulling_away=1.0) on D's last hidden layer
    label_smooth   + compile(label_smoothing=0.1)
    wgan_clip      WGAN, c = 0.01, n_critic 5, RMSProp(5e-4)    (paper: 5e-5)
    wgan_gp        WGAN-GP, λ = 10, n_critic 5, Adam(1e-3, β = (0.5, 0.9))  (paper: 1e-4, (0, 0.9))
    spectral_norm  non-saturating GAN, every D layer in SpectralNorm

The WGAN learning rates are 10× the papers' so that they can move in the small budget;
the papers run 10⁵ steps. Prints a Markdown table (means over seeds), the published
figures (PacGAN, Lin et al. 2018, Table 1), and one JSON line. Saves a scatter plot per
run in ``--out``.
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

from ganzoo import remedies  # noqa: E402
from ganzoo.data import mixture2d  # noqa: E402
from ganzoo.metrics.mode_coverage import (  # noqa: E402
    GRID25_STD, RING8_STD, grid25_centres, mode_coverage, ring8_centres,
)
from ganzoo.models import GAN, WGAN, vanilla  # noqa: E402
from ganzoo.utils import images  # noqa: E402

CONFIGS = (
    "vanilla", "minibatch", "feature_match", "pulling_away", "label_smooth",
    "wgan_clip", "wgan_gp", "spectral_norm",
)
DATASETS = ("ring8", "grid25")
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
_STEPS = flags.DEFINE_integer("steps", 1500, "Generator steps per run.")
_BATCH = flags.DEFINE_integer("batch_size", 256, "Batch size.")
_SAMPLES = flags.DEFINE_integer("samples", 2500, "Samples drawn for counting.")
_OUT = flags.DEFINE_string("out", "/tmp/ganzoo_mode_coverage", "Folder for scatter plots.")
_JIT = flags.DEFINE_bool("jit_compile", True, "XLA-compile the train step (about 2× for these MLPs).")


def _generator():
    return vanilla.build_generator((2,), 8, (128, 128, 128))


def _discriminator():
    return vanilla.build_discriminator((2,), (128, 128), maxout=False, dropout=0.0)


def _adam(lr=1e-3, beta_1=0.5, beta_2=0.999):
    return keras.optimizers.Adam(lr, beta_1=beta_1, beta_2=beta_2)


def build(config: str, seed: int) -> GAN:
    """The model for ``config``, compiled."""
    keras.utils.set_random_seed(seed)
    if config.startswith("wgan"):
        clip = config == "wgan_clip"
        model = WGAN((2,), lipschitz="clip" if clip else "gradient_penalty", latent_dim=8,
                     g_units=(128, 128, 128), d_units=(128, 128), seed=seed)
        if clip:
            model.compile(keras.optimizers.RMSprop(5e-4), keras.optimizers.RMSprop(5e-4), jit_compile=_JIT.value)
        else:
            model.compile(_adam(1e-3, 0.5, 0.9), _adam(1e-3, 0.5, 0.9), jit_compile=_JIT.value)
        return model
    discriminator = _discriminator()
    if config == "minibatch":
        discriminator = remedies.with_minibatch_discrimination(discriminator, num_kernels=16, kernel_dim=4)
    elif config == "spectral_norm":
        discriminator = remedies.spectral_normalize(discriminator)
    options = {
        "feature_match": {"feature_matching": 1.0},
        "pulling_away": {"pulling_away": 1.0},
        "label_smooth": {"label_smoothing": 0.1},
    }.get(config, {})
    model = GAN(_generator(), discriminator, seed=seed)
    model.compile(_adam(), _adam(), loss="non_saturating", jit_compile=_JIT.value, **options)
    return model


def run(config: str, dataset: str, seed: int) -> dict:
    """Trains one run; returns its coverage and wall time."""
    steps, batch = _STEPS.value, _BATCH.value
    points, _ = mixture2d.sample(dataset, steps * batch, seed=1000 + seed)
    data = tf.data.Dataset.from_tensor_slices(points).batch(batch, drop_remainder=True)
    start = time.perf_counter()
    model = build(config, seed)
    model.fit(data, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    samples = model.generate(_SAMPLES.value, seed=10_000 + seed)
    centres, std, extent = GEOMETRY[dataset]
    result = mode_coverage(samples, centres, std, min_count=math.ceil(0.01 * len(samples)))
    path = os.path.join(_OUT.value, f"{dataset}_{config}_seed{seed}.png")
    images.save_png(path, images.scatter_image(samples, size=256, extent=extent))
    return {
        "config": config, "dataset": dataset, "seed": seed,
        "modes": result.modes_captured, "num_modes": result.num_modes,
        "high_quality": 100.0 * result.high_quality_fraction,
        "kl": result.reverse_kl, "seconds": seconds, "plot": path,
    }


def summarise(runs: list[dict]) -> list[dict]:
    rows = []
    for dataset in _DATASETS.value:
        for config in _CONFIGS.value:
            group = [r for r in runs if r["config"] == config and r["dataset"] == dataset]
            if not group:
                continue
            rows.append({
                "dataset": dataset, "config": config, "seeds": len(group),
                "modes": float(np.mean([r["modes"] for r in group])),
                "modes_min": int(min(r["modes"] for r in group)),
                "num_modes": group[0]["num_modes"],
                "high_quality": float(np.mean([r["high_quality"] for r in group])),
                # None (JSON null) when a run has no high-quality sample: KL is then undefined.
                "kl": (float(np.mean([r["kl"] for r in group]))
                       if all(math.isfinite(r["kl"]) for r in group) else None),
                "seconds": float(np.mean([r["seconds"] for r in group])),
            })
    return rows


def main(argv):
    del argv
    unknown = sorted(set(_CONFIGS.value) - set(CONFIGS)) + sorted(set(_DATASETS.value) - set(DATASETS))
    if unknown:
        raise app.UsageError(f"unknown configs/datasets {unknown}; choose from {CONFIGS} and {DATASETS}.")
    runs = []
    for dataset in _DATASETS.value:
        for config in _CONFIGS.value:
            for seed in range(_SEEDS.value):
                runs.append(run(config, dataset, seed))
                r = runs[-1]
                print(f"# {dataset} {config} seed {seed}: {r['modes']}/{r['num_modes']} modes, "
                      f"{r['high_quality']:.1f}% hq, KL {r['kl']:.3f}, {r['seconds']:.0f} s", flush=True)
    rows = summarise(runs)
    print(f"\nMode coverage: {_SEEDS.value} seed(s), {_STEPS.value} G steps, batch {_BATCH.value}, "
          f"{_SAMPLES.value} samples; a mode needs >= 1% of samples within 3 std.\n")
    print("| dataset | configuration | modes (mean, min) | % high quality | KL(hist ‖ uniform) | s / run |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        kl = "–" if row["kl"] is None else f"{row['kl']:.3f}"
        print(f"| {row['dataset']} | {row['config']} | {row['modes']:.1f} / {row['num_modes']} "
              f"(min {row['modes_min']}) | {row['high_quality']:.1f} | {kl} | {row['seconds']:.0f} |")
    for dataset in _DATASETS.value:
        for name, (modes, quality) in PUBLISHED[dataset].items():
            print(f"| {dataset} | published: {name} (PacGAN Table 1) | {modes} / {len(GEOMETRY[dataset][0])} "
                  f"| {quality} | – | – |")
    print(json.dumps({"benchmark": "mode_coverage", "steps": _STEPS.value, "seeds": _SEEDS.value,
                      "batch_size": _BATCH.value, "samples": _SAMPLES.value, "results": rows}))


if __name__ == "__main__":
    app.run(main)
