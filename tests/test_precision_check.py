"""benchmarks/precision_check.py: every preset is covered, its verdict can fail, --smoke runs."""

import json
import math
import os
import pathlib
import subprocess
import sys

import pytest

from ganzoo import presets

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def check(load_file):
    # precision_check loads these benchmarks itself, once a process, from sys.modules when present.
    # Loaded here first through load_file, their absl flags replace same-named ones another test
    # file's benchmark defined in this worker (frontalization.py's --out met make_presets.py's).
    for stem in ("make_presets", "sample_quality", "super_resolution"):
        load_file(f"benchmarks/{stem}.py")
    return load_file("benchmarks/precision_check.py")


def test_every_shipped_preset_is_checked_or_says_why_not_and_its_stored_figure_reads(check):
    for name in presets.available():
        assert (name in check.TOLERANCES) != (name in check.NOT_CHECKED), name
        if name in check.TOLERANCES:
            figure = check.TOLERANCES[name]
            stored = figure.stored(presets.info(name)["quality"]["measurements"][-1]["figures"])
            assert math.isfinite(stored) and figure.tolerance > 0 and 100 <= figure.steps <= 200, name


def test_verdict_fails_beyond_the_tolerance_and_on_non_finite_values(check):
    assert check.verdict(0.80, 0.78, 0.05, True)
    assert not check.verdict(0.80, 0.70, 0.05, True)
    assert not check.verdict(0.80, float("nan"), 0.05, True)
    assert not check.verdict(0.80, 0.80, 0.05, losses_finite=False)


def test_grid25_tolerance_rejects_the_planted_pure_bfloat16_run(check):
    # --smoke with policy "bfloat16" (no float32 master weights), 2026-12-06: 0.7456 (fp32) vs 0.7860.
    assert not check.verdict(0.7456, 0.7860, check.TOLERANCES["wgan_gp_grid25"].tolerance, True)


def test_preset_config_applies_recorded_overrides_but_not_the_training_machine_paths(check):
    config = check.preset_config("srgan_photos")  # overrides: init_generator (a /tmp path), pretrain_steps, epochs
    assert config["model"]["pretrain_steps"] == 0 and config["train"]["epochs"] == 4
    assert "/tmp/" not in json.dumps(config["model"].get("init_generator"))


@pytest.mark.slow
def test_smoke_fine_tunes_in_both_precisions_and_prints_a_passing_row():
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=path)
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "precision_check.py"), "--smoke"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["smoke"] and summary["passed"] and summary["precision"] == "mixed_bfloat16"
    (row,) = summary["rows"]
    assert row["model"] == "wgan_gp_grid25" and row["steps"] == 2 and row["losses_finite"]
    assert row["order"] == ["float32_seed0", "mixed_bfloat16_seed0", "float32_seed1"]
    values = [row[k] for k in ("stored", "start", "float32", "bf16", "float32_seed_spread")]
    assert all(math.isfinite(v) for v in values) and abs(row["difference"]) <= row["tolerance"]
