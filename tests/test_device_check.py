"""benchmarks/device_check.py --smoke runs unchanged on a CPU-only machine and prints its rows."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
ROW_KEYS = {"model", "device", "policy", "xla", "batch", "img_s", "step_ms", "peak_memory_mb", "gflop_per_step",
            "matmul_gflops", "peak_fraction"}


@pytest.mark.slow
def test_device_check_smoke_measures_every_precision_with_and_without_xla_on_cpu():
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=path)
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "device_check.py"), "--smoke",
                             "--precisions=float32,mixed_bfloat16"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    lines = result.stdout.strip().splitlines()
    summary = json.loads(lines[-1])
    assert summary["device"] == "CPU" and summary["smoke"] is True
    rows = summary["rows"]
    assert [(r["policy"], r["xla"]) for r in rows] == [("float32", False), ("float32", True),
                                                       ("mixed_bfloat16", False), ("mixed_bfloat16", True)]
    assert [json.loads(line) for line in lines[-5:-1]] == rows  # each row printed as it was measured
    for row in rows:
        assert ROW_KEYS <= set(row), row
        assert row["model"] == "DCGAN-28" and row["batch"] == 64
        assert row["img_s"] > 0 and row["peak_memory_mb"] > 0 and row["matmul_gflops"] > 0
        # DCGAN-28's train step: 10.43 GFLOP at batch 64 (BUILD_NOTES, counted and by hand).
        assert abs(row["gflop_per_step"] - 10.43) < 0.5, row
        assert 0 < row["peak_fraction"] < 5, row
