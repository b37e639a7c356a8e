r"""The truncation trick on a digits preset: FCD against class coverage as ψ shrinks.

    python benchmarks/truncation.py --preset=dcgan_digits --psi=none,2,1,0.5,0.25

For each ψ, 1,000 samples of noise seed 0 (``generate(n, seed=0, truncation=ψ)``: entries of z
with |z| > ψ redrawn, Brock et al. 2019) are compared with the 359 held-out real digits by FCD
(FID on the features of ganzoo's cached digits classifier, ``ganzoo.metrics.domain_classifier``)
and classified by ``benchmarks/sample_quality.py``'s CNN judge: classes present, largest class,
entropy of the predicted classes (bits; uniform 3.32). A conditional preset is asked for 0, 1,
..., 9 in turn and also reports how often the judge agrees with the class asked for, and the
worst class's share of that.

Prints a table, then one JSON line.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

import importlib.util  # noqa: E402
import json  # noqa: E402
import pathlib  # noqa: E402
import sys  # noqa: E402

from absl import app, flags  # noqa: E402
import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's ganzoo, whatever is installed

_PRESET = flags.DEFINE_string("preset", "dcgan_digits", "A digits preset (or preset folder).")
_PSI = flags.DEFINE_list("psi", ["none", "2", "1", "0.5", "0.25"], "Truncation thresholds; none = off.")
_NUM = flags.DEFINE_integer("samples", 1000, "Samples per threshold.")


def judge_module():
    """benchmarks/sample_quality.py, whose CNN judges the samples."""
    spec = importlib.util.spec_from_file_location("sample_quality", ROOT / "benchmarks" / "sample_quality.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str]) -> None:
    del argv
    from ganzoo import metrics, presets
    from ganzoo.data import digits
    from ganzoo.errors import GanzooError
    from ganzoo.evaluate import make_extractor

    try:
        model = presets.load(_PRESET.value)
        psis = [None if p.lower() == "none" else float(p) for p in _PSI.value]
    except (GanzooError, ValueError) as error:
        sys.exit(f"truncation: {error}")
    size, _, channels = model.data_shape
    real, _ = digits.arrays("test", size, channels)
    extractor = make_extractor("domain_classifier", "digits", {"image_size": size, "channels": channels})
    quality = judge_module()
    classifier, accuracy = quality.train_classifier(size, channels, 0)
    conditional = hasattr(model, "num_classes") and getattr(model, "num_classes", 0) > 0
    labels = np.arange(_NUM.value) % 10
    rows = []
    for psi in psis:
        options = {"labels": labels} if conditional else {}
        samples = model.generate(_NUM.value, seed=0, truncation=psi, **options)
        probabilities = classifier.predict(samples, verbose=0)
        row = {"psi": psi, "fcd": float(metrics.fid(real, samples, extractor).fid),
               **quality.class_report(probabilities)}
        if conditional:
            predicted = probabilities.argmax(axis=1)
            per_class = [float(np.mean(predicted[labels == c] == c)) for c in range(10)]
            row.update(asked_class_accuracy=float(np.mean(predicted == labels)), worst_class_accuracy=min(per_class))
        rows.append(row)
    print(f"{_PRESET.value}: {_NUM.value} samples of seed 0 per row; CNN judge held-out accuracy {accuracy:.3f}")
    print(f"{'psi':>6}{'FCD':>9}{'classes':>9}{'largest':>9}{'bits':>7}" + ("   asked  worst class" if conditional else ""))
    for row in rows:
        line = (f"{'off' if row['psi'] is None else row['psi']:>6}{row['fcd']:>9.2f}{row['classes_present']:>9d}"
                f"{row['max_class_fraction']:>9.3f}{row['class_entropy_bits']:>7.3f}")
        if conditional:
            line += f"   {row['asked_class_accuracy']:.3f}  {row['worst_class_accuracy']:.3f}"
        print(line)
    print(json.dumps({"preset": _PRESET.value, "num": _NUM.value, "judge_test_accuracy": accuracy,
                      "extractor": extractor.name, "rows": rows}))


if __name__ == "__main__":
    app.run(main)
