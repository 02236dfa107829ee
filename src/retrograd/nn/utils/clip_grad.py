"""Gradient clipping, in place on ``p.grad``: by global norm and by value."""
from __future__ import annotations

import math
from typing import Iterable

from ...autograd.quiet import quiet
from ...backend import array_module, device_module
from ...tensor import Tensor


def _grads(parameters) -> list:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p.grad for p in params if p.grad is not None]


def _writable(p_grad: Tensor):
    """The gradient's array, made writable (a gradient may be a read-only broadcast view)."""
    if not p_grad.array.flags.writeable:
        p_grad.array = p_grad.array.copy()
    return p_grad.array


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """Scale all gradients together so that their joint ``norm_type``-norm is at most
    ``max_norm`` (PyTorch's rule: multiply by ``min(1, max_norm / (total + 1e-6))``).
    Returns the total norm before clipping, as a 0-d Tensor.

    >>> import retrograd as rg
    >>> w = rg.tensor([0.0, 0.0], requires_grad=True)
    >>> w.grad = rg.tensor([3.0, 4.0])
    >>> clip_grad_norm_([w], max_norm=1.0).item()
    5.0
    >>> [round(v, 4) for v in w.grad.tolist()]
    [0.6, 0.8]
    """
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return Tensor(device_module().zeros((), dtype="float32"))
    xp = array_module(grads[0].array)
    with quiet():  # inf or huge gradients give an inf norm and NaN, as in PyTorch, silently
        if norm_type == math.inf:
            norms = [xp.max(xp.abs(g.array)) if g.array.size else xp.zeros((), g.dtype)
                     for g in grads]
            total = xp.max(xp.stack(norms))
        else:
            norms = [xp.sum(xp.abs(g.array) ** norm_type) for g in grads]
            total = xp.sum(xp.stack(norms)) ** (1.0 / norm_type)
        total = xp.asarray(total, dtype=grads[0].dtype)
        if error_if_nonfinite and not xp.isfinite(total):
            raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the "
                               "gradients is non-finite, so it cannot be clipped; pass "
                               "error_if_nonfinite=False to clip anyway")
        coef = min(float(max_norm) / (float(total) + 1e-6), 1.0)
        if coef < 1.0 or not math.isfinite(coef):
            for g in grads:
                data = _writable(g)
                data *= coef
    return Tensor(total)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float, foreach=None) -> None:
    """Clamp every gradient element into ``[-clip_value, clip_value]``."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        data = _writable(g)
        array_module(data).clip(data, -clip_value, clip_value, out=data)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated into one 1-D Tensor (a copy)."""
    params = list(parameters)
    if not params:
        return Tensor(device_module().zeros((0,), dtype="float32"))
    return Tensor(array_module(params[0].array).concatenate([p.array.reshape(-1) for p in params]))


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D ``vec`` into the parameters, in place."""
    params = list(parameters)
    data = vec.array if isinstance(vec, Tensor) else array_module(
        *(p.array for p in params)).asarray(vec)
    if data.ndim != 1:
        raise ValueError(f"vector_to_parameters: expected a 1-D vector, got shape {data.shape}")
    total = sum(p.array.size for p in params)
    if data.size != total:
        raise ValueError(f"vector_to_parameters: vector has {data.size} elements but the "
                         f"parameters have {total}")
    start = 0
    for p in params:
        p.array[...] = data[start:start + p.array.size].reshape(p.array.shape)
        start += p.array.size
