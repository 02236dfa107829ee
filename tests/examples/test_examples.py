"""Smoke test of examples/: every script runs with --quick, exits 0, and prints its key figures.

Each script runs in a subprocess (as a learner would run it), with the working directory and
--out in tmp_path so nothing is written into the tree. BLAS is limited to one thread: under
pytest-xdist on a small machine, several multi-threaded BLAS processes fight over the cores and
can run many times slower.
"""
from __future__ import annotations

import importlib.util
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def run_example(name: str, tmp_path: Path, *args: str, quick: bool = True,
                timeout: float = 120) -> str:
    env = dict(os.environ, **{v: "1" for v in THREAD_VARS}, MPLBACKEND="Agg")
    flags = ["--quick"] if quick else []
    proc = subprocess.run([sys.executable, str(EXAMPLES / name), *flags, *args],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)
    assert proc.returncode == 0, (f"{name} exited with {proc.returncode}\n--- stdout\n"
                                  f"{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-3000:]}")
    return proc.stdout


def check_png(path: Path, stdout: str) -> None:
    """The plot exists and is a PNG, or (without matplotlib) the script said why it is missing."""
    if HAS_MATPLOTLIB:
        assert path.is_file(), f"no plot at {path}"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"wrote {path}" in stdout
    else:
        assert "matplotlib is not installed" in stdout
        assert not path.exists()


def number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"no match for {pattern!r} in:\n{text}"
    return float(match.group(1))


def test_every_example_is_covered():
    scripts = {p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")}
    covered = {"backprop_by_hand.py", "linear_regression.py", "gradient_descent_family.py",
               "activations.py", "mnist_models.py", "regularization.py", "fit_xor.py",
               "export_onnx.py",
               "adding_problem.py", "char_lm.py"}
    covered |= {"data_parallel.py"}  # runs under mpiexec in tests/distributed/test_ddp.py
    assert scripts <= covered, f"examples without a smoke test: {sorted(scripts - covered)}"


def test_fit_xor(tmp_path):
    out = run_example("fit_xor.py", tmp_path, quick=False)  # takes no options; about 1 s
    predictions = [float(v) for v in re.search(r"predictions: \[(.*)\]", out).group(1).split(",")]
    assert [round(p) for p in predictions] == [0, 1, 1, 0]
    # the docstring: "from about 0.23 to about 0.0002 in 2,000 steps"
    assert number(r"step +0  loss (\S+)", out) == pytest.approx(0.23, abs=0.005)
    assert number(r"step +2000  loss (\S+)", out) == pytest.approx(0.0002, abs=0.00005)


# the figures backprop_by_hand.py's docstring states, by the label of its printed row
BACKPROP_FIGURES = {
    "z1": "[0.6, 1.3]", "a1": "[0.645656, 0.785835]", "a2": "[0.784879, 0.842988]",
    "a3": "[0.920516, 0.946594]", "loss L": "6.82377", "loss after step": "6.81191",
    "delta3 = dL/dz3": "[-0.152148, -0.154361]", "delta2 = dL/dz2": "[-0.0517895, -0.0446556]",
    "delta1 = dL/dz1": "[-0.0130759, -0.011242]",
    "dL/dW3": "[[-0.119418, -0.128259], [-0.121154, -0.130124]]",
    "dL/dW1": "[[-0.0130759, -0.0261517], [-0.011242, -0.022484]]",
    "W3 after step": "[[0.911942, 1.01283], [1.11212, 1.21301]]",
    "b3 after step": "[0.915215, 1.01544]"}


def test_backprop_by_hand(tmp_path):
    out = run_example("backprop_by_hand.py", tmp_path)
    assert number(r"agreement: max \|hand - autograd\| = (\S+) < 1e-06  OK", out) < 1e-6
    doc = " ".join((EXAMPLES / "backprop_by_hand.py").read_text().split('"""')[1].split())
    for label, value in BACKPROP_FIGURES.items():  # stated, and printed twice (hand, autograd)
        assert value in doc, f"{label} = {value} is not in the docstring"
        assert re.search(rf"^{re.escape(label)}\s+{re.escape(value)}\s+{re.escape(value)}\s",
                         out, re.MULTILINE), f"{label}: not {value}\n{out}"


def test_linear_regression(tmp_path):
    out = run_example("linear_regression.py", tmp_path, "--check", quick=False)
    assert "check: all figures as stated" in out
    w = number(r"gradient descent: w = (\S+),", out)
    b = number(r"gradient descent: w = \S+, b = (\S+),", out)
    assert abs(w - 4) < 1e-4 and abs(b + 2) < 1e-4
    assert "least squares:    w = 4.000000, b = -2.000000" in out
    assert "OK" in out
    quick = run_example("linear_regression.py", tmp_path, "--check")
    assert "check: all figures as stated" in quick


def test_gradient_descent_family(tmp_path):
    png = tmp_path / "gd.png"
    out = run_example("gradient_descent_family.py", tmp_path, "--out", str(png), "--check")
    assert "check: all figures as stated" in out  # the docstring's --quick figures
    methods = ["full-batch GD", "SGD (batch 1)", "mini-batch SGD", "momentum", "Nesterov",
               "Adagrad", "RMSprop", "Adam", "Adam + warm-up"]
    for method in methods:
        row = re.search(rf"^{re.escape(method)}\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)", out, re.MULTILINE)
        assert row, f"no row for {method}:\n{out}"
        first, final = float(row.group(2)), float(row.group(3))
        assert math.isfinite(final) and final < first, f"{method}: loss {first} -> {final}"
    assert re.search(r"lr by epoch: 0\.0010, ", out)  # the warm-up starts at 10% of lr 0.01
    check_png(png, out)


def test_activations(tmp_path):
    png = tmp_path / "act.png"
    out = run_example("activations.py", tmp_path, "--out", str(png), "--check", quick=False)
    assert "check: all figures as stated" in out  # the docstring's gradient norms
    assert "autograd derivatives match the formulas at the points checked  OK" in out
    sigmoid = number(r"sigmoid, default init\s+\|dL/dW1\| / \|dL/dW10\| = (\S+)", out)
    he = number(r"ReLU, He init\s+\|dL/dW1\| / \|dL/dW10\| = (\S+)", out)
    assert sigmoid < 1e-5  # vanishing gradient
    assert 0.1 < he < 10  # about the same in every layer
    check_png(png, out)


def test_mnist_models(tmp_path):
    out = run_example("mnist_models.py", tmp_path, "--check")
    assert "check: all figures as stated" in out  # the docstring's --quick accuracies
    for name in ("MLP", "LeNet-5", "ResNet-8"):
        assert re.search(rf"{re.escape(name)}: test accuracy [0-9.]+", out), name


def test_regularization(tmp_path):
    png = tmp_path / "reg.png"
    out = run_example("regularization.py", tmp_path, "--out", str(png), "--check")
    assert "check: all figures as stated" in out  # the docstring's --quick figures
    for name in ("plain", "weight decay", "dropout"):
        row = re.search(rf"^{name}\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)$", out, re.MULTILINE)
        assert row, f"no row for {name}:\n{out}"
        train_acc, val_acc = float(row.group(1)), float(row.group(3))
        assert train_acc == 1.0  # it over-fits: 200 digits learnt by heart
        assert 0.7 < val_acc < train_acc
    assert "dropout vs plain, validation accuracy:" in out
    check_png(png, out)


def test_adding_problem(tmp_path):
    out = run_example("adding_problem.py", tmp_path)
    assert "always answering 1 scores MSE 0.167" in out
    ratio = {kind: number(rf"{kind}\s+at initialisation:.*\(ratio (\S+)\)", out)
             for kind in ("lstm", "rnn")}
    assert 0 < ratio["rnn"] < 1e-3 * ratio["lstm"]  # through the tanh RNN the gradient fades
    assert re.search(r"step\s+20\s+test MSE\s+lstm \d\.\d+\s+rnn \d\.\d+", out)


def test_char_lm(tmp_path):
    text = tmp_path / "text.txt"
    text.write_text("abcabcabd " * 20, encoding="utf-8")
    out = run_example("char_lm.py", tmp_path, "--text", str(text), "--temperature", "0.5")
    assert "200 characters, vocabulary of 5" in out
    sample = out.split("sampled at temperature 0.5:")[1].strip()
    assert len(sample) == 41 and set(sample) <= set("abcd ")


def test_export_onnx(tmp_path):
    import pytest

    pytest.importorskip("onnxruntime", reason="the example runs onnxruntime (the onnx extra)")
    out = run_example("export_onnx.py", tmp_path, "--out", str(tmp_path))
    for batch in (2, 7):
        assert number(rf"lenet5\s+batch {batch}: max \|onnxruntime - retrograd\| = (\S+)", out) < 1e-4
    assert (tmp_path / "lenet5.onnx").is_file()
