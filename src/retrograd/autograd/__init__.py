"""Reverse-mode automatic differentiation: backward(), grad(), gradcheck, grad modes."""
from __future__ import annotations

from ..tensor import Tensor
from .function import Function, ShapeError
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                        no_grad, set_grad_enabled)
from .gradcheck import gradcheck, gradgradcheck
from .anomaly import detect_anomaly
from . import functional


def _as_list(x):
    if x is None:
        return None
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _initial_grads(outputs, grad_outputs):
    grads = []
    for i, out in enumerate(outputs):
        g = grad_outputs[i] if grad_outputs is not None else None
        if not out.requires_grad:
            raise RuntimeError(f"element {i} of the outputs (shape {tuple(out.shape)}) does not require "
                               "grad and has no grad_fn: nothing to differentiate")
        if g is None:
            if out.array.size != 1:
                raise RuntimeError(f"grad can be implicitly created only for scalar outputs; this "
                                   f"output has shape {tuple(out.shape)}: pass `gradient` (for "
                                   "backward) or `grad_outputs` (for grad) of that shape")
            from ..backend import xp

            g = Tensor(xp.ones(out.shape, dtype=out.dtype))
        elif not isinstance(g, Tensor):
            g = Tensor(g, dtype=out.dtype)
        if g.shape != out.shape:
            raise RuntimeError(f"gradient of shape {tuple(g.shape)} does not match the output's shape "
                               f"{tuple(out.shape)}")
        grads.append(g)
    return grads


def backward(tensors, grad_tensors=None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs=None) -> None:
    """Accumulate d(tensors)/d(leaves) into the leaves' ``.grad``."""
    from .engine import run_backward

    tensors = _as_list(tensors)
    grads = _initial_grads(tensors, _as_list(grad_tensors))
    retain = create_graph if retain_graph is None else retain_graph
    if inputs is not None:
        inputs = _as_list(inputs)
        results = run_backward(tensors, grads, retain, create_graph, inputs=inputs, allow_unused=True)
        for t, g in zip(inputs, results):
            if g is not None:
                t.grad = g.detach() if t.grad is None and not create_graph else (
                    g if t.grad is None else t.grad + g)
        return
    run_backward(tensors, grads, retain, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple (``.grad`` is not
    touched). With ``create_graph=True`` the result is itself differentiable."""
    from .engine import run_backward

    outputs = _as_list(outputs)
    inputs_list = _as_list(inputs)
    for i, t in enumerate(inputs_list):
        if not t.requires_grad:
            raise RuntimeError(f"input {i} (shape {tuple(t.shape)}) does not require grad")
    grads = _initial_grads(outputs, _as_list(grad_outputs))
    retain = create_graph if retain_graph is None else retain_graph
    return tuple(run_backward(outputs, grads, retain, create_graph, inputs=inputs_list,
                              allow_unused=allow_unused))


__all__ = ["Function", "ShapeError", "backward", "grad", "gradcheck", "gradgradcheck", "no_grad",
           "enable_grad", "is_grad_enabled", "set_grad_enabled", "detect_anomaly", "inference_mode",
           "is_inference_mode_enabled"]
