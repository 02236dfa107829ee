"""Tensor's operators and op methods, each a one-line delegation to ``retrograd.ops``."""
from __future__ import annotations

from .ops import activation as A
from .ops import elementwise as E
from .ops import index as I
from .ops import linalg as L
from .ops import reduce as R
from .ops import shape as S
from .tensor import Tensor


def _rev(fn):
    return lambda self, other: fn(other, self)


_methods = {
    # arithmetic and operators
    "__add__": E.add, "__radd__": _rev(E.add), "__sub__": E.sub, "__rsub__": _rev(E.sub),
    "__mul__": E.mul, "__rmul__": _rev(E.mul), "__truediv__": E.div, "__rtruediv__": _rev(E.div),
    "__pow__": E.pow, "__rpow__": _rev(E.pow), "__matmul__": L.matmul, "__rmatmul__": _rev(L.matmul),
    "__neg__": E.neg, "__abs__": E.abs, "__getitem__": I.getitem,
    "add": E.add, "sub": E.sub, "mul": E.mul, "div": E.div, "pow": E.pow, "neg": E.neg,
    "matmul": L.matmul, "exp": E.exp, "log": E.log, "sqrt": E.sqrt, "abs": E.abs, "sin": E.sin,
    "cos": E.cos, "maximum": E.maximum, "minimum": E.minimum, "clamp": E.clamp, "clip": E.clamp,
    # reductions
    "sum": R.sum, "mean": R.mean, "var": R.var, "std": R.std, "max": R.max, "min": R.min,
    "amax": R.amax, "amin": R.amin, "logsumexp": R.logsumexp, "argmax": R.argmax,
    "argmin": R.argmin,
    # shape
    "reshape": S.reshape, "view": S.reshape, "permute": S.permute, "transpose": S.transpose,
    "squeeze": S.squeeze, "unsqueeze": S.unsqueeze, "flatten": S.flatten, "expand": S.expand,
    "broadcast_to": S.expand, "split": S.split, "chunk": S.chunk,
    # indexing
    "gather": I.gather, "index_select": I.index_select,
    # activations
    "relu": A.relu, "sigmoid": A.sigmoid, "tanh": A.tanh, "softmax": A.softmax,
    "log_softmax": A.log_softmax,
}

for _name, _fn in _methods.items():
    setattr(Tensor, _name, _fn)


def _expand_as(self, other):
    return S.expand(self, other.shape)


def _view_as(self, other):
    return S.reshape(self, other.shape)


def _where(self, condition, other):
    return E.where(condition, self, other)


Tensor.expand_as = _expand_as
Tensor.view_as = _view_as
Tensor.reshape_as = _view_as
Tensor.where = _where
