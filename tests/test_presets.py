"""Presets: float16 storage loaded as float32, fine-tuning, class checks, clear errors, what ships."""

import ast
import fnmatch
import io
import json
import os
import pathlib
import re
import zipfile

import h5py
import numpy as np
import pytest
import tensorflow as tf

from ganzoo import presets
from ganzoo import sample as sample_script
from ganzoo.errors import GanzooError
from ganzoo.models import DCGAN, GAN, WGAN

ROOT = pathlib.Path(__file__).resolve().parents[1]

METADATA = {
    "name": "tiny_digits",
    "config": "configs/dcgan_digits.py",
    "train_command": "python -m ganzoo.train --config=configs/dcgan_digits.py --workdir=/tmp/t",
    "preset_command": "python benchmarks/make_presets.py --names=tiny_digits",
    "date": "2026-11-24",
    "training": {"wall_time_s": 1.0},
    "quality": {"summary": "untested", "measurements": []},
}


def tiny_gan():
    gan = DCGAN(image_shape=(16, 16, 1), latent_dim=8, g_filters=8, d_filters=8)
    # An untrained G's samples lie within ±0.003, where a tolerance of 2e-2 passes an all-zero G:
    # a larger last kernel spreads them over most of (-1, 1), so the round trips compare a signal.
    kernel = [w for w in gan.generator.trainable_weights if "kernel" in w.path][-1]
    kernel.assign(kernel * 300.0)
    return gan


def assert_same_samples(got, want):
    """Equal to 1% of the samples' scale (float16 storage), on samples that are not near zero."""
    scale = float(np.abs(want).max())
    assert scale > 0.3, f"the samples are near zero ({scale}); the comparison would test nothing"
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-2 * scale)


@pytest.fixture(scope="module")
def tiny_preset(tmp_path_factory):
    gan = tiny_gan()
    directory = str(tmp_path_factory.mktemp("presets") / "tiny_digits")
    presets.save(gan, directory, METADATA)
    return gan, directory


def stored_dtypes(path):
    with zipfile.ZipFile(path) as archive:
        weights = h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")
        found = set()
        weights.visititems(lambda name, item: found.add(str(item.dtype)) if isinstance(item, h5py.Dataset) else None)
        return found, sorted(weights.keys())


def test_preset_stores_float16_weights_without_optimizers_and_loads_float32(tiny_preset):
    gan, directory = tiny_preset
    dtypes, groups = stored_dtypes(os.path.join(directory, "model.keras"))
    assert "float32" not in dtypes and "float16" in dtypes
    assert not any("optimizer" in group for group in groups)
    loaded = presets.load(directory)
    assert type(loaded) is DCGAN and not loaded.compiled
    assert {w.dtype for w in loaded.weights if "float" in str(w.dtype)} == {"float32"}
    assert_same_samples(loaded.generate(4, seed=3), gan.generate(4, seed=3))


def test_preset_json_records_class_weights_and_what_was_given(tiny_preset):
    _, directory = tiny_preset
    meta = presets.info(directory)
    assert set(presets.REQUIRED_KEYS) <= set(meta)
    assert meta["model_class"] == "DCGAN" and meta["weights"]["storage_dtype"] == "float16"
    assert meta["weights"]["max_abs_sample_difference_vs_float32"] < 2e-2
    assert meta["size_bytes"] == sum(p.stat().st_size for p in pathlib.Path(directory).iterdir())
    assert sorted(os.listdir(directory)) == ["model.keras", "preset.json", "samples.png"]


def test_loaded_preset_compiles_and_fine_tunes(tiny_preset):
    _, directory = tiny_preset
    gan = presets.load(directory)
    before = [w.numpy().copy() for w in gan.generator.trainable_weights]
    gan.compile()
    real = tf.data.Dataset.from_tensors(tf.random.uniform([4, 16, 16, 1], -1.0, 1.0))
    gan.fit(real, epochs=1, verbose=0)
    assert any(not np.array_equal(b, w.numpy()) for b, w in zip(before, gan.generator.trainable_weights))


def test_from_preset_checks_the_model_class(tiny_preset):
    _, directory = tiny_preset
    assert isinstance(DCGAN.from_preset(directory), DCGAN)
    assert isinstance(GAN.from_preset(directory), DCGAN)
    with pytest.raises(GanzooError, match=r"holds a DCGAN, not a WGAN; load it with ganzoo.models.DCGAN.from_preset"):
        WGAN.from_preset(directory)


def test_generator_only_preset_keeps_the_generator_and_starts_a_fresh_discriminator(tmp_path):
    gan = tiny_gan()
    kernel = gan.discriminator.trainable_weights[0]
    kernel.assign(kernel + 1.0)  # "trained": a fresh discriminator would not have it
    meta = presets.save(gan, str(tmp_path / "g"), METADATA, networks="generator")
    assert meta["weights"]["files"] == ["model.json", "generator.weights.h5"]
    assert sorted(os.listdir(tmp_path / "g")) == ["generator.weights.h5", "model.json", "preset.json", "samples.png"]
    filters = {}
    with h5py.File(tmp_path / "g" / "generator.weights.h5", "r") as weights:
        weights.visititems(lambda name, item: filters.__setitem__(name, (item.size, item.compression))
                           if isinstance(item, h5py.Dataset) else None)
    assert {c for size, c in filters.values() if size > 1024} == {"gzip"}  # no zip deflates this file
    assert {c for size, c in filters.values() if size <= 1024} == {None}
    loaded = DCGAN.from_preset(str(tmp_path / "g"))
    assert_same_samples(loaded.generate(4, seed=3), gan.generate(4, seed=3))
    kernel = lambda m: m.discriminator.trainable_weights[0].numpy()  # noqa: E731
    assert not np.allclose(kernel(loaded), kernel(gan))
    loaded.compile()  # fine-tunable like a full preset


def test_unknown_preset_is_one_error_listing_the_available_ones():
    shipped = ", ".join(presets.available()) or "none"
    with pytest.raises(GanzooError, match=re.escape(f"unknown preset 'dcgan_digts'; available: {shipped}")):
        presets.load("dcgan_digts")


def test_save_refuses_compiled_models_existing_folders_and_oversized_presets(tiny_preset, tmp_path, monkeypatch):
    gan, directory = tiny_preset
    with pytest.raises(GanzooError, match="already exists"):
        presets.save(gan, directory, METADATA)
    compiled = tiny_gan()
    compiled.compile()
    with pytest.raises(GanzooError, match="is compiled; a preset stores no optimizer state"):
        presets.save(compiled, str(tmp_path / "c"), METADATA)
    monkeypatch.setattr(presets, "MAX_PRESET_BYTES", 1000)
    with pytest.raises(GanzooError, match="must stay under"):
        presets.save(gan, str(tmp_path / "big"), METADATA)
    assert not (tmp_path / "big").exists()


def test_sample_script_takes_a_preset_and_exactly_one_source(tiny_preset, tmp_path):
    _, directory = tiny_preset
    out = str(tmp_path / "grid.png")
    sample_script.sample(None, None, 4, 0, out, preset=directory)
    assert tf.io.decode_png(tf.io.read_file(out)).shape == (35, 35, 1)  # 2x2 grid of 16x16, 1-pixel gaps
    with pytest.raises(GanzooError, match="exactly one of --workdir=DIR, --model=FILE.keras or --preset=NAME"):
        sample_script.sample("/tmp/run", None, 4, 0, str(tmp_path / "b.png"), preset=directory)


# ------------------------------------------------------------------ what ships


def test_shipped_presets_are_complete_small_and_in_the_wheel():
    # pyproject.toml's [tool.setuptools.package-data] line for the presets (tomllib is 3.11+).
    text = (ROOT / "pyproject.toml").read_text()
    globs = ast.literal_eval(re.search(r'^"ganzoo.presets" = (\[.*?\])', text, re.M).group(1))
    total = 0
    for name in presets.available():
        meta = presets.info(name)
        assert set(presets.REQUIRED_KEYS) <= set(meta), name
        assert meta["name"] == name and (ROOT / meta["config"]).exists()
        assert meta["size_bytes"] <= presets.MAX_PRESET_BYTES, name
        for measurement in meta["quality"]["measurements"]:
            assert measurement["command"] and measurement["figures"], name
        for path in pathlib.Path(meta["path"]).iterdir():
            assert any(fnmatch.fnmatch(f"{name}/{path.name}", g) for g in globs), f"{path} is not in the wheel"
        total += meta["size_bytes"]
    assert total <= presets.MAX_TOTAL_BYTES


def test_dcgan_digits_preset_samples_32x32_digits_in_range_and_matches_its_hash():
    import hashlib

    meta = presets.info("dcgan_digits")
    with open(os.path.join(meta["path"], "model.keras"), "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == meta["weights"]["sha256"]
    images = DCGAN.from_preset("dcgan_digits").generate(4, seed=0)
    assert images.shape == (4, 32, 32, 1) and images.min() >= -1.0 and images.max() <= 1.0
    assert meta["quality"]["measurements"], "dcgan_digits must carry its measured quality"
    assert json.dumps(meta)  # the record is plain JSON


@pytest.mark.slow
@pytest.mark.parametrize("name, min_high_quality", [("pacgan_grid25", 0.9), ("wgan_gp_grid25", 0.8)])
def test_grid25_presets_keep_all_25_modes_on_their_float16_weights(name, min_high_quality):
    from ganzoo.metrics.mode_coverage import GRID25_STD, grid25_centres, mode_coverage

    gan = presets.load(name)
    # The benchmark's rule: a mode needs 1% of 2,500 samples within 3 std of its centre.
    result = mode_coverage(gan.generate(2500, seed=0), grid25_centres(), GRID25_STD, min_count=25)
    assert result.modes_captured == 25 and result.high_quality_fraction >= min_high_quality, result.as_dict()
    recorded = presets.info(name)["quality"]["measurements"][0]["figures"]  # the float32 run's
    assert abs(result.high_quality_fraction - recorded["high_quality_fraction"]) < 0.01


def test_text2image_shapes_preset_draws_any_caption_and_matches_its_hash():
    import hashlib

    from ganzoo.models import TextToImageGAN

    meta = presets.info("text2image_shapes")
    with open(os.path.join(meta["path"], "model.keras"), "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == meta["weights"]["sha256"]
    gan = TextToImageGAN.from_preset("text2image_shapes")
    images = gan.generate(text=["a large blue triangle at the bottom", "", "zorblax"], seed=0)
    assert images.shape == (3, 32, 32, 3) and images.min() >= -1.0 and images.max() <= 1.0
    accuracy = meta["quality"]["measurements"][-1]["figures"]["accuracy"]["model"]  # the float16 weights'
    assert accuracy["seen"]["all"] >= 80.0 and accuracy["heldout"]["all"] >= 60.0, accuracy  # the targets
    assert len(meta["quality"]["measurements"]) == 2  # the run's and the float16 weights'


@pytest.mark.slow
@pytest.mark.parametrize("name", ["dcgan_digits"])
def test_digits_presets_reproduce_their_recorded_sample_quality(name, tmp_path):
    import subprocess
    import sys

    # The README's figure, re-measured as recorded: export the preset, then benchmarks/sample_quality.py.
    # lapgan_digits' figures (these and issue 29's judge) are re-measured in process, with the
    # benchmark's own functions, by tests/models/test_lapgan.py: one re-measurement per preset.
    recorded = presets.info(name)["quality"]["measurements"][-1]
    assert recorded["of"] == "this preset's float16 weights"
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="2")
    for argv in (["-m", "ganzoo.export", f"--preset={name}", f"--export_dir={tmp_path / 'saved_model'}"],
                 [str(ROOT / "benchmarks" / "sample_quality.py"), f"--workdir={tmp_path}"]):
        result = subprocess.run([sys.executable, *argv], env=env, capture_output=True, text=True, timeout=1200)
        assert result.returncode == 0, result.stderr[-3000:]
    got = json.loads(result.stdout.strip().splitlines()[-1])
    want = recorded["figures"]
    assert got["classes_present"] == want["classes_present"] == 10 and got["meets_target"], got
    # The judge CNN retrains here; on one machine the figures repeat, elsewhere they may move slightly.
    assert abs(got["class_entropy_bits"] - want["class_entropy_bits"]) < 0.05, (got, want)
    assert abs(got["max_class_fraction"] - want["max_class_fraction"]) < 0.03, (got, want)


@pytest.mark.slow
def test_text2image_shapes_preset_reproduces_its_recorded_caption_accuracy():
    from ganzoo.data import shapes
    from ganzoo.metrics import caption_accuracy, train_attribute_classifier
    from ganzoo.models import TextToImageGAN

    # benchmarks/text_to_image.py's measure (judge seed 0, 8 epochs; 500 captions a split, seed 0).
    recorded = presets.info("text2image_shapes")["quality"]["measurements"][-1]["figures"]["accuracy"]["model"]
    judge_data = shapes.arrays("classifier", 32)
    judge = train_attribute_classifier(shapes.to_float(judge_data["images"]).numpy(), judge_data["labels"],
                                       shapes.ATTRIBUTES, epochs=8, seed=0)
    splits = {key: shapes.arrays(split, 32) for key, split in (("seen", "test"), ("heldout", "heldout"))}
    splits = {key: (d["captions"][:500, 0].tolist(), d["labels"][:500]) for key, d in splits.items()}
    result = caption_accuracy(TextToImageGAN.from_preset("text2image_shapes"), judge, splits, seed=0)
    for key in ("seen", "heldout"):
        # The judge retrains here; its noise moved the recorded 94.8 / 90.2 to 95.6 / 91.8 on another machine.
        assert abs(result[key]["all"] - recorded[key]["all"]) <= 2.0, (key, result, recorded)
    assert result["seen"]["all"] >= 80.0 and result["heldout"]["all"] >= 60.0  # the preset's targets


def test_preset_scripts_refuse_existing_outputs_and_unknown_presets_in_one_line(tmp_path):
    import subprocess
    import sys

    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "saved_model.pb").write_text("")
    (tmp_path / "grid.png").write_text("")
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="2")
    for argv, message in (
        (["ganzoo.export", "--preset=dcgan_digits", f"--export_dir={tmp_path / 'export'}"], "already exists"),
        (["ganzoo.sample", "--preset=dcgan_digits", f"--out={tmp_path / 'grid.png'}"], "exists; pass --overwrite"),
        (["ganzoo.sample", "--preset=nope", f"--out={tmp_path / 'new.png'}"], "unknown preset 'nope'; available:"),
    ):
        result = subprocess.run([sys.executable, "-m", *argv], env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode != 0 and message in result.stderr and "Traceback" not in result.stderr, result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("name", ["srresnet_photos", "srgan_photos"])
def test_super_resolution_presets_serve_any_size_and_reproduce_their_recorded_psnr(name, load_file):
    from ganzoo.data import photos
    from ganzoo.models import SRGAN

    meta = presets.info(name)
    assert len(meta["quality"]["measurements"]) == 2  # the run's and the float16 weights'
    recorded = meta["quality"]["measurements"][-1]["figures"]
    gan = SRGAN.from_preset(name)
    lr = np.random.default_rng(0).uniform(-1.0, 1.0, (37, 53, 3)).astype("float32")
    assert gan.super_resolve(lr).shape == (148, 212, 3)
    # The benchmark's measure on the held-out photos, here: the stored weights give the stored PSNR.
    # A model set to self-ensemble infers with it, and its one-pass figure is recorded beside it.
    measure = load_file("benchmarks/super_resolution.py").measure
    pairs = photos.full_pairs("test", 4)
    psnr = np.mean([measure(gan.super_resolve(pair["lr"]), pair["hr"], 4)[0] for pair in pairs])
    column = "srgan" if name == "srgan_photos" else "srresnet"
    assert abs(psnr - recorded[column]["psnr"]) < 0.01, (psnr, recorded[column])
    assert psnr > recorded["bicubic"]["psnr"] + 0.5
    assert gan.self_ensemble == (f"{column}_one_pass" in recorded)
    if gan.self_ensemble:
        one_pass = np.mean([measure(gan.super_resolve(p["lr"], self_ensemble=False), p["hr"], 4)[0] for p in pairs])
        assert abs(one_pass - recorded[f"{column}_one_pass"]["psnr"]) < 0.01, (one_pass, recorded)


@pytest.mark.slow
def test_frontalization_preset_reproduces_its_recorded_psnr_and_ssim_per_yaw():
    from ganzoo.data import synthfaces
    from ganzoo.metrics import face_identity
    from ganzoo.models import FrontalizationGAN

    recorded = presets.info("frontalization_synthfaces")["quality"]["measurements"][-1]
    assert recorded["of"] == "this preset's float16 generator"
    gan = FrontalizationGAN.from_preset("frontalization_synthfaces")
    data = synthfaces.arrays("test", 64, num_identities=500, variants=2)  # configs/frontalization_synthfaces.py
    # The preset ships G only: the rank-1 figures need the run's identity network, PSNR and SSIM do not.
    scores = face_identity.frontalization_scores(gan.identity_network, gan.frontalize, data)
    for yaw in face_identity.YAW_BINS:
        assert abs(scores[f"psnr_yaw{yaw}"] - recorded["figures"][f"psnr_yaw{yaw}"]) < 0.01, (yaw, scores)
        assert abs(scores[f"ssim_yaw{yaw}"] - recorded["figures"][f"ssim_yaw{yaw}"]) < 1e-3, (yaw, scores)


@pytest.mark.slow
def test_cyclegan_digits_preset_reproduces_its_recorded_translation_scores(tmp_path):
    from ganzoo.data import digits, printed_digits
    from ganzoo.metrics import translation
    from ganzoo.models import CycleGAN

    recorded = presets.info("cyclegan_digits")["quality"]["measurements"][-1]
    assert recorded["of"] == "this preset's float16 weights"
    gan = CycleGAN.from_preset("cyclegan_digits")
    size, _, channels = gan.image_shape
    a_train, la_train = digits.arrays("train", size, channels)
    b_train, lb_train = printed_digits.arrays("train", size, channels)
    a, la = digits.arrays("test", size, channels)
    b, lb = printed_digits.arrays("test", size, channels)
    # benchmarks/cyclegan.py's classifiers, retrained here in an empty cache: a cache on this
    # machine may hold classifiers that another run trained, not the recording run's. A retrained
    # classifier moves the scores by up to 6.6 points (multi-threaded CPU training is not
    # bit-reproducible; BUILD_NOTES.md), hence the tolerance.
    classifiers = translation.domain_classifiers(a_train, la_train, b_train, lb_train, name=f"cyclegan_digits{size}",
                                                 cache_dir=tmp_path)
    assert all(c.trained for c in classifiers)
    tolerance = 0.08
    scores = translation.translation_scores(gan.a_to_b, gan.b_to_a, a, la, b, lb, *classifiers)
    figures = recorded["figures"]
    for key in ("a_to_b_to_a", "b_to_a_to_b"):  # the weights alone fix these
        assert abs(scores["cycle_l1"][key] - figures["cycle_l1"][key]) < 1e-4, (key, scores["cycle_l1"])
    for key in ("a_to_b", "b_to_a"):
        assert abs(scores["label_preservation"][key] - figures["label_preservation"][key]) < tolerance, (key, scores)
        assert abs(scores["untranslated"][key] - figures["untranslated"][key]) < tolerance, (key, scores)
    served = gan.generate(4, a=a[:2], b=b[:2])
    assert served.shape == (4, size, size, channels)


def test_make_presets_reads_a_run_against_the_config_file_it_was_trained_with(load_file):
    # A preset trained with configs/srresnet_photos_long.py records that file and no overrides;
    # read against configs/srresnet_photos.py the same run would look like a pile of overrides.
    make = load_file("benchmarks/make_presets.py")
    path, description, config = make.config_file("srresnet_photos", "configs/srresnet_photos_long.py")
    assert path == "configs/srresnet_photos_long.py" and description
    assert config["model"]["num_blocks"] == 16 and make.overrides(config, config) == []
    short = make.config_file("srresnet_photos")
    assert short[0] == "configs/srresnet_photos.py"
    assert "--config.model.num_blocks=16" in make.overrides(short[2], config)
    with pytest.raises(GanzooError, match="no such config file"):
        make.config_file("srresnet_photos", "configs/no_such_config.py")


def test_super_resolution_summary_names_the_ensemble_the_one_pass_gain_and_sharpness(load_file):
    summary = load_file("benchmarks/make_presets.py").super_resolution_summary
    plain = {"srresnet": {"psnr": 29.9, "sharpness": 0.53}, "srresnet_gain_db": 1.37, "srgan_vs_srresnet_db": None}
    assert summary(plain) == "SRResNet 29.90 dB, +1.37 dB over bicubic on the held-out photos (misses the +1.5 dB target)"
    ensemble = dict(plain, srresnet_gain_db=1.52, srresnet_one_pass_gain_db=1.37, srgan_vs_srresnet_db=-0.6,
                    srgan={"psnr": 29.3, "sharpness": 0.64})
    text = summary(ensemble)
    assert "SRResNet with its 8-view self-ensemble 29.90 dB, +1.52 dB" in text and "meets the +1.5 dB" in text
    assert "in one pass +1.37 dB" in text
    assert "-0.60 dB from SRResNet (meets the within-1-dB target), sharpness 0.640 vs 0.530 (sharper)" in text


def test_srresnet_photos_stage_script_chains_its_stages_with_overrides_the_configs_take(tmp_path):
    # configs/srresnet_photos_stages.sh reproduces the SR presets: run it with a `python` that only
    # records its arguments, then load each stage's config with its overrides and validate it.
    import importlib.util
    import shlex
    import subprocess

    from ganzoo import config as config_lib
    from ganzoo import train as train_lib

    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "python").write_text('#!/bin/sh\nprintf "%s\\0" "$@" >> "$CALLS"; printf "\\n" >> "$CALLS"\n')
    (fake / "python").chmod(0o755)
    calls = tmp_path / "calls"
    subprocess.run(["bash", str(ROOT / "configs/srresnet_photos_stages.sh"), str(tmp_path / "sr")], cwd=ROOT, check=True,
                   env={**os.environ, "PATH": f"{fake}:{os.environ['PATH']}", "CALLS": str(calls)}, capture_output=True)
    commands = [line.strip("\0").split("\0") for line in calls.read_text().splitlines() if line]
    trains = [c for c in commands if c[:2] == ["-m", "ganzoo.train"]]
    assert len(trains) == 7 and commands[-1][0] == "benchmarks/super_resolution.py", [shlex.join(c) for c in commands]
    previous = None
    for command in trains:
        flags = dict(arg[2:].split("=", 1) for arg in command[2:])
        spec = importlib.util.spec_from_file_location("stage_config", ROOT / flags.pop("config"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        config = module.get_config()
        workdir = flags.pop("workdir")
        argv, model_overrides = train_lib.split_model_overrides([f"--{k}={v}" for k, v in flags.items()])
        init = model_overrides.pop("init_generator", "")
        assert init == ("" if previous is None else f"{previous}/checkpoints/model.keras"), (workdir, init)
        train_lib.apply_model_overrides(config, model_overrides)
        for arg in argv:   # the other keys must exist in the config; set them typed as the config's
            path, value = arg[len("--config."):].split("=", 1)
            *parents, key = path.split(".")
            node = config
            for part in parents:
                node = node[part]
            assert key in node, f"{command}: no config key {path}"
            node[key] = type(node[key])(ast.literal_eval(value))
        config_lib.validate(config)
        previous = workdir
    assert config.model.name == "srgan" and config.model.g_filters == 64 and config.model.adv_weight > 0
