"""Graph export contracts that the structural tests do not reach (holes a mutation run found):
node kinds, unnamed leaves, layer sizes of images, the number of values shown, and that the
layer view draws no gradient edges."""
import numpy as np
from test_explain_graph import parse_dot, parse_mermaid

import retrograd as rg
import retrograd.nn.functional as F
from retrograd import nn, optim
from retrograd.explain import layer_graph, record_step
from retrograd.explain.graph import build_graph


def test_node_kinds_and_unnamed_leaves():
    w = rg.tensor([[0.5, -1.0]], requires_grad=True)
    x = rg.tensor([[1.0, 2.0]])
    h = x @ w.T
    y = (h * x).sum()  # x used twice: one node
    graph = build_graph(y, params={"w": w, "h": h})
    kinds = {tuple(n.label): n.kind for n in graph.nodes}
    assert kinds[("w", "(1, 2)")] == "param" and kinds[("constant", "(1, 2)")] == "const"
    assert sum(n.label[0] == "constant" for n in graph.nodes) == 1
    ops = [n for n in graph.nodes if n.kind in ("op", "output")]
    assert [n.kind for n in ops].count("output") == 1 and ops[-1].kind == "output"
    assert any(n.label[-1] == "h" for n in ops)  # an op's output named in params
    assert not any(n.label[-1] == "h" for n in ops if n.label[1] == "()")
    unnamed = build_graph((w * 2.0).sum())
    assert ("leaf", "(1, 2)") in [tuple(n.label) for n in unnamed.nodes if n.kind == "param"]


def test_layer_graph_of_images_and_output_node():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Conv2d(2, 1, 1)).double()
    x = np.random.default_rng(0).normal(size=(2, 1, 6, 6))
    rec = record_step(model, x, np.zeros((2, 1, 4, 4)), F.mse_loss,
                      optim.SGD(model.parameters(), lr=0.1))
    text = layer_graph(model, rec, fmt="dot")
    nodes, edges = parse_dot(text)
    assert nodes["L0"].startswith("input layer\\nsize 1×6×6")
    assert nodes["L1"].startswith("hidden layer 1\\nsize 2×4×4\\nReLU\\n")
    assert nodes["L2"].startswith("output layer\\nsize 1×4×4\\n‖δ‖")  # no activation line
    assert "0: Conv2d(1 -> 2, 3x3)" in edges[0][2]
    assert "rankdir=LR;" in text and "dashed" not in text and '"grad"' not in text
    assert 'L2 [label=' in text and 'style="rounded,bold"' in text.split("L2 [label=")[1]
    assert 'style="rounded,bold"' not in text.split("L1 [label=")[1].split("\n")[0]
    assert layer_graph(model, rec).startswith("flowchart LR\n")


class Scale(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.gain = nn.Parameter(rg.ones(n, dtype=rg.float64))

    def forward(self, x):
        return x * self.gain


def test_layer_graph_shows_up_to_six_values_and_names_other_parameters():
    model = nn.Sequential(nn.Linear(7, 1), Scale(1)).double()  # ΔW: 7 numbers, Δgain: 1
    rec = record_step(model, np.ones((1, 7)), np.zeros((1, 1)), F.mse_loss,
                      optim.SGD(model.parameters(), lr=0.1))
    _, edges = parse_dot(layer_graph(model, rec, fmt="dot"))
    assert "‖ΔW‖ = " in edges[0][2] and "Δb = [" in edges[0][2]
    assert "Δgain = [" in edges[1][2]
    _, edges = parse_dot(layer_graph(model, rec, fmt="dot", max_show=7))
    assert "ΔW = [-" in edges[0][2]


def test_escaping_classes_and_default_direction():
    from retrograd.explain import to_dot, to_mermaid

    w = rg.tensor([1.0, 2.0], requires_grad=True)
    y = (w * 3.0).sum()
    text = to_mermaid(y, params={"a&b": w})
    assert "-.->" not in text  # no gradient edges unless asked
    assert '"a#amp;b<br/>(2,)"' in text
    lines = text.splitlines()
    assert "    class t0 param;" in lines and "    class op1 output;" in lines
    assert not any(line.strip().startswith("class") and "const" in line.split()[-1] for line in lines)
    dot = to_dot(y, params={"C:\\tmp": w})
    assert '"C:\\\\tmp\\n(2,)"' in dot and "rankdir=TB;" in dot and 'fontname="Helvetica"' in dot


def test_layer_graph_norms_are_the_updates_norms():
    from retrograd.explain.render import fmt

    model = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2)).double()
    x = np.random.default_rng(1).normal(size=(5, 4))
    rec = record_step(model, x, np.zeros((5, 2)), F.mse_loss, optim.SGD(model.parameters(), lr=0.1))
    _, edges = parse_dot(layer_graph(model, rec, fmt="dot", digits=3))
    dw = rec.layers[0].params_after["weight"] - rec.layers[0].params["weight"]
    assert f"‖ΔW‖ = {fmt(float(np.linalg.norm(dw)), 3)}" in edges[0][2]
    nodes, _ = parse_dot(layer_graph(model, rec, fmt="dot", digits=3))
    assert f"‖δ‖ = {fmt(float(np.linalg.norm(rec.layers[1].delta)), 3)}" in nodes["L2"]
    one = record_step(model, x[:1], np.zeros((1, 2)), F.mse_loss, optim.SGD(model.parameters(), lr=0.1))
    nodes, _ = parse_dot(layer_graph(model, one, fmt="dot", digits=3))
    assert "δ = [" in nodes["L2"] and "δ = [[" not in nodes["L2"]  # one sample: a flat vector


def test_layer_graph_without_a_record_names_the_layers():
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    nodes, edges = parse_dot(layer_graph(model, fmt="dot"))
    assert [e[2] for e in edges] == [' [label="0: Linear"]', ' [label="2: Linear"]']
    assert nodes["L0"].endswith("size 4") and nodes["L2"].startswith("output layer\\nsize 2")
