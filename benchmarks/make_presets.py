r"""Builds the presets that ship in ganzoo/presets/: train (or take a finished run), measure, write.

    python benchmarks/make_presets.py --names=dcgan_digits                  # trains it first
    python benchmarks/make_presets.py --names=dcgan_digits \
        --from_workdir=dcgan_digits=/tmp/preset_dcgan                       # a finished run

For each name the run is ``--from_workdir=NAME=DIR`` (a finished ``ganzoo.train`` run of
``configs/NAME.py``, or of ``--config=NAME=FILE``; keys that differ from the file are recorded
as overrides) or is trained
here with ``python -m ganzoo.train --config=configs/NAME.py --workdir=<--workdir_root>/NAME``.
Then the model's quality is measured:

    dcgan_digits, lapgan_digits   benchmarks/sample_quality.py on the run's SavedModel and again
                                  on the preset's stored float16 weights (both recorded)
    acgan_digits                  that benchmark's CNN judge, class by class (the class asked for),
                                  on the run and on the preset's float16 weights
    wgan_gp_grid25, pacgan_grid25 here: ganzoo.metrics.mode_coverage of 2,500 samples (seed 0)
    srresnet_photos, srgan_photos benchmarks/super_resolution.py on the run and again on the
                                  preset's float16 generator (srgan_photos beside the
                                  srresnet_photos preset: build that one first)
    cyclegan_digits               benchmarks/cyclegan.py on the run and on the preset's float16 weights
    the others                    the benchmark's command is printed; run it and attach its
                                  output with --quality=NAME=FILE (its last JSON line is read)

and ``ganzoo.presets.save`` writes ``ganzoo/presets/NAME/`` (or ``--out/NAME``): model.keras
(float16 weights, no optimizer state; srgan_photos: model.json and the generator's weights
only), preset.json, samples.png. A preset over 5 MB is refused, and so are presets that would
take more than 30 MB together.

Prints a table, then one JSON line.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import dataclasses  # noqa: E402
import datetime  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import pathlib  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import shlex  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import Any, Callable  # noqa: E402

from absl import app, flags  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's ganzoo, whatever is installed

from ganzoo import presets  # noqa: E402
from ganzoo.errors import GanzooError  # noqa: E402

_NAMES = flags.DEFINE_list("names", None, "Presets to build (default: every one in SPECS).")
_FROM = flags.DEFINE_multi_string("from_workdir", [], "NAME=DIR: take this finished run instead of training.")
_QUALITY = flags.DEFINE_multi_string("quality", [], "NAME=FILE: a benchmark's output for a model measured by hand.")
_NOTE = flags.DEFINE_multi_string("note", [], "NAME=TEXT: recorded as the training's note (the machine's load, ...).")
_CONFIG = flags.DEFINE_multi_string(
    "config", [], "NAME=FILE: the run's config file when it is not configs/NAME.py (e.g. "
    "srresnet_photos=configs/srresnet_photos_long.py); overrides and the train command are read against it.")
_ROOT = flags.DEFINE_string("workdir_root", "/tmp/ganzoo_presets", "Where runs trained here go.")
_OUT = flags.DEFINE_string("out", str(ROOT / "ganzoo" / "presets"), "Folder that receives NAME/.")
_OVERWRITE = flags.DEFINE_bool("overwrite", False, "Replace an existing preset folder.")


@dataclasses.dataclass(frozen=True)
class Spec:
    """How a preset's quality is measured: a command (``{workdir}`` filled in) or code run here."""

    benchmark: str
    measure: Callable[[str, str], dict[str, Any]] | None = None   # (name, workdir) -> measurement
    summarize: Callable[[dict[str, Any]], str] | None = None      # figures -> one line
    networks: str = "all"   # "generator": the discriminator would pass 5 MB (presets.save)
    # (name, preset directory, run workdir) -> the same benchmark on the stored float16 weights
    measure_preset: Callable[[str, str, str], dict[str, Any]] | None = None
    num_samples: int = 64   # images in samples.png (its size counts against the 5 MB)
    conditions: Callable[[Any], dict[str, Any]] | None = None   # model -> generate's inputs (translation)


# ------------------------------------------------------------------------ measurements


def _last_json_line(text: str) -> dict[str, Any]:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise GanzooError("make_presets: the benchmark printed no JSON line.")


def _environment() -> dict[str, str]:
    """The subprocesses' environment: this checkout's ganzoo first on the path."""
    path = os.environ.get("PYTHONPATH")
    return dict(os.environ, PYTHONPATH=str(ROOT) + (os.pathsep + path if path else ""))


def _run_benchmark(command: str) -> dict[str, Any]:
    print(f"$ {command}", flush=True)
    result = subprocess.run(command, shell=True, cwd=ROOT, env=_environment(), capture_output=True, text=True)
    print(result.stdout, end="", flush=True)
    if result.returncode:
        raise GanzooError(f"make_presets: '{command}' failed:\n{result.stderr[-2000:]}")
    return _last_json_line(result.stdout)


def sample_quality(name: str, workdir: str) -> dict[str, Any]:
    command = SPECS[name].benchmark.format(workdir=workdir)
    return {"of": "the run's float32 SavedModel", "command": command, "figures": _run_benchmark(command)}


def sample_quality_of_preset(name: str, directory: str) -> dict[str, Any]:
    """The same benchmark on the stored float16 weights (exported to a scratch SavedModel)."""
    from ganzoo.export import save_generator

    with tempfile.TemporaryDirectory() as scratch:
        save_generator(presets.load(directory), os.path.join(scratch, "saved_model"))
        figures = _run_benchmark(f"python benchmarks/sample_quality.py --workdir={scratch}")
    figures.pop("workdir", None)
    command = (f"python -m ganzoo.export --preset={name} --export_dir=DIR/saved_model && "
               "python benchmarks/sample_quality.py --workdir=DIR")
    return {"of": "this preset's float16 weights", "command": command, "figures": figures}


def frontalization_of_preset(name: str, directory: str, workdir: str) -> dict[str, Any]:
    """The frontalization benchmark with the preset's float16 generator in the run's model.

    A generator-only preset has no identity network (the benchmark's judge), so the run's model
    keeps its own and takes the stored generator weights.
    """
    from ganzoo.utils.runs import load_model

    model = load_model(os.path.join(workdir, "checkpoints", "model.keras"), compile=False)
    model.generator.set_weights(presets.load(directory).generator.get_weights())
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "model.keras")
        model.save(path)
        figures = _run_benchmark(f"python benchmarks/frontalization.py --model={path} "
                                 f"--out={os.path.join(scratch, 'grid.png')}")
    command = (f"python benchmarks/frontalization.py --model=RUN_MODEL_WITH_PRESET_GENERATOR "
               f"(run: {workdir}, preset: {name})")
    return {"of": "this preset's float16 generator", "command": command, "figures": figures}


def frontalization_summary(figures: dict[str, Any]) -> str:
    gains = [figures[f"rank1_gain_yaw{yaw}"] for yaw in (60, 75, 90)]
    verdict = "meets" if min(gains) >= 20 else "misses"
    return ("rank-1 identity gain " + " / ".join(f"{g:+.1f}" for g in gains)
            + f" points at ±60/75/90° ({verdict} the ≥ 20-point target)")


def text_to_image_of_preset(name: str, directory: str, workdir: str) -> dict[str, Any]:
    """benchmarks/text_to_image.py on the preset's stored float16 weights (its model.keras)."""
    del workdir
    with tempfile.TemporaryDirectory() as scratch:
        figures = _run_benchmark(f"python benchmarks/text_to_image.py --model={directory}/model.keras "
                                 f"--variants= --out={scratch}")
    figures.pop("interpolation_grids", None)
    command = f"python benchmarks/text_to_image.py --model=ganzoo/presets/{name}/model.keras --variants="
    return {"of": "this preset's float16 weights", "command": command, "figures": figures}


def text_to_image_summary(figures: dict[str, Any]) -> str:
    seen, heldout = (figures["accuracy"]["model"][split]["all"] for split in ("seen", "heldout"))
    verdict = "meets" if seen >= 80 and heldout >= 60 else "misses"
    return (f"all-attribute accuracy {seen:.1f}% on seen, {heldout:.1f}% on held-out colour-shape pairs "
            f"({verdict} the 80% / 60% target)")


def super_resolution_of_run(name: str, workdir: str) -> dict[str, Any]:
    """benchmarks/super_resolution.py on the run's checkpoint (its side-by-side PNG is not kept)."""
    command = SPECS[name].benchmark.format(workdir=workdir)
    with tempfile.TemporaryDirectory() as scratch:
        figures = _run_benchmark(f"{command} --png={scratch}/side_by_side.png")
    figures.pop("png", None)
    return {"of": "the run's model", "command": command, "figures": figures}


def super_resolution_of_preset(name: str, directory: str, workdir: str) -> dict[str, Any]:
    """The same benchmark on the preset's stored float16 generator (its folder in place of the run)."""
    del workdir
    measurement = super_resolution_of_run(name, directory)
    measurement["of"] = "this preset's float16 weights"
    measurement["command"] = SPECS[name].benchmark.format(workdir=name)
    return measurement


def super_resolution_summary(figures: dict[str, Any]) -> str:
    """Issue 26's targets: SRResNet ≥ +1.5 dB over bicubic; SRGAN within 1 dB of SRResNet (issue 7 allowed 2)."""
    gain, gap = figures["srresnet_gain_db"], figures.get("srgan_vs_srresnet_db")
    one_pass = figures.get("srresnet_one_pass_gain_db")
    ensemble = " with its 8-view self-ensemble" if one_pass is not None else ""
    srresnet = (f"SRResNet{ensemble} {figures['srresnet']['psnr']:.2f} dB, {gain:+.2f} dB over bicubic on the "
                f"held-out photos ({'meets' if gain >= 1.5 else 'misses'} the +1.5 dB target)")
    if one_pass is not None:
        srresnet += f"; in one pass {one_pass:+.2f} dB"
    if gap is None:
        return srresnet
    sharper = figures["srgan"]["sharpness"] > figures["srresnet"]["sharpness"]
    return (f"SRGAN {figures['srgan']['psnr']:.2f} dB, {gap:+.2f} dB from SRResNet "
            f"({'meets' if gap >= -1.0 else 'misses'} the within-1-dB target), sharpness "
            f"{figures['srgan']['sharpness']:.3f} vs {figures['srresnet']['sharpness']:.3f} "
            f"({'sharper' if sharper else 'not sharper'}); {srresnet}")


def grid25_coverage(name: str, workdir: str) -> dict[str, Any]:
    from ganzoo.metrics.mode_coverage import GRID25_STD, grid25_centres, mode_coverage
    from ganzoo.utils.runs import load_model

    model = load_model(os.path.join(workdir, "checkpoints", "model.keras"), compile=False)
    # The benchmark's rule (benchmarks/mode_coverage.py): a mode needs 1% of the 2,500 samples.
    result = mode_coverage(model.generate(2500, seed=0), grid25_centres(), GRID25_STD, min_count=25)
    return {"of": "the run's model", "command": SPECS[name].benchmark, "figures": result.as_dict()}


def digits_summary(figures: dict[str, Any]) -> str:
    verdict = "meets" if figures["meets_target"] else "misses"
    text = (f"{figures['classes_present']}/10 classes, entropy {figures['class_entropy_bits']:.2f} bits, "
            f"largest class {figures['max_class_fraction']:.0%} ({verdict} the target)")
    models = figures.get("judge", {}).get("models", {})
    if "run" in models:  # sample_quality.py's independent judge (issue 29), beside the compared presets
        others = ", ".join(f"{name} {r['frechet_distance']:.2f}" for name, r in models.items() if name != "run")
        run = models["run"]
        text += (f"; independent judge: logit FD {run['frechet_distance']:.2f}" + (f" ({others})" if others else "")
                 + f", smallest class {run['min_share']:.1%}, {run['class_entropy_bits']:.2f} bits")
    return text


def coverage_summary(figures: dict[str, Any]) -> str:
    return (f"{figures['modes_captured']}/{figures['num_modes']} modes, "
            f"{figures['high_quality_fraction']:.0%} high-quality samples")


def super_resolution_inputs(model) -> dict[str, Any]:
    """16 held-out LR crops of the model's training size: SRGAN generates from LR images, not noise."""
    import numpy as np

    from ganzoo.data import photos

    source = photos.photos(split="test", image_size=model.hr_shape[0], scale=model.scale, crops_per_image=8)
    lr = np.stack([pair[0].numpy() for pair in source.dataset.take(16)])
    return {"lr": lr}


def cyclegan_inputs(model) -> dict[str, Any]:
    """32 held-out digits of each domain: samples.png shows 32 translations each way."""
    from ganzoo.data import digits, printed_digits

    size, _, channels = model.image_shape
    return {"a": digits.arrays("test", size, channels)[0][:32], "b": printed_digits.arrays("test", size, channels)[0][:32]}


def cyclegan_of_run(name: str, workdir: str) -> dict[str, Any]:
    command = SPECS[name].benchmark.format(workdir=workdir)
    return {"of": "the run's model", "command": command, "figures": _run_benchmark(command)}


def cyclegan_of_preset(name: str, directory: str, workdir: str) -> dict[str, Any]:
    """benchmarks/cyclegan.py on the preset's stored float16 weights."""
    del workdir
    figures = _run_benchmark(f"python benchmarks/cyclegan.py --preset={directory}")
    return {"of": "this preset's float16 weights", "command": f"python benchmarks/cyclegan.py --preset={name}",
            "figures": figures}


def cyclegan_summary(figures: dict[str, Any]) -> str:
    kept, gain = figures["label_preservation"], figures["gain"]
    return (f"labels kept {kept['a_to_b']:.1%} handwritten->printed, {kept['b_to_a']:.1%} printed->handwritten "
            f"({gain['a_to_b'] * 100:+.1f} / {gain['b_to_a'] * 100:+.1f} points over untranslated; "
            f"{'meets' if figures['targets_met'] else 'misses'} the 85% / +25-point target)")


def class_agreement(model) -> dict[str, Any]:
    """benchmarks/sample_quality.py's CNN judge on a conditional digits model, class by class.

    1,000 samples of noise seed [0, 1] asked for 0, 1, ..., 9 in turn (as the benchmark samples
    a SavedModel with labels); the share of each class's samples the judge assigns to it.
    """
    import numpy as np
    import tensorflow as tf

    quality = sys.modules.get("sample_quality")
    if quality is None:  # run once a process: the benchmark defines absl flags
        spec = importlib.util.spec_from_file_location("sample_quality", ROOT / "benchmarks" / "sample_quality.py")
        quality = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(quality)
        sys.modules["sample_quality"] = quality
    size, _, channels = model.data_shape
    z = tf.random.stateless_normal([1000, model.latent_dim], seed=[0, 1]).numpy()
    labels = np.arange(1000) % 10
    classifier, accuracy = quality.train_classifier(size, channels, 0)
    probabilities = classifier.predict(model.generate(0, z=z, labels=labels), verbose=0)
    predicted = probabilities.argmax(axis=1)
    per_class = [round(float(np.mean(predicted[labels == c] == c)), 4) for c in range(10)]
    return {**quality.class_report(probabilities), "num": 1000, "classifier_test_accuracy": accuracy,
            "asked_class_accuracy": float(np.mean(predicted == labels)), "per_class_accuracy": per_class,
            "worst_class_accuracy": min(per_class), "meets_target": min(per_class) >= 0.9}


def class_agreement_of_run(name: str, workdir: str) -> dict[str, Any]:
    from ganzoo.utils.runs import load_model

    model = load_model(os.path.join(workdir, "checkpoints", "model.keras"), compile=False)
    return {"of": "the run's model", "command": SPECS[name].benchmark, "figures": class_agreement(model)}


def class_agreement_of_preset(name: str, directory: str, workdir: str) -> dict[str, Any]:
    del workdir
    return {"of": "this preset's float16 weights", "command": SPECS[name].benchmark,
            "figures": class_agreement(presets.load(directory))}


def class_agreement_summary(figures: dict[str, Any]) -> str:
    worst = figures["per_class_accuracy"].index(figures["worst_class_accuracy"])
    verdict = "meets" if figures["meets_target"] else "misses"
    return (f"the judge sees the class asked for in {figures['asked_class_accuracy']:.1%} of samples, "
            f"worst class {worst} at {figures['worst_class_accuracy']:.0%} ({verdict} the >= 90% per class target)")


SAMPLE_QUALITY = "python benchmarks/sample_quality.py --workdir={workdir}"
CLASS_AGREEMENT = ("python benchmarks/make_presets.py (benchmarks/sample_quality.py's CNN judge, seed 0: 1,000 "
                   "samples of noise seed [0, 1] asked for 0..9 in turn, per-class agreement)")
GRID25_COVERAGE = ("python benchmarks/make_presets.py (ganzoo.metrics.mode_coverage: 2,500 samples of seed 0, "
                   "grid25 centres, std 0.05, min_count 25)")
SPECS: dict[str, Spec] = {
    "dcgan_digits": Spec(SAMPLE_QUALITY, sample_quality, digits_summary),
    # Class-conditional (issue 23): the judge must see the class asked for, >= 90% for every class.
    "acgan_digits": Spec(CLASS_AGREEMENT, class_agreement_of_run, class_agreement_summary,
                         measure_preset=class_agreement_of_preset),
    "lapgan_digits": Spec(SAMPLE_QUALITY, sample_quality, digits_summary),
    "wgan_gp_grid25": Spec(GRID25_COVERAGE, grid25_coverage, coverage_summary, num_samples=2500),
    # Not in the list: the mode-coverage benchmark's best run, whose samples the README shows.
    "pacgan_grid25": Spec(GRID25_COVERAGE, grid25_coverage, coverage_summary, num_samples=2500),
    "text2image_shapes": Spec(
        "python benchmarks/text_to_image.py --model={workdir}/checkpoints/model.keras --variants=",
        summarize=text_to_image_summary, measure_preset=text_to_image_of_preset),
    "srresnet_photos": Spec("python benchmarks/super_resolution.py --srresnet={workdir}",
                            super_resolution_of_run, super_resolution_summary,
                            measure_preset=super_resolution_of_preset, num_samples=16,
                            conditions=super_resolution_inputs),
    # The paper's discriminator alone is 10.6 M weights (21 MB in float16): generator only.
    # Measured beside the srresnet_photos preset (build that one first).
    "srgan_photos": Spec("python benchmarks/super_resolution.py --srresnet=srresnet_photos --srgan={workdir}",
                         super_resolution_of_run, super_resolution_summary, networks="generator",
                         measure_preset=super_resolution_of_preset, num_samples=16,
                         conditions=super_resolution_inputs),
    # All four networks (2.1 MB in float16); samples.png: 32 held-out translations each way.
    "cyclegan_digits": Spec("python benchmarks/cyclegan.py --workdir={workdir}", cyclegan_of_run, cyclegan_summary,
                            measure_preset=cyclegan_of_preset, conditions=cyclegan_inputs),
    # Generator only: with D and the identity network it is 7.1 MB. The generator's float16
    # weights alone take 4.9 MB (gzip gains 8%: the low mantissa byte is noise), so its
    # sample grid holds 16 faces of 64x64, not 64.
    "frontalization_synthfaces": Spec("python benchmarks/frontalization.py --workdir={workdir}",
                                      summarize=frontalization_summary, networks="generator",
                                      measure_preset=frontalization_of_preset, num_samples=16),
}


# ------------------------------------------------------------------------------- runs


def _pairs(values: list[str], flag: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or name not in SPECS:
            raise GanzooError(f"make_presets: --{flag}={value} must be NAME=VALUE with NAME one of {', '.join(SPECS)}.")
        pairs[name] = rest
    return pairs


def config_file(name: str, path: str | None = None) -> tuple[str, str, dict[str, Any]]:
    """``configs/NAME.py`` (or ``path``, relative to the repository): its path, its docstring's
    first line and its resolved config."""
    from ganzoo import config as config_lib

    relative = path or f"configs/{name}.py"
    path = ROOT / relative
    if not path.is_file():
        raise GanzooError(f"make_presets: --config={name}={relative}: no such config file in {ROOT}.")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    description = (module.__doc__ or "").strip().splitlines()[0]
    return relative, description, config_lib.to_dict(module.get_config())


def overrides(config: dict[str, Any], run: dict[str, Any], prefix: str = "--config") -> list[str]:
    """``--config.a.b=value`` for every key where the run's config differs from the file's.

    Keys the run's config does not have (added to ganzoo after the run) are not overrides.
    """
    found = []
    for key in sorted(set(config) | set(run)):
        if key not in run:
            continue
        ours, theirs = config.get(key), run.get(key)
        if isinstance(ours, dict) and isinstance(theirs, dict):
            found += overrides(ours, theirs, f"{prefix}.{key}")
        elif json.dumps(ours) != json.dumps(theirs):  # a config's tuple is the run's JSON list
            found.append(f"{prefix}.{key}={json.dumps(theirs)}")
    return found


def train(name: str) -> tuple[str, dict[str, Any]]:
    workdir = os.path.join(_ROOT.value, name)
    command = f"python -m ganzoo.train --config=configs/{name}.py --workdir={workdir}"
    print(f"$ {command}", flush=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, shell=True, cwd=ROOT, env=_environment(), check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cost = {
        "wall_time_s": round(time.perf_counter() - start, 1),
        "cpu_time_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
    }
    return workdir, cost


def measure(name: str, workdir: str, quality_file: str | None) -> list[dict[str, Any]]:
    """The run's quality: from ``--quality``'s file, measured here, or (printed) left to do."""
    spec = SPECS[name]
    if quality_file:
        with open(quality_file) as handle:
            figures = _last_json_line(handle.read())
        return [{"of": "the run", "command": spec.benchmark.format(workdir=workdir), "figures": figures}]
    if spec.measure is not None:
        return [spec.measure(name, workdir)]
    print(f"{name}: measure it with\n    {spec.benchmark.format(workdir=workdir)}\n"
          f"and attach the output with --quality={name}=FILE.", flush=True)
    return []


def describe(name: str, workdir: str, cost: dict[str, Any], note: str | None,
             config_path: str | None = None) -> dict[str, Any]:
    """preset.json's record of where the model came from and what training it cost."""
    import keras
    import tensorflow as tf

    for needed in ("metrics.json", "config.json", "checkpoints/model.keras"):
        if not os.path.exists(os.path.join(workdir, needed)):
            raise GanzooError(f"make_presets: '{workdir}' is not a finished ganzoo.train run (no {needed}).")
    config_path, description, config = config_file(name, config_path)
    with open(os.path.join(workdir, "config.json")) as handle:
        run_config = json.load(handle)
    with open(os.path.join(workdir, "metrics.json")) as handle:
        metrics = json.load(handle)
    changed = overrides(config, run_config)
    finished = os.path.getmtime(os.path.join(workdir, "metrics.json"))
    return {
        "name": name,
        "description": description,
        "model": run_config["model"]["name"],
        "config": config_path,
        "config_overrides": changed,
        "train_command": " ".join([f"python -m ganzoo.train --config={config_path} --workdir={workdir}"] + changed),
        "preset_command": shlex.join(["python", "benchmarks/make_presets.py", *sys.argv[1:]]),
        "date": datetime.date.today().isoformat(),
        "trained_on": datetime.datetime.fromtimestamp(finished, datetime.timezone.utc).date().isoformat(),
        "training": {
            "epochs": metrics.get("epochs"),
            "generator_steps": metrics.get("steps"),
            "batch_size": run_config["train"]["batch_size"],
            "wall_time_s": metrics.get("wall_time_s"),
            "samples_per_second": metrics.get("samples_per_second"),
            "final_metrics": metrics.get("final"),
            "run_weights_hash": metrics.get("weights_hash"),
            # With train.eval_every: the evaluation curve and which weights were kept (the best).
            **({"evaluation": metrics["evaluation"], "weights": metrics.get("weights", "last")}
               if "evaluation" in metrics else {}),
            "machine": f"{os.cpu_count()} CPU cores, {platform.machine()}",
            **{"script_" + k: v for k, v in cost.items()},
            **({"note": note} if note else {}),
        },
        "versions": {"tensorflow": tf.__version__, "keras": keras.__version__, "python": platform.python_version()},
    }


def build(name: str, workdir: str | None, quality_file: str | None, note: str | None,
          config_path: str | None = None) -> dict[str, Any]:
    """Trains (unless given a run), measures and writes one preset; returns ``presets.info``."""
    from ganzoo.utils.runs import load_model

    spec = SPECS[name]
    cost: dict[str, Any] = {}
    if workdir is None:
        if config_path:
            raise GanzooError(f"make_presets: --config={name}=... needs --from_workdir={name}=DIR (a run of it).")
        workdir, cost = train(name)
    metadata = describe(name, workdir, cost, note, config_path)
    measurements = measure(name, workdir, quality_file)
    metadata["quality"] = {"summary": "not measured yet", "benchmark": spec.benchmark.format(workdir=workdir),
                           "measurements": measurements}
    model = load_model(os.path.join(workdir, "checkpoints", "model.keras"), compile=False)
    directory = os.path.join(_OUT.value, name)
    stored = presets.save(model, directory, metadata, overwrite=_OVERWRITE.value, networks=spec.networks,
                          num_samples=spec.num_samples, conditions=spec.conditions(model) if spec.conditions else None)
    if spec.measure is sample_quality and not quality_file:
        measurements.append(sample_quality_of_preset(name, directory))
    if spec.measure_preset is not None:
        measurements.append(spec.measure_preset(name, directory, workdir))
    stored["quality"]["measurements"] = measurements
    if measurements and spec.summarize is not None:
        stored["quality"]["summary"] = spec.summarize(measurements[-1]["figures"])
    with open(os.path.join(directory, presets.METADATA_FILE), "w") as handle:
        json.dump(stored, handle, indent=2)
        handle.write("\n")
    return presets.info(directory)


def main(argv: list[str]) -> None:
    del argv
    names = _NAMES.value or list(SPECS)
    unknown = [name for name in names if name not in SPECS]
    if unknown:
        sys.exit(f"make_presets: unknown preset(s) {', '.join(unknown)}; choose from {', '.join(SPECS)}.")
    try:
        workdirs, qualities, notes = (_pairs(_FROM.value, "from_workdir"), _pairs(_QUALITY.value, "quality"),
                                      _pairs(_NOTE.value, "note"))
        configs = _pairs(_CONFIG.value, "config")
        built = [build(name, workdirs.get(name), qualities.get(name), notes.get(name), configs.get(name))
                 for name in names]
    except GanzooError as error:
        sys.exit(str(error))
    total = sum(
        presets.info(os.path.join(_OUT.value, name))["size_bytes"]
        for name in os.listdir(_OUT.value) if os.path.isfile(os.path.join(_OUT.value, name, presets.METADATA_FILE))
    )
    print(f"\n{'preset':<28}{'MB':>6}   quality")
    for meta in built:
        print(f"{meta['name']:<28}{meta['size_bytes'] / 1e6:>6.2f}   {meta['quality']['summary']}")
    print(f"all presets in {_OUT.value}: {total / 1e6:.2f} MB (limit {presets.MAX_TOTAL_BYTES / 1e6:.0f} MB)")
    if total > presets.MAX_TOTAL_BYTES:
        sys.exit(f"make_presets: the presets take {total / 1e6:.1f} MB together; the wheel's limit is "
                 f"{presets.MAX_TOTAL_BYTES / 1e6:.0f} MB.")
    print(json.dumps({"presets": {m["name"]: {"bytes": m["size_bytes"], "quality": m["quality"]["summary"]}
                                  for m in built}, "total_bytes": total}))


if __name__ == "__main__":
    app.run(main)
