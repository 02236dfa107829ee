"""The glass box for backpropagation through time: the recorded numbers against the formulas,
the fused backward and the update; the command and the unrolled graph."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import retrograd as rg
from retrograd import explain, optim
from retrograd.explain.bptt_example import default_model, run
from retrograd.explain.worked_example import half_sse


def test_record_matches_the_formulas_and_the_fused_backward():
    model, (rec,) = run()
    steps = rec.steps
    assert [s.t for s in steps] == [1, 2, 3]
    w_hh, w_ih = rec.params["rnn.weight_hh_l0"], rec.params["rnn.weight_ih_l0"]
    bias = rec.params["rnn.bias_ih_l0"] + rec.params["rnn.bias_hh_l0"]
    for s in steps:  # forward: a_t = W_ih x_t + W_hh h_(t-1) + b, h_t = tanh(a_t)
        np.testing.assert_allclose(s.a, s.x @ w_ih.T + s.h_prev @ w_hh.T + bias, atol=1e-12)
        np.testing.assert_allclose(s.h, np.tanh(s.a), atol=1e-12)
        np.testing.assert_allclose(s.delta_a, s.delta_h * (1 - s.h ** 2), atol=1e-12)
        np.testing.assert_allclose(s.dW_hh, s.delta_a.T @ s.h_prev, atol=1e-12)
        np.testing.assert_allclose(s.dW_ih, s.delta_a.T @ s.x, atol=1e-12)
    # the error flowing into h_T comes from the head; into h_t (t < T) from a_(t+1)
    head_w = rec.params["head.weight"]
    np.testing.assert_allclose(steps[-1].delta_h, (rec.output - [[0.5]]) @ head_w, atol=1e-12)
    for s, nxt in zip(steps[:-1], steps[1:]):
        np.testing.assert_allclose(s.delta_h, nxt.delta_a @ w_hh, atol=1e-12)
    np.testing.assert_allclose(rec.dW_hh, rec.grads["rnn.weight_hh_l0"], atol=1e-12)
    np.testing.assert_allclose(rec.dW_hh, rec.fused_dW_hh, atol=1e-12)
    assert np.abs(steps[0].dW_hh).max() == 0  # h_0 = 0: the first step adds nothing to dW_hh
    for name, p in rec.params.items():
        np.testing.assert_allclose(rec.params_after[name], p - 0.1 * rec.grads[name], atol=1e-12)
    assert rec.loss_after < rec.loss_before


def test_record_step_dispatches_and_leaves_the_module_as_it_was():
    model = default_model()
    x, y = np.array([[[1.0], [2.0]]]), np.array([[0.0]])
    rec = explain.record_step(model, x, y, half_sse, optim.SGD(model.parameters(), lr=0.01))
    assert isinstance(rec, explain.BPTTRecord) and len(rec.steps) == 2
    assert "forward" not in model.rnn.__dict__  # the fused forward is back
    with pytest.raises(ValueError, match="one-layer"):
        m = default_model()
        m.rnn = rg.nn.RNN(1, 2, num_layers=2, batch_first=True, dtype=rg.float64)
        explain.record_bptt(m, x, y, half_sse, optim.SGD(m.parameters(), lr=0.01))


def test_relu_rnn_and_unrolled_graph():
    _, (rec,) = run([[1.0], [-2.0], [0.5], [1.5]], [1.0], nonlinearity="relu")
    for s in rec.steps:
        np.testing.assert_allclose(s.delta_a, s.delta_h * (s.a > 0), atol=1e-12)
    mermaid = explain.unrolled_graph(rec, "mermaid")
    assert mermaid.startswith("flowchart LR") and mermaid.count("-->|\"W_hh") == 4
    assert "h4 --> out" in mermaid and "h4 -.->|grad| h3" in mermaid
    dot = explain.unrolled_graph(rec, "dot")
    assert dot.startswith("digraph") and 'h3 -> h4 [label="W_hh' in dot


def test_command_prints_the_steps(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "retrograd.cli", "explain", "--model", "rnn",
                           "--graph", "mermaid", "--steps", "2"], capture_output=True, text=True,
                          check=False, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("Backpropagation through time") == 2
    assert "(max difference" in proc.stdout and "flowchart LR" in proc.stdout
    bad = subprocess.run([sys.executable, "-m", "retrograd.cli", "explain", "--model", "rnn",
                          "--activation", "sigmoid"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "tanh or relu" in bad.stderr
