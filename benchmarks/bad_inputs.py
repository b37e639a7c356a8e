r"""Every bad input we try, and the one message ganzoo gives for it.

    python benchmarks/bad_inputs.py > /tmp/bad_inputs.md

Runs each case in this process (the two command-line cases in subprocesses),
records the exception type and message, and prints a Markdown table followed
by one JSON line. A case "passes" when the error is a ``GanzooError`` (or, for
the command line, a one-line exit without a traceback).
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import json  # noqa: E402
import pathlib  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]


def cases(tmp: pathlib.Path):
    import keras

    from ganzoo import data, latent, losses, metrics
    from ganzoo import evaluate as evaluate_lib
    from ganzoo import train as train_lib
    from ganzoo.export import save_generator
    from ganzoo.models import DCGAN

    sys.path.insert(0, str(ROOT / "tests"))
    from test_train_script import tiny_config  # the tests' tiny DCGAN config

    def config(**changes):
        c = tiny_config()
        c.unlock()
        for key, value in changes.items():
            group, _, name = key.partition(".")
            if name:
                getattr(c, group)[name] = value
            else:
                c[group] = value
        return c

    empty = tmp / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no images")
    finished = tmp / "finished"
    train_lib.train(tiny_config(), str(finished), verbose=0)
    blocker = tmp / "file"
    blocker.write_text("x")
    other = tmp / "other"
    other.mkdir()
    (other / "config.json").write_text('{"model": {"name": "wgan"}}')
    tiny = DCGAN(image_shape=(16, 16, 1), latent_dim=8, g_filters=8, d_filters=8)
    adam = keras.optimizers.Adam()
    return [
        ("unknown dataset name", lambda: data.load("mnist")),
        ("prefix without argument", lambda: data.load("tfds")),
        ("argument to a plain dataset", lambda: data.load("digits:x")),
        ("unknown split", lambda: data.load("digits", split="validation")),
        ("batch size 0", lambda: data.load("digits", batch_size=0)),
        ("unknown dataset option", lambda: data.load("digits", colour=True)),
        ("image size for 2-D points", lambda: data.load("mixture2d:ring8", image_size=32)),
        ("unknown mixture", lambda: data.load("mixture2d:ring9")),
        ("channels 2", lambda: data.load("digits", channels=2)),
        ("folder with no images", lambda: data.load(f"folder:{empty}")),
        ("folder that does not exist", lambda: data.load(f"folder:{tmp / 'missing'}")),
        ("TFDS dataset that does not exist", lambda: data.load("tfds:no_such_dataset_xyz")),
        ("DCGAN size not a power of two", lambda: DCGAN(image_shape=(24, 24, 1))),
        ("DCGAN with 4 channels", lambda: DCGAN(image_shape=(32, 32, 4))),
        ("unknown loss", lambda: losses.get("nope")),
        ("label smoothing on the Wasserstein loss", lambda: losses.get("wasserstein", label_smoothing=0.1)),
        ("label smoothing 1.5", lambda: losses.get("minimax", label_smoothing=1.5)),
        ("one optimizer for G and D", lambda: tiny.compile(g_optimizer=adam, d_optimizer=adam)),
        ("d_steps 0", lambda: tiny.compile(d_steps=0)),
        ("fit before compile", lambda: DCGAN(image_shape=(16, 16, 1), latent_dim=8, g_filters=4, d_filters=4).fit(np.zeros((4, 16, 16, 1), "float32"))),
        ("noise of the wrong size", lambda: tiny.generate(0, z=np.zeros((2, 5), "float32"))),
        ("interpolation with 1 step", lambda: latent.interpolate(np.zeros(3), np.ones(3), steps=1)),
        ("config: unknown model", lambda: train_lib.train(config(**{"model.name": "stylegan"}), str(tmp / "r1"), verbose=0)),
        ("config: unknown train key", lambda: train_lib.train(config(**{"train.epochz": 3}), str(tmp / "r2"), verbose=0)),
        ("config: epochs 0", lambda: train_lib.train(config(**{"train.epochs": 0}), str(tmp / "r3"), verbose=0)),
        ("config: unknown strategy", lambda: train_lib.train(config(strategy="horovod"), str(tmp / "r4"), verbose=0)),
        ("config: unknown optimizer", lambda: train_lib.train(config(**{"train.g_optimizer": {"name": "adamm"}}), str(tmp / "r5"), verbose=0)),
        ("config: unknown precision", lambda: train_lib.train(config(**{"train.precision": "float8"}), str(tmp / "r6"), verbose=0)),
        ("config: data shape given to the model", lambda: train_lib.train(config(**{"model.image_shape": (8, 8, 1)}), str(tmp / "r7"), verbose=0)),
        ("workdir holding a finished run", lambda: train_lib.train(tiny_config(), str(finished), verbose=0)),
        ("workdir holding another model's run", lambda: train_lib.train(tiny_config(), str(other), verbose=0)),
        ("workdir that cannot be written", lambda: train_lib.train(tiny_config(), str(blocker / "run"), verbose=0)),
        ("training that diverges (lr 1e30)", lambda: train_lib.train(config(**{"train.g_optimizer": {"name": "adam", "learning_rate": 1e30}, "train.d_optimizer": {"name": "adam", "learning_rate": 1e30}}), str(tmp / "r8"), verbose=0)),
        ("export over an existing export", lambda: save_generator(tiny, str(finished / "saved_model"))),
        ("evaluate: unknown metric", lambda: evaluate_lib.evaluate_run(str(finished), metrics_names=("fidd",))),
        ("evaluate: real and fake sizes differ", lambda: evaluate_lib.evaluate_run(saved_model=str(finished / "saved_model"), dataset="digits", metrics_names=("fid",), num_samples=64, out=str(tmp / "e.json"))),
        ("FID with fewer samples than features", lambda: metrics.fid_from_statistics(metrics.FeatureStatistics().update(np.random.rand(5, 16)), metrics.FeatureStatistics().update(np.random.rand(5, 16)))),
        ("KID subset larger than the sets", lambda: metrics.kid_from_features(np.random.rand(10, 4), np.random.rand(10, 4), subset_size=100)),
        ("Inception weights missing", lambda: metrics.inception_v3(str(tmp / "inception.h5"))),
    ]


def cli_cases(tmp: pathlib.Path):
    base = [sys.executable, "-m", "ganzoo.train", "--config=configs/dcgan_digits.py", f"--workdir={tmp / 'cli'}"]
    return [
        ("command line: unknown config key", base + ["--config.train.epochz=3"]),
        ("command line: wrong type", base + ["--config.train.epochs=three"]),
    ]


def main() -> None:
    from ganzoo.errors import GanzooError

    rows = []
    with tempfile.TemporaryDirectory() as directory:
        tmp = pathlib.Path(directory)
        for name, call in cases(tmp):
            try:
                call()
                rows.append({"input": name, "ok": False, "message": "(no error)"})
            except Exception as error:  # noqa: BLE001 — recording what users would see
                message = " ".join(str(error).split())
                rows.append({"input": name, "ok": isinstance(error, GanzooError),
                             "type": type(error).__name__, "message": message})
        for name, args in cli_cases(tmp):
            result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True,
                                    env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
            last = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
            rows.append({"input": name, "ok": result.returncode != 0 and "Traceback" not in result.stderr,
                         "type": f"exit {result.returncode}", "message": last})
    print("| bad input | clear error | message |")
    print("| --- | --- | --- |")
    for row in rows:
        message = row["message"].replace("|", "\\|")
        print(f"| {row['input']} | {'yes' if row['ok'] else 'NO (' + row.get('type', '') + ')'} | {message} |")
    print(json.dumps({"cases": len(rows), "clear": sum(r["ok"] for r in rows), "rows": rows}))


if __name__ == "__main__":
    main()
