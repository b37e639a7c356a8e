r"""Does augmenting D's inputs rescue a DCGAN trained on a few hundred digits? (issue 23)

    python benchmarks/small_data.py                       # the full grid (about an hour on 2 busy cores)
    python benchmarks/small_data.py --subsets=10pct --methods=none,diffaugment --seeds=0 --steps=300

Trains DCGAN (16×16, 32 filters, the paper's Adam) on two fixed subsets of the digits'
training split — ``10pct`` (every tenth image: 144) and ``100`` (100 images drawn with seed
0) — with no augmentation, DiffAugment (Zhao et al. 2020, arXiv 2006.10738:
color,translation,cutout) and ADA (Karras et al. 2020, arXiv 2006.06676: the same ops gated
by an adaptive p, target r_t = 0.6), for each seed, with the same step budget and batch.
Every model is judged against the **held-out** split (359 digits it never saw):

    FCD   Fréchet distance of ganzoo's domain classifier's features (trained on the full
          training split: a judge the GANs were not trained against), ``--samples`` samples
    KID   on the same features (×1000)
    class coverage    benchmarks/sample_quality.py's CNN: classes present, largest class
          share, entropy of the predicted classes (bits; uniform over 10 = 3.32)

Anchors on the same judge: the subset itself and the full training split against the
held-out split (what memorising the subset, or having all the data, would score).
Target (issue 23): with augmentation, the 10% subset's FCD at most half of the unaugmented
run's, and all 10 classes present. Prints one line per run, a table (mean ± std over seeds),
then one JSON line.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from absl import app, flags  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import sample_quality  # noqa: E402  (benchmarks/sample_quality.py, beside this script: the class judge)

from ganzoo import metrics  # noqa: E402
from ganzoo.data import digits  # noqa: E402
from ganzoo.models import DCGAN  # noqa: E402
from ganzoo.training import AdaptiveAugment  # noqa: E402

SUBSETS = ("10pct", "100")
METHODS = ("none", "diffaugment", "ada")

_SUBSETS = flags.DEFINE_list("subsets", list(SUBSETS), "Training subsets: 10pct (144 images), 100.")
_METHODS = flags.DEFINE_list("methods", list(METHODS), "none, diffaugment, ada.")
_SEEDS = flags.DEFINE_list("seeds", ["0", "1", "2"], "Training seeds (weights, noise, augmentation).")
_STEPS = flags.DEFINE_integer("steps", 2000, "Training steps of every run (the same budget for all).")
_BATCH = flags.DEFINE_integer("batch_size", 64, "Global batch.")
_SIZE = flags.DEFINE_integer("image_size", 16, "Image side (the digits are 8x8 originals).")
_FILTERS = flags.DEFINE_integer("filters", 32, "DCGAN's g_filters (and d_filters unless --d_filters).")
_D_FILTERS = flags.DEFINE_integer("d_filters", 0, "D's filters (0: --filters); larger lets D memorise the subset.")
_EVAL_EVERY = flags.DEFINE_integer("eval_every", 0, "Also judge every N steps along each run (0: only at the "
                                   "end); the curves show when the unaugmented run degrades.")
_SAMPLES = flags.DEFINE_integer("samples", 1000, "Generated samples judged per run.")
_ADA_KIMG = flags.DEFINE_float("ada_kimg", 10.0, "ADA's speed: thousands of images for p to go 0 -> 1 "
                               "(paper 500 for runs of 25M images; this budget sees ~128k).")
_POLICY = flags.DEFINE_string("policy", "color,translation,cutout", "The ops of both augmentations.")


def subset(name: str, images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The fixed training subset ``name`` (the same for every method and seed)."""
    if name == "10pct":
        index = np.arange(0, len(images), 10)
    elif name.isdigit():
        index = np.sort(np.random.default_rng(0).choice(len(images), int(name), replace=False))
    else:
        raise SystemExit(f"small_data: --subsets has '{name}'; use 10pct or a number of images such as 100.")
    return images[index], labels[index]


class Curve(keras.callbacks.Callback):
    """Judges the generator every ``--eval_every`` steps (one Keras epoch) with ``judge_samples``."""

    def __init__(self, judge_samples, every: int, label: str) -> None:
        super().__init__()
        self.judge_samples, self.every, self.label, self.points = judge_samples, every, label, []

    def on_epoch_end(self, epoch, logs=None):
        row = self.judge_samples(self.model)
        point = {"step": (epoch + 1) * self.every, "fcd": row["fcd"], "kid_x1000": row["kid_x1000"],
                 "classes_present": row["classes_present"]}
        if hasattr(self.model, "ada_p"):
            point["ada_p"] = float(self.model.ada_p.value)
        self.points.append(point)
        print(f"  curve {self.label} step {point['step']:6d}: FCD {point['fcd']:7.2f}  KID×1000 "
              f"{point['kid_x1000']:7.1f}  classes {point['classes_present']:2d}"
              + (f"  p {point['ada_p']:.3f}" if "ada_p" in point else ""), flush=True)


def train(images: np.ndarray, method: str, seed: int, curve: Curve | None = None) -> tuple[DCGAN, float]:
    """A DCGAN trained for ``--steps`` on ``images`` with ``method``; returns it and the seconds taken.

    With ``curve``, the steps run as ``--steps / --eval_every`` Keras epochs of ``--eval_every``
    steps on one data iterator, judged after each (the judging time is inside the seconds).
    """
    keras.utils.set_random_seed(seed)
    model = DCGAN(image_shape=images.shape[1:], latent_dim=100, g_filters=_FILTERS.value,
                  d_filters=_D_FILTERS.value or _FILTERS.value, seed=seed)
    if method == "none":
        model.compile()
    elif method == "diffaugment":
        model.compile(augment=f"diffaugment:{_POLICY.value}")
    elif method == "ada":
        model.compile(regularizers=[AdaptiveAugment(_POLICY.value, target=0.6, speed_kimg=_ADA_KIMG.value,
                                                    seed=seed + 3)])
    else:
        raise SystemExit(f"small_data: --methods has '{method}'; use none, diffaugment or ada.")
    dataset = (tf.data.Dataset.from_tensor_slices(images).shuffle(len(images), seed=seed).repeat()
               .batch(_BATCH.value, drop_remainder=True).prefetch(2))
    start = time.perf_counter()
    if curve is None:
        model.fit(dataset, steps_per_epoch=_STEPS.value, epochs=1, verbose=0)
    else:
        model.fit(dataset, steps_per_epoch=curve.every, epochs=_STEPS.value // curve.every, verbose=0,
                  callbacks=[curve])
    return model, time.perf_counter() - start


def judge(images: np.ndarray, held_out_stats, held_out: np.ndarray, extractor, classifier) -> dict:
    """FCD and KID to the held-out split, and the class-coverage figures of sample_quality.py."""
    # Fewer images than feature dimensions (the 100-image subset itself) give a singular covariance.
    fcd = metrics.fid(held_out_stats, images, extractor, allow_rank_deficient=len(images) <= 128).fid
    kid = metrics.kid(held_out, images, extractor, subset_size=min(len(held_out), len(images)) // 2, num_subsets=50)
    report = sample_quality.class_report(classifier.predict(images, verbose=0))
    counts = np.asarray(report["histogram"])
    share = getattr(sample_quality, "MIN_SHARE", 0.03)
    return {"fcd": float(fcd), "kid_x1000": 1000 * float(kid.kid_mean),
            "classes_present": report["classes_present"],
            "classes_over_share": int((counts >= share * counts.sum()).sum()),
            "max_class_fraction": report["max_class_fraction"],
            "class_entropy_bits": report["class_entropy_bits"], "histogram": report["histogram"]}


def mean_std(values: list[float]) -> tuple[float, float]:
    return float(statistics.fmean(values)), float(statistics.stdev(values)) if len(values) > 1 else 0.0


def main(argv: list[str]) -> None:
    del argv
    size = _SIZE.value
    if _EVAL_EVERY.value < 0 or (_EVAL_EVERY.value and _STEPS.value % _EVAL_EVERY.value):
        raise SystemExit(f"small_data: --eval_every={_EVAL_EVERY.value} must be 0 or divide --steps="
                         f"{_STEPS.value}; e.g. --steps=10000 --eval_every=1000.")
    train_x, train_y = digits.arrays("train", size, 1)
    test_x, _ = digits.arrays("test", size, 1)
    extractor = metrics.domain_classifier(train_x, train_y, name="digits")
    held_out_stats = metrics.compute_statistics(test_x, extractor)
    classifier, accuracy = sample_quality.train_classifier(size, 1, seed=0)
    print(f"judges: {extractor.name}; class CNN held-out accuracy {accuracy:.3f}; reference: "
          f"{len(test_x)} held-out digits; {_SAMPLES.value} samples a run; {_STEPS.value} steps of "
          f"batch {_BATCH.value}", flush=True)

    anchors = {"full training split": judge(train_x, held_out_stats, test_x, extractor, classifier)}
    runs = []
    for name in _SUBSETS.value:
        images, labels = subset(name, train_x, train_y)
        anchors[f"subset {name} ({len(images)} images)"] = judge(images, held_out_stats, test_x, extractor,
                                                                 classifier)
        for method in _METHODS.value:
            for seed in (int(s) for s in _SEEDS.value):
                def judge_samples(model, seed=seed):
                    return judge(model.generate(_SAMPLES.value, seed=1000 + seed), held_out_stats, test_x,
                                 extractor, classifier)

                curve = (Curve(judge_samples, _EVAL_EVERY.value, f"{name} {method} seed {seed}")
                         if _EVAL_EVERY.value else None)
                model, seconds = train(images, method, seed, curve)
                row = judge_samples(model)
                if curve is not None:
                    row["curve"] = curve.points
                row.update(subset=name, images=len(images), method=method, seed=seed, seconds=round(seconds, 1),
                           ada_p=float(model.ada_p.value) if hasattr(model, "ada_p") else None)
                runs.append(row)
                print(f"run {name:>5} {method:<12} seed {seed}: FCD {row['fcd']:8.2f}  KID×1000 "
                      f"{row['kid_x1000']:8.2f}  classes {row['classes_present']:2d} "
                      f"(≥3%: {row['classes_over_share']:2d})  entropy {row['class_entropy_bits']:.2f}"
                      + (f"  p {row['ada_p']:.3f}" if row["ada_p"] is not None else "")
                      + f"  {seconds:.0f} s", flush=True)

    print("\nanchors (real images against the held-out split):")
    for name, row in anchors.items():
        print(f"  {name:<32} FCD {row['fcd']:8.2f}  KID×1000 {row['kid_x1000']:8.2f}  classes "
              f"{row['classes_present']}")
    print(f"\n| subset | method | FCD (mean ± std) | KID×1000 | classes present (min) | classes ≥ 3% (min) "
          f"| entropy bits | final p |")
    print("|---|---|---|---|---|---|---|---|")
    table = {}
    for name in _SUBSETS.value:
        for method in _METHODS.value:
            rows = [r for r in runs if r["subset"] == name and r["method"] == method]
            if not rows:
                continue
            fcd, kid, entropy = (mean_std([r[k] for r in rows]) for k in ("fcd", "kid_x1000", "class_entropy_bits"))
            ps = [r["ada_p"] for r in rows if r["ada_p"] is not None]
            cell = {"fcd": fcd, "kid_x1000": kid, "entropy": entropy, "seeds": len(rows),
                    "classes_present_min": min(r["classes_present"] for r in rows),
                    "classes_over_share_min": min(r["classes_over_share"] for r in rows),
                    "ada_p": statistics.fmean(ps) if ps else None}
            table[f"{name}/{method}"] = cell
            print(f"| {name} | {method} | {fcd[0]:.2f} ± {fcd[1]:.2f} | {kid[0]:.2f} ± {kid[1]:.2f} | "
                  f"{cell['classes_present_min']} | {cell['classes_over_share_min']} | {entropy[0]:.2f} | "
                  + (f"{cell['ada_p']:.3f} |" if ps else "– |"))
    targets = {}
    base = table.get("10pct/none")
    for method in ("diffaugment", "ada"):
        cell = table.get(f"10pct/{method}")
        if base and cell:
            ratio = cell["fcd"][0] / base["fcd"][0]
            targets[method] = {"fcd_ratio": ratio, "met": ratio <= 0.5 and cell["classes_present_min"] == 10}
            print(f"target, 10% subset, {method}: FCD ratio to none {ratio:.3f} (<= 0.5), classes present "
                  f"{cell['classes_present_min']} (10): {'met' if targets[method]['met'] else 'NOT met'}")
    print(json.dumps({"steps": _STEPS.value, "batch_size": _BATCH.value, "image_size": size,
                      "filters": _FILTERS.value, "d_filters": _D_FILTERS.value or _FILTERS.value,
                      "eval_every": _EVAL_EVERY.value, "samples": _SAMPLES.value, "ada_kimg": _ADA_KIMG.value,
                      "policy": _POLICY.value, "extractor": extractor.name, "classifier_accuracy": accuracy,
                      "anchors": anchors, "table": table, "targets": targets, "runs": runs}))


if __name__ == "__main__":
    app.run(main)
