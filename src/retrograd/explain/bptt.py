"""Backpropagation through time, every number shown: one training step of a one-layer RNN
unrolled over its time steps.

For each step t the record holds x_t, the state h_t = f(a_t) with a_t = W_ih x_t + b_ih +
W_hh h_{t-1} + b_hh, the error flowing back into the state, dL/dh_t (from the output at t, if the
model uses it, and from h_{t+1}), the pre-activation error dL/da_t = dL/dh_t * f'(a_t), and the
step's term of the weight gradients, dL/da_t^T h_{t-1} for W_hh (and dL/da_t^T x_t for W_ih): the
same weights serve every step, so their gradient is the sum of these terms.

The numbers come from retrograd's autograd: during the recorded step the RNN runs unrolled, each
step reading W_hh and W_ih through its own identity node whose gradient (``retain_grad``) is
that step's term. The record also holds the gradient nn.RNN's own fused backward gives, which
the sum of the terms must equal.

>>> rec = record_bptt(model, x, y, loss_fn, optim.SGD(model.parameters(), lr=0.1))
>>> [s.delta_h for s in rec.steps]
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from ..autograd.grad_mode import no_grad
from ..ops.activation import relu, tanh
from ..ops.linalg import linear
from ..ops.rnn import Alias
from ..ops.shape import stack
from ..tensor import Tensor
from .render import fmt, format_array


@dataclass
class TimeStepRecord:
    """One time step (arrays keep the batch: (N, ...))."""

    t: int  # from 1
    x: np.ndarray  # x_t
    h_prev: np.ndarray  # h_{t-1}
    a: np.ndarray  # a_t, the pre-activation
    h: np.ndarray  # h_t = f(a_t)
    delta_h: np.ndarray  # dL/dh_t
    delta_a: np.ndarray  # dL/da_t
    dW_hh: np.ndarray  # this step's term of dL/dW_hh
    dW_ih: np.ndarray  # this step's term of dL/dW_ih


@dataclass
class BPTTRecord:
    """One training step of a model around a one-layer RNN, unrolled over T steps."""

    steps: list[TimeStepRecord]
    nonlinearity: str
    params: dict[str, np.ndarray]  # every parameter of the model before the step
    grads: dict[str, np.ndarray]
    params_after: dict[str, np.ndarray]
    output: np.ndarray
    loss_before: float
    loss_after: float
    fused_dW_hh: np.ndarray  # dL/dW_hh from nn.RNN's own (fused) backward
    rnn_name: str = "rnn"
    optimizer: str = ""
    lr: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def dW_hh(self) -> np.ndarray:
        """The sum of the steps' terms: dL/dW_hh."""
        return sum(s.dW_hh for s in self.steps)

    def to_text(self, digits: int = 6) -> str:
        return bptt_text(self, digits)

    def to_markdown(self, digits: int = 6) -> str:
        return "```\n" + bptt_text(self, digits) + "```\n"

    def to_dict(self, digits: int | None = None) -> dict:
        r = (lambda a: np.asarray(a).tolist()) if digits is None else (
            lambda a: np.vectorize(lambda v: float(fmt(v, digits)))(np.asarray(a, float)).tolist())
        return {"nonlinearity": self.nonlinearity, "loss_before": self.loss_before,
                "loss_after": self.loss_after, "optimizer": self.optimizer, "lr": self.lr,
                "steps": [{k: (v if k == "t" else r(v)) for k, v in vars(s).items()}
                          for s in self.steps],
                "dW_hh": r(self.dW_hh), "fused_dW_hh": r(self.fused_dW_hh),
                "params": {k: r(v) for k, v in self.params.items()},
                "grads": {k: r(v) for k, v in self.grads.items()},
                "params_after": {k: r(v) for k, v in self.params_after.items()}}

    def to_json(self, digits: int | None = 6, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(digits), indent=indent)


def find_rnn(model):
    """The model's one nn.RNN (one layer, one direction), with its name."""
    from ..nn.layers.rnn import RNN

    found = [(n, m) for n, m in model.named_modules() if isinstance(m, RNN)]
    if len(found) != 1:
        raise ValueError(f"record_bptt: the model must hold exactly one nn.RNN, found {len(found)}")
    name, rnn = found[0]
    if rnn.num_layers != 1 or rnn.bidirectional:
        raise ValueError("record_bptt: the glass box unrolls a one-layer, one-direction nn.RNN")
    return name, rnn


def _unrolled_forward(rnn, tape):
    """A forward for ``rnn`` that runs step by step and keeps each step's tensors on ``tape``."""
    act = tanh if rnn.nonlinearity == "tanh" else relu

    def forward(input, hx=None):
        if input.ndim != 3:
            raise ValueError("record_bptt: give the RNN a batch, (N, T, in) or (T, N, in)")
        x = input.transpose(0, 1) if rnn.batch_first else input
        h = hx[0] if hx is not None else Tensor(np.zeros((x.shape[1], rnn.hidden_size), x.dtype))
        outputs = []
        for t in range(x.shape[0]):
            w_ih, w_hh = Alias.apply(rnn.weight_ih_l0), Alias.apply(rnn.weight_hh_l0)
            a = linear(x[t], w_ih, rnn.bias_ih_l0) + linear(h, w_hh, rnn.bias_hh_l0)
            h_new = act(a)
            for v in (w_ih, w_hh, a, h_new):
                v.retain_grad()
            tape.append((x[t], h, a, h_new, w_ih, w_hh))
            outputs.append(h_new)
            h = h_new
        out = stack(outputs, 0)
        return (out.transpose(0, 1) if rnn.batch_first else out), h.unsqueeze(0)
    return forward


def _array(t, like=None):
    return np.zeros_like(like.array) if t is None else np.array(t.array, copy=True)


def record_bptt(model, x, y, loss_fn, optimizer) -> BPTTRecord:
    """Run one training step of ``model`` (which holds one nn.RNN; e.g. the RNN and a Linear on
    its last output) on the batch ``x``, ``y`` with the RNN unrolled, and record every step.
    The parameters are updated, exactly as a training step would."""
    name, rnn = find_rnn(model)
    x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=rnn.weight_hh_l0.dtype))
    y = y if isinstance(y, Tensor) else Tensor(np.asarray(y, dtype=rnn.weight_hh_l0.dtype))
    model.zero_grad()
    loss_fn(model(x), y).backward()  # nn.RNN's own backward, for comparison
    fused = np.array(rnn.weight_hh_l0.grad.array, copy=True)
    tape: list = []
    object.__setattr__(rnn, "forward", _unrolled_forward(rnn, tape))
    try:
        optimizer.zero_grad()
        model.zero_grad()
        params = {n: np.array(p.array, copy=True) for n, p in model.named_parameters()}
        output = model(x)
        loss = loss_fn(output, y)
        loss.backward()
        grads = {n: _array(p.grad, p) for n, p in model.named_parameters()}
        optimizer.step()
    finally:
        rnn.__dict__.pop("forward", None)
    steps = [TimeStepRecord(t + 1, _array(xt), _array(hp), _array(a), _array(h),
                            _array(h.grad, h), _array(a.grad, a), _array(w_hh.grad, w_hh),
                            _array(w_ih.grad, w_ih))
             for t, (xt, hp, a, h, w_ih, w_hh) in enumerate(tape)]
    with no_grad():
        loss_after = float(loss_fn(model(x), y).item())
    group = getattr(optimizer, "param_groups", [{}])[0]
    return BPTTRecord(steps, rnn.nonlinearity, params, grads,
                      {n: np.array(p.array, copy=True) for n, p in model.named_parameters()},
                      np.array(output.array, copy=True), float(loss.item()), loss_after, fused,
                      name, type(optimizer).__name__, group.get("lr"))


def bptt_text(rec: BPTTRecord, digits: int = 6) -> str:
    """The record as a worked example: forward by step, backward by step, the sum, the update."""
    v = lambda a: format_array(np.asarray(a)[0] if np.ndim(a) > 1 else a, digits)  # noqa: E731
    f = "tanh" if rec.nonlinearity == "tanh" else "relu"
    d = "(1 - h_t^2)" if f == "tanh" else "[a_t > 0]"
    lines = [f"Backpropagation through time: one step of {rec.optimizer} (lr {rec.lr}) on an RNN "
             f"of {len(rec.steps)} time steps (values of the first sequence in the batch)", "",
             f"Forward:  a_t = W_ih x_t + b_ih + W_hh h_(t-1) + b_hh,  h_t = {f}(a_t)"]
    for s in rec.steps:
        lines.append(f"  t={s.t}  x_t = {v(s.x)}  h_(t-1) = {v(s.h_prev)}  a_t = {v(s.a)}  "
                     f"h_t = {v(s.h)}")
    lines += [f"  output {v(rec.output)}   loss L = {fmt(rec.loss_before, digits)}", "",
              "Backward, from the last step to the first:",
              f"  dL/dh_t = (from the output at t) + dL/da_(t+1) W_hh;  dL/da_t = dL/dh_t * {d}",
              "  step t's term of dL/dW_hh = dL/da_t^T h_(t-1)  (summed over the batch)"]
    for s in reversed(rec.steps):
        lines.append(f"  t={s.t}  dL/dh_t = {v(s.delta_h)}  dL/da_t = {v(s.delta_a)}  "
                     f"term = {format_array(s.dW_hh, digits)}")
    total = rec.dW_hh
    diff = float(np.abs(total - rec.fused_dW_hh).max())
    lines += ["", f"dL/dW_hh = sum of the terms = {format_array(total, digits)}",
              f"  nn.RNN's fused backward gives {format_array(rec.fused_dW_hh, digits)} "
              f"(max difference {fmt(diff, 2)})", "", "Update (p <- p - lr * dL/dp):"]
    for n, p in rec.params.items():
        after = format_array(rec.params_after[n], digits)
        lines.append(f"  {n}: {format_array(p, digits)} -> {after}")
    lines.append(f"loss before {fmt(rec.loss_before, digits)}, after {fmt(rec.loss_after, digits)}")
    return "\n".join(lines) + "\n"


def unrolled_graph(rec: BPTTRecord, fmt_: str = "mermaid", digits: int = 3) -> str:
    """The unrolled network as Mermaid or DOT: x_t -> h_t <- h_(t-1), h_T -> output -> loss, each
    state labelled with its value and the error flowing back into it."""
    from .graph import Graph, Node, _graph_to_dot, _graph_to_mermaid

    v = lambda a: format_array(np.asarray(a)[0], digits)  # noqa: E731
    g = Graph()
    g.nodes.append(Node("h0", ["h_0", v(rec.steps[0].h_prev)], "const"))
    for s in rec.steps:
        g.nodes.append(Node(f"x{s.t}", [f"x_{s.t}", v(s.x)], "const"))
        g.nodes.append(Node(f"h{s.t}", [f"h_{s.t} = {v(s.h)}", f"dL/dh = {v(s.delta_h)}"], "op"))
        prev = f"h{s.t - 1}"
        g.edges += [(f"x{s.t}", f"h{s.t}", True), (prev, f"h{s.t}", True)]
        g.edge_labels[(f"x{s.t}", f"h{s.t}")] = ["W_ih"]
        norm = fmt(np.linalg.norm(s.dW_hh), digits)
        g.edge_labels[(prev, f"h{s.t}")] = ["W_hh", f"norm of its term {norm}"]
    last = f"h{rec.steps[-1].t}"
    g.nodes.append(Node("out", ["output", v(rec.output), f"L = {fmt(rec.loss_before, digits)}"],
                        "output"))
    g.edges.append((last, "out", True))
    if fmt_ == "dot":
        return _graph_to_dot(g, show_backward=True, rankdir="LR")
    if fmt_ != "mermaid":
        raise ValueError(f"unrolled_graph: fmt must be 'mermaid' or 'dot', got {fmt_!r}")
    return _graph_to_mermaid(g, show_backward=True, direction="LR")
