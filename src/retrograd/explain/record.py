"""Step records: every number of one training step of a network of layers in sequence.

A layer is a module with parameters (Linear, Conv2d, ...) together with the parameter-free
modules that follow it up to the next one (its activation, and e.g. MaxPool2d, Flatten). For
layer l the record holds A_{l-1} (its input), Z_l (the parametrised module's output, the
pre-activation), A_l = f(Z_l) (the input of the next layer, or the model's output), the error
delta_l = dL/dZ_l, the parameters before the step, their gradients and their values after it.

All numbers come from retrograd itself: forward hooks capture Z and A, ``retain_grad()`` on Z
gives delta after ``loss.backward()``, ``.grad`` gives the parameter gradients, and the
optimizer's ``step()`` gives the new parameters; nothing is recomputed by hand.

>>> rec = record_step(model, x, y, F.mse_loss, optim.SGD(model.parameters(), lr=0.1))
>>> rec.layers[0].delta, rec.loss_before, rec.loss_after
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor


@dataclass
class LayerRecord:
    """One layer's numbers (arrays keep the batch dimension: A and Z are (N, ...))."""

    index: int  # l, from 1
    name: str  # the parametrised module's name in the model, e.g. "0"
    module: str  # e.g. "Linear(2 -> 2)"
    activation: list[str]  # the parameter-free modules after it, e.g. ["Sigmoid"]
    a_prev: np.ndarray  # A_{l-1}
    z: np.ndarray  # Z_l
    a: np.ndarray  # A_l
    delta: np.ndarray  # dL/dZ_l
    params: dict[str, np.ndarray]  # before the step, e.g. {"weight": W, "bias": b}
    grads: dict[str, np.ndarray]  # dL/dparam
    params_after: dict[str, np.ndarray]  # after optimizer.step()

    W = property(lambda self: self.params.get("weight"))
    b = property(lambda self: self.params.get("bias"))
    dW = property(lambda self: self.grads.get("weight"))
    db = property(lambda self: self.grads.get("bias"))
    W_after = property(lambda self: self.params_after.get("weight"))
    b_after = property(lambda self: self.params_after.get("bias"))


@dataclass
class StepRecord:
    """One training step: the layers' records, the loss before and after the update."""

    layers: list[LayerRecord]
    x: np.ndarray
    y: np.ndarray
    output: np.ndarray
    loss_before: float
    loss_after: float  # a fresh forward pass after the update
    optimizer: str = ""
    lr: float | None = None
    notes: list[str] = field(default_factory=list)

    def to_markdown(self, digits: int = 6) -> str:
        from .render import to_markdown

        return to_markdown(self, digits)

    def to_latex(self, digits: int = 6) -> str:
        from .render import to_latex

        return to_latex(self, digits)

    def to_json(self, digits: int | None = 6, indent: int | None = 2) -> str:
        from .render import to_json

        return to_json(self, digits, indent)

    def to_dict(self, digits: int | None = None) -> dict[str, Any]:
        from .render import to_dict

        return to_dict(self, digits)


def _own_params(module) -> dict[str, Tensor]:
    return {n: p for n, p in module.named_parameters(recurse=False)}


def _leaf_modules(model) -> list[tuple[str, Any]]:
    leaves = [(n, m) for n, m in model.named_modules() if not any(True for _ in m.children())]
    return leaves or [("", model)]


def in_out(module) -> tuple[int, int] | None:
    """(inputs, outputs) of a parametrised module: features of a Linear, channels of a
    convolution (also transposed or grouped, whose weight shapes differ), else read from a 2-D
    weight (out, in); None when unknown."""
    for n_in, n_out in (("in_features", "out_features"), ("in_channels", "out_channels"),
                        ("num_embeddings", "embedding_dim")):
        sizes = getattr(module, n_in, None), getattr(module, n_out, None)
        if all(isinstance(n, int) for n in sizes):
            return sizes
    w = getattr(module, "weight", None)
    return (w.shape[1], w.shape[0]) if isinstance(w, Tensor) and w.ndim == 2 else None


def describe(module) -> str:
    """A short description such as ``Linear(2 -> 3)`` or ``Conv2d(1 -> 6, 5x5)``."""
    kind, sizes = type(module).__name__, in_out(module)
    if sizes is None:
        return kind
    kernel = getattr(module, "kernel_size", None)
    kernel = f", {'x'.join(map(str, kernel))}" if isinstance(kernel, tuple) else ""
    return f"{kind}({sizes[0]} -> {sizes[1]}{kernel})"


def layer_groups(model) -> list[tuple[str, Any, list[str]]]:
    """(name, parametrised module, following parameter-free module names) in registration order,
    for drawing a model without running it (``record_step`` uses the order the forward takes)."""
    groups: list[tuple[str, Any, list[str]]] = []
    for name, m in _leaf_modules(model):
        if _own_params(m):
            groups.append((name, m, []))
        elif groups:
            groups[-1][2].append(type(m).__name__)
    return groups


def _as_tensor(v, like: Tensor | None) -> Tensor:
    if isinstance(v, Tensor):
        return v
    arr = np.asarray(v)
    if like is not None and arr.dtype.kind == "f":
        arr = arr.astype(like.dtype, copy=False)
    return Tensor(arr)


def _copy(t: Tensor | None, like: Tensor) -> np.ndarray:
    return np.zeros_like(like.array) if t is None else np.array(t.array, copy=True)


def record_step(model, x, y, loss_fn: Callable[[Tensor, Tensor], Tensor], optimizer) -> StepRecord:
    """Run one training step (zero_grad, forward, backward, step) and record every number.

    ``model`` is a network of layers in sequence (e.g. ``nn.Sequential`` of Linear/Conv2d and
    activation, pooling, flatten modules), or a model around one nn.RNN, whose step is recorded
    through time (``bptt.record_bptt``, a ``BPTTRecord``); ``x``/``y`` are a batch (Tensors or arrays);
    ``loss_fn(output, y)`` returns a scalar Tensor. The model's parameters are updated, exactly as
    a training step would; ``loss_after`` comes from a new forward pass under ``no_grad``.
    """
    first = next(iter(model.parameters()), None)
    if first is None:
        raise ValueError("record_step: the model has no parameters")
    if _holds_rnn(model):  # backpropagation through time, step by step
        from .bptt import record_bptt

        return record_bptt(model, x, y, loss_fn, optimizer)
    x, y = _as_tensor(x, first), _as_tensor(y, first)
    calls: list[tuple[str, Any, Any, Any]] = []  # (name, module, input, output) in forward order

    def hook_for(name):
        def hook(module, inputs, output):
            if _own_params(module) and isinstance(output, Tensor) and output.requires_grad:
                output.retain_grad()
            calls.append((name, module, inputs[0] if inputs else None, output))
        return hook

    handles = [m.register_forward_hook(hook_for(n)) for n, m in _leaf_modules(model)]
    try:
        model.zero_grad()
        optimizer.zero_grad()
        before = {id(p): np.array(p.array, copy=True) for p in model.parameters()}
        output = model(x)
        loss = loss_fn(output, y)
        if not isinstance(loss, Tensor) or loss.array.size != 1:
            raise ValueError("record_step: loss_fn must return a scalar Tensor")
        loss.backward()
        layers = _layers_from_calls(calls, output, before)
        optimizer.step()
        modules = [c[1] for c in calls if _own_params(c[1])]
        for layer, module in zip(layers, modules):
            layer.params_after = {n: np.array(p.array, copy=True)
                                  for n, p in _own_params(module).items()}
    finally:
        for h in handles:
            h.remove()
    with no_grad():
        loss_after = float(loss_fn(model(x), y).item())
    group = getattr(optimizer, "param_groups", [{}])[0]
    return StepRecord(layers, np.array(x.array, copy=True), np.array(y.array, copy=True),
                      np.array(output.array, copy=True), float(loss.item()), loss_after,
                      type(optimizer).__name__, group.get("lr"))


def _holds_rnn(model) -> bool:
    from ..nn.layers.rnn import RNN

    return any(isinstance(m, RNN) for m in model.modules())


def _layers_from_calls(calls, output: Tensor, before: dict[int, np.ndarray]) -> list[LayerRecord]:
    """Group the forward calls into layers; A_l is the next layer's input (or the output)."""
    starts = [i for i, c in enumerate(calls) if _own_params(c[1])]
    if not starts:
        raise ValueError("record_step: no module with parameters ran in the forward pass")
    seen: set[int] = set()
    layers = []
    for k, i in enumerate(starts):
        name, module, inp, z = calls[i]
        if id(module) in seen:
            raise ValueError(f"record_step: module {name!r} ran twice; layers must run in sequence")
        seen.add(id(module))
        end = starts[k + 1] if k + 1 < len(starts) else len(calls)
        a = calls[end][2] if end < len(calls) else output
        params = _own_params(module)
        layers.append(LayerRecord(
            index=k + 1, name=name, module=describe(module),
            activation=[type(c[1]).__name__ for c in calls[i + 1:end]],
            a_prev=np.array(inp.array, copy=True), z=np.array(z.array, copy=True),
            a=np.array(a.array, copy=True), delta=_copy(z.grad, z),
            params={n: before[id(p)] for n, p in params.items()},
            grads={n: _copy(p.grad, p) for n, p in params.items()}, params_after={}))
        z.grad = None
    return layers
