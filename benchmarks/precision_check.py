r"""Does mixed precision break training? Each preset's quality figure after a short fine-tune.

    python benchmarks/precision_check.py                                  # every supported preset
    python benchmarks/precision_check.py --models=dcgan_digits --steps=50
    python benchmarks/precision_check.py --smoke                          # wgan_gp_grid25, 2 steps

For each shipped preset (``ganzoo.presets.available()``) the model is rebuilt from its config
(``configs/NAME.py`` with the preset's recorded overrides) under the dtype policy, exactly as
``ganzoo.train`` builds it with ``train.precision``, then given the preset's weights and
fine-tuned for a short, fixed number of generator steps on the config's data:

    float32, seed 0        the reference
    mixed_bfloat16, seed 0 the same starting weights, data order and noise as the reference
    float32, seed 1        the float32 run-to-run spread (how much a figure moves by chance)

(the first two alternate in order from one model to the next, so a machine that slows down
midway does not favour one precision). After each fine-tune the preset's own quality figure is
measured with the measuring functions the preset was recorded with (benchmarks/make_presets.py,
benchmarks/sample_quality.py, benchmarks/super_resolution.py, ganzoo.metrics), in float32.

A model passes when every fine-tune's losses and every figure are finite and
``|bf16 − fp32(seed 0)|`` is within its figure's tolerance, stated here up front (TOLERANCES).
The tolerances were fixed before the first run, near what a retrained judge moves a re-measured
figure (tests/test_presets.py); the run's float32 seed-0 vs seed-1 spreads came out at 0.1–0.4
of them (BUILD_NOTES.md, "Accelerators", records the run). Generator-only presets (srgan_photos) have no stored discriminator: it is
rebuilt from the config with fresh weights (the same ones for every run of that model).
frontalization_synthfaces ships its generator only: D and the identity network are rebuilt the
same way, fit pre-trains that network first, and the figure is the ±60° PSNR, which needs no
identity network (the rank-1 figures need the run's own).

Prints a row per model as a JSON line as soon as it is measured, then a table and one JSON
line with every row. The exit status is 1 when a model fails.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import dataclasses  # noqa: E402
import datetime  # noqa: E402
import functools  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import pathlib  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from typing import Any, Callable  # noqa: E402

from absl import app, flags  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's ganzoo, whatever is installed

_MODELS = flags.DEFINE_list("models", None, "Presets to check (default: every supported one).")
_STEPS = flags.DEFINE_integer("steps", 0, "Generator steps per fine-tune (0: each model's default).")
_SMOKE = flags.DEFINE_bool("smoke", False, "wgan_gp_grid25 only, 2 steps: that the script runs.")

PRECISION = "mixed_bfloat16"
SEEDS = (0, 1)                 # the reference seed and the spread's
SMOKE_MODEL = "wgan_gp_grid25"
NOT_CHECKED: dict[str, str] = {}  # preset -> why it is not checked


def _benchmark(stem: str):
    """A benchmark script as a module, once a process (it may define absl flags)."""
    if stem not in sys.modules:
        spec = importlib.util.spec_from_file_location(stem, ROOT / "benchmarks" / f"{stem}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[stem] = module
        spec.loader.exec_module(module)
    return sys.modules[stem]


# --------------------------------------------------------------------------- figures


@functools.cache
def _digits_classifier(size: int, channels: int):
    """sample_quality.py's CNN judge (seed 0); trained once a process, it is deterministic."""
    return _benchmark("sample_quality").train_classifier(size, channels, 0)[0]


def class_entropy(model) -> float:
    """sample_quality.py's figure: the CNN judge's class entropy (bits) over 1,000 samples of seed 0."""
    size, _, channels = model.image_shape
    probabilities = _digits_classifier(size, channels).predict(model.generate(1000, seed=0), verbose=0)
    return float(_benchmark("sample_quality").class_report(probabilities)["class_entropy_bits"])


def asked_class_accuracy(model) -> float:
    """make_presets.class_agreement's figure: the share of samples the judge sees as the class asked for."""
    quality = _benchmark("sample_quality")
    if not hasattr(quality.train_classifier, "cache_info"):  # class_agreement retrains it on every call
        quality.train_classifier = functools.cache(quality.train_classifier)
    return float(_benchmark("make_presets").class_agreement(model)["asked_class_accuracy"])


def high_quality_fraction(model) -> float:
    """make_presets.grid25_coverage's figure: 2,500 samples of seed 0 within 3 std of a grid25 centre."""
    from ganzoo.metrics.mode_coverage import GRID25_STD, grid25_centres, mode_coverage

    result = mode_coverage(model.generate(2500, seed=0), grid25_centres(), GRID25_STD, min_count=25)
    return float(result.high_quality_fraction)


def held_out_psnr(model) -> float:
    """super_resolution.py's figure: mean PSNR (dB) of the 4x model on the held-out photos."""
    import numpy as np

    from ganzoo.data import photos

    measure = _benchmark("super_resolution").measure
    return float(np.mean([measure(model.super_resolve(p["lr"]), p["hr"], 4)[0] for p in photos.full_pairs("test", 4)]))


@functools.cache
def _caption_judge():
    from ganzoo.data import shapes
    from ganzoo.metrics import train_attribute_classifier

    data = shapes.arrays("classifier", 32)  # benchmarks/text_to_image.py's judge: seed 0, 8 epochs
    return train_attribute_classifier(shapes.to_float(data["images"]).numpy(), data["labels"], shapes.ATTRIBUTES,
                                      epochs=8, seed=0)


def held_out_caption_accuracy(model) -> float:
    """text_to_image.py's figure: all-attribute accuracy (%) on 500 held-out colour-shape captions."""
    from ganzoo.data import shapes
    from ganzoo.metrics import caption_accuracy

    data = shapes.arrays("heldout", 32)
    split = {"heldout": (data["captions"][:500, 0].tolist(), data["labels"][:500])}
    return float(caption_accuracy(model, _caption_judge(), split, seed=0)["heldout"]["all"])


@functools.cache
def _faces():
    from ganzoo.data import synthfaces

    return synthfaces.arrays("test", 64, num_identities=500, variants=2)  # configs/frontalization_synthfaces.py


def frontal_psnr(model) -> float:
    """face_identity.frontalization_scores' figure: PSNR (dB) of the ±60° test faces frontalized."""
    from ganzoo.metrics import face_identity

    return float(face_identity.frontalization_scores(model.identity_network, model.frontalize, _faces(),
                                                     bins=(60,))["psnr_yaw60"])


@functools.cache
def _translation_data(size: int, channels: int):
    from ganzoo.data import digits, printed_digits
    from ganzoo.metrics import translation

    def domains(split):  # as benchmarks/cyclegan.py reads them
        return (*digits.arrays(split, size, channels), *printed_digits.arrays(split, size, channels))

    classifiers = translation.domain_classifiers(*domains("train"), name=f"cyclegan_digits{size}")
    return domains("test"), classifiers


def label_preservation(model) -> float:
    """cyclegan.py's figure: label preservation, mean of both directions, on the held-out digits."""
    from ganzoo.metrics import translation

    size, _, channels = model.image_shape
    (a, labels_a, b, labels_b), classifiers = _translation_data(size, channels)
    kept = translation.translation_scores(model.a_to_b, model.b_to_a, a, labels_a, b, labels_b,
                                          *classifiers)["label_preservation"]
    return float((kept["a_to_b"] + kept["b_to_a"]) / 2)


@dataclasses.dataclass(frozen=True)
class Figure:
    """A preset's quality figure: its name, how to measure it, where preset.json stores it."""

    name: str
    measure: Callable[[Any], float]
    stored: Callable[[dict[str, Any]], float]   # the last recorded measurement's figures -> value
    tolerance: float                            # allowed |bf16 - fp32|
    steps: int                                  # default generator steps of a fine-tune


def _pick(*keys: str) -> Callable[[dict[str, Any]], float]:
    return lambda figures: float(functools.reduce(lambda d, k: d[k], keys, figures))


def _mean_kept(figures: dict[str, Any]) -> float:
    return (figures["label_preservation"]["a_to_b"] + figures["label_preservation"]["b_to_a"]) / 2


# Tolerances, fixed before the first run near what tests/test_presets.py allows a re-measured figure;
# the float32 seed spread of the 2026-12-06 run was 0.1-0.4 of each (BUILD_NOTES). The grid25 ones
# went from 0.05 to 0.02 (4x their 0.004-0.005 spread) after 0.05 let a planted bug pass.
ENTROPY = Figure("class_entropy_bits", class_entropy, _pick("class_entropy_bits"), 0.10, 100)
TOLERANCES: dict[str, Figure] = {
    "wgan_gp_grid25": Figure("high_quality_fraction", high_quality_fraction, _pick("high_quality_fraction"), 0.02, 200),
    "pacgan_grid25": Figure("high_quality_fraction", high_quality_fraction, _pick("high_quality_fraction"), 0.02, 200),
    "dcgan_digits": ENTROPY,
    "lapgan_digits": ENTROPY,
    "acgan_digits": Figure("asked_class_accuracy", asked_class_accuracy, _pick("asked_class_accuracy"), 0.03, 100),
    "text2image_shapes": Figure("heldout_caption_accuracy_pct", held_out_caption_accuracy,
                                _pick("accuracy", "model", "heldout", "all"), 4.0, 100),
    "cyclegan_digits": Figure("label_preservation", label_preservation, _mean_kept, 0.05, 100),
    "srresnet_photos": Figure("psnr_db", held_out_psnr, _pick("srresnet", "psnr"), 0.30, 100),
    "srgan_photos": Figure("psnr_db", held_out_psnr, _pick("srgan", "psnr"), 0.30, 100),
    # Generator-only: D and the identity network start fresh (seeded); fit pre-trains the identity
    # network (identity_steps) before the GAN steps, as the preset's run did.
    "frontalization_synthfaces": Figure("psnr_yaw60_db", frontal_psnr, _pick("psnr_yaw60"), 0.30, 100),
}


# --------------------------------------------------------------------------- fine-tunes

# Overrides naming files of the machine that trained the preset: the preset's weights replace them.
_MACHINE_PATHS = ("init_generator", "identity_weights")


def preset_config(name: str) -> dict[str, Any]:
    """The resolved config the preset was trained with: its recorded config file (configs/NAME.py
    unless preset.json names another) plus its recorded overrides."""
    from ganzoo import presets

    _, _, config = _benchmark("make_presets").config_file(name, presets.info(name).get("config"))

    for override in presets.info(name).get("config_overrides", []):
        key, _, value = override.removeprefix("--config.").partition("=")
        *groups, leaf = key.split(".")
        if leaf in _MACHINE_PATHS:
            continue
        functools.reduce(lambda d, k: d[k], groups, config)[leaf] = json.loads(value)
    return config


def finetune(name: str, config: dict[str, Any], precision: str, seed: int, steps: int):
    """The preset rebuilt under ``precision``, given its weights, after ``steps`` steps of seed ``seed``.

    Returns (model, last losses, seconds).
    """
    import keras

    from ganzoo import data as data_lib
    from ganzoo import presets
    from ganzoo import train as train_lib

    config = json.loads(json.dumps(config))
    config["seed"] = seed
    # Keras runs whole executions: with the grid25 configs' 500 steps per execution, fit(steps_per_epoch=2)
    # ran the same steps as 200 (the same losses, 2026-12-06).
    config["train"]["steps_per_execution"] = min(int(config["train"]["steps_per_execution"]), steps)
    keras.utils.set_random_seed(seed)
    options = dict(config["data"])
    dataset = data_lib.load(options.pop("name"), batch_size=config["train"]["batch_size"], seed=seed,
                            repeat=True, **options)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)
    try:
        model = train_lib.build(config, dataset.element_spec)  # as ganzoo.train builds it with train.precision
    finally:
        keras.config.set_dtype_policy(previous)
    # Generator-only presets: load() builds the model from its config, so D is fresh; seeded, it is
    # the same D for every run of this model.
    keras.utils.set_random_seed(1234)
    source = presets.load(name)
    if getattr(source, "vocabulary", None):  # text to image: its token ids (fit would build another order)
        model.set_vocabulary(source.vocabulary)
    model.set_weights(source.get_weights())
    keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    history = model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)
    losses = {key: float(values[-1]) for key, values in history.history.items()}
    return model, losses, time.perf_counter() - start


def _finite(values) -> bool:
    return all(isinstance(v, (int, float)) and math.isfinite(v) for v in values)


def verdict(reference: float, bf16: float, tolerance: float, losses_finite: bool) -> bool:
    """Pass: finite losses and figures, and the bf16 figure within ``tolerance`` of float32's."""
    return bool(losses_finite and _finite([reference, bf16]) and abs(bf16 - reference) <= tolerance)


def check(name: str, steps: int, order: int = 0) -> dict[str, Any]:
    """One model's row: stored figure, figure after each fine-tune, spread, difference, verdict."""
    from ganzoo import presets

    figure = TOLERANCES[name]
    config = preset_config(name)
    stored = figure.stored(presets.info(name)["quality"]["measurements"][-1]["figures"])
    start = figure.measure(presets.load(name))
    runs = [("float32", SEEDS[0]), (PRECISION, SEEDS[0])]
    runs = (runs if order % 2 == 0 else runs[::-1]) + [("float32", SEEDS[1])]
    results, finite, seconds = {}, True, {}
    for precision, seed in runs:
        model, losses, elapsed = finetune(name, config, precision, seed, steps)
        key = f"{precision}_seed{seed}"
        finite = finite and _finite(losses.values())
        results[key] = figure.measure(model)
        seconds[key] = round(elapsed, 1)
        print(f"  {name}: {key} {steps} steps in {elapsed:.0f} s, {figure.name} {results[key]:.4f}, "
              f"losses {json.dumps({k: round(v, 4) for k, v in losses.items()})}", flush=True)
    fp32, bf16, other = (results[f"float32_seed{SEEDS[0]}"], results[f"{PRECISION}_seed{SEEDS[0]}"],
                         results[f"float32_seed{SEEDS[1]}"])
    return {
        "model": name, "figure": figure.name, "steps": steps, "stored": stored, "start": start,
        "float32": fp32, "bf16": bf16, "difference": bf16 - fp32, "float32_seed_spread": abs(other - fp32),
        "tolerance": figure.tolerance, "losses_finite": finite, "order": [f"{p}_seed{s}" for p, s in runs],
        "finetune_seconds": seconds, "passed": verdict(fp32, bf16, figure.tolerance, finite),
    }


def run(names: list[str], steps: int = 0) -> list[dict[str, Any]]:
    """Checks ``names`` in turn (``steps`` 0: each model's default); prints each row as a JSON line."""
    rows = []
    for index, name in enumerate(names):
        try:
            row = check(name, steps or TOLERANCES[name].steps, order=index)
        except Exception as error:  # noqa: BLE001 - one model's crash is its failed row, the others still run
            row = {"model": name, "figure": TOLERANCES[name].name, "passed": False,
                   "error": f"{type(error).__name__}: {str(error)[:300]}"}
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    print(f"\n{'model':<19}{'figure':<31}{'stored':>8}{'start':>8}{'fp32':>8}{'bf16':>8}{'bf16-fp32':>10}"
          f"{'fp32 spread':>12}{'tol':>6}  verdict")
    for r in rows:
        if "error" in r:
            print(f"{r['model']:<19}{r['figure']:<31}  FAIL: {r['error']}")
            continue
        print(f"{r['model']:<19}{r['figure']:<31}{r['stored']:>8.3f}{r['start']:>8.3f}{r['float32']:>8.3f}"
              f"{r['bf16']:>8.3f}{r['difference']:>+10.3f}{r['float32_seed_spread']:>12.3f}{r['tolerance']:>6.2f}  "
              f"{'pass' if r['passed'] else 'FAIL'}")


def main(argv: list[str]) -> None:
    del argv
    from ganzoo import presets
    from ganzoo.errors import GanzooError

    names = [SMOKE_MODEL] if _SMOKE.value else (_MODELS.value or [n for n in presets.available() if n in TOLERANCES])
    steps = 2 if _SMOKE.value else _STEPS.value
    for name in names:
        if name in NOT_CHECKED:
            sys.exit(f"precision_check: {name} is not checked ({NOT_CHECKED[name]}); leave it out of --models.")
        if name not in TOLERANCES:
            sys.exit(f"precision_check: unknown model '{name}' in --models; choose from {', '.join(TOLERANCES)}.")
    if steps < 0:
        sys.exit(f"precision_check: --steps={steps} must be 0 (each model's default) or more.")
    started = time.time()
    try:
        rows = run(names, steps)
    except GanzooError as error:
        sys.exit(str(error))
    print_table(rows)
    print(json.dumps({"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                      "precision": PRECISION, "smoke": _SMOKE.value, "wall_time_s": round(time.time() - started, 1),
                      "not_checked": sorted(NOT_CHECKED), "passed": all(r["passed"] for r in rows), "rows": rows}))
    if not all(r["passed"] for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    app.run(main)
