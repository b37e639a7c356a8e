"""The README is a contract: its set-up commands and its Python snippet."""

import os
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_readme_opens_with_exactly_two_setup_commands_and_ci_runs_the_test_one():
    first_block = re.search(r"```bash\n(.*?)```", README, re.S).group(1).strip().splitlines()
    assert len(first_block) == 2
    install_and_train, install_and_test = first_block
    assert "pip install -e ." in install_and_train and "ganzoo.train --config=configs/dcgan_digits.py" in install_and_train
    assert install_and_test.startswith('pip install -e ".[test]" && ')
    test_command = install_and_test.split("&& ", 1)[1]
    assert test_command in (ROOT / ".ci" / "run").read_text()


@pytest.mark.slow
def test_readme_python_snippet_runs_as_written(tmp_path, monkeypatch):
    snippet = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    exec(compile(snippet, "README.md", "exec"), {})
    assert (tmp_path / "dcgan.keras").exists()
    assert (tmp_path / "dcgan_savedmodel" / "saved_model.pb").exists()
    assert sorted(os.listdir(tmp_path / "samples")) == ["epoch_0001.png", "epoch_0002.png"]
