r"""Are the samples digits, all ten of them, and how close to real? Two judges, one run.

    python benchmarks/sample_quality.py --workdir=/tmp/run              # vs dcgan_digits
    python benchmarks/sample_quality.py --workdir=/tmp/run --compare=   # this run only

Loads ``DIR/saved_model`` (the serving export) and samples ``--num`` images from seeded noise
(``z ~ N(0, I)``, stateless seed ``[--seed, 1]``; class-conditional models such as CC-LAPGAN are
asked for 0, 1, ..., 9, 0, ... in turn). Each preset named in ``--compare`` (default
``dcgan_digits``) is exported to a scratch SavedModel and sampled the same way, so the table
puts the run next to it under the same judges.

Judge 1, the independent judge (issue 29): a logistic-regression classifier (scikit-learn,
seeded) fitted on the real 8×8 digits' training split, the images the zoo upsamples. Samples
are brought back to 8×8 by inverting that upsampling (least squares: a real digit comes back
exactly). It reports, per model:

- each class's share of the samples, with classes under 3% flagged (a uniform generator gives
  10% each), and the entropy of the predicted classes (bits; uniform over 10 = 3.32);
- the Fréchet distance of the judge's 10 logits between the samples and the held-out real
  test split (Heusel et al. 2017, Eq. 6, on logits instead of Inception features), with two
  anchors printed beside it: the real training split (real vs real) and uniform noise.

Judge 2, kept for the presets' recorded figures: a small CNN trained here on the real digits at
the samples' size; classes present, largest class, entropy (target for the main job: all 10
classes, none above 20%, >= 3.1 bits: ``meets_target``). Its figures are the JSON's top-level
keys, as before; the independent judge's are under ``"judge"``, per model under ``"models"``.

Acceptance of issue 29 (``meets_issue29``, for the run): every class >= 3% and >= 3.2 bits
under the independent judge, and a Fréchet distance no worse than every compared preset's.

Prints a table, then one JSON line.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

import json  # noqa: E402
import pathlib  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from typing import Any  # noqa: E402

from absl import app, flags  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # this checkout's ganzoo

from ganzoo.data import digits  # noqa: E402
from ganzoo.metrics import frechet_distance  # noqa: E402

_WORKDIR = flags.DEFINE_string("workdir", None, "A finished ganzoo.train run on digits.")
_NUM = flags.DEFINE_integer("num", 1000, "Samples to classify.")
_SEED = flags.DEFINE_integer("seed", 0, "Noise and classifier seed.")
_COMPARE = flags.DEFINE_list("compare", ["dcgan_digits"], "Presets judged beside the run (empty: none).")

MIN_SHARE = 0.03      # issue 29: a class under 3% of the samples counts as lost
MIN_ENTROPY = 3.2     # issue 29: bits of the independent judge's class distribution
JUDGE_SIZE = 8        # the real digits' own size: sklearn's 8x8 images


# ---------------------------------------------------------------- judge 2: the CNN


def train_classifier(image_size: int, channels: int, seed: int = 0) -> tuple[keras.Model, float]:
    """A small CNN on the real digits; returns it and its held-out accuracy."""
    keras.utils.set_random_seed(seed)
    x_train, y_train = digits.arrays("train", image_size, channels)
    x_test, y_test = digits.arrays("test", image_size, channels)
    model = keras.Sequential(
        [
            keras.Input((image_size, image_size, channels)),
            keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=20, batch_size=64, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    return model, float(accuracy)


def class_report(probabilities: np.ndarray) -> dict:
    """Histogram, entropy (bits) and confidence of predicted classes, ``[n, 10]`` softmax rows."""
    predicted = probabilities.argmax(axis=1)
    counts = np.bincount(predicted, minlength=probabilities.shape[1])
    fractions = counts / counts.sum()
    nonzero = fractions[fractions > 0]
    return {
        "classes_present": int((counts > 0).sum()),
        "max_class_fraction": float(fractions.max()),
        "class_entropy_bits": float(-(nonzero * np.log2(nonzero)).sum()),
        "mean_confidence": float(probabilities.max(axis=1).mean()),
        "histogram": counts.tolist(),
    }


# ------------------------------------------------ judge 1: logistic regression at 8x8


def to_judge_size(images: np.ndarray) -> np.ndarray:
    """``[n, s, s, c]`` images in [-1, 1] -> ``[n, 64]``: the 8×8 grey images whose upsampling fits best.

    ``ganzoo.data.digits`` upsamples the 8×8 originals bilinearly; its 1-D operator ``U`` (s×8)
    has full column rank, so ``pinv(U) x pinv(U)ᵀ`` gives a real digit back exactly (to 4e-6)
    and a sample its least-squares 8×8 image. Channels are averaged; values clipped to [-1, 1].
    """
    images = np.asarray(images, np.float32).mean(axis=-1, keepdims=True)
    size = images.shape[1]
    if size != JUDGE_SIZE:
        basis = np.eye(JUDGE_SIZE, dtype=np.float32)[:, :, None, None]  # 8 one-pixel columns
        upsample = tf.image.resize(basis, [size, 1], method="bilinear").numpy()[:, :, 0, 0].T  # [s, 8]
        inverse = np.linalg.pinv(upsample)
        images = np.clip(np.einsum("ij,njkc,lk->nilc", inverse, images, inverse), -1.0, 1.0)
    return images.reshape(len(images), -1)


class Judge:
    """Logistic regression on the real 8×8 digits' training split: classes and logits of images.

    ``classes(images)`` -> ``[n]`` ints; ``logits(images)`` -> ``[n, 10]`` decision values;
    images ``[n, s, s, c]`` in [-1, 1] at any size (reduced with :func:`to_judge_size`).
    """

    def __init__(self, seed: int = 0) -> None:
        from sklearn.linear_model import LogisticRegression

        x_train, y_train = digits.arrays("train", JUDGE_SIZE, 1)
        x_test, self.test_labels = digits.arrays("test", JUDGE_SIZE, 1)
        self.model = LogisticRegression(max_iter=5000, random_state=seed).fit(to_judge_size(x_train), y_train)
        self.train_images, self.test_images = x_train, x_test
        self.accuracy = float((self.classes(x_test) == self.test_labels).mean())
        self.reference = self.logits(x_test)  # the held-out real digits

    def logits(self, images: np.ndarray) -> np.ndarray:
        return self.model.decision_function(to_judge_size(images))

    def classes(self, images: np.ndarray) -> np.ndarray:
        return self.model.predict(to_judge_size(images))

    def frechet(self, images: np.ndarray) -> float:
        """Fréchet distance of the logits of ``images`` to those of the held-out real digits."""
        logits, reference = self.logits(images), self.reference
        return frechet_distance(logits.mean(0), np.cov(logits, rowvar=False),
                                reference.mean(0), np.cov(reference, rowvar=False))

    def report(self, images: np.ndarray, labels: np.ndarray | None = None) -> dict[str, Any]:
        """Per-class shares, flagged classes (< 3%), entropy, Fréchet distance; accuracy on ``labels``."""
        predicted = self.classes(images)
        counts = np.bincount(predicted, minlength=10)
        shares = counts / counts.sum()
        nonzero = shares[shares > 0]
        report = {
            "histogram": counts.tolist(),
            "shares": [round(float(s), 4) for s in shares],
            "rare_classes": [int(c) for c in np.flatnonzero(shares < MIN_SHARE)],
            "min_share": float(shares.min()),
            "class_entropy_bits": float(-(nonzero * np.log2(nonzero)).sum()),
            "frechet_distance": self.frechet(images),
        }
        if labels is not None:
            report["asked_class_accuracy"] = float((predicted == np.asarray(labels)).mean())
        return report


# ------------------------------------------------------------------------ sampling


def sample_saved_model(path: str, num: int, seed: int) -> tuple[np.ndarray, np.ndarray | None]:
    """(``num`` images from the SavedModel's ``serving_default``, the labels asked or None)."""
    serving = tf.saved_model.load(path).signatures["serving_default"]
    inputs = serving.structured_input_signature[1]
    z = tf.random.stateless_normal([num, int(inputs["z"].shape[-1])], seed=[seed, 1])
    labels = tf.range(num, dtype=tf.int32) % 10 if "labels" in inputs else None
    batches = []
    for i in range(0, num, 250):
        feed = {"z": z[i : i + 250]}
        if labels is not None:
            feed["labels"] = labels[i : i + 250]
        batches.append(serving(**feed)["images"].numpy())
    return np.concatenate(batches), (None if labels is None else labels.numpy())


def sample_preset(name: str, num: int, seed: int) -> tuple[np.ndarray, np.ndarray | None]:
    """The same sampling on a preset's weights, exported to a scratch SavedModel."""
    from ganzoo import presets
    from ganzoo.export import save_generator

    with tempfile.TemporaryDirectory() as scratch:
        save_generator(presets.load(name), os.path.join(scratch, "saved_model"))
        return sample_saved_model(os.path.join(scratch, "saved_model"), num, seed)


# ---------------------------------------------------------------------------- main


def print_judge_table(judge: Judge, reports: dict[str, dict], anchors: dict[str, float]) -> None:
    print(f"independent judge: logistic regression on the real 8x8 digits, held-out accuracy {judge.accuracy:.3f}")
    print(f"{'model':<16}{'FD':>7}{'bits':>7}  {'share per class 0..9 (%)':<52}under 3%")
    for name, r in reports.items():
        shares = " ".join(f"{100 * s:4.1f}" for s in r["shares"])
        rare = ", ".join(str(c) for c in r["rare_classes"]) or "-"
        print(f"{name:<16}{r['frechet_distance']:>7.2f}{r['class_entropy_bits']:>7.3f}  {shares:<52}{rare}")
        if "asked_class_accuracy" in r:
            print(f"{'':<16}drawn as the class asked: {r['asked_class_accuracy']:.3f}")
    print("Frechet anchors: " + ", ".join(f"{k} {v:.2f}" for k, v in anchors.items()))
    print(f"targets: every class >= {MIN_SHARE:.0%}, >= {MIN_ENTROPY} bits, FD <= every compared preset's")


def main(argv: list[str]) -> None:
    del argv
    if not _WORKDIR.value:
        sys.exit("sample_quality: pass --workdir=DIR of a finished digits run.")
    path = os.path.join(_WORKDIR.value, "saved_model")
    if not os.path.isdir(path):
        sys.exit(f"sample_quality: no SavedModel at '{path}'; train first with ganzoo.train.")
    num, seed = _NUM.value, _SEED.value
    images, labels = sample_saved_model(path, num, seed)
    samples = {"run": (images, labels)}
    for name in _COMPARE.value:
        samples[name] = sample_preset(name, num, seed)

    judge = Judge(seed)
    reports = {name: judge.report(x, y) for name, (x, y) in samples.items()}
    noise = np.random.default_rng(seed).uniform(-1, 1, (num, JUDGE_SIZE, JUDGE_SIZE, 1))
    anchors = {"real train split vs held-out": judge.frechet(judge.train_images), "uniform noise": judge.frechet(noise)}

    size, channels = images.shape[1], images.shape[3]
    classifier, accuracy = train_classifier(size, channels, seed)
    probabilities = classifier.predict(images, verbose=0)
    report = class_report(probabilities)
    if labels is not None:
        report["asked_class_accuracy"] = float((probabilities.argmax(axis=1) == labels).mean())
    report.update(num=num, classifier_test_accuracy=accuracy, workdir=_WORKDIR.value)
    report["meets_target"] = bool(
        report["classes_present"] == 10 and report["max_class_fraction"] <= 0.20
        and report["class_entropy_bits"] >= 3.1
    )
    run = reports["run"]
    report["judge"] = {"name": "logistic regression, real 8x8 digits (train split)", "test_accuracy": judge.accuracy,
                       "frechet_anchors": anchors, "models": reports}
    report["meets_issue29"] = bool(
        not run["rare_classes"] and run["class_entropy_bits"] >= MIN_ENTROPY
        and all(run["frechet_distance"] <= reports[name]["frechet_distance"] for name in _COMPARE.value)
    )

    print_judge_table(judge, reports, anchors)
    print(f"issue 29 acceptance (the run): {'met' if report['meets_issue29'] else 'NOT met'}")
    print()
    print(f"CNN judge, the run only (held-out accuracy {accuracy:.3f})")
    print(f"{'classes present':<28}{report['classes_present']:>12d}   10")
    print(f"{'largest class fraction':<28}{report['max_class_fraction']:>12.3f}   <= 0.20")
    print(f"{'class entropy (bits)':<28}{report['class_entropy_bits']:>12.3f}   >= 3.10")
    print(f"{'mean confidence':<28}{report['mean_confidence']:>12.3f}")
    print(f"{'histogram':<28}{report['histogram']}")
    if labels is not None:
        print(f"{'asked class accuracy':<28}{report['asked_class_accuracy']:>12.3f}   >= 0.80")
    print(json.dumps(report))


if __name__ == "__main__":
    app.run(main)
