"""Packaging (issue 32, items 10-12): the wheel's contents, config names, quiet scripts."""

import glob
import os
import subprocess
import sys
import zipfile

import pytest

from ganzoo import train

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_a_config_name_resolves_to_the_shipped_file_and_a_path_stays_a_path():
    assert "dcgan_digits" in train.shipped_config_names()
    resolved = train.resolve_config_name(["x", "--config=dcgan_digits", "--config.train.epochs=1"])
    assert os.path.samefile(resolved[1][len("--config="):], os.path.join(ROOT, "configs", "dcgan_digits.py"))
    assert resolved[2] == "--config.train.epochs=1"
    assert train.resolve_config_name(["x", "--config=configs/dcgan_digits.py"])[1] == "--config=configs/dcgan_digits.py"
    assert train.resolve_config_name(["x", "--config=no_such_config"])[1] == "--config=no_such_config"


@pytest.mark.slow
def test_the_wheel_ships_configs_presets_py_typed_and_bounded_keras(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "-q", "-w", str(tmp_path)],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = glob.glob(str(tmp_path / "ganzoo-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    configs = {os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "configs", "*.py"))}
    assert {f"ganzoo/configs/{c}" for c in configs} <= set(names)
    assert "ganzoo/py.typed" in names
    assert any(n.startswith("ganzoo/presets/dcgan_digits/") and n.endswith("model.keras") for n in names)
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "Requires-Dist: keras<3.16" in metadata or "Requires-Dist: keras<3.16,>=3.0" in metadata
    for extra in ("test", "tfds", "demo", "parity"):
        assert f"Provides-Extra: {extra}" in metadata


def script_stderr(*flags):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_CPP")}
    result = subprocess.run([sys.executable, "-m", "ganzoo.list", *flags], capture_output=True, text=True,
                            env=env, cwd="/", timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stderr


def test_scripts_hide_tensorflow_start_up_lines_unless_verbosity_asks():
    noise = ("I0000", "E0000", "cuInit", "oneDNN custom operations", "absl::InitializeLog")
    assert not [line for line in script_stderr().splitlines() if any(n in line for n in noise)]
    assert "oneDNN custom operations" in script_stderr("--verbosity=1")


def test_export_prints_one_line_unless_verbosity_asks(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_CPP")}

    def export(name, *flags):
        result = subprocess.run([sys.executable, "-m", "ganzoo.export", "--preset=pacgan_grid25",
                                 f"--export_dir={tmp_path / name}", *flags], capture_output=True, text=True,
                                env=env, cwd="/", timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout + result.stderr

    quiet = [line for line in export("a").splitlines() if line.strip()]
    assert quiet == [f"wrote {tmp_path / 'a'}"]
    assert "Assets written" in export("b", "--verbosity=1")
