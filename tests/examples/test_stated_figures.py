"""The full runs behind the figures the README and the examples' docstrings state (minutes of
CPU, so they run only when RETROGRAD_FULL_CHECKS=1, as .ci/run sets; the ordinary suite checks
the --quick figures of the same scripts in test_examples.py)."""
from __future__ import annotations

import os
import re

import pytest
from test_examples import run_example
from test_readme import README

from retrograd.cli import main

pytestmark = pytest.mark.skipif(os.environ.get("RETROGRAD_FULL_CHECKS") != "1",
                                reason="full example runs: set RETROGRAD_FULL_CHECKS=1 (CI does)")


@pytest.mark.parametrize("script,timeout", [
    ("mnist_models.py", 900), ("regularization.py", 1800), ("gradient_descent_family.py", 300)])
def test_full_run_gives_the_stated_figures(script, timeout, tmp_path):
    out = run_example(script, tmp_path, "--check", "--out", str(tmp_path / "plot.png"),
                      quick=False, timeout=timeout)
    assert "check: all figures as stated" in out


def test_readme_training_reaches_the_stated_accuracy(tmp_path, capsys):
    """`retrograd train` (the README's fifteen lines train the same weights, test_readme.py)."""
    stated = re.search(r"\(([0-9.]+)% test\s+accuracy on the built-in sample after 8 epochs",
                       README.read_text())
    assert stated, "the README no longer states the fifteen lines' accuracy"
    assert main(["train", "--out", str(tmp_path), "--quiet", "--no-plots"]) == 0
    accuracy = float(re.search(r"test accuracy ([0-9.]+)", capsys.readouterr().out).group(1))
    assert abs(100 * accuracy - float(stated.group(1))) <= 0.1, (accuracy, stated.group(1))

