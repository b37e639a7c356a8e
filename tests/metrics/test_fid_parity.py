"""The FID Inception port, its resizes and the metric formulas agree with the reference packages.

pytorch-fid, torch-fidelity and clean-fid (with torch 2.13.0 CPU) come with the ``test`` extra;
in CI (``CI`` set) a missing reference package fails these tests instead of skipping them.
The network is checked with random weights in pytorch-fid's layout (benchmarks/fid_parity.py):
pytorch-fid loads them strictly, so the key set and every shape are checked too.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from ganzoo import evaluate as evaluate_lib
from ganzoo import metrics
from ganzoo.errors import GanzooError


@pytest.fixture(scope="module")
def parity(load_file):
    return load_file("benchmarks/fid_parity.py")


@pytest.fixture(scope="module")
def refs(parity):
    try:
        return parity.import_references()
    except ImportError as error:
        if os.environ.get("CI"):
            raise  # CI installs the test extra: the parity must run there
        pytest.skip(f"reference packages not installed ({error}); pip install -e '.[test]'")


@pytest.fixture(scope="module")
def random_weights(refs, parity, tmp_path_factory):
    path = str(tmp_path_factory.mktemp("fidw") / "random_fid_inception.pth")
    refs.torch.save(parity.random_state_dict(refs.torch, seed=0), path)
    return path


def test_pth_reader_reads_zip_and_legacy_torch_files_without_torch(refs, tmp_path):
    torch = refs.torch
    state = {"conv.weight": torch.randn(4, 3, 3, 3), "bn.num_batches_tracked": torch.tensor(7),
             "view": torch.arange(12.0).reshape(3, 4).t(), "half": torch.randn(5).half()}
    for legacy in (False, True):
        path = str(tmp_path / f"s{legacy}.pth")
        torch.save(state, path, _use_new_zipfile_serialization=not legacy)
        got = metrics.read_state_dict(path)
        assert list(got) == list(state)
        for key, value in state.items():
            np.testing.assert_array_equal(got[key], value.numpy())
            assert got[key].dtype == value.numpy().dtype


def test_resizes_match_clean_fid_and_torch_fidelity(refs):
    rng = np.random.default_rng(0)
    torch = refs.torch
    clean = refs.cleanfid_resize.make_resizer("PIL", False, "bicubic", (299, 299))
    interp = refs.fidelity.interpolate_compat_tensorflow.interpolate_bilinear_2d_like_tensorflow1x
    for shape in ((2, 40, 56, 3), (1, 420, 360, 3)):  # upsampling, and downsampling (antialiased)
        images = rng.integers(0, 256, shape).astype(np.uint8)
        expected = np.stack([clean(img) for img in images])
        assert np.abs(metrics.resize_clean(images) - expected).max() <= 1e-3
        with torch.no_grad():
            expected = interp(torch.from_numpy(images.transpose(0, 3, 1, 2).astype(np.float32)),
                              size=(299, 299), align_corners=False).numpy().transpose(0, 2, 3, 1)
        assert np.abs(metrics.resize_legacy_tf(images) - expected).max() <= 1e-3
    # The two modes are different resizes: each parity above would catch a swap.
    assert np.abs(metrics.resize_clean(images) - metrics.resize_legacy_tf(images)).max() > 10


def test_fid_kid_is_precision_recall_match_torch_fidelity_formulas(refs, parity):
    result = parity.metric_parity(refs, seed=0)
    assert result["fid_rel_err"] <= 1e-6
    assert result["kid_rel_err"] <= 1e-6 and result["kid_subset_rel_err"] <= 1e-6
    assert result["is_rel_err"] <= 1e-3 and result["is_std_rel_err"] <= 1e-3
    assert result["precision_abs_diff"] <= 1e-6 and result["recall_abs_diff"] <= 1e-6
    assert 0 < result["precision"] < 1 and 0 < result["recall"] < 1  # not a degenerate case


def test_missing_or_wrong_weights_are_one_line_errors_naming_the_file(refs, tmp_path):
    missing = str(tmp_path / "pt_inception-2015-12-05-6726825d.pth")
    with pytest.raises(GanzooError, match=f"'{missing}' does not exist; download pt_inception"):
        metrics.FIDInception(missing)
    with pytest.raises(GanzooError, match="fid_inception needs its weights file"):
        metrics.get_extractor("fid_inception")
    other = str(tmp_path / "other.pth")
    refs.torch.save({"fc.weight": refs.torch.zeros(3, 2)}, other)
    with pytest.raises(GanzooError, match=r"'.*other.pth' is not the FID Inception's state dict \(missing"):
        metrics.FIDInception(other)
    junk = str(tmp_path / "junk.pth")
    open(junk, "wb").write(b"not a torch file")
    with pytest.raises(GanzooError, match=r"'.*junk.pth' is not a readable torch.save state dict"):
        metrics.FIDInception(junk)
    open(missing, "wb").write(b"truncated")  # the name promises a hash the bytes do not have
    with pytest.raises(GanzooError, match="has SHA-256 .* not the 6726825d"):
        metrics.FIDInception(missing)
    # evaluate checks the weights before it samples anything.
    with pytest.raises(GanzooError, match="'/nonexistent/fid.pth' does not exist"):
        evaluate_lib.evaluate_run(saved_model="/nonexistent/saved_model", dataset="digits", metrics_names=("fid",),
                                  extractor="fid_inception", fid_weights="/nonexistent/fid.pth",
                                  out=str(tmp_path / "e.json"))


@pytest.mark.slow
def test_fid_inception_features_and_protocol_match_pytorch_fid_and_torch_fidelity(refs, parity, random_weights):
    images = parity.test_images(count=2, size=96)
    result = parity.feature_parity(refs, images, random_weights)
    assert result["feature_scale"] > 1  # features of a working network, not zeros
    assert result["features_clean_max_abs_diff"] <= parity.FEATURE_TOLERANCE, result
    assert result["features_legacy_tf_max_abs_diff"] <= parity.FEATURE_TOLERANCE, result
    assert result["probabilities_max_abs_diff"] <= 1e-4, result
    assert result["resize_clean_max_abs_diff"] <= 1e-3 and result["resize_legacy_tf_max_abs_diff"] <= 1e-3

    extractor = metrics.get_extractor("fid_inception", weights=random_weights, resize="legacy_tf")
    protocol = metrics.protocol_record(extractor, n_real=3, n_fake=4)
    sha = extractor.weights_sha256
    assert extractor.name == f"fid_inception/legacy_tf/{sha[:12]}"
    assert protocol["weights_sha256"] == sha and protocol["resize"] == "legacy_tf"
    assert protocol["image_size_fed"] == [299, 299] and protocol["input_dtype"].startswith("uint8")
    assert extractor.with_resize("clean").name == f"fid_inception/clean/{sha[:12]}"


@pytest.mark.slow
def test_evaluate_cli_names_the_missing_weights_file_in_one_line(tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=root)
    missing = str(tmp_path / "pt_inception.pth")
    result = subprocess.run(
        [sys.executable, "-m", "ganzoo.evaluate", f"--workdir={tmp_path}", "--dataset=digits",
         "--extractor=fid_inception", f"--fid_weights={missing}"],
        cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"ganzoo.metrics: FID Inception weights file '{missing}' does not exist"), result.stderr


def test_evaluate_records_the_protocol_and_reuses_saved_reference_stats(tmp_path, monkeypatch):
    # A stand-in generator (uniform noise) keeps this about the bookkeeping, not the network.
    monkeypatch.setattr(evaluate_lib, "generator_sampler", lambda path: (
        lambda n, seed=0: np.random.default_rng(seed).uniform(-1, 1, [n, 8, 8, 1]).astype(np.float32)))
    with open(tmp_path / "config.json", "w") as handle:  # a run on 8x8 digits: 64-d identity features
        json.dump({"data": {"name": "digits", "image_size": 8}}, handle)
    stats = str(tmp_path / "digits-test-identity.npz")
    common = dict(workdir=str(tmp_path), extractor="identity", num_samples=100, reference_stats=stats)
    first = evaluate_lib.evaluate_run(metrics_names=("fid", "pr"), out=str(tmp_path / "a.json"), **common)
    protocol = first["protocol"]
    assert protocol["extractor"] == "identity" and protocol["n_real"] == 100 and protocol["n_fake"] == 100
    assert protocol["reference"] == {"source": "digits", "split": "test", "count": 100}
    assert protocol["input_dtype"].startswith("float32") and protocol["jpeg"].startswith("none")
    assert os.path.isfile(stats) and protocol["reference_stats_file"] == stats
    saved = metrics.FeatureStatistics.load(stats)
    assert protocol["reference_stats_sha256"] == metrics.statistics_sha256(saved)

    second = evaluate_lib.evaluate_run(metrics_names=("fid",), out=str(tmp_path / "b.json"), **common)
    assert second["fid"]["fid"] == pytest.approx(first["fid"]["fid"], rel=1e-9)
    assert second["protocol"]["reference_stats_sha256"] == protocol["reference_stats_sha256"]
    assert json.load(open(tmp_path / "b.json"))["reference"]["stats_file"] == stats
    with pytest.raises(GanzooError, match="enough for FID alone; pass --metrics=fid"):
        evaluate_lib.evaluate_run(metrics_names=("fid", "kid"), out=str(tmp_path / "c.json"), **common)



@pytest.mark.slow
def test_evaluate_with_fid_inception_records_its_weights_and_resize(tmp_path, monkeypatch, random_weights):
    monkeypatch.setattr(evaluate_lib, "generator_sampler", lambda path: (
        lambda n, seed=0: np.random.default_rng(seed).uniform(-1, 1, [n, 8, 8, 1]).astype(np.float32)))
    with open(tmp_path / "config.json", "w") as handle:
        json.dump({"data": {"name": "digits", "image_size": 8}}, handle)
    report = evaluate_lib.evaluate_run(str(tmp_path), metrics_names=("kid", "pr"), num_samples=6,
                                       extractor="fid_inception", fid_weights=random_weights, fid_resize="legacy_tf")
    protocol = report["protocol"]
    assert report["extractor"].startswith("fid_inception/legacy_tf/")
    assert protocol["weights_sha256"] == metrics.fid_inception.file_sha256(random_weights)
    assert protocol["resize"] == "legacy_tf" and protocol["image_size_fed"] == [299, 299]
    assert protocol["n_real"] == protocol["n_fake"] == 6 and protocol["reference"]["source"] == "digits"
    assert json.load(open(tmp_path / "eval.json"))["protocol"] == protocol
