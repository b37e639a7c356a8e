"""benchmarks/train_throughput.py at tiny settings: its table, its JSON line, its error rows, its inputs."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "train_throughput.py"
ROW_KEYS = {
    "label", "config", "network", "data", "batch", "img_s", "step_ms", "compute_ms", "input_ms",
    "input_share", "stall_share", "first_batch_ms", "gflop_per_step", "gflops", "peak_fraction",
}


def run_throughput(*flags):
    # This checkout's ganzoo first, whatever else is installed.
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=path)
    result = subprocess.run([sys.executable, str(SCRIPT), *flags], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    return lines, json.loads(lines[-1])


@pytest.mark.slow
def test_train_throughput_prints_table_row_and_json_with_counted_flops():
    lines, summary = run_throughput("--models=dcgan28", "--steps=2", "--warmup=1", "--rounds=1")
    assert {"matmul_gflops", "matmul_gflops_end", "steps", "warmup", "rounds", "models"} <= set(summary)
    assert summary["matmul_gflops"] > 0
    row = summary["models"]["dcgan28"]
    assert "error" not in row, row
    assert ROW_KEYS <= set(row)
    assert row["batch"] == 64 and row["img_s"] > 0 and row["step_ms"] > 0 and row["compute_ms"] > 0
    assert 0 <= row["input_share"] < 1 and 0 <= row["stall_share"] < 1
    # By hand from the layers' multiply-adds: 3 D forwards, 2 G forwards and the gradients
    # each update needs make about 162 MFLOP per image; element-wise ops add about 1%.
    assert 0.150 < row["gflop_per_step"] / row["batch"] < 0.175
    assert any(line.startswith("| model | network (config) | data | batch | img/s |") for line in lines)
    assert any(line.startswith("| DCGAN-28 | 28x28x1") for line in lines)


@pytest.mark.slow
def test_train_throughput_reports_a_failing_model_as_an_error_row_and_finishes():
    lines, summary = run_throughput("--models=dcgan28", "--steps=1", "--warmup=1", "--rounds=1", "--timeout=1")
    assert summary["models"]["dcgan28"] == {"label": "DCGAN-28", "error": "timed out after 1 s"}
    assert "| DCGAN-28 | error: timed out after 1 s |" in "\n".join(lines)


def test_train_throughput_gives_text_to_image_token_ids_before_its_first_fit(monkeypatch):
    """The t2i64 row errored (no vocabulary yet): the benchmark maps captions as fit does, adapting first."""
    from repo_files import load_file

    from ganzoo import data as data_lib
    from ganzoo import train as train_lib

    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))  # it imports networks.py from beside it
    module = load_file("benchmarks/train_throughput.py")
    config = module.load_config(module.MODELS["t2i64"])
    config["data"]["image_size"] = 16
    options = dict(config["data"])
    dataset = data_lib.load(options.pop("name"), batch_size=4, seed=0, repeat=True, **options)
    model = train_lib.build(config, dataset.element_spec)
    assert not model.preprocessor.ready
    images, *captions = next(iter(module.as_fit_reads(model, dataset)))
    assert images.shape[0] == 4 and captions and all(c.dtype.is_integer for c in captions)


@pytest.mark.slow
def test_scaling_prints_both_overheads_for_one_and_two_replicas():
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=path)
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "scaling.py"), "--steps=4",
                             "--steps_per_execution=2", "--rounds=1", "--repeats=1", "--noreference",
                             "--policies=float32"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    rows = summary["rows"]
    assert [(r["replicas"], r["global_batch"]) for r in rows] == [(1, 64), (2, 128)], rows
    assert all(r["steps_per_execution"] == 2 and r["examples_per_s"] > 0 and r["steady_examples_per_s"] > 0
               for r in rows)
    for r in rows:  # each fit: its 2 executions (the first from fit's start) and fit's tail, summing to the fit
        assert [len(fit) for fit in r["executions_s"]] == [3], r
        assert sum(r["executions_s"][0]) == pytest.approx(r["rounds_s"][0], abs=0.05), r
    for name in ("fit", "steady"):
        one, two = (r["examples_per_s" if name == "fit" else "steady_examples_per_s"] for r in rows)
        assert summary[f"overhead_2_replicas_dcgan_{name}"] == pytest.approx(1 - two / one, abs=1e-3)
