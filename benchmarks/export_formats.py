r"""Every preset to ONNX and LiteRT: file size, max abs difference from Keras, latency of a batch of 16.

    python benchmarks/export_formats.py                          # every preset, both formats
    python benchmarks/export_formats.py --presets=dcgan_digits --formats=onnx --repeats=3

For each preset and format it calls ``ganzoo.export.export_model`` (which converts the graphs
``ganzoo.export.formats.portable_graphs`` picks and checks each file in its runtime on a batch
of 4), then times one batch of 16 seeded inputs (``formats.example_inputs``) three ways: the
Keras model (``formats.run_keras``: the same graph run eagerly by TensorFlow), onnxruntime (CPU)
and the LiteRT interpreter (``ai_edge_litert``), median of ``--repeats`` after one warm-up, and
measures the max abs difference on that batch too. A model a format cannot hold is a row that
says why. Prints one line per row, a Markdown table (the README's model × format table) and one
JSON line. Timings depend on the machine's other load: compare within one run.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import json  # noqa: E402
import tempfile  # noqa: E402

import numpy as np  # noqa: E402
from absl import app, flags  # noqa: E402

flags.DEFINE_list("presets", [], "Presets to export (default: every preset that ships).")
flags.DEFINE_list("formats", ["onnx", "litert"], "Formats: onnx, litert.")
flags.DEFINE_integer("batch", 16, "Batch size of the timed call.")
flags.DEFINE_integer("repeats", 5, "Timed calls per runtime (median reported).")
FLAGS = flags.FLAGS


def measure(name: str, file_format: str, folder: str) -> dict:
    from ganzoo import presets
    from ganzoo.errors import GanzooError
    from ganzoo.export import export_model, formats

    model = presets.load(name)
    path = os.path.join(folder, f"{name}_{file_format}")
    try:
        manifest = export_model(model, path, format=file_format)
    except GanzooError as error:
        return {"preset": name, "format": file_format, "error": str(error)}
    row = {"preset": name, "format": file_format, "files": [], "bytes": 0, "max_abs_diff": 0.0,
           "keras_ms": 0.0, "runtime_ms": 0.0, "notes": []}
    for graph, record in zip(formats.portable_graphs(model), manifest["files"]):
        inputs = formats.example_inputs(graph, FLAGS.batch, seed=1)  # image sizes: the training size
        runner = formats.runner(os.path.join(path, record["file"]))
        expected = formats.run_keras(graph, inputs)
        got = runner(inputs)
        diff = max(float(np.max(np.abs(got[k].astype(np.float64) - expected[k]))) for k in expected)
        row["files"].append(record["file"])
        row["bytes"] += record["bytes"]
        row["max_abs_diff"] = max(row["max_abs_diff"], diff, record["max_abs_diff"])
        row["keras_ms"] += 1000 * formats.latency(lambda: formats.run_keras(graph, inputs), FLAGS.repeats)
        row["runtime_ms"] += 1000 * formats.latency(lambda: runner(inputs), FLAGS.repeats)
        if record["note"]:
            row["notes"].append(record["note"])
    return row


def table(rows: list[dict]) -> list[str]:
    lines = [f"| preset | format | files | size | max abs diff | Keras, batch {FLAGS.batch} | runtime, batch {FLAGS.batch} |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        runtime = "onnxruntime" if row["format"] == "onnx" else "LiteRT"
        if "error" in row:
            reason = row["error"].split(": ", 1)[-1]
            lines.append(f"| {row['preset']} | {row['format']} | not exported: {reason} | | | | |")
            continue
        lines.append(
            f"| {row['preset']} | {row['format']} | {', '.join(row['files'])} | {row['bytes'] / 1e6:.2f} MB | "
            f"{row['max_abs_diff']:.1e} | {row['keras_ms']:.2f} ms | {row['runtime_ms']:.2f} ms ({runtime}) |"
        )
    return lines


def main(argv):
    del argv
    from ganzoo import presets

    names = FLAGS.presets or presets.available()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            for file_format in FLAGS.formats:
                row = measure(name, file_format, folder)
                rows.append(row)
                print(json.dumps(row), flush=True)
    print("\n".join(table(rows)))
    print(json.dumps({"batch": FLAGS.batch, "repeats": FLAGS.repeats, "rows": rows}))


if __name__ == "__main__":
    app.run(main)
