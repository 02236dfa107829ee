"""Export the graph behind a tensor (op level) or a model (layer level) as Mermaid or DOT.

``to_mermaid(loss)`` / ``to_dot(loss)`` walk ``loss.grad_fn`` back to the leaves: every op node is
labelled with its name and output shape, every leaf tensor with its parameter name (when
``params`` is given) and shape; ``show_backward=True`` adds the dashed, reversed edges along
which the gradient flows. ``layer_graph(model, record)`` draws input -> hidden -> output layers.

>>> x = Tensor([[1.0, 2.0]]); w = Tensor([[0.5, -1.0]], requires_grad=True)
>>> print(to_mermaid((x @ w.T).sum(), params={"w": w}).splitlines()[0])
flowchart TD
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..tensor import Tensor

if TYPE_CHECKING:  # pragma: no cover
    from .record import StepRecord

_FREED = ("the graph behind this tensor was freed by backward(); export it before calling "
          "backward(), or call backward(retain_graph=True)")


@dataclass
class Node:
    id: str
    label: list[str]  # lines
    kind: str  # "op", "param" (leaf that requires grad), "const" (leaf that does not), "output"


@dataclass
class Graph:
    """Nodes and edges of a computational graph; edges are (src, dst, gradient flows)."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[tuple[str, str, bool]] = field(default_factory=list)
    edge_labels: dict[tuple[str, str], list[str]] = field(default_factory=dict)


def _shape(shape) -> str:
    return "(" + ", ".join(str(int(s)) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def build_graph(tensor: Tensor, params: Mapping[str, Tensor] | None = None) -> Graph:
    """The op nodes and leaf tensors reachable from ``tensor`` (inputs before the ops using them)."""
    names = {id(t): n for n, t in (params or {}).items()}
    graph, op_ids, leaf_ids = Graph(), {}, {}

    def leaf_id(t: Tensor) -> str:
        if id(t) not in leaf_ids:
            leaf_ids[id(t)] = nid = f"t{len(leaf_ids)}"
            name = names.get(id(t)) or ("leaf" if t.requires_grad else "constant")
            kind = "param" if t.requires_grad else "const"
            graph.nodes.append(Node(nid, [name, _shape(t.shape)], kind))
        return leaf_ids[id(t)]

    if tensor.grad_fn is None:
        leaf_id(tensor)
        return graph
    # iterative post-order: a node is emitted after all of its inputs
    stack, done = [(tensor.grad_fn, False)], set()
    while stack:
        fn, expanded = stack.pop()
        if fn in done:
            continue
        if fn.inputs is None:
            raise RuntimeError(_FREED)
        if not expanded:
            stack.append((fn, True))
            for x in reversed(fn.inputs):
                if isinstance(x, Tensor) and x.grad_fn is not None and x.grad_fn not in done:
                    stack.append((x.grad_fn, False))
            continue
        done.add(fn)
        srcs = [(op_ids[x.grad_fn] if x.grad_fn is not None else leaf_id(x), bool(x.requires_grad))
                for x in fn.inputs if isinstance(x, Tensor)]
        nid = op_ids[fn] = f"op{len(op_ids)}"
        out = fn.output()
        shape = _shape(out.shape) if out is not None else "?"
        label = [fn.name, shape] + ([names[id(out)]] if out is not None and id(out) in names else [])
        graph.nodes.append(Node(nid, label, "output" if fn is tensor.grad_fn else "op"))
        graph.edges += [(src, nid, flows) for src, flows in srcs]
    return graph


# ----- Mermaid ------------------------------------------------------------------------------
def _mermaid_text(lines: list[str]) -> str:
    esc = [s.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
           for s in lines]
    return '"' + "<br/>".join(esc) + '"'


_MERMAID_SHAPES = {"op": ("(", ")"), "output": ("([", "])"), "param": ("[", "]"), "const": ("[/", "/]")}
_MERMAID_CLASSES = ("classDef param fill:#dbeafe,stroke:#1d4ed8;\n"
                    "    classDef const fill:#f3f4f6,stroke:#6b7280;\n"
                    "    classDef output stroke-width:3px;")


def _graph_to_mermaid(graph: Graph, show_backward: bool, direction: str = "TD") -> str:
    out = [f"flowchart {direction}"]
    for n in graph.nodes:
        left, right = _MERMAID_SHAPES[n.kind]
        out.append(f"    {n.id}{left}{_mermaid_text(n.label)}{right}")
    for src, dst, _ in graph.edges:
        label = graph.edge_labels.get((src, dst))
        out.append(f"    {src} -->|{_mermaid_text(label)}| {dst}" if label else f"    {src} --> {dst}")
    if show_backward:
        for src, dst, flows in graph.edges:
            if flows:
                out.append(f"    {dst} -.->|grad| {src}")
    out.append("    " + _MERMAID_CLASSES)
    for kind in ("param", "const", "output"):
        ids = [n.id for n in graph.nodes if n.kind == kind]
        if ids:
            out.append(f"    class {','.join(ids)} {kind};")
    return "\n".join(out) + "\n"


def to_mermaid(tensor: Tensor, show_backward: bool = False,
               params: Mapping[str, Tensor] | None = None) -> str:
    """A Mermaid ``flowchart`` of the graph behind ``tensor``.

    Ops are rounded boxes labelled ``name`` and output shape (the root a stadium), parameters
    (leaves that require grad; named from ``params``, e.g. ``dict(model.named_parameters())``)
    blue boxes, constants grey parallelograms. ``show_backward`` adds dashed ``grad`` edges from
    each op back to the inputs the gradient flows to.
    """
    return _graph_to_mermaid(build_graph(tensor, params), show_backward)


# ----- DOT ----------------------------------------------------------------------------------
def _dot_text(lines: list[str]) -> str:
    return '"' + "\\n".join(s.replace("\\", "\\\\").replace('"', '\\"') for s in lines) + '"'


_DOT_STYLE = {
    "op": 'shape=box, style="rounded"',
    "output": 'shape=box, style="rounded,bold"',
    "param": 'shape=box, style=filled, fillcolor="#dbeafe"',
    "const": 'shape=box, style=filled, fillcolor="#f3f4f6"',
}


def _graph_to_dot(graph: Graph, show_backward: bool, rankdir: str = "TB") -> str:
    out = ["digraph retrograd {", f"    rankdir={rankdir};", '    node [fontname="Helvetica"];']
    for n in graph.nodes:
        out.append(f"    {n.id} [label={_dot_text(n.label)}, {_DOT_STYLE[n.kind]}];")
    for src, dst, _ in graph.edges:
        label = graph.edge_labels.get((src, dst))
        out.append(f"    {src} -> {dst} [label={_dot_text(label)}];" if label else f"    {src} -> {dst};")
    if show_backward:
        for src, dst, flows in graph.edges:
            if flows:
                out.append(f'    {dst} -> {src} [style=dashed, color="#dc2626", label="grad", '
                           "constraint=false];")
    out.append("}")
    return "\n".join(out) + "\n"


def to_dot(tensor: Tensor, show_backward: bool = False,
           params: Mapping[str, Tensor] | None = None) -> str:
    """A Graphviz DOT digraph of the graph behind ``tensor`` (see ``to_mermaid``); render it with
    ``dot -Tsvg graph.dot -o graph.svg``."""
    return _graph_to_dot(build_graph(tensor, params), show_backward)


# ----- layer-level view ---------------------------------------------------------------------
def _summary(sym: str, a: np.ndarray, digits: int, max_show: int) -> str:
    """``δ = [..]`` for a few numbers, else ``‖δ‖ = ..`` (the L2 norm)."""
    from .render import fmt, format_array

    a = np.asarray(a)
    if a.size <= max_show:
        return f"{sym} = " + format_array(a.reshape(-1) if a.ndim > 1 and a.shape[0] == 1 else a, digits)
    return f"‖{sym}‖ = " + fmt(float(np.linalg.norm(a)), digits)


def _layer_specs(model, record: StepRecord | None) -> list[tuple[str, str, str, list[str]]]:
    """(name, module description, output size, activations) per layer, plus the input size."""
    from .record import in_out, layer_groups

    if record is not None:
        return [(lr.name, lr.module, _size(lr.a.shape[1:]), lr.activation) for lr in record.layers]
    specs = []
    for name, module, acts in layer_groups(model):
        sizes = in_out(module)
        specs.append((name, type(module).__name__, str(sizes[1]) if sizes else "?", acts))
    return specs


def _size(shape) -> str:
    return "×".join(str(int(s)) for s in shape) if len(shape) else "1"


def _input_size(model, record: StepRecord | None) -> str:
    if record is not None:
        return _size(record.layers[0].a_prev.shape[1:])
    from .record import in_out, layer_groups

    groups = layer_groups(model)
    sizes = in_out(groups[0][1]) if groups else None
    return str(sizes[0]) if sizes else "?"


def layer_graph(model, record: StepRecord | None = None, fmt: str = "mermaid",
                digits: int = 4, max_show: int = 6) -> str:
    """A compact layer-level view of a network of layers in sequence, as Mermaid or DOT.

    Nodes are the input layer, each hidden layer and the output layer with their sizes (and
    activations); edges are the parametrised modules between them. Given a ``StepRecord`` each
    layer node also shows its error ``δ = ∂L/∂z`` and each edge the updates ``ΔW = W' - W`` and
    ``Δb`` the optimizer applied (values for at most ``max_show`` numbers, else the norm).
    """
    if fmt not in ("mermaid", "dot"):
        raise ValueError(f"layer_graph: fmt must be 'mermaid' or 'dot', got {fmt!r}")
    specs = _layer_specs(model, record)
    if not specs:
        raise ValueError("layer_graph: the model has no parametrised layers")
    graph = Graph(nodes=[Node("L0", ["input layer", f"size {_input_size(model, record)}"], "const")])
    for i, (name, module, size, acts) in enumerate(specs, start=1):
        role = "output layer" if i == len(specs) else f"hidden layer {i}"
        label = [role, f"size {size}"] + ([" → ".join(acts)] if acts else [])
        edge = [f"{name}: {module}"]
        if record is not None:
            lr = record.layers[i - 1]
            label.append(_summary("δ", lr.delta, digits, max_show))
            for pname in lr.params:
                sym = {"weight": "ΔW", "bias": "Δb"}.get(pname, f"Δ{pname}")
                edge.append(_summary(sym, lr.params_after[pname] - lr.params[pname], digits,
                                     max_show))
        graph.nodes.append(Node(f"L{i}", label, "output" if i == len(specs) else "op"))
        graph.edges.append((f"L{i - 1}", f"L{i}", True))
        graph.edge_labels[(f"L{i - 1}", f"L{i}")] = edge
    if fmt == "mermaid":
        return _graph_to_mermaid(graph, False, direction="LR")
    return _graph_to_dot(graph, False, rankdir="LR")
