"""Keras conventions a Keras 3 user relies on (issue 32): loading, losses, callbacks, export."""

import os
import subprocess
import sys

import pytest

LEGACY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "legacy")


def run_python(code: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd="/", timeout=300)


@pytest.mark.parametrize("imports", ["import keras, ganzoo", "import ganzoo, keras"])
def test_load_model_after_import_ganzoo_finds_the_zoo_classes(imports):
    result = run_python(
        f"{imports}\n"
        f"model = keras.models.load_model({os.path.join(LEGACY, 'dcgan.keras')!r})\n"
        "print(type(model).__name__)\n"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "DCGAN"


def test_import_ganzoo_alone_does_not_import_tensorflow():
    # Entry points set TF_ENABLE_ONEDNN_OPTS after `import ganzoo` and before TensorFlow.
    result = run_python("import sys, ganzoo\nprint(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"
