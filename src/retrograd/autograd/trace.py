"""Trace one forward pass: the autograd graph (every op's ``Function`` node) plus the calls of
chosen layers, recorded by forward hooks. ONNX export and TensorBoard's ``add_graph`` read
models through it.

A value is identified by ``value_key``: the node that made it, or the tensor itself for leaves
(inputs, parameters, constants). A node's ``inputs`` may hold stand-ins for the tensors it was
called with (graph edges without values, when backward does not read them), so the tensor
objects themselves are not the identity."""
from __future__ import annotations

from typing import Any, Callable

from ..tensor import Tensor
from .grad_mode import enable_grad


class Call:
    """One recorded call of a layer: the module, its qualified name, its Tensor arguments
    (positional then keyword, nested tuples flattened; ``given`` keeps them as called), the
    graph names of those arguments (set before the converter runs) and its output Tensor
    (``outputs``: every Tensor of a tuple output, as LSTM's (output, (h_n, c_n)), flattened)."""

    def __init__(self, module, name: str, args: tuple, output: Tensor,
                 outputs: tuple = (), given: tuple = ((), {})):
        self.module, self.name, self.args, self.output = module, name, args, output
        self.outputs = outputs or (output,)
        self.given = given
        self.inputs: list[str] = []


def _tensors(value) -> list[Tensor]:
    """The Tensors in a nested tuple / list / dict, in order."""
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _tensors(v)]
    return []


def value_key(t: Tensor) -> int:
    """The identity of the value ``t`` holds: its producing node's id, or its own for a leaf."""
    return id(t.grad_fn) if t.grad_fn is not None else id(t)


def trace(model, inputs: tuple, wanted: Callable) -> tuple[Any, dict[int, Call]]:
    """Run the model once with grad mode on (inputs should require grad, so that every op
    records its node), recording the calls of the layers ``wanted(module)`` selects."""
    calls: dict[int, Call] = {}

    def record(name):
        def hook(module, args, kwargs, output):
            tensors, outputs = _tensors((args, kwargs)), _tensors(output)
            if outputs and all(o is not a for o in outputs for a in tensors):
                call = Call(module, name, tuple(tensors), outputs[0], tuple(outputs), (args, kwargs))
                for o in outputs:
                    calls[value_key(o)] = call
        return hook

    handles = [m.register_forward_hook(record(name or type(m).__name__), with_kwargs=True)
               for name, m in model.named_modules() if wanted(m)]
    try:
        with enable_grad():
            outputs = model(*inputs)
    finally:
        for h in handles:
            h.remove()
    return outputs, calls


def traceable(args) -> tuple[Tensor, ...]:
    """Example inputs (a Tensor or a tuple of them) as detached copies, the floating ones
    requiring grad so that every op on them records its node."""
    args = args if isinstance(args, tuple) else (args,)
    for a in args:
        if not isinstance(a, Tensor):
            raise TypeError(f"trace: example inputs must be Tensors, got {type(a).__name__}")
    return tuple(a.detach().requires_grad_(True) if a.dtype.kind == "f" else a.detach()
                 for a in args)


def dependencies(t: Tensor, calls: dict[int, Call], inputs: set[int]) -> list[Tensor]:
    """What ``t`` is computed from: a recorded layer call's arguments, else its node's operands
    (``calls`` and ``inputs`` hold value keys)."""
    key = value_key(t)
    if key in inputs:
        return []
    if key in calls:
        return list(calls[key].args)
    if t.grad_fn is not None:
        return [x for x in t.grad_fn.inputs if isinstance(x, Tensor)]
    return []


def topological(outputs: list[Tensor], calls: dict[int, Call], inputs: set[int]) -> list[Tensor]:
    """Every value the outputs depend on (one Tensor each), operands before their users
    (iterative DFS)."""
    order, seen = [], set()
    stack: list[tuple[Tensor, bool]] = [(t, False) for t in reversed(outputs)]
    while stack:
        t, ready = stack.pop()
        if value_key(t) in seen:
            continue
        if ready:
            seen.add(value_key(t))
            order.append(t)
            continue
        stack.append((t, True))
        stack.extend((d, False) for d in reversed(dependencies(t, calls, inputs))
                     if value_key(d) not in seen)
    return order
