r"""Every bad input we try, and the one message ganzoo gives for it.

    python benchmarks/bad_inputs.py > /tmp/bad_inputs.md

Runs each case in this process (the command-line cases in subprocesses),
records the exception type and message, and prints a Markdown table followed
by one JSON line. A case "passes" when the error is a ``GanzooError`` (or, for
the command line, a one-line exit without a traceback). Cases of issue 22 that
must *work* (resume from an older backup after the latest was corrupted, skip a
corrupt image, write a real JPEG) pass when they finish with the right result;
cases that could destroy files also check that the user's files survived
("loss" counts those that did not). The JSON line counts cases, clear,
traceback (an exception other than ``GanzooError``), silent (no error, or a
wrong result) and loss.
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
    ] + issue22_cases(tmp, finished, tiny, config)


class Killed(BaseException):
    """An injected kill: nothing in ganzoo catches it."""


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise WrongResult(what)


class WrongResult(Exception):
    """A case that should work finished with a wrong result."""


def _three_epochs(config):
    return config(**{"train.epochs": 3})


def _interrupted(config, workdir: pathlib.Path, after_epoch: int) -> None:
    """Trains 3 epochs of 2 steps in ``workdir``, killed (in-process) after epoch ``after_epoch``."""
    from ganzoo import callbacks
    from ganzoo import train as train_lib

    original = callbacks.Throughput.on_epoch_end

    def stop(self, epoch, logs=None):
        original(self, epoch, logs)
        if epoch + 1 == after_epoch:
            raise Killed()

    callbacks.Throughput.on_epoch_end = stop
    try:
        train_lib.train(_three_epochs(config), str(workdir), verbose=0)
    except Killed:
        pass
    finally:
        callbacks.Throughput.on_epoch_end = original


def _resume_to_six_steps(config, workdir: pathlib.Path) -> str:
    from ganzoo import train as train_lib

    steps = train_lib.train(_three_epochs(config), str(workdir), verbose=0)["steps"]
    _expect(steps == 6, f"the resumed run ended at {steps} steps, not the uninterrupted run's 6")
    return "resumed and ended at the uninterrupted run's 6 steps"


def _newest_weights(workdir: pathlib.Path) -> pathlib.Path:
    return max((workdir / "checkpoints" / "backup").rglob("*.weights.h5"), key=lambda p: p.stat().st_mtime)


def corrupt_latest_backup(config, workdir: pathlib.Path) -> str:
    _interrupted(config, workdir, after_epoch=2)
    weights = _newest_weights(workdir)
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    return _resume_to_six_steps(config, workdir)


def kill_inside_a_backup(config, workdir: pathlib.Path) -> str:
    """Kills right after the first rename of the second backup, then resumes."""
    from ganzoo import callbacks

    save, renames = callbacks.Backup._save_model, {"saves": 0}
    real = {"replace": os.replace, "rename": os.rename}

    def counting(name):
        def call(*args, **kwargs):
            real[name](*args, **kwargs)
            if renames.get("armed"):
                raise Killed()
        return call

    def second_save_dies(self):
        renames["saves"] += 1
        renames["armed"] = renames["saves"] == 2
        try:
            save(self)
        finally:
            renames["armed"] = False

    callbacks.Backup._save_model = second_save_dies
    os.replace, os.rename = counting("replace"), counting("rename")
    try:
        from ganzoo import train as train_lib

        train_lib.train(_three_epochs(config), str(workdir), verbose=0)
    except Killed:
        pass
    finally:
        callbacks.Backup._save_model = save
        os.replace, os.rename = real["replace"], real["rename"]
    return _resume_to_six_steps(config, workdir)


def disk_full(config, workdir: pathlib.Path) -> None:
    import errno

    import keras

    from ganzoo import train as train_lib

    save_weights, calls = keras.Model.save_weights, []

    def fills_up(self, path, *args, **kwargs):
        calls.append(path)
        if len(calls) >= 2:
            raise OSError(errno.ENOSPC, "No space left on device", path)
        return save_weights(self, path, *args, **kwargs)

    keras.Model.save_weights = fills_up
    try:
        train_lib.train(_three_epochs(config), str(workdir), verbose=0)
    finally:
        keras.Model.save_weights = save_weights


def overwrite_with_symlinked_samples(config, workdir: pathlib.Path, outside: pathlib.Path) -> None:
    import shutil

    from ganzoo import train as train_lib

    c = config(**{"train.epochs": 1})
    train_lib.train(c, str(workdir), verbose=0)
    shutil.rmtree(workdir / "samples")
    outside.mkdir()
    (outside / "holiday.png").write_bytes(b"precious")
    (workdir / "samples").symlink_to(outside)
    train_lib.train(c, str(workdir), overwrite=True, verbose=0)


def live_workdir(config, workdir: pathlib.Path) -> None:
    from ganzoo import train as train_lib
    from ganzoo.utils.lock import WorkdirLock  # (no lock before issue 22: ImportError)

    with WorkdirLock(str(workdir)):
        train_lib.train(config(), str(workdir), verbose=0)


def failed_first_attempt_then_corrected(config, workdir: pathlib.Path) -> str:
    from ganzoo import callbacks
    from ganzoo import train as train_lib

    original = callbacks.Throughput.on_train_begin

    def broken(self, logs=None):
        raise Killed()

    callbacks.Throughput.on_train_begin = broken
    try:
        train_lib.train(config(), str(workdir), verbose=0)
    except Killed:
        pass
    finally:
        callbacks.Throughput.on_train_begin = original
    steps = train_lib.train(config(**{"train.epochs": 1}), str(workdir), verbose=0)["steps"]
    _expect(steps == 2, f"the corrected run ran {steps} steps")
    return "the corrected config trains"


def corrupt_inside_png(path: pathlib.Path) -> None:
    import tensorflow as tf

    image = np.random.default_rng(0).integers(0, 256, (16, 16, 3), np.uint8)
    encoded = bytearray(tf.io.encode_png(image).numpy())
    encoded[60:80] = bytes(20)  # signature and end intact
    path.write_bytes(bytes(encoded))


def captions_with_a_corrupt_image(tmp: pathlib.Path) -> str:
    import tensorflow as tf

    from ganzoo import data

    root = tmp / "birds"
    for name in "abc":
        (root / "images").mkdir(parents=True, exist_ok=True)
        tf.io.write_file(str(root / "images" / f"{name}.png"), tf.io.encode_png(np.zeros((8, 8, 3), np.uint8)))
        (root / "images" / f"{name}.txt").write_text(f"a bird called {name}\n")
    corrupt_inside_png(root / "images" / "d.png")
    (root / "images" / "d.txt").write_text("a broken bird\n")
    batch = next(iter(data.load(f"captions:{root}", split="all", batch_size=3, image_size=8)))
    _expect(batch[0].shape[0] == 3, "no batch")
    return "the corrupt image was skipped"


def sample_to_jpg(model_file: pathlib.Path, out: pathlib.Path) -> str:
    from ganzoo import sample

    sample.sample(None, str(model_file), 4, 0, str(out))
    _expect(out.read_bytes()[:3] == b"\xff\xd8\xff", f"'{out.name}' holds no JPEG bytes")
    return "wrote a real JPEG"


def unsafe_model(tmp: pathlib.Path) -> None:
    import keras

    from ganzoo import sample

    inputs = keras.Input((2,))
    path = tmp / "lambda.keras"
    keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs)).save(str(path))
    sample.sample(None, str(path), 4, 0, str(tmp / "unsafe.png"))


def issue22_cases(tmp: pathlib.Path, finished: pathlib.Path, tiny, config):
    """Issue 22's cases: (name, call[, expect, survives]); expect "error" (default) or "works"."""
    import tensorflow as tf

    from ganzoo import data, sample
    from ganzoo.export import save_generator

    user = tmp / "user_files"
    user.mkdir()
    (user / "thesis.tex").write_text("years of work")
    export = tmp / "an_export"
    save_generator(tiny, str(export))
    (tmp / "export_link").symlink_to(export)
    corrupt = tmp / "corrupt_inside"
    corrupt.mkdir()
    for i in range(3):
        corrupt_inside_png(corrupt / f"{i}.png")
    latin = tmp / "latin"
    (latin / "images").mkdir(parents=True)
    for name in "ab":
        tf.io.write_file(str(latin / "images" / f"{name}.png"), tf.io.encode_png(np.zeros((8, 8, 3), np.uint8)))
        (latin / "images" / f"{name}.txt").write_bytes("caf\xe9 au lait\n".encode("latin-1"))
    model_file = tmp / "tiny.keras"
    tiny.save(str(model_file))
    truncated = tmp / "truncated.keras"
    truncated.write_bytes(model_file.read_bytes()[: model_file.stat().st_size // 2])
    run = lambda name: tmp / "issue22" / name  # noqa: E731

    def survives(*paths):
        return lambda: [str(p) for p in paths if not p.exists()]

    def tiled_too_large():
        from ganzoo.ops.tiling import tiled_apply  # (new with issue 22)

        tiled_apply(lambda x: x, np.zeros((1, 101, 100, 3), np.float32), max_pixels=100 * 100)

    return [
        # 1. export --overwrite
        ("export --overwrite onto a workdir", lambda: save_generator(tiny, str(finished), overwrite=True),
         "error", survives(finished / "config.json", finished / "checkpoints", finished / "metrics.json")),
        ("export --overwrite onto a folder of user files", lambda: save_generator(tiny, str(user), overwrite=True),
         "error", survives(user / "thesis.tex")),
        ("export --overwrite onto a symlink", lambda: save_generator(tiny, str(tmp / "export_link"), overwrite=True),
         "error", survives(export / "saved_model.pb")),
        # 2. two runs in one workdir
        ("second run in a live workdir", lambda: live_workdir(config, run("live"))),
        # 3, 7. backups
        ("corrupt (truncated) latest backup, then resume", lambda: corrupt_latest_backup(config, run("corrupt")), "works"),
        ("kill inside a backup (after its first rename), then resume", lambda: kill_inside_a_backup(config, run("kill")), "works"),
        # 4. a full disk
        ("disk full while backing up (mocked ENOSPC)", lambda: disk_full(config, run("full"))),
        # 5. train --overwrite
        ("train --overwrite with a symlinked samples/", lambda: overwrite_with_symlinked_samples(config, run("symlink"), tmp / "holiday"),
         "error", survives(run("symlink") / "config.json", run("symlink") / "checkpoints", tmp / "holiday" / "holiday.png")),
        # 8. serving
        ("tiled SR input over max_pixels", tiled_too_large, "max_pixels"),
        # 9. (models' generate: not changed by issue 22's reliability work)
        ("NaN noise to generate", lambda: _expect(not np.isnan(tiny.generate(0, z=np.full((2, 8), np.nan, "float32"))).any(), "NaN images")),
        ("empty batch to generate", lambda: tiny.generate(0, z=np.zeros((0, 8), "float32"))),
        # 10. numeric ranges
        ("config: learning rate 0", lambda: train_lib_train(config(**{"train.g_optimizer": {"name": "adam", "learning_rate": 0.0}}), run("r10a"))),
        ("config: negative learning rate", lambda: train_lib_train(config(**{"train.d_optimizer": {"name": "adam", "learning_rate": -1e-3}}), run("r10b"))),
        ("config: latent_dim 0", lambda: train_lib_train(config(**{"model.latent_dim": 0}), run("r10c"))),
        ("config: batch larger than the dataset (0 steps)", lambda: train_lib_train(config(**{"train.batch_size": 4096, "train.steps_per_epoch": 0}), run("r10d"))),
        ("config: num_samples 0", lambda: train_lib_train(config(**{"train.num_samples": 0}), run("r10e"))),
        ("config: seed -1", lambda: train_lib_train(config(seed=-1), run("r10f"))),
        ("config: negative image size", lambda: train_lib_train(config(**{"data.image_size": -16}), run("r10g"))),
        ("config: negative filters", lambda: train_lib_train(config(**{"model.g_filters": -8}), run("r10h"))),
        # 11. corrupt images, a failed first attempt
        ("folder of images corrupt inside", lambda: list(data.load(f"folder:{corrupt}", batch_size=2))),
        ("captions: with one corrupt image", lambda: captions_with_a_corrupt_image(tmp), "works"),
        ("failed before the first step, then a corrected config", lambda: failed_first_attempt_then_corrected(config, run("first")), "works"),
        # 12, 14. files
        ("non-UTF-8 caption files", lambda: data.load(f"captions:{latin}", split="all", batch_size=2)),
        ("truncated --model file", lambda: sample.sample(None, str(truncated), 4, 0, str(tmp / "t.png"))),
        ("sample --out=x.jpg", lambda: sample_to_jpg(model_file, tmp / "grid.jpg"), "works"),
        ("sample --out=x.gif", lambda: sample.sample(None, str(model_file), 4, 0, str(tmp / "grid.gif"))),
        ("model file Keras safe mode refuses (Lambda)", lambda: unsafe_model(tmp)),
    ]


def train_lib_train(config, workdir):
    from ganzoo import train as train_lib

    return train_lib.train(config, str(workdir), verbose=0)


TINY = ["--config.train.epochs=1", "--config.train.steps_per_epoch=2", "--config.train.batch_size=8",
        "--config.model.g_filters=8", "--config.model.d_filters=8", "--config.model.latent_dim=8",
        "--config.data.image_size=16"]


def cli_cases(tmp: pathlib.Path):
    """(name, argv, expect): expect "error" (one line, no traceback) or "works" (exit 0)."""
    base = [sys.executable, "-m", "ganzoo.train", "--config=configs/dcgan_digits.py", f"--workdir={tmp / 'cli'}"]
    noget = tmp / "settings.py"
    noget.write_text("EPOCHS = 3\n")
    train = [sys.executable, "-m", "ganzoo.train"]
    return [
        ("command line: unknown config key", base + ["--config.train.epochz=3"], "error"),
        ("command line: wrong type", base + ["--config.train.epochs=three"], "error"),
        ("command line: mistyped --config path", train + ["--config=configs/dcgan_digitz.py", f"--workdir={tmp / 'c1'}"], "error"),
        ("command line: config file without get_config", train + [f"--config={noget}", f"--workdir={tmp / 'c2'}"], "error"),
        ("command line: --config.model.packing=2 (not in the file)",
         train + ["--config=configs/dcgan_digits.py", "--config.model.packing=2", f"--workdir={tmp / 'c3'}"] + TINY, "works"),
    ]


def fresh_process_determinism(tmp: pathlib.Path) -> dict:
    """Item 6: two fresh processes of one seeded deterministic command, one weights_hash."""
    hashes = []
    for i in range(2):
        workdir = tmp / f"determinism{i}"
        subprocess.run([sys.executable, "-m", "ganzoo.train", "--config=configs/dcgan_digits.py",
                        f"--workdir={workdir}", "--config.train.deterministic=true"] + TINY,
                       cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
        path = workdir / "metrics.json"
        hashes.append(json.loads(path.read_text())["weights_hash"][:12] if path.exists() else "(failed)")
    same = hashes[0] == hashes[1] and "(failed)" not in hashes
    return {"input": "two fresh processes of one seeded deterministic command", "ok": same, "kind": "clear" if same else "silent",
            "type": "" if same else "different weights", "message": f"weights_hash {hashes[0]} and {hashes[1]}"}


def _row(name: str, call, expect: str = "error", survives=None) -> dict:
    from ganzoo.errors import GanzooError

    try:
        result = call()
        error = None
    except Exception as caught:  # noqa: BLE001 — recording what users would see
        result, error = None, caught
    message = " ".join(str(error).split()) if error is not None else (
        result if isinstance(result, str) else "(no error)")
    if expect == "works":
        ok = error is None
        kind = "clear" if ok else ("silent" if isinstance(error, (GanzooError, WrongResult)) else "traceback")
    elif expect == "max_pixels":
        ok = error is not None and "max_pixels" in message
        kind = "clear" if ok else ("silent" if error is None else "traceback")
    else:
        ok = isinstance(error, GanzooError)
        kind = "clear" if ok else ("silent" if error is None or isinstance(error, WrongResult) else "traceback")
    lost = survives() if survives else []
    if lost:
        ok, kind, message = False, "loss", f"DELETED {', '.join(lost)}; {message}"
    return {"input": name, "ok": ok, "kind": kind, "type": "" if error is None else type(error).__name__,
            "message": message[:400]}


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        tmp = pathlib.Path(directory)
        for case in cases(tmp):
            rows.append(_row(*case))
        for name, args, expect in cli_cases(tmp):
            result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True,
                                    env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
            last = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
            traceback = "Traceback" in result.stderr
            ok = result.returncode == 0 if expect == "works" else result.returncode != 0 and not traceback
            kind = "clear" if ok else ("traceback" if traceback else "silent")
            rows.append({"input": name, "ok": ok, "kind": kind, "type": f"exit {result.returncode}", "message": last[:400]})
        rows.append(fresh_process_determinism(tmp))
    print("| bad input | clear | message |")
    print("| --- | --- | --- |")
    for row in rows:
        message = row["message"].replace("|", "\\|")
        print(f"| {row['input']} | {'yes' if row['ok'] else 'NO (' + row['kind'] + ', ' + row.get('type', '') + ')'} | {message} |")
    counts = {kind: sum(r["kind"] == kind for r in rows) for kind in ("clear", "traceback", "silent", "loss")}
    print(json.dumps({"cases": len(rows), **counts, "rows": rows}))


if __name__ == "__main__":
    main()
