r"""Does the offline FID ("FCD", domain-classifier features) order models as it should?

    python benchmarks/fid_sanity.py --workdir=/tmp/run

On ``digits``, with ganzoo's domain classifier as the extractor and the real
training split as the reference, it computes the Fréchet distance of equally
many (``--num``, default: the held-out split's 359) samples from

    1. real held-out digits,
    2. the trained DCGAN of ``--workdir`` (its SavedModel),
    3. the same DCGAN architecture after five epochs and after one epoch
       (trained here; one epoch of the digits is only 22 steps),
    4. uniform noise in [-1, 1],

and expects real < trained < 5 epochs < noise; it also reports whether the
one-epoch model lands between the trained model and noise. ``--curve=N`` also scores a fresh
DCGAN after 0, 1, ..., N epochs (the FCD learning curve, and how far G's weights have moved).
It also times a 10,000-sample evaluation (sampling from the SavedModel, features, FID and KID)
against the issue's 2-minute budget.
Prints a table, then one JSON line.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from absl import app, flags  # noqa: E402
import numpy as np  # noqa: E402

_WORKDIR = flags.DEFINE_string("workdir", None, "A finished dcgan_digits run.")
_NUM = flags.DEFINE_integer("num", 359, "Samples per candidate (equal counts keep FID's bias equal).")
_SPEED = flags.DEFINE_integer("speed_samples", 10000, "Samples for the timing of one evaluation (0: skip).")
_CURVE = flags.DEFINE_integer("curve", 0, "Also train a fresh DCGAN (the run's architecture, seed 0) for this "
                              "many epochs and report its FCD after 0, 1, 2, ... epochs, with how far "
                              "its generator's weights have moved from their initial values.")
_LAYERS = flags.DEFINE_bool("layers", False, "Also report the Fréchet distance at every layer of the "
                            "domain classifier (conv layers globally average-pooled).")


def main(argv: list[str]) -> None:
    del argv
    import keras
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()  # the early models train the same every run

    from ganzoo import data, metrics
    from ganzoo.evaluate import generator_sampler
    from ganzoo.models import DCGAN

    if not _WORKDIR.value or not os.path.isdir(os.path.join(_WORKDIR.value, "saved_model")):
        sys.exit("fid_sanity: pass --workdir=DIR of a finished configs/dcgan_digits.py run.")
    with open(os.path.join(_WORKDIR.value, "config.json")) as handle:
        config = json.load(handle)
    size, channels = config["data"]["image_size"], config["data"]["channels"]
    train_x, train_y = data.digits.arrays("train", size, channels)
    test_x, _ = data.digits.arrays("test", size, channels)
    extractor = metrics.domain_classifier(train_x, train_y, name="digits")
    reference = metrics.compute_statistics(train_x, extractor)
    n = min(_NUM.value, len(test_x))

    sample_trained = generator_sampler(os.path.join(_WORKDIR.value, "saved_model"))
    keras.utils.set_random_seed(0)
    model_cfg = {k: v for k, v in config["model"].items() if k != "name"}
    early = DCGAN(image_shape=(size, size, channels), **model_cfg)
    early.compile()
    early.fit(data.load("digits", image_size=size, channels=channels, batch_size=64), epochs=1, verbose=0)

    after_one = early.generate(n, seed=1)
    early.fit(data.load("digits", image_size=size, channels=channels, batch_size=64), epochs=4, verbose=0)
    candidates = {
        "real held-out": test_x[:n],
        "trained DCGAN": sample_trained(n, seed=1),
        "DCGAN after 5 epochs": early.generate(n, seed=1),
        "DCGAN after 1 epoch": after_one,
        "uniform noise": np.random.default_rng(0).uniform(-1, 1, (n, size, size, channels)).astype(np.float32),
    }
    scores = {name: metrics.fid(reference, images, extractor).fid for name, images in candidates.items()}
    order = ["real held-out", "trained DCGAN", "DCGAN after 5 epochs", "uniform noise"]
    passed = all(scores[a] < scores[b] for a, b in zip(order, order[1:]))
    literal = all(scores[a] < scores[b] for a, b in zip(
        ["real held-out", "trained DCGAN", "DCGAN after 1 epoch"],
        ["trained DCGAN", "DCGAN after 1 epoch", "uniform noise"]))

    speed = None
    if _SPEED.value:
        start = time.perf_counter()
        fake = sample_trained(_SPEED.value, seed=2)
        report = metrics.evaluate(train_x, fake, extractor, metrics=("fid", "kid"),
                                  kid_subset_size=min(1000, len(train_x)))
        speed = time.perf_counter() - start
        del report

    print(f"extractor: {extractor.name}; reference: {len(train_x)} real training digits; {n} samples each")
    print(f"{'candidate':<24}{'FCD':>10}")
    for name, value in scores.items():
        print(f"{name:<24}{value:>10.3f}")
    print(f"ordering real < trained < 5 epochs < noise: {'yes' if passed else 'NO'}")
    print(f"ordering real < trained < 1 epoch < noise:  {'yes' if literal else 'NO'}")
    if speed is not None:
        print(f"evaluate {_SPEED.value} samples (sample + features + FID + KID): {speed:.1f} s (budget 120 s)")
    by_layer = layer_distances(extractor.classifier, train_x, candidates) if _LAYERS.value else None
    if by_layer:
        print("\nFréchet distance at each layer of the domain classifier:")
        print(f"{'layer':<16}" + "".join(f"{name:>22}" for name in candidates))
        for layer, row in by_layer.items():
            print(f"{layer:<16}" + "".join(f"{row[name]:>22.3f}" for name in candidates))
    curve = None
    if _CURVE.value:
        dataset = data.load("digits", image_size=size, channels=channels, batch_size=64)
        curve = epoch_curve(lambda: DCGAN(image_shape=(size, size, channels), **model_cfg), dataset,
                            _CURVE.value, reference, extractor, n)
        noise = scores["uniform noise"]
        print(f"\nA fresh DCGAN, FCD after each epoch of {curve[-1]['steps'] // max(curve[-1]['epoch'], 1)} steps "
              f"(uniform noise: {noise:.1f}); max |w - w_init| over G's weights:")
        print(f"{'epoch':>6}{'steps':>7}{'FCD':>10}{'FCD (batch stats)':>19}{'max |Δw|':>11}  below noise")
        for row in curve:
            print(f"{row['epoch']:>6}{row['steps']:>7}{row['fcd']:>10.1f}{row['fcd_batch_statistics']:>19.1f}"
                  f"{row['max_weight_change']:>11.4f}  "
                  f"{'yes' if row['fcd'] < noise else 'no'}")
    print(json.dumps({"extractor": extractor.name, "num": n, "fcd": scores, "ordered": passed, "ordered_with_1_epoch": literal,
                      "eval_seconds": speed, "eval_samples": _SPEED.value, "fd_by_layer": by_layer,
                      "curve": curve}))


def epoch_curve(make_model, dataset, epochs: int, reference, extractor, n: int) -> list[dict]:
    """FCD of one DCGAN after 0..``epochs`` epochs, and the largest move of any generator weight."""
    import keras

    from ganzoo import metrics

    keras.utils.set_random_seed(0)
    model = make_model()
    model.compile()
    model.generate(1, seed=0)  # builds the generator's weights
    initial = [w.numpy().copy() for w in model.generator.trainable_weights]
    rows = []
    for epoch in range(epochs + 1):
        if epoch:
            model.fit(dataset, epochs=1, verbose=0)
        change = max(float(abs(w.numpy() - w0).max()) for w, w0 in zip(model.generator.trainable_weights, initial))
        z = model.noise(n, seed=1)
        fcd = metrics.fid(reference, model.generate(n, z=z), extractor).fid
        # As the DCGAN reference code samples (its G never leaves training mode): batch statistics.
        batch_stats = np.asarray(model.generator(z, training=True))
        fcd_batch = metrics.fid(reference, batch_stats, extractor).fid
        rows.append({"epoch": epoch, "steps": int(model.g_optimizer.iterations.numpy()),
                     "fcd": float(fcd), "fcd_batch_statistics": float(fcd_batch), "max_weight_change": change})
    return rows


def layer_distances(classifier, reference_images, candidates: dict) -> dict:
    """Fréchet distance of each candidate to the reference at every conv/dense layer."""
    import keras

    from ganzoo import metrics
    from ganzoo.metrics.extractors import KerasFeatureExtractor

    out = {}
    for layer in classifier.layers:
        if not layer.weights:
            continue
        features = layer.output
        if len(features.shape) == 4:
            features = keras.layers.GlobalAveragePooling2D()(features)
        extractor = KerasFeatureExtractor(keras.Model(classifier.inputs, features), f"layer/{layer.name}")
        reference = metrics.compute_statistics(reference_images, extractor)
        out[layer.name] = {name: metrics.fid(reference, images, extractor).fid
                           for name, images in candidates.items()}
    return out

if __name__ == "__main__":
    app.run(main)
