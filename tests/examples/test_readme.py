"""The README's code does what the README says: "Training in fifteen lines" is the same training
as `retrograd train` (the same weights, bit for bit, checked on one epoch; the full run's stated
accuracy is checked by tests/examples/test_stated_figures.py)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

import retrograd as rg
from retrograd.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_snippet(heading: str) -> str:
    """The first ```python block after ``## heading``."""
    text = README.read_text()
    section = text[text.index(f"## {heading}"):]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


def fifteen_lines(epochs: int) -> str:
    code = readme_snippet("Training in fifteen lines")
    assert code.count("epochs=8") == 2  # the schedule's plan and fit()
    return code.replace("epochs=8", f"epochs={epochs}")


def test_fifteen_lines_train_as_the_command_does(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(fifteen_lines(1), "README.md", "exec"), namespace)
    assert main(["train", "--epochs", "1", "--out", str(tmp_path / "run"), "--quiet",
                 "--no-plots"]) == 0
    ours = rg.load(str(tmp_path / "lenet5.safetensors"))
    command = rg.load(str(tmp_path / "run" / "model.safetensors"))
    assert list(ours) == list(command)
    for key in ours:
        np.testing.assert_array_equal(ours[key].array, command[key].array, err_msg=key)
