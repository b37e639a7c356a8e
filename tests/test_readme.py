"""The README is a contract: every ```bash, ```sh and ```python block in it runs.

The two set-up commands that open the README are checked against ``.ci/run`` and not
re-run; the training command in the first one runs (tiny), since later blocks use its
``/tmp/run``. Every other block runs in a subprocess, in one scratch home per test session
where ``/tmp/`` stands for ``<home>/`` and ``configs`` links to the repository's, against
this checkout (``PYTHONPATH``), with these tiny overrides and nothing else changed:

- ``python -m ganzoo.train --config=F``: the ``TINY[F]`` keys replace the command's own
  values of those keys (e.g. ``--config.train.epochs=10`` becomes 1) or are appended;
- ``python -m ganzoo.evaluate``: ``--num_samples=200`` (the README says 2000);
- ``python`` blocks: each ``TINY_PYTHON`` text is replaced (8-filter networks, 2 batches
  an epoch); the rest runs as written.

A block the tests cannot run offline opens with a ``# needs ...`` comment (a download, a
server); ``test_readme_marks_the_few_blocks_it_cannot_run`` keeps those few and marked.
"""

import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
MARKER = re.compile(r"^# needs (.+)")
MAX_MARKED = 2

_TINY_DCGAN = {
    "train.epochs": "1", "train.steps_per_epoch": "2", "train.batch_size": "16",
    "train.num_samples": "4", "model.g_filters": "8", "model.d_filters": "8",
}
TINY = {
    "configs/dcgan_digits.py": _TINY_DCGAN,
    "configs/text2image_shapes.py": {
        **_TINY_DCGAN, "model.text_pretrain_steps": "2", "model.text_dim": "16",
        "model.encoder_width": "16", "model.projection_dim": "8", "data.num_examples": "64",
    },
}
TINY_FLAGS = {"ganzoo.evaluate": {"num_samples": "200"}}
TINY_PYTHON = {
    "latent_dim=100)": "latent_dim=100, g_filters=8, d_filters=8)",
    'ganzoo.data.load("digits", batch_size=64)': 'ganzoo.data.load("digits", batch_size=64).take(2)',
}

# What a block promises to leave behind, by a command it holds (paths under the home).
PROMISED = {
    "ganzoo.export --workdir=/tmp/run": ["run64/metrics.json", "grid.png", "dcgan_export/saved_model.pb"],
    "ganzoo.evaluate": ["run/eval.json"],
    "--outdir out": ["out/images.npy"],
    "--preset=dcgan_digits --out=digits.png": ["digits.png", "dcgan_preset/saved_model.pb"],
    "gan.save(": ["dcgan.keras", "dcgan_savedmodel/saved_model.pb",
                  "samples/epoch_0001.png", "samples/epoch_0002.png"],
}


def blocks():
    """``(id, language, code)`` of every fenced block, ids from the section they are in."""
    found, counts = [], {}
    for match in FENCE.finditer(README):
        headings = re.findall(r"^## (.+)$", README[: match.start()], re.M)
        section = headings[-1] if headings else "top"
        counts[section] = counts.get(section, 0) + 1
        slug = re.sub(r"\W+", "_", section.lower()).strip("_")
        found.append((f"{slug}_{counts[section]}", match.group(1), match.group(2)))
    return found


SETUP = blocks()[0]
RUNNABLE = [b for b in blocks()[1:] if not MARKER.match(b[2])]


def commands(code):
    """The shell commands of a block: continuation lines joined, comments and blanks dropped."""
    joined = re.sub(r"\\\n\s*", " ", code)
    return [line for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def tiny(command):
    """``command`` with the documented tiny overrides (see the module docstring)."""
    config = re.search(r"--config=(\S+)", command)
    overrides = {f"config.{k}": v for k, v in TINY.get(config.group(1), {}).items()} if config else {}
    for program, values in TINY_FLAGS.items():
        if program in command:
            overrides.update(values)
    code, comment = (command.split("  #", 1) + [""])[:2]
    for key, value in overrides.items():
        flag = re.compile(rf"--{re.escape(key)}=\S+")
        code = flag.sub(f"--{key}={value}", code) if flag.search(code) else f"{code.rstrip()} --{key}={value}"
    return code


def run(script, home, shell):
    env = dict(os.environ, PYTHONPATH=str(ROOT), GANZOO_CACHE_DIR=str(home / "cache"), TF_CPP_MIN_LOG_LEVEL="2")
    argv = ["bash", "-euo", "pipefail", "-c", script] if shell else [sys.executable, "-c", script]
    result = subprocess.run(argv, cwd=home, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"README block failed:\n{script}\n--- stderr ---\n{result.stderr[-3000:]}"
    return result


def python_script(code):
    for text, replacement in TINY_PYTHON.items():
        code = code.replace(text, replacement)
    return code


def shell_script(code, home):
    return "\n".join(tiny(command).replace("/tmp/", f"{home}/") for command in commands(code))


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A scratch home after the README's set-up command: configs/ and a tiny /tmp/run."""
    home = tmp_path_factory.mktemp("readme_home")
    (home / "configs").symlink_to(ROOT / "configs")
    train = SETUP[2].strip().splitlines()[0].split("&& ", 1)[1]
    run(shell_script(train, home), home, shell=True)
    return home


# ------------------------------------------------------------------------ fast checks


def test_readme_opens_with_exactly_two_setup_commands_and_ci_runs_the_test_one():
    first_block = SETUP[2].strip().splitlines()
    assert len(first_block) == 2
    install_and_train, install_and_test = first_block
    assert "pip install -e . && " in install_and_train
    assert "ganzoo.train --config=configs/dcgan_digits.py" in install_and_train
    assert install_and_test.startswith('pip install -e ".[test]" && ')
    test_command = install_and_test.split("&& ", 1)[1]
    assert test_command in (ROOT / ".ci" / "run").read_text()


def test_readme_blocks_are_bash_or_python_so_the_tests_run_them_all():
    assert {language for _, language, _ in blocks()} <= {"bash", "sh", "python"}


def test_readme_marks_the_few_blocks_it_cannot_run():
    marked = [b for b in blocks()[1:] if MARKER.match(b[2])]
    assert 0 < len(marked) <= MAX_MARKED, [b[0] for b in marked]
    offline_words = re.compile(r"curl|localhost|download|https?://|tfds build|dcgan_mnist|celeba|cifar10")
    for block_id, _, code in blocks()[1:]:
        if offline_words.search(code):
            assert MARKER.match(code), f"README block {block_id} needs a network or server: open it with '# needs ...'"
    for block_id, _, code in marked:
        assert not any(m in code for m in PROMISED), f"{block_id} is marked but the tests expect its outputs"


def test_tiny_overrides_replace_values_append_missing_keys_and_still_apply():
    command = ("python -m ganzoo.train --config=configs/dcgan_digits.py --workdir=/tmp/r "
               "--config.train.epochs=10  # note")
    assert tiny(command) == (
        "python -m ganzoo.train --config=configs/dcgan_digits.py --workdir=/tmp/r --config.train.epochs=1 "
        "--config.train.steps_per_epoch=2 --config.train.batch_size=16 --config.train.num_samples=4 "
        "--config.model.g_filters=8 --config.model.d_filters=8"
    )
    python = [b[2] for b in RUNNABLE if b[1] == "python"]
    for text in TINY_PYTHON:
        assert any(text in code for code in python), f"TINY_PYTHON's '{text}' is in no README block"
    for command in (c for b in RUNNABLE if b[1] != "python" for c in commands(b[2])):
        config = re.search(r"--config=(\S+)", command)
        if "ganzoo.train" in command:
            assert config and config.group(1) in TINY, f"no tiny overrides for: {command}"


# ----------------------------------------------------------------------- the blocks


@pytest.mark.slow
@pytest.mark.parametrize("block_id, language, code", RUNNABLE, ids=[b[0] for b in RUNNABLE])
def test_readme_block_runs(block_id, language, code, home):
    if language == "python":
        run(python_script(code), home, shell=False)
    else:
        run(shell_script(code, home), home, shell=True)
    for marker, paths in PROMISED.items():
        if marker in code:
            for path in paths:
                assert (home / path).exists(), f"README block {block_id} should have written {path}"
