r"""Evaluates a trained generator: ``python -m ganzoo.evaluate --workdir=DIR --metrics=fid,kid,pr``.

Samples ``--num_samples`` images from the run's SavedModel (``DIR/saved_model``,
or ``--saved_model=PATH`` with ``--dataset=NAME``), compares them with the real
``--split`` of the dataset through a feature extractor, writes ``eval.json``
(into the workdir, or ``--out``) and prints a table. Every number names the
extractor that produced it.

Extractors (``--extractor``):
    domain_classifier  a small CNN ganzoo trains on the dataset's labelled training
                       split and caches (offline; "FCD" rather than FID)
    fid_inception      the standard FID network (TF "2015-12-05" Inception) from pytorch-fid's
                       weights file (``--fid_weights``), resized as ``--fid_resize`` says
                       ("clean": clean-fid's; "legacy_tf": TTUR's): comparable with papers
    inception_v3       Keras' InceptionV3 pool features from local weights
                       (``--inception_weights`` or ``$GANZOO_INCEPTION_WEIGHTS``)
    identity           raw pixels (small images only)

``--reference_stats=PATH`` (.npz) reuses saved real-side statistics for FID (then only
``--metrics=fid``), or computes and saves them there when the file does not exist yet.
``eval.json`` records the protocol (extractor and weights hash, resize, size fed, sample counts,
reference split and statistics hash, pixel handling) under ``"protocol"``.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

from ganzoo import startup  # noqa: E402  (TensorFlow's start-up lines hidden unless --verbosity >= 1)

startup.import_tensorflow()

import hashlib  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from typing import Any, Sequence  # noqa: E402

from absl import app, flags  # noqa: E402

from ganzoo.errors import GanzooError  # noqa: E402

METRICS = ("fid", "kid", "pr", "dc")


def _dataset_options(workdir: str | None, dataset: str | None) -> tuple[str, dict[str, Any]]:
    """The dataset name and its image options, from ``--dataset`` or the run's config.json."""
    if dataset:
        return dataset, {}
    path = os.path.join(workdir, "config.json")
    if not os.path.exists(path):
        raise GanzooError(
            f"ganzoo.evaluate: '{path}' is missing; pass --dataset=NAME to say what to compare with."
        )
    try:
        with open(path) as handle:
            data = dict(json.load(handle)["data"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise GanzooError(
            f"ganzoo.evaluate: '{path}' is not a ganzoo run config ({type(error).__name__}: {error}); "
            "pass --dataset=NAME to say what to compare with."
        ) from None
    name = data.pop("name")
    # A folder run's held-out split is defined by its test_fraction and split_seed.
    keys = ("image_size", "channels", "data_dir", "test_fraction", "split_seed")
    return name, {k: data[k] for k in keys if data.get(k) not in (None, "")}


def generator_sampler(saved_model: str):
    """``sample(n, seed) -> [n, H, W, C]`` from a ganzoo SavedModel's ``serving_default``."""
    import numpy as np
    import tensorflow as tf

    if not os.path.isdir(saved_model):
        raise GanzooError(
            f"ganzoo.evaluate: no SavedModel at '{saved_model}'; finish a run with ganzoo.train "
            "or export one with ganzoo.export."
        )
    try:
        serving = tf.saved_model.load(saved_model).signatures["serving_default"]
    except (OSError, ValueError, KeyError, tf.errors.OpError) as error:
        detail = " ".join(str(error).split())[:200]
        raise GanzooError(
            f"ganzoo.evaluate: '{saved_model}' is not a readable SavedModel with a serving_default "
            f"signature ({type(error).__name__}: {detail}); export one with ganzoo.export."
        ) from None
    inputs = serving.structured_input_signature[1]
    if set(inputs) != {"z"}:
        raise GanzooError(
            f"ganzoo.evaluate: the SavedModel takes {sorted(inputs)}; evaluate samples "
            "unconditional generators whose serving_default takes only 'z'."
        )
    latent_dim = int(inputs["z"].shape[-1])

    def sample(n: int, seed: int = 0, batch_size: int = 250) -> np.ndarray:
        z = tf.random.stateless_normal([n, latent_dim], seed=[seed, 7])
        return np.concatenate(
            [next(iter(serving(z=z[i : i + batch_size]).values())).numpy() for i in range(0, n, batch_size)]
        )

    return sample


def make_extractor(kind: str, dataset: str, options: dict[str, Any], inception_weights: str | None = None,
                   fid_weights: str | None = None, fid_resize: str = "clean"):
    """The feature extractor ``kind`` for images of ``dataset``."""
    import numpy as np

    from ganzoo import data, metrics

    if kind == "domain_classifier":
        images, labels = [], []
        try:
            source = data.load(dataset, split="train", batch_size=500, with_labels=True,
                               shuffle=False, drop_remainder=False, **options)
            for x, y in source.take(20):  # at most 10,000 labelled examples
                images.append(x.numpy())
                labels.append(y.numpy())
        except GanzooError as error:
            raise GanzooError(
                f"ganzoo.evaluate: the domain_classifier extractor needs labelled data and "
                f"'{dataset}' gave none ({error}); use --extractor=inception_v3 with local weights."
            ) from None
        return metrics.domain_classifier(
            np.concatenate(images), np.concatenate(labels), name=dataset.replace(":", "_").replace("/", "_")
        )
    if kind == "inception_v3":
        return metrics.inception_v3(inception_weights)
    if kind == "fid_inception":
        return metrics.FIDInception(fid_weights, resize=fid_resize)
    return metrics.get_extractor(kind)


def evaluate_run(
    workdir: str | None = None,
    saved_model: str | None = None,
    dataset: str | None = None,
    metrics_names: Sequence[str] = ("fid", "kid", "pr"),
    num_samples: int = 2000,
    split: str = "test",
    extractor: str = "domain_classifier",
    inception_weights: str | None = None,
    out: str | None = None,
    overwrite: bool = False,
    seed: int = 0,
    fid_weights: str | None = None,
    reference_stats: str | None = None,
    fid_resize: str = "clean",
) -> dict[str, Any]:
    """Computes ``metrics_names`` for a run and writes them to ``out`` (default DIR/eval.json).

    ``reference_stats``: an existing .npz of real-side ``FeatureStatistics`` is used for FID
    instead of the real images (only ``fid`` can then be computed); a missing one is computed
    from the real images and saved there."""
    import numpy as np

    from ganzoo import data, metrics

    unknown = sorted(set(metrics_names) - set(METRICS))
    if unknown or not metrics_names:
        raise GanzooError(f"ganzoo.evaluate: unknown metric(s) {unknown}; choose from {', '.join(METRICS)}.")
    if bool(workdir) == bool(saved_model):
        raise GanzooError("ganzoo.evaluate: pass --workdir=DIR, or --saved_model=PATH with --dataset=NAME.")
    if num_samples < 2:
        raise GanzooError(f"ganzoo.evaluate: --num_samples={num_samples} is too few.")
    out = out or os.path.join(workdir or ".", "eval.json")
    if os.path.exists(out) and not overwrite:
        raise GanzooError(f"ganzoo.evaluate: '{out}' exists; pass --overwrite or another --out.")
    name, options = _dataset_options(workdir, dataset)
    saved_stats = bool(reference_stats) and os.path.isfile(reference_stats)
    if saved_stats and tuple(metrics_names) != ("fid",):
        raise GanzooError(
            f"ganzoo.evaluate: --reference_stats='{reference_stats}' holds only the real features' mean "
            "and covariance, enough for FID alone; pass --metrics=fid (or remove the file to recompute)."
        )
    if reference_stats and not reference_stats.endswith(".npz"):
        raise GanzooError(f"ganzoo.evaluate: --reference_stats must name a .npz file, got '{reference_stats}'.")
    # Weights are checked before any sampling: a missing file is the first thing a user hears of.
    features = (make_extractor(extractor, name, options, inception_weights, fid_weights, fid_resize)
                if extractor in ("fid_inception", "inception_v3") else None)
    sample = generator_sampler(saved_model or os.path.join(workdir, "saved_model"))
    if saved_stats:
        return _evaluate_with_saved_stats(name, split, options, sample, num_samples, seed, features
                                          or make_extractor(extractor, name, options), reference_stats, out)
    real = np.concatenate(
        [x.numpy() for x in data.load(name, split=split, batch_size=500, shuffle=False,
                                      drop_remainder=False, **options).take(-(-num_samples // 500))]
    )[:num_samples]
    fake = sample(num_samples, seed)
    if real.shape[1:] != fake.shape[1:]:
        raise GanzooError(
            f"ganzoo.evaluate: real images are {real.shape[1:]} but the generator makes "
            f"{fake.shape[1:]}; pass the dataset options the model was trained with."
        )
    features = features or make_extractor(extractor, name, options, inception_weights)
    subset = min(1000, len(real), len(fake))
    real_f = metrics.compute_features(real, features)
    fake_f = metrics.compute_features(fake, features)
    # Features are extracted once; the metrics see them through a pass-through of the same name.
    results = metrics.evaluate(real_f, fake_f, metrics.from_function(lambda x: x, features.name),
                               metrics=tuple(metrics_names), kid_subset_size=subset)
    shape = "x".join(str(s) for s in real.shape[1:])
    ref_stats = metrics.FeatureStatistics(
        extractor=features.name, metadata={"sample_shape": shape, "source": name, "split": split}).update(real_f)
    if reference_stats:
        ref_stats.save(reference_stats)
    reference = reference_record(name, split, options, real)
    report = {
        "dataset": name,
        "split": split,
        "reference": reference,
        "extractor": results["extractor"],
        "num_real": results["num_real"],
        "num_fake": results["num_fake"],
        **{key: results[key].as_dict() for key in metrics_names},
        "protocol": metrics.protocol_record(features, n_real=len(real_f), n_fake=len(fake_f), reference=reference,
                                            reference_stats=ref_stats, reference_stats_path=reference_stats),
    }
    _write_report(report, out)
    return report


def _write_report(report: dict[str, Any], out: str) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as handle:
        json.dump(report, handle, indent=2)


def _evaluate_with_saved_stats(name: str, split: str, options: dict[str, Any], sample: Any, num_samples: int,
                               seed: int, features: Any, path: str, out: str) -> dict[str, Any]:
    """FID of ``num_samples`` generated images against the real statistics saved at ``path``."""
    from ganzoo import metrics

    ref_stats = metrics.FeatureStatistics.load(path)
    if ref_stats.extractor != features.name:
        raise GanzooError(
            f"ganzoo.evaluate: --reference_stats='{path}' was computed with extractor '{ref_stats.extractor}', "
            f"not '{features.name}'; pass the statistics of this extractor or a new path to compute them."
        )
    fake_stats = metrics.compute_statistics(sample(num_samples, seed), features)
    result = metrics.fid(ref_stats, fake_stats, features)
    reference = {"source": ref_stats.metadata.get("source", name), "split": ref_stats.metadata.get("split", split),
                 "options": dict(options), "count": ref_stats.count, "stats_file": path}
    report = {
        "dataset": name,
        "split": split,
        "reference": reference,
        "extractor": features.name,
        "num_real": ref_stats.count,
        "num_fake": fake_stats.count,
        "fid": result.as_dict(),
        "protocol": metrics.protocol_record(features, n_real=ref_stats.count, n_fake=fake_stats.count,
                                            reference=reference, reference_stats=ref_stats, reference_stats_path=path),
    }
    _write_report(report, out)
    return report


def reference_record(name: str, split: str, options: dict[str, Any], real: Any) -> dict[str, Any]:
    """Which real images a report compared with: the source, split and options, a SHA-256 of
    their pixels, and for ``folder:`` sources the files themselves (relative to the folder)."""
    import numpy as np

    record: dict[str, Any] = {"source": name, "split": split, "options": dict(options), "count": int(len(real)),
                              "sha256": hashlib.sha256(np.ascontiguousarray(real, np.float32).tobytes()).hexdigest()}
    if name.startswith("folder:"):
        from ganzoo.data import folder

        root, files = folder.split_files(name[len("folder:"):], split, float(options.get("test_fraction", 0.0)),
                                         int(options.get("split_seed", 0)), verify_images=False)
        record["files"] = [os.path.relpath(f, os.path.expanduser(root)) for f in files][: len(real)]
    return record


def format_table(report: dict[str, Any]) -> str:
    """A two-column table of the scalar results."""
    rows = []
    for key in METRICS:
        if key in report:
            for field, value in report[key].items():
                if isinstance(value, float) and field not in ("num_real", "num_fake"):
                    rows.append((f"{key}.{field}", f"{value:.4f}"))
    width = max(len(r[0]) for r in rows)
    lines = [f"extractor: {report['extractor']}  real: {report['num_real']} ({report['dataset']}, "
             f"{report['split']})  fake: {report['num_fake']}"]
    lines += [f"{name:<{width}}  {value}" for name, value in rows]
    return "\n".join(lines)


def define_flags() -> None:
    """Defines the script's flags (only when run as a script, so modules can be imported together)."""
    flags.DEFINE_string("workdir", None, "A finished ganzoo.train workdir.")
    flags.DEFINE_string("saved_model", None, "A generator SavedModel (with --dataset).")
    flags.DEFINE_string("dataset", None, "Dataset to compare with (default: the run's).")
    flags.DEFINE_list("metrics", ["fid", "kid", "pr"], f"Any of {', '.join(METRICS)}.")
    flags.DEFINE_integer("num_samples", 2000, "Samples of each side (real capped by the split's size).")
    flags.DEFINE_string("split", "test", "Real split to compare with.")
    flags.DEFINE_enum("extractor", "domain_classifier", ["domain_classifier", "fid_inception", "inception_v3", "identity"],
                      "Feature extractor (fid_inception: the papers' FID network).")
    flags.DEFINE_string("inception_weights", None, "Local InceptionV3 no-top weights file.")
    flags.DEFINE_string("fid_weights", None, "pytorch-fid's pt_inception-2015-12-05-6726825d.pth (fid_inception).")
    flags.DEFINE_enum("fid_resize", "clean", ["clean", "legacy_tf"], "Resize to 299 for fid_inception: clean-fid's "
                      "PIL bicubic, or the TF1 bilinear of TTUR / torch-fidelity.")
    flags.DEFINE_string("reference_stats", None, "Real-side statistics .npz: used for FID when it exists, else "
                        "computed and saved there.")
    flags.DEFINE_string("out", None, "Where to write the JSON (default DIR/eval.json).")
    flags.DEFINE_bool("overwrite", False, "Replace an existing --out.")


def main(argv: list[str]) -> None:
    del argv
    try:
        f = flags.FLAGS
        report = evaluate_run(f.workdir, f.saved_model, f.dataset, f.metrics, f.num_samples, f.split,
                              f.extractor, f.inception_weights, f.out, f.overwrite, fid_weights=f.fid_weights,
                              reference_stats=f.reference_stats, fid_resize=f.fid_resize)
    except GanzooError as error:
        sys.exit(str(error))
    print(format_table(report))
    print(json.dumps(report))


def run() -> None:
    """Console-script entry point (``ganzoo-evaluate``)."""
    define_flags()
    app.run(main)


if __name__ == "__main__":
    run()
