"""record_bptt on models the default example does not cover (holes a mutation run found: the
example's b_hh is 0, its RNN batch-first, one sequence, no initial state): the unrolled forward
must give the model's own output and loss, the record must be a snapshot, and its fields and
JSON the recorded values."""
import json

import numpy as np
import pytest

import retrograd as rg
from retrograd import nn, optim
from retrograd.explain import record_bptt
from retrograd.explain.worked_example import half_sse


class StateModel(nn.Module):
    """An RNN (batch-first or time-major) started from a given state, its final state into a
    head."""

    def __init__(self, batch_first):
        super().__init__()
        self.rnn = nn.RNN(2, 3, batch_first=batch_first, dtype=rg.float64)
        self.head = nn.Linear(3, 1, dtype=rg.float64)
        self.batch_first = batch_first

    def forward(self, x):
        n = x.shape[0] if self.batch_first else x.shape[1]
        h0 = rg.tensor(np.linspace(-0.5, 0.5, 3 * n).reshape(1, n, 3))
        _, h_n = self.rnn(x, h0)
        return self.head(h_n[0])


@pytest.mark.parametrize("batch_first", [True, False])
def test_unrolled_forward_is_the_models_forward(batch_first):
    rg.manual_seed(0)
    model = StateModel(batch_first)
    with rg.no_grad():
        model.rnn.bias_hh_l0.array[...] = [0.3, -0.2, 0.1]  # a b_hh that matters
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 4, 2) if batch_first else (4, 2, 2))
    y = rng.normal(size=(2, 1))
    expected = model(rg.tensor(x)).array.copy()
    expected_loss = float(half_sse(rg.tensor(expected), rg.tensor(y)).item())
    rec = record_bptt(model, x, y, half_sse, optim.SGD(model.parameters(), lr=0.1))
    np.testing.assert_allclose(rec.output, expected, rtol=1e-12)
    assert rec.loss_before == pytest.approx(expected_loss, rel=1e-12)
    np.testing.assert_allclose(rec.steps[0].h_prev, np.linspace(-0.5, 0.5, 6).reshape(2, 3))
    np.testing.assert_allclose(rec.dW_hh, rec.fused_dW_hh, rtol=1e-10, atol=1e-12)
    assert (rec.nonlinearity, rec.rnn_name, rec.optimizer, rec.lr) == ("tanh", "rnn", "SGD", 0.1)


def test_record_is_a_snapshot_and_its_json_holds_its_values():
    from retrograd.explain.bptt_example import default_model

    model = default_model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    x, y = np.array([[[1.0], [0.5], [-1.0]]]), np.array([[0.5]])
    rec = record_bptt(model, x, y, half_sse, opt)
    kept = {k: v.copy() for k, v in rec.params_after.items()}
    before = {k: v.copy() for k, v in rec.params.items()}
    output, fused = rec.output.copy(), rec.fused_dW_hh.copy()
    record_bptt(model, x, y, half_sse, opt)  # the next step updates the parameters in place
    for name in kept:
        np.testing.assert_array_equal(rec.params_after[name], kept[name])
        np.testing.assert_array_equal(rec.params[name], before[name])
    np.testing.assert_array_equal(rec.output, output)
    np.testing.assert_array_equal(rec.fused_dW_hh, fused)
    full = rec.to_dict()
    assert full["steps"][1]["delta_a"] == rec.steps[1].delta_a.tolist()
    assert full["loss_before"] == rec.loss_before and full["nonlinearity"] == "tanh"
    short = json.loads(rec.to_json(digits=3))
    assert short["dW_hh"] == [[float(f"{v:.3g}") for v in row] for row in rec.dW_hh]
    assert short["steps"][0]["t"] == 1 and short["lr"] == 0.1 and short["optimizer"] == "SGD"
    assert rec.to_json().startswith('{\n  "nonlinearity": "tanh",\n')


def _lines(text, prefix):
    return [line.strip() for line in text.splitlines() if line.strip().startswith(prefix)]


def test_text_shows_the_records_numbers_and_formulas():
    from retrograd.explain.bptt_example import run
    from retrograd.explain.render import fmt, format_array

    _, (rec,) = run()
    text = rec.to_text()
    s = rec.steps[2]
    assert _lines(text, "t=3  x_t") == [
        f"t=3  x_t = {format_array(s.x[0])}  h_(t-1) = {format_array(s.h_prev[0])}  "
        f"a_t = {format_array(s.a[0])}  h_t = {format_array(s.h[0])}"]
    assert f"output {format_array(rec.output[0])}   loss L = {fmt(rec.loss_before)}" in text
    assert "h_t = tanh(a_t)" in text and "dL/da_t = dL/dh_t * (1 - h_t^2)" in text
    assert f"dL/dW_hh = sum of the terms = {format_array(rec.dW_hh)}" in text
    diff = float(np.abs(rec.dW_hh - rec.fused_dW_hh).max())
    assert f"(max difference {fmt(diff, 2)})" in text and diff < 1e-12
    assert f"loss before {fmt(rec.loss_before)}, after {fmt(rec.loss_after)}" in text
    assert _lines(text, "head.bias:") == [
        f"head.bias: {format_array(rec.params['head.bias'])} -> "
        f"{format_array(rec.params_after['head.bias'])}"]
    assert rec.to_markdown() == "```\n" + text + "```\n"
    assert "loss L = 0.218" in rec.to_text(3) and "loss L = 0.218047\n" not in rec.to_text(3)
    _, (relu,) = run([[1.0], [-2.0], [0.5]], [1.0], nonlinearity="relu")
    text = relu.to_text()
    assert "h_t = relu(a_t)" in text and "dL/da_t = dL/dh_t * [a_t > 0]" in text


def test_unrolled_graph_labels_carry_the_records_numbers():
    from test_explain_graph import parse_dot, parse_mermaid

    from retrograd.explain import unrolled_graph
    from retrograd.explain.bptt_example import run
    from retrograd.explain.render import fmt, format_array

    _, (rec,) = run()
    nodes, edges = parse_dot(unrolled_graph(rec, "dot"))
    s = rec.steps[1]
    assert nodes["h0"] == "h_0\\n[0, 0]"
    assert nodes["h2"] == f"h_2 = {format_array(s.h[0], 3)}\\ndL/dh = {format_array(s.delta_h[0], 3)}"
    assert nodes["x3"] == "x_3\\n[-1]"
    assert nodes["out"] == f"output\\n{format_array(rec.output[0], 3)}\\nL = {fmt(rec.loss_before, 3)}"
    labels = {(a, b): lab for a, b, lab in edges}
    assert f"norm of its term {fmt(np.linalg.norm(s.dW_hh), 3)}" in labels[("h1", "h2")]
    assert "W_ih" in labels[("x2", "h2")] and ("h3", "out", "") in edges
    assert sum('label="grad"' in lab for lab in labels.values()) == 7  # 3 x, 3 h, the output
    mermaid = unrolled_graph(rec)
    assert mermaid.startswith("flowchart LR\n") and mermaid == unrolled_graph(rec, "mermaid", 3)
    assert f"h_2 = {format_array(s.h[0], 4)}" in unrolled_graph(rec, "mermaid", 4)


def test_record_step_dispatches_with_the_same_target():
    from retrograd.explain import record_step
    from retrograd.explain.bptt_example import default_model

    x, y = np.array([[[1.0], [0.5], [-1.0]]]), np.array([[0.25]])
    model = default_model()
    direct = record_bptt(model, x, y, half_sse, optim.SGD(model.parameters(), lr=0.1))
    model = default_model()
    via = record_step(model, x, y, half_sse, optim.SGD(model.parameters(), lr=0.1))
    assert via.loss_before == direct.loss_before and via.loss_after == direct.loss_after
