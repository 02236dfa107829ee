"""Graph export: DOT and Mermaid are well formed (structural checks that always run, plus the
real parsers, Graphviz's `dot` and mermaid's `parse`, when installed) and match the graph."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import retrograd as rg
import retrograd.nn.functional as F
from retrograd import nn, optim
from retrograd.explain import layer_graph, record_step, to_dot, to_mermaid

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
DOT_NODE = re.compile(rf'^\s*({IDENT}) \[label="((?:[^"\\]|\\.)*)"(.*)\];$')
DOT_EDGE = re.compile(rf"^\s*({IDENT}) -> ({IDENT})( \[.*\])?;$")
MM_NODE = re.compile(rf'^\s*({IDENT})(\(\[|\[/|\[|\()"([^"]*)"(\]\)|/\]|\]|\))$')
MM_EDGE = re.compile(rf'^\s*({IDENT}) (-->|-\.->)(\|[^|]*\|)? ({IDENT})$')


def net_and_loss():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    x, y = rg.randn(5, 3), rg.randn(5, 2)
    return model, F.mse_loss(model(x), y)


def count_graph(t):
    """Ops and leaf tensors behind t, counted independently of the exporter."""
    ops, leaves, stack = set(), set(), [t.grad_fn]
    while stack:
        fn = stack.pop()
        if fn in ops:
            continue
        ops.add(fn)
        for x in fn.inputs:
            if isinstance(x, rg.Tensor):
                (stack.append(x.grad_fn) if x.grad_fn is not None else leaves.add(id(x)))
    return len(ops), len(leaves)


def parse_dot(text):
    lines = text.strip().splitlines()
    assert lines[0] == "digraph retrograd {" and lines[-1] == "}"
    nodes, edges = {}, []
    for line in lines[1:-1]:
        if m := DOT_NODE.match(line):
            assert m.group(1) not in nodes
            nodes[m.group(1)] = m.group(2)
        elif m := DOT_EDGE.match(line):
            edges.append((m.group(1), m.group(2), m.group(3) or ""))
        else:
            assert re.match(r"^\s*(rankdir=\w+|node \[.*\]|edge \[.*\]);$", line), line
    assert all(a in nodes and b in nodes for a, b, _ in edges)
    return nodes, edges


def parse_mermaid(text):
    lines = text.strip().splitlines()
    assert re.match(r"^flowchart (TD|TB|BT|LR|RL)$", lines[0])
    nodes, edges = {}, []
    for line in lines[1:]:
        if m := MM_NODE.match(line):
            assert m.group(1) not in nodes, "node ids are unique"
            nodes[m.group(1)] = m.group(3)
        elif m := MM_EDGE.match(line):
            edges.append((m.group(1), m.group(4), m.group(2), m.group(3) or ""))
        else:
            assert re.match(r"^\s*(classDef \w+ .*;|class [\w,]+ \w+;)$", line), line
    assert all(a in nodes and b in nodes for a, b, _, _ in edges)
    return nodes, edges


@pytest.mark.parametrize("show_backward", [False, True])
def test_dot_structure(show_backward):
    model, loss = net_and_loss()
    params = dict(model.named_parameters())
    nodes, edges = parse_dot(to_dot(loss, show_backward=show_backward, params=params))
    n_ops, n_leaves = count_graph(loss)
    assert len(nodes) == n_ops + n_leaves
    forward = [e for e in edges if "dashed" not in e[2]]
    backward = [e for e in edges if "dashed" in e[2]]
    assert len(forward) == sum(isinstance(x, rg.Tensor) for fn in _ops(loss) for x in fn.inputs)
    labels = list(nodes.values())
    for name, p in params.items():  # parameters named, with their shapes
        assert any(lab.startswith(name + "\\n") and str(tuple(p.shape)) in lab for lab in labels)
    assert any(lab.startswith("Linear\\n(5, 4)") for lab in labels)
    if show_backward:  # reversed copies of the edges the gradient takes (not into the data x, y)
        assert len(backward) == len(forward) - 2
        assert {(b, a) for a, b, _ in backward} <= {(a, b) for a, b, _ in forward}
    else:
        assert not backward


def _ops(t):
    out, stack = [], [t.grad_fn]
    while stack:
        fn = stack.pop()
        if fn not in out:
            out.append(fn)
            stack += [x.grad_fn for x in fn.inputs if isinstance(x, rg.Tensor) and x.grad_fn]
    return out


def test_mermaid_structure():
    model, loss = net_and_loss()
    text = to_mermaid(loss, show_backward=True, params=dict(model.named_parameters()))
    nodes, edges = parse_mermaid(text)
    n_ops, n_leaves = count_graph(loss)
    assert len(nodes) == n_ops + n_leaves
    assert all(label for label in nodes.values())  # every label quoted and non-empty
    assert any(kind == "-.->" and lab == "|grad|" for _, _, kind, lab in edges)
    assert "0.weight<br/>(4, 3)" in nodes.values()


def test_leaf_and_freed_graph():
    w = rg.randn(2, 2, requires_grad=True)
    nodes, edges = parse_mermaid(to_mermaid(w, params={"w": w}))
    assert list(nodes.values()) == ["w<br/>(2, 2)"] and not edges
    y = (w * w).sum()
    _, edges = parse_dot(to_dot(y))
    assert len(edges) == 3  # w feeds Mul twice, Mul feeds Sum
    y.backward()
    with pytest.raises(RuntimeError, match="freed"):
        to_dot(y)


def test_labels_are_escaped():
    x = rg.tensor([1.0, 2.0], requires_grad=True)
    y = x.sum()
    nodes, _ = parse_mermaid(to_mermaid(y, params={'say "hi" <b>': x}))
    assert "say #quot;hi#quot; #lt;b#gt;<br/>(2,)" in nodes.values()
    nodes, _ = parse_dot(to_dot(y, params={'say "hi"': x}))
    assert 'say \\"hi\\"\\n(2,)' in nodes.values()


@pytest.fixture
def record_and_model():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 2), nn.Sigmoid()).double()
    rec = record_step(model, [[1.0, 2.0]], [[0.0, 1.0]], F.mse_loss,
                      optim.SGD(model.parameters(), lr=0.1))
    return model, rec


def test_layer_graph(record_and_model):
    model, rec = record_and_model
    nodes, edges = parse_mermaid(layer_graph(model))
    assert list(nodes.values()) == ["input layer<br/>size 2", "hidden layer 1<br/>size 3<br/>Sigmoid",
                                    "output layer<br/>size 2<br/>Sigmoid"]
    assert [(a, b) for a, b, _, _ in edges] == [("L0", "L1"), ("L1", "L2")]
    nodes, edges = parse_dot(layer_graph(model, rec, fmt="dot"))
    assert "δ = [" in nodes["L2"]
    assert "ΔW = [[" in edges[0][2] and "Δb = [" in edges[0][2]
    update = rec.layers[1].params_after["bias"] - rec.layers[1].params["bias"]
    from retrograd.explain.render import format_array
    assert format_array(update, 4) in edges[1][2]
    with pytest.raises(ValueError, match="fmt"):
        layer_graph(model, fmt="svg")


def _graphs(model, rec):
    _, loss = net_and_loss()
    return {"ops": (to_dot(loss, True), to_mermaid(loss, True)),
            "layers": (layer_graph(model, rec, fmt="dot"), layer_graph(model, rec))}


def _run(args, input=None):
    return subprocess.run(args, input=input, capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` not installed")
def test_graphviz_accepts_the_dot(tmp_path, record_and_model):
    for (dot_text, _) in _graphs(*record_and_model).values():
        res = _run(["dot", "-Tsvg"], input=dot_text)
        assert res.returncode == 0 and "<svg" in res.stdout, res.stderr


MERMAID_PARSE = """
import { pathToFileURL } from 'url';
import { createRequire } from 'module';
import fs from 'fs';
const require = createRequire(process.argv[2] + '/');
const { JSDOM } = require('jsdom');
const dom = new JSDOM('<!DOCTYPE html><body></body>');
globalThis.window = dom.window; globalThis.document = dom.window.document;
const { default: mermaid } = await import(pathToFileURL(require.resolve('mermaid')).href);
try { await mermaid.parse(fs.readFileSync(process.argv[3], 'utf8')); console.log('OK'); }
catch (e) { console.log('ERR ' + e.message); process.exit(1); }
"""


def _mermaid_dir():
    """A node_modules folder holding `mermaid` and `jsdom` (RETROGRAD_MERMAID_DIR, or the repo's)."""
    candidates = [os.environ.get("RETROGRAD_MERMAID_DIR"), Path(__file__).parents[2] / "node_modules"]
    for c in candidates:
        if c and (Path(c) / "mermaid").is_dir() and (Path(c) / "jsdom").is_dir():
            return str(c)
    return None


@pytest.mark.skipif(shutil.which("node") is None or _mermaid_dir() is None,
                    reason="node with mermaid + jsdom not installed (npm install mermaid jsdom; "
                           "set RETROGRAD_MERMAID_DIR to that node_modules)")
def test_mermaid_parser_accepts_the_graphs(tmp_path, record_and_model):
    script = tmp_path / "parse.mjs"
    script.write_text(MERMAID_PARSE)
    for name, (_, mm) in _graphs(*record_and_model).items():
        f = tmp_path / f"{name}.mmd"
        f.write_text(mm)
        res = _run(["node", str(script), _mermaid_dir(), str(f)])
        assert res.returncode == 0 and res.stdout.strip() == "OK", res.stdout + res.stderr
    bad = tmp_path / "bad.mmd"
    bad.write_text("flowchart TD\n  a[[x -->\n")
    res = _run(["node", str(script), _mermaid_dir(), str(bad)])
    assert res.returncode == 1  # the check can fail
