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
    scripts = {p.name for p in EXAMPLES.glob("*.py")}
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


def test_backprop_by_hand(tmp_path):
    out = run_example("backprop_by_hand.py", tmp_path)
    assert number(r"agreement: max \|hand - autograd\| = (\S+) < 1e-06  OK", out) < 1e-6
    # the worked example's figures, printed twice (by hand and by autograd)
    assert re.search(r"loss L\s+6\.82377\s+6\.82377", out)
    delta3 = r"\[-0\.152148, -0\.154361\]"
    assert re.search(rf"delta3 = dL/dz3\s+{delta3}\s+{delta3}", out)
    assert re.search(r"loss after step\s+6\.81191\s+6\.81191", out)


def test_linear_regression(tmp_path):
    out = run_example("linear_regression.py", tmp_path)
    w = number(r"gradient descent: w = (\S+),", out)
    b = number(r"gradient descent: w = \S+, b = (\S+),", out)
    assert abs(w - 4) < 1e-4 and abs(b + 2) < 1e-4
    assert "least squares:    w = 4.000000, b = -2.000000" in out
    assert "OK" in out


def test_gradient_descent_family(tmp_path):
    png = tmp_path / "gd.png"
    out = run_example("gradient_descent_family.py", tmp_path, "--out", str(png))
    methods = ["full-batch GD", "SGD (batch 1)", "mini-batch SGD", "momentum", "Nesterov",
               "Adagrad", "RMSprop", "Adam", "Adam + warm-up"]
    finals = {}
    for method in methods:
        row = re.search(rf"^{re.escape(method)}\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)", out, re.MULTILINE)
        assert row, f"no row for {method}:\n{out}"
        first, final = float(row.group(2)), float(row.group(3))
        assert math.isfinite(final) and final < first, f"{method}: loss {first} -> {final}"
        finals[method] = final
    assert re.search(r"lr by epoch: 0\.0010, ", out)  # the warm-up starts at 10% of lr 0.01
    assert finals["momentum"] < finals["full-batch GD"]
    check_png(png, out)


def test_activations(tmp_path):
    png = tmp_path / "act.png"
    out = run_example("activations.py", tmp_path, "--out", str(png))
    assert "autograd derivatives match the formulas at the points checked  OK" in out
    sigmoid = number(r"sigmoid, default init\s+\|dL/dW1\| / \|dL/dW10\| = (\S+)", out)
    he = number(r"ReLU, He init\s+\|dL/dW1\| / \|dL/dW10\| = (\S+)", out)
    assert sigmoid < 1e-5  # vanishing gradient
    assert 0.1 < he < 10  # about the same in every layer
    check_png(png, out)


def test_mnist_models(tmp_path):
    out = run_example("mnist_models.py", tmp_path)
    accuracy = {name: number(rf"{re.escape(name)}: test accuracy ([0-9.]+)", out)
                for name in ("MLP", "LeNet-5", "ResNet-8")}
    assert accuracy["MLP"] > 0.6  # one epoch on 2,000 digits
    assert accuracy["LeNet-5"] > 0.3
    assert 0 <= accuracy["ResNet-8"] <= 1  # 500 digits are too few to promise more


def test_regularization(tmp_path):
    png = tmp_path / "reg.png"
    out = run_example("regularization.py", tmp_path, "--out", str(png))
    for name in ("plain", "weight decay", "dropout"):
        row = re.search(rf"^{name}\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)$", out, re.MULTILINE)
        assert row, f"no row for {name}:\n{out}"
        train_acc, val_acc = float(row.group(1)), float(row.group(3))
        assert train_acc > 0.95  # it over-fits: 200 digits learnt by heart
        assert 0.5 < val_acc < train_acc
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
