"""ONNX and LiteRT exports (ganzoo.export.formats): each file, run in its own runtime, answers as
the Keras model does on the same inputs (max abs difference <= 1e-4), and a model a format cannot
hold is refused with one line, leaving nothing behind.

Tiny models only; every preset goes through ``benchmarks/export_formats.py`` (BUILD_NOTES.md).
"""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

pytest.importorskip("onnxruntime", reason="pip install -e '.[test]' installs onnxruntime")
pytest.importorskip("tf2onnx", reason="pip install -e '.[test]' installs tf2onnx")

from ganzoo.errors import GanzooError  # noqa: E402
from ganzoo.export import EXPORT_MARKER, check_export_dir, export_model, formats  # noqa: E402
from ganzoo.models import DCGAN  # noqa: E402
from ganzoo.models.cyclegan import CycleGAN  # noqa: E402
from ganzoo.models.srgan import SRGAN  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tiny_dcgan():
    """A tiny DCGAN whose images span [-1, 1]: freshly initialised, they stay within ±0.002, where
    a 1% error would hide under the 1e-4 tolerance."""
    gan = DCGAN(image_shape=(16, 16, 1), latent_dim=8, g_filters=8, d_filters=8)
    last = gan.generator.get_layer("up2")
    last.kernel.assign(last.kernel * 1000.0)
    assert 0.5 < np.abs(gan.generate(8, seed=0)).max() <= 1.0
    return gan


def test_onnx_export_of_a_dcgan_gives_the_keras_images_in_onnxruntime(tmp_path):
    import onnxruntime

    gan = tiny_dcgan()
    manifest = export_model(gan, str(tmp_path / "onnx"), format="onnx")
    z = np.random.default_rng(1).standard_normal((5, 8)).astype("float32")
    session = onnxruntime.InferenceSession(str(tmp_path / "onnx" / "model.onnx"), providers=["CPUExecutionProvider"])
    images = session.run(["images"], {"z": z})[0]
    assert images.shape == (5, 16, 16, 1)
    assert np.abs(images - gan.generate(5, z=z)).max() <= 1e-4
    record = manifest["files"][0]
    assert record["file"] == "model.onnx" and record["max_abs_diff"] <= formats.TOLERANCE
    assert json.loads((tmp_path / "onnx" / "export.json").read_text()) == manifest
    assert (tmp_path / "onnx" / EXPORT_MARKER).exists()


def test_litert_export_of_a_dcgan_gives_the_keras_images_in_the_litert_interpreter(tmp_path):
    gan = tiny_dcgan()
    export_model(gan, str(tmp_path / "litert"), format="litert")
    z = np.random.default_rng(2).standard_normal((3, 8)).astype("float32")
    runner = formats.litert_interpreter(str(tmp_path / "litert" / "model.tflite")).get_signature_runner()
    images = runner(z=z)["images"]
    assert images.shape == (3, 16, 16, 1)
    assert np.abs(images - gan.generate(3, z=z)).max() <= 1e-4


def test_verify_catches_a_file_that_is_not_the_model(tmp_path):
    """The check can fail: another model's weights in the file give a large difference."""
    export_model(tiny_dcgan(), str(tmp_path / "a"), format="onnx")
    keras.utils.set_random_seed(1)
    other = formats.portable_graphs(tiny_dcgan())[0]
    assert formats.verify(other, str(tmp_path / "a" / "model.onnx")) > 10 * formats.TOLERANCE


@pytest.mark.slow
def test_cyclegan_onnx_holds_both_directions_at_any_image_size(tmp_path):
    gan = CycleGAN(image_shape=(8, 8, 1), base_filters=4, num_blocks=1, d_filters=4, d_layers=1, pool_size=4)
    manifest = export_model(gan, str(tmp_path / "cyc"), format="onnx")
    assert [f["file"] for f in manifest["files"]] == ["model.onnx", "b_to_a.onnx"]
    images = np.random.default_rng(0).uniform(-1, 1, (2, 12, 20, 1)).astype("float32")  # not 8x8
    for name, expected in (("model.onnx", gan.a_to_b(images)), ("b_to_a.onnx", gan.b_to_a(images))):
        got = formats.OnnxRunner(str(tmp_path / "cyc" / name))({"images": images})["translated"]
        assert got.shape == images.shape and np.abs(got - expected).max() <= 1e-4


def test_litert_refuses_srgan_with_the_op_it_lacks_and_leaves_nothing(tmp_path):
    """``residual_to_bicubic`` (the presets' option) needs ResizeBicubic, which LiteRT lacks."""
    gan = SRGAN(lr_shape=(8, 8, 3), scale=4, num_blocks=1, g_filters=8, d_filters=4, d_dense=8,
                residual_to_bicubic=True)
    with pytest.raises(GanzooError, match=r"cannot go to LiteRT: .*(ResizeBicubic|EnsureShape).*format='onnx'"):
        export_model(gan, str(tmp_path / "sr"), format="litert")
    assert not (tmp_path / "sr").exists()


def test_an_unknown_format_is_refused_in_one_line(tmp_path):
    with pytest.raises(GanzooError, match="unknown format 'tfjs'; use one of saved_model, onnx, litert"):
        export_model(tiny_dcgan(), str(tmp_path / "x"), format="tfjs")


def test_overwrite_accepts_an_earlier_onnx_export_and_still_refuses_foreign_files(tmp_path):
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    for name in ("model.onnx", "b_to_a.onnx", "model.tflite", "export.json", "vocabulary.json", EXPORT_MARKER):
        (earlier / name).write_text("x")
    check_export_dir(str(earlier))  # replaceable
    (earlier / "notes.txt").write_text("mine")
    with pytest.raises(GanzooError, match="holds 'notes.txt', which no export wrote"):
        check_export_dir(str(earlier))


@pytest.mark.slow
def test_export_cli_refuses_an_existing_export_dir_without_overwrite(tmp_path):
    target = tmp_path / "x"
    target.mkdir()
    (target / "model.onnx").write_text("earlier")
    result = subprocess.run(
        [sys.executable, "-m", "ganzoo.export", "--preset=dcgan_digits", "--format=onnx", f"--export_dir={target}"],
        capture_output=True, text=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT), timeout=300,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"ganzoo: export directory '{target}' already exists and is not empty; "
        "choose another path or pass overwrite=True (--overwrite)."
    )
    assert (target / "model.onnx").read_text() == "earlier"
