"""`retrograd explain`: every printed number equals autograd's and an independent NumPy
computation (to the 6 significant digits printed; to 1e-9 in full-precision JSON)."""
import argparse
import itertools
import json
import math
import re

import numpy as np
import pytest
from explain_reference import backprop

import retrograd.io as rio
from retrograd import nn
from retrograd.explain import cli
from retrograd.explain.render import fmt
from retrograd.explain.worked_example import default_network, explain_text, run_example

LAYERS = [(np.array([[0.1, 0.2], [0.3, 0.4]]), np.array([0.1, 0.2])),
          (np.array([[0.5, 0.6], [0.7, 0.8]]), np.array([0.5, 0.6])),
          (np.array([[0.9, 1.0], [1.1, 1.2]]), np.array([0.9, 1.0]))]
X, Y = np.array([[1.0, 2.0]]), np.array([[3.0, 4.0]])


def run(capsys, *argv) -> str:
    assert cli.main(list(argv)) == 0
    return capsys.readouterr().out


def parse_text(out: str) -> dict[str, object]:
    """name -> printed value (nested lists / float) for every quantity of the text output."""
    vals, lines = {}, out.splitlines()
    for i, line in enumerate(lines):
        s = line.strip()
        m = re.match(r"^(z_\d+|a_\d+|dL/d[Wb]_\d+|[Wb]_\d+ <-) .* = (\[.*\])$", s)
        if m:
            vals[m.group(1).replace(" <-", "_after")] = json.loads(m.group(2))
        m = re.match(r"^(delta_\d+) = ", s)
        if m:
            vals[m.group(1)] = json.loads(lines[i + 1].strip().lstrip("= "))
        m = re.match(r"^Loss (before|after) the step: +(\S+)", s)
        if m:
            vals[f"loss_{m.group(1)}"] = float(m.group(2))
        m = re.match(r"^L = .* = (\S+)$", s)
        if m:
            vals["L"] = float(m.group(1))
    return vals


def reference_values(acts, loss="half_sse", lr=0.1, layers=LAYERS, x=X, y=Y):
    ref, L, L_after = backprop(layers, x, y, acts, loss, lr)
    out = {"L": L, "loss_before": L, "loss_after": L_after}
    for l, r in enumerate(ref, start=1):
        out.update({f"z_{l}": r["z"][0], f"a_{l}": r["a"][0], f"delta_{l}": r["delta"][0],
                    f"dL/dW_{l}": r["dW"], f"dL/db_{l}": r["db"], f"W_{l}_after": r["W_after"],
                    f"b_{l}_after": r["b_after"]})
    return out


def assert_printed(printed, exact, digits=6):
    """``printed`` is ``exact`` shown with ``digits`` significant digits (so within half a unit
    of the last digit: a relative error of at most 5e-6 for 6 digits)."""
    p, e = np.asarray(printed, float), np.asarray(exact, float)
    assert p.shape == e.shape
    tol = 0.5 * 10.0 ** (np.floor(np.log10(np.maximum(np.abs(e), 1e-300))) - (digits - 1))
    assert np.all(np.abs(p - e) <= tol * (1 + 1e-9) + 1e-15), (p, e)


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
def test_text_numbers_equal_numpy_and_autograd(capsys, act):
    out = run(capsys, "--activation", act)
    printed = parse_text(out)
    ref = reference_values([act] * 3)
    assert set(ref) <= set(printed), set(ref) - set(printed)
    for key, value in ref.items():
        assert_printed(printed[key], value)
    # ... and they are exactly autograd's numbers, formatted
    model, x, y = default_network(act)
    (rec,) = run_example(model, x, y)
    assert printed["delta_1"] == [float(fmt(v)) for v in rec.layers[0].delta[0]]
    assert printed["loss_after"] == float(fmt(rec.loss_after))
    assert "1/2 * sum((y - y_hat)^2)" in out and "not a mean" in out


def test_default_example_known_values(capsys):
    printed = parse_text(run(capsys))
    assert printed["z_1"] == [0.6, 1.3]
    assert printed["a_1"] == [0.645656, 0.785835]  # sigmoid(0.6), sigmoid(1.3)
    assert printed["loss_before"] == pytest.approx(6.82377, abs=1e-5)
    assert printed["loss_after"] < printed["loss_before"]


def test_json_full_precision_to_1e9(capsys):
    d = json.loads(run(capsys, "--format", "json", "--digits", "17"))
    (step,) = d["steps"]
    ref, L, L_after = backprop(LAYERS, X, Y, ["sigmoid"] * 3, "half_sse", 0.1)
    assert abs(step["loss_before"] - L) < 1e-9 and abs(step["loss_after"] - L_after) < 1e-9
    for lay, r in zip(step["layers"], ref):
        np.testing.assert_allclose(lay["delta"], r["delta"], atol=1e-9, rtol=0)
        np.testing.assert_allclose(lay["params"]["weight"]["grad"], r["dW"], atol=1e-9, rtol=0)
        np.testing.assert_allclose(lay["params"]["bias"]["after"], r["b_after"], atol=1e-9, rtol=0)


def test_cross_entropy(capsys):
    out = run(capsys, "--loss", "cross-entropy", "--target", "1")
    assert "softmax" in out and "one-hot or a probability vector" in out
    printed = parse_text(out)
    ref = reference_values(["sigmoid", "sigmoid", "none"], "ce", y=np.array([[0.0, 1.0]]))
    for key, value in ref.items():
        assert_printed(printed[key], value)
    prob = run(capsys, "--loss", "cross-entropy", "--target", "0.25,0.75", "--format", "json",
               "--digits", "17")
    d = json.loads(prob)
    assert "softmax" in d["description"]
    _, L, _ = backprop(LAYERS, X, np.array([[0.25, 0.75]]), ["sigmoid", "sigmoid", "none"], "ce")
    assert abs(d["steps"][0]["loss_before"] - L) < 1e-9


def test_steps_chain_and_lr(capsys):
    d = json.loads(run(capsys, "--steps", "3", "--lr", "0.5", "--format", "json", "--digits", "17"))
    steps = d["steps"]
    assert len(steps) == 3 and steps[0]["lr"] == 0.5
    for a, b in itertools.pairwise(steps):
        assert a["loss_after"] == pytest.approx(b["loss_before"], rel=1e-12)
    layers = LAYERS
    for s in steps:  # NumPy repeats the three steps
        ref, L, L_after = backprop(layers, X, Y, ["sigmoid"] * 3, "half_sse", 0.5)
        assert abs(s["loss_before"] - L) < 1e-9 and abs(s["loss_after"] - L_after) < 1e-9
        layers = [(r["W_after"], r["b_after"]) for r in ref]
    text = run(capsys, "--steps", "2")
    assert "===== Step 2 =====" in text and "Loss per step:" in text


@pytest.mark.parametrize("fmt_", ["markdown", "latex"])
def test_markdown_and_latex(capsys, fmt_):
    out = run(capsys, "--format", fmt_, "--steps", "2")
    assert "6.82377" in out and "softmax" not in out
    assert ("| `delta_3` |" in out) if fmt_ == "markdown" else (r"\delta_{3}" in out)


def test_graph_option(capsys):
    out = run(capsys, "--graph", "mermaid")
    assert "flowchart LR" in out and "output layer" in out


def test_from_safetensors(tmp_path, capsys):
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    path = tmp_path / "m.safetensors"
    rio.save(model, str(path))
    x = np.array([[0.5, -1.0, 2.0]])
    np.save(tmp_path / "x.npy", x)
    out = run(capsys, "--from", str(path), "--input", str(tmp_path / "x.npy"), "--target",
              "0.25,-0.5", "--activation", "tanh", "--output-activation", "none", "--format",
              "json", "--digits", "17")
    layers = [(model[0].weight.array, model[0].bias.array), (model[2].weight.array, model[2].bias.array)]
    ref, L, L_after = backprop(layers, x, np.array([[0.25, -0.5]]), ["tanh", "none"], "half_sse")
    step = json.loads(out)["steps"][0]
    assert [lay["module"] for lay in step["layers"]] == ["Linear(3 -> 4)", "Linear(4 -> 2)"]
    assert abs(step["loss_before"] - L) < 1e-9 and abs(step["loss_after"] - L_after) < 1e-9
    for lay, r in zip(step["layers"], ref):
        np.testing.assert_allclose(lay["params"]["weight"]["after"], r["W_after"], atol=1e-9)
    text = run(capsys, "--from", str(path), "--input", "0.5,-1,2", "--target", "0.25,-0.5")
    assert "Network: 3 -> 4 -> 2" in text


@pytest.mark.parametrize("argv, message", [
    (["--input", "1,2,3"], "3 features"),
    (["--target", "1"], "1 values per sample"),
    (["--loss", "cross-entropy", "--target", "3,4"], "probability target"),
    (["--steps", "0"], "at least 1"),
    (["--input", "missing.npy"], "not found"),
    (["--input", "a,b"], "comma-separated"),
    (["--from", "nowhere.safetensors", "--input", "1", "--target", "1"], "nowhere"),
])
def test_errors(capsys, argv, message):
    assert cli.main(argv) == 2
    assert message in capsys.readouterr().err


def test_subparser_wiring(capsys):
    parser = argparse.ArgumentParser(prog="retrograd")
    sub = parser.add_subparsers(dest="command")
    cli.add_explain_parser(sub)
    args = parser.parse_args(["explain", "--activation", "tanh"])
    assert args.run is args.func is cli.run_explain and args.run(args) == 0
    assert "tanh" in capsys.readouterr().out


def test_retrograd_command(capsys):
    from retrograd.cli import main

    assert main(["explain", "--steps", "1"]) == 0
    assert "Loss after the step" in capsys.readouterr().out


def test_explain_text_of_records_is_the_cli_text(capsys):
    model, x, y = default_network()
    assert explain_text(run_example(model, x, y)) == run(capsys)
    assert math.isclose(parse_text(run(capsys, "--digits", "3"))["loss_before"], 6.82, abs_tol=1e-12)


@pytest.mark.parametrize("loss, ref_loss, out_act", [("mse", "half_sse", "sigmoid"),
                                                      ("cross-entropy", "ce", "none")])
def test_several_samples_and_outputs_match_numpy(tmp_path, capsys, loss, ref_loss, out_act):
    """4 samples, 3 outputs: 1/2 * sum differs from a mean here (with 1 sample and 2 outputs the
    two agree), and the gradients sum over the samples."""
    rng = np.random.default_rng(3)
    model = nn.Sequential(nn.Linear(3, 5), nn.Sigmoid(), nn.Linear(5, 3)).double()
    rio.save(model, str(tmp_path / "m.safetensors"))
    x = rng.normal(size=(4, 3))
    y = rng.normal(size=(4, 3)) if loss == "mse" else np.eye(3)[[0, 2, 1, 2]]
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    out = run(capsys, "--from", str(tmp_path / "m.safetensors"), "--input", str(tmp_path / "x.npy"),
              "--target", str(tmp_path / "y.npy"), "--loss", loss, "--output-activation",
              out_act, "--lr", "0.3", "--format", "json", "--digits", "17")
    layers = [(model[0].weight.array, model[0].bias.array), (model[2].weight.array, model[2].bias.array)]
    ref, L, L_after = backprop(layers, x, y, ["sigmoid", out_act], ref_loss, lr=0.3)
    step = json.loads(out)["steps"][0]
    assert step["loss_before"] == pytest.approx(L, rel=1e-12)
    assert step["loss_after"] == pytest.approx(L_after, rel=1e-12)
    for lay, r in zip(step["layers"], ref):
        np.testing.assert_allclose(lay["Z"], r["z"], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(lay["delta"], r["delta"], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(lay["params"]["weight"]["grad"], r["dW"], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(lay["params"]["bias"]["grad"], r["db"], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(lay["params"]["weight"]["after"], r["W_after"], rtol=1e-10)
    text = run(capsys, "--from", str(tmp_path / "m.safetensors"), "--input", str(tmp_path / "x.npy"),
               "--target", str(tmp_path / "y.npy"), "--loss", loss, "--output-activation", out_act,
               "--lr", "0.3")
    assert_printed(parse_text(text)["loss_before"], L)
