"""Optimizer base: parameter groups, lazily created per-parameter state, the update loop and
``state_dict`` in PyTorch's format. Each algorithm only writes ``_update`` for one parameter.

Updates are in place on ``p.array`` and on the state arrays, so a parameter's array (and every
state buffer) keeps its identity from step to step; only the first step allocates state.
"""
from __future__ import annotations

from collections import defaultdict
from itertools import chain
from typing import Any, Callable, Iterable

import numpy as np

from ..autograd.grad_mode import enable_grad
from ..autograd.quiet import quiet
from ..backend import array_module, is_array
from ..tensor import Tensor

ParamsT = Iterable[Tensor] | Iterable[dict]


class _RequiredParameter:
    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()  # a default that each param group must supply


def _check_nonneg(name: str, **values) -> None:
    for key, value in values.items():
        if not 0.0 <= value:
            raise ValueError(f"{name}: invalid {key}: {value} (expected >= 0)")


def _check_betas(name: str, betas: tuple[float, float]) -> tuple[float, float]:
    """``betas`` as a tuple, each in [0, 1) (PyTorch's check for Adam and its relatives)."""
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"{name}: invalid beta parameter at index {i}: {beta} "
                             "(expected 0 <= beta < 1)")
    return tuple(betas)


class Optimizer:
    """Base class: ``Optimizer(params, defaults)``.

    ``params`` is an iterable of Tensors, or of dicts with a ``'params'`` entry and per-group
    options that override ``defaults``. Subclasses implement
    ``_update(p, grad, state, group)`` on arrays, in place.
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]):
        self.defaults = dict(defaults)
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(f"{type(self).__name__}: params must be an iterable of Tensors or "
                            "dicts, got a single Tensor (wrap it in a list)")
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines + [")"])

    # ----- groups --------------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (missing ones from ``defaults``)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"add_param_group: expected a dict, got {type(param_group).__name__}")
        group = dict(param_group)
        params = group["params"]
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(f"{type(self).__name__} can only optimize Tensors, got "
                                f"{type(p).__name__}")
            if p.grad_fn is not None:
                raise ValueError(f"{type(self).__name__}: can't optimize a non-leaf Tensor "
                                 f"(shape {tuple(p.shape)})")
        for key, default in self.defaults.items():
            if default is required and key not in group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {key}")
            group.setdefault(key, default)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in group["params"]}) != len(group["params"]) or any(
                id(p) in seen for p in group["params"]):
            raise ValueError("some parameters appear more than once in the parameter groups")
        self.param_groups.append(group)

    # ----- the update loop -----------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: set them to None (default) or fill them with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                elif p.grad.grad_fn is not None or not p.grad.array.flags.writeable:
                    p.grad = Tensor(array_module(p.grad.array).zeros_like(p.grad.array))
                else:
                    p.grad.requires_grad = False
                    p.grad.array.fill(0)

    def step(self, closure: Callable[[], Any] | None = None):
        """One update of every parameter that has a gradient. ``closure`` re-evaluates the model
        and returns the loss (with gradients enabled); its value is returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with quiet():  # an overflowing update gives inf, as in PyTorch, without a warning
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    grad = p.grad.array
                    if grad.shape != p.array.shape:
                        raise ValueError(f"{type(self).__name__}.step: gradient of shape "
                                         f"{tuple(grad.shape)} for a parameter of shape "
                                         f"{tuple(p.array.shape)}")
                    if group.get("maximize", False):
                        grad = -grad
                    self._update(p.array, grad, self.state[p], group)
        return loss

    def _update(self, param, grad, state: dict, group: dict) -> None:  # pragma: no cover
        """Update the array ``param`` in place from ``grad`` (the ascent direction already
        flipped for ``maximize``), creating ``state`` on first use."""
        raise NotImplementedError

    @staticmethod
    def _buffer(state: dict, key: str, like, fill: float = 0.0):
        """The state array ``key``, created like the array ``like`` (filled with ``fill``) on
        first use."""
        buf = state.get(key)
        if buf is None:
            buf = state[key] = Tensor(array_module(like).full_like(like, fill))
        return buf.array

    # ----- serialisation -------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [index, ...]}]}`` with
        parameters replaced by their position in the groups (PyTorch's format). State tensors
        are copies, so the dict is a snapshot."""
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: {k: _snapshot(v) for k, v in s.items()}
                 for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore options and state saved by ``state_dict`` onto this optimizer's parameters
        (matched by position, so build the optimizer over the same parameters in the same
        order)."""
        name = type(self).__name__
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{name}.load_state_dict: the saved state has {len(saved_groups)} "
                             f"parameter groups, this optimizer has {len(self.param_groups)}")
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"{name}.load_state_dict: parameter group {i} has "
                                 f"{len(saved['params'])} parameters in the saved state but "
                                 f"{len(group['params'])} here")
        by_index = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                            chain.from_iterable(g["params"] for g in self.param_groups)))
        self.state = defaultdict(dict)
        for key, values in state_dict["state"].items():
            p = by_index.get(int(key))
            if p is None:
                raise ValueError(f"{name}.load_state_dict: state for parameter {key}, which is in "
                                 "no saved parameter group")
            self.state[p] = {k: _restore(v, p, k, name) for k, v in values.items()}
        new_groups = []
        for saved, group in zip(saved_groups, self.param_groups):
            new = {k: v for k, v in saved.items() if k != "params"}
            for k, v in self.defaults.items():
                new.setdefault(k, v)
            new["params"] = group["params"]
            new_groups.append(new)
        self.param_groups = new_groups


def _snapshot(value):
    if isinstance(value, Tensor):
        return Tensor(value.array.copy())
    if is_array(value):
        return value.copy()
    if isinstance(value, list):  # LBFGS's history of flat vectors
        return [_snapshot(v) for v in value]
    return value


#: per-parameter state entries that are numbers, not arrays shaped like the parameter
_SCALAR_STATE = {"step": int, "eta": float, "mu": float, "mu_product": float}


def _restore(value, param: Tensor, key: str, name: str):
    """A saved state entry as this optimizer's own copy: arrays and Tensors become Tensors in the
    parameter's dtype; scalars stay scalars (a 0-d 'step' becomes an int, other 0-d values
    floats)."""
    if isinstance(value, (Tensor, np.generic)) or is_array(value):
        arr = array_module(param.array).asarray(value.array if isinstance(value, Tensor) else value)
        if arr.ndim == 0 and key in _SCALAR_STATE:  # PyTorch keeps these as 0-d tensors
            return _SCALAR_STATE[key](arr)
        if arr.shape != param.array.shape:
            raise ValueError(f"{name}.load_state_dict: state {key!r} has shape {tuple(arr.shape)} "
                             f"but its parameter has shape {tuple(param.array.shape)}")
        return Tensor(arr.astype(param.dtype, copy=True))
    return value
