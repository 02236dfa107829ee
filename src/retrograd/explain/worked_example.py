"""The worked example behind ``retrograd explain``: one (or more) steps of gradient descent on a
small fully connected network, every number printed.

The default network has 3 layers of 2 neurons and a sigmoid after every layer, x = [1, 2],
y = [3, 4], L = 1/2 * sum((y - y_hat)^2) and plain gradient descent with lr = 0.1. Weights
follow PyTorch: W_l has shape (out, in) and z_l = W_l a_{l-1} + b_l.

Everything printed comes from a ``StepRecord`` (retrograd's forward pass, autograd's gradients,
the optimizer's update); the text only adds the formulas that explain them.

>>> model, x, y = default_network()
>>> print(explain_text(run_example(model, x, y)))
"""
from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from .. import nn, optim
from ..autograd.grad_mode import no_grad
from ..ops.activation import log_softmax, softmax
from ..tensor import Tensor
from .record import StepRecord, record_step
from .render import fmt, format_array

DEFAULT_LAYERS = [([[0.1, 0.2], [0.3, 0.4]], [0.1, 0.2]),
                  ([[0.5, 0.6], [0.7, 0.8]], [0.5, 0.6]),
                  ([[0.9, 1.0], [1.1, 1.2]], [0.9, 1.0])]
DEFAULT_X, DEFAULT_Y = [1.0, 2.0], [3.0, 4.0]
ACTIVATIONS: dict[str, type] = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
# f'(z_l) as used in the text, and how it is obtained from the layer's own values
_DERIVATIVES = {"Sigmoid": ("sigmoid'(z_{l})", "sigmoid'(z_{l}) = a_{l} * (1 - a_{l})"),
                "Tanh": ("tanh'(z_{l})", "tanh'(z_{l}) = 1 - a_{l}^2"),
                "ReLU": ("relu'(z_{l})", "relu'(z_{l}) = (1 if z_{l} > 0 else 0)")}
LOSS_TEXT = {
    "mse": "L = 1/2 * sum((y - y_hat)^2)  (a sum over outputs and samples, times 1/2; not a mean)",
    "cross-entropy": ("L = -sum(y * log(softmax(z_out)))  (cross-entropy: a softmax is applied to "
                      "the network's output inside the loss; the target y is one-hot or a "
                      "probability vector; summed over samples)"),
}


# ----- losses: built from retrograd ops, so autograd differentiates them ------------------------
def half_sse(output: Tensor, target: Tensor) -> Tensor:
    """L = 1/2 * sum((y - y_hat)^2) over every element (a sum, not a mean)."""
    return ((target - output) ** 2).sum() * 0.5


def softmax_cross_entropy(output: Tensor, target: Tensor) -> Tensor:
    """L = -sum(y * log softmax(output)) with a probability (or one-hot) target."""
    return -(target * log_softmax(output, -1)).sum()


LOSSES: dict[str, Callable[[Tensor, Tensor], Tensor]] = {
    "mse": half_sse, "cross-entropy": softmax_cross_entropy}


# ----- networks -----------------------------------------------------------------------------
def build_network(layers, activation: str = "sigmoid", output_activation: str | None = "same"):
    """A float64 ``nn.Sequential`` of Linear layers with the given (W, b) values (W of shape
    (out, in); b may be None) and ``activation`` after each hidden layer; after the last layer
    ``output_activation`` ('same' = ``activation``, None/'none' = no activation)."""
    out_act = activation if output_activation == "same" else output_activation
    modules = []
    for i, (w, b) in enumerate(layers):
        w = np.asarray(w, dtype=np.float64)
        if w.ndim != 2:
            raise ValueError(f"layer {i + 1}: a weight must be 2-D (out, in), got shape {w.shape}")
        if i and w.shape[1] != np.asarray(layers[i - 1][0]).shape[0]:
            raise ValueError(f"layer {i + 1}: weight of shape {w.shape} does not take the "
                             f"{np.asarray(layers[i - 1][0]).shape[0]} outputs of layer {i}")
        linear = nn.Linear(w.shape[1], w.shape[0], bias=b is not None).double()
        with no_grad():
            linear.weight.copy_(w)
            if b is not None:
                linear.bias.copy_(np.asarray(b, dtype=np.float64))
        modules.append(linear)
        act = activation if i < len(layers) - 1 else out_act
        if act not in (None, "none"):
            if act not in ACTIVATIONS:
                raise ValueError(f"unknown activation {act!r}; choose from {sorted(ACTIVATIONS)}")
            modules.append(ACTIVATIONS[act]())
    return nn.Sequential(*modules)


def default_network(activation: str = "sigmoid", output_activation: str | None = "same"):
    """(model, x, y) of the default worked example (x and y as (1, 2) float64 arrays)."""
    model = build_network(DEFAULT_LAYERS, activation, output_activation)
    return model, np.array([DEFAULT_X]), np.array([DEFAULT_Y])


def _natural_key(name: str):
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


def layers_from_state_dict(state: dict) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """(W, b) per layer from a Sequential-of-Linear state dict ('N.weight', 'N.bias'), in
    order of N; sizes come from the weight shapes."""
    prefixes = OrderedDict()
    for key in sorted(state, key=_natural_key):
        prefix, _, kind = key.rpartition(".")
        if kind not in ("weight", "bias"):
            raise ValueError(f"unexpected key {key!r}: expected only '<N>.weight' and '<N>.bias'")
        prefixes.setdefault(prefix, {})[kind] = np.asarray(getattr(state[key], "array", state[key]))
    layers = []
    for prefix, d in prefixes.items():
        if "weight" not in d:
            raise ValueError(f"layer {prefix!r} has a bias but no weight")
        layers.append((d["weight"], d.get("bias")))
    if not layers:
        raise ValueError("the state dict holds no layers")
    return layers


def load_network(path: str, activation: str = "sigmoid", output_activation: str | None = "same"):
    """A network rebuilt from a safetensors file of a Sequential of Linear layers."""
    from ..io import load

    return build_network(layers_from_state_dict(load(path)), activation, output_activation)


# ----- running ------------------------------------------------------------------------------
def run_example(model, x, y, loss: str = "mse", lr: float = 0.1, steps: int = 1) -> list[StepRecord]:
    """``steps`` steps of plain gradient descent, one ``StepRecord`` each."""
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose from {sorted(LOSSES)}")
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    x, y = np.atleast_2d(np.asarray(x, np.float64)), np.atleast_2d(np.asarray(y, np.float64))
    if loss == "cross-entropy" and (np.any(y < 0) or not np.allclose(y.sum(-1), 1)):
        raise ValueError("cross-entropy needs a one-hot or probability target (non-negative, each "
                         f"row summing to 1), got {y.tolist()}")
    opt = optim.SGD(model.parameters(), lr=lr)
    records = []
    for _ in range(steps):
        rec = record_step(model, x, y, LOSSES[loss], opt)
        rec.notes = [LOSS_TEXT[loss], "weights W_l have shape (out, in); z_l = W_l a_(l-1) + b_l"]
        records.append(rec)
    return records


# ----- text ---------------------------------------------------------------------------------
def _v(a, digits: int) -> str:
    """A value for the text: the batch dimension dropped when there is one sample."""
    a = np.asarray(a)
    return format_array(a[0] if a.ndim >= 2 and a.shape[0] == 1 else a, digits)


def _act_name(acts: list[str]) -> str:
    return " then ".join(a.lower() for a in acts) if acts else "identity"


def _forward_lines(rec: StepRecord, digits: int) -> list[str]:
    single = rec.x.shape[0] == 1
    out = ["Forward pass" + ("" if single else " (one row per sample)"),
           f"  a_0 = x = {_v(rec.x, digits)}"]
    for lr in rec.layers:
        l = lr.index
        out.append(f"  Layer {l}: {lr.module}" + (f", then {_act_name(lr.activation)}"
                                                   if lr.activation else ", no activation"))
        out.append(f"    W_{l} = {_v(lr.W, digits)}" + (f"   b_{l} = {_v(lr.b, digits)}"
                                                        if lr.b is not None else ""))
        out.append(f"    z_{l} = W_{l} a_{l - 1}" + (f" + b_{l}" if lr.b is not None else "")
                   + f" = {_v(lr.z, digits)}")
        if single and lr.W is not None and lr.W.size <= 16:
            for j in range(lr.W.shape[0]):
                terms = " + ".join(f"{fmt(w, digits)}*{fmt(a, digits)}"
                                   for w, a in zip(lr.W[j], lr.a_prev[0]))
                bias = f" + {fmt(lr.b[j], digits)}" if lr.b is not None else ""
                out.append(f"      z_{l}[{j}] = {terms}{bias} = {fmt(lr.z[0, j], digits)}")
        out.append(f"    a_{l} = {_act_name(lr.activation)}(z_{l}) = {_v(lr.a, digits)}")
    last = rec.layers[-1].index
    out.append(f"  y_hat = a_{last} = {_v(rec.output, digits)}")
    return out


def _loss_lines(rec: StepRecord, loss: str, digits: int) -> list[str]:
    if loss == "cross-entropy":
        with no_grad():
            p = softmax(Tensor(rec.output), -1).array
        return [f"  softmax(y_hat) = {_v(p, digits)}   (the output's softmax, inside the loss)",
                f"  y = {_v(rec.y, digits)}",
                f"  L = -sum(y * log(softmax(y_hat))) = {fmt(rec.loss_before, digits)}"]
    return [f"  y = {_v(rec.y, digits)}",
            f"  L = 1/2 * sum((y - y_hat)^2) = {fmt(rec.loss_before, digits)}"]


def _delta_formula(rec: StepRecord, k: int, loss: str) -> tuple[str, str]:
    """delta_l's formula, and what the activation derivatives in it equal ('' if none)."""
    lr = rec.layers[k]
    l, acts = lr.index, lr.activation
    derivs = [_DERIVATIVES.get(a, (f"{a.lower()}'(z_{{l}})", "")) for a in acts]
    fprime = " * ".join(d[0] for d in derivs).format(l=l)
    where = "; ".join(d[1] for d in derivs if d[1]).format(l=l)
    if k == len(rec.layers) - 1:
        base = f"softmax(a_{l}) - y" if loss == "cross-entropy" else f"a_{l} - y"
    else:
        base = f"W_{l + 1}^T delta_{l + 1}"
    return (f"({base}) * {fprime}" if acts else base), where


def _backward_lines(rec: StepRecord, loss: str, digits: int) -> list[str]:
    out = ["Backward pass (errors delta_l = dL/dz_l, from the output layer back)"]
    batch = rec.x.shape[0] > 1
    for k in range(len(rec.layers) - 1, -1, -1):
        lr = rec.layers[k]
        l = lr.index
        out.append(f"  Layer {l}")
        formula, where = _delta_formula(rec, k, loss)
        out.append(f"    delta_{l} = {formula}" + (f",  where {where}" if where else ""))
        out.append(f"            = {_v(lr.delta, digits)}")
        s = "sum over samples of " if batch else ""
        if lr.dW is not None:
            out.append(f"    dL/dW_{l} = {s}delta_{l} a_{l - 1}^T = {_v(lr.dW, digits)}")
        if lr.db is not None:
            out.append(f"    dL/db_{l} = {s}delta_{l} = {_v(lr.db, digits)}")
    return out


def _update_lines(rec: StepRecord, digits: int) -> list[str]:
    lr_ = fmt(rec.lr, digits) if rec.lr is not None else "lr"
    out = [f"Update (gradient descent: p <- p - {lr_} * dL/dp)"]
    for lr in rec.layers:
        l = lr.index
        for name, sym in (("weight", "W"), ("bias", "b")):
            if name in lr.params_after:
                out.append(f"  {sym}_{l} <- {sym}_{l} - {lr_} * dL/d{sym}_{l} = "
                           f"{_v(lr.params_after[name], digits)}")
    return out


def explain_text(records: list[StepRecord], loss: str = "mse", digits: int = 6) -> str:
    """The worked example as plain text: every forward value, error, gradient and updated
    parameter with ``digits`` significant digits, then the loss before and after."""
    first = records[0]
    sizes = [str(first.layers[0].a_prev.shape[-1])] + [str(lr.z.shape[-1]) for lr in first.layers]
    acts = [_act_name(lr.activation) if lr.activation else "none" for lr in first.layers]
    out = [("Worked example: backpropagation and gradient descent, every number computed by "
           "retrograd (forward pass, autograd, optimizer)"),
           f"Network: {' -> '.join(sizes)}; activation after each layer: {', '.join(acts)}",
           ("Convention: W_l has shape (out, in) as in PyTorch; z_l = W_l a_(l-1) + b_l; "
           "a_l = f(z_l)"),
           f"Loss: {LOSS_TEXT[loss]}",
           f"Optimizer: plain gradient descent, lr = {fmt(first.lr, digits)}",
           f"Numbers are shown with {digits} significant digits.", ""]
    for i, rec in enumerate(records, start=1):
        if len(records) > 1:
            out += [f"===== Step {i} =====", ""]
        out += _forward_lines(rec, digits) + _loss_lines(rec, loss, digits) + [""]
        out += _backward_lines(rec, loss, digits) + [""] + _update_lines(rec, digits) + [""]
        out += [f"Loss before the step: {fmt(rec.loss_before, digits)}",
                (f"Loss after the step:  {fmt(rec.loss_after, digits)}   "
                "(a new forward pass with the updated parameters)"), ""]
    if len(records) > 1:
        out.append("Loss per step: " + ", ".join(
            f"{fmt(r.loss_before, digits)} -> {fmt(r.loss_after, digits)}" for r in records))
    return "\n".join(out).rstrip() + "\n"
