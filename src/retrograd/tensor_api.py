"""The rest of PyTorch's Tensor methods (issue 14): math, reductions, selection, layout,
indexing and scatter, each a delegation to ``retrograd.ops``; in-place forms (``x.floor_()``,
``x %= 2``) write the out-of-place result back, refusing a dtype the tensor cannot hold."""
from __future__ import annotations

from . import backend
from .ops import contract as C
from .ops import counting as K
from .ops import layout as L
from .ops import math as M
from .ops import math_binary as B
from .ops import norms as N
from .ops import scan as SC
from .ops import scatter as X
from .ops import select as SE
from .ops import sort as SO
from .ops import stats as ST
from .ops.promote import category
from .tensor import Tensor


def _rev(fn):
    return lambda self, other: fn(other, self)


def _clamp_min(self: Tensor, min) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``clamp(min=min)``: every element at least ``min`` (a number or a tensor)."""
    return SE.clamp(self, min=min)


def _clamp_max(self: Tensor, max) -> Tensor:  # noqa: A002
    """``clamp(max=max)``: every element at most ``max`` (a number or a tensor)."""
    return SE.clamp(self, max=max)


def _fliplr(self: Tensor) -> Tensor:
    """The columns (dim 1) in reverse order; needs at least 2 dims."""
    return L.flip(self, 1)


def _flipud(self: Tensor) -> Tensor:
    """The rows (dim 0) in reverse order."""
    return L.flip(self, 0)


def _t(self: Tensor) -> Tensor:
    """The transpose of a 2-D tensor; a 0-D or 1-D one as it is."""
    return self if self.ndim < 2 else self.transpose(0, 1)


def _ravel(self: Tensor) -> Tensor:
    """The elements flattened to 1-D (``reshape(-1)``)."""
    return self.reshape(-1)


def write_inplace(self: Tensor, result: Tensor, op: str) -> Tensor:
    """Store ``result`` into ``self`` (PyTorch's in-place ops): the shape must stay, and the
    result's dtype must not be of a higher category than self's (a float into an int tensor)."""
    self._check_inplace(op)
    if category(result.dtype) > category(self.dtype):
        raise RuntimeError(f"{op}: result type {result.dtype} can't be cast to the desired output "
                           f"type {self.dtype}")
    if result.shape != self.shape:
        raise RuntimeError(f"{op}: the result's shape {tuple(result.shape)} does not match the "
                           f"tensor's shape {tuple(self.shape)} (in-place ops cannot broadcast it)")
    self.array[...] = result.array
    return self


def _inplace(fn, op: str):
    def method(self, *args, **kwargs):
        return write_inplace(self, fn(self, *args, **kwargs), op)

    method.__name__ = op
    return method


_math_methods = {
    **M.UNARY_OPS,
    "arcsin": M.asin, "arccos": M.acos, "arctan": M.atan, "arcsinh": M.asinh, "arccosh": M.acosh,
    "arctanh": M.atanh, "fix": M.trunc,
    "atan2": B.atan2, "arctan2": B.atan2, "logaddexp": B.logaddexp, "hypot": B.hypot,
    "copysign": B.copysign, "fmod": B.fmod, "remainder": B.remainder, "floor_divide": B.floor_divide,
    "lerp": B.lerp, "addcmul": B.addcmul, "addcdiv": B.addcdiv,
    "clamp_min": _clamp_min, "clamp_max": _clamp_max,
    "bitwise_and": B.bitwise_and, "bitwise_or": B.bitwise_or,
    "bitwise_xor": B.bitwise_xor, "bitwise_not": B.bitwise_not,
    "bitwise_left_shift": B.bitwise_left_shift, "bitwise_right_shift": B.bitwise_right_shift,
}
_reduction_methods = {
    "cumsum": SC.cumsum, "cumprod": SC.cumprod, "cummax": SC.cummax, "cummin": SC.cummin,
    "logcumsumexp": SC.logcumsumexp, "prod": ST.prod, "all": ST.all, "any": ST.any,
    "count_nonzero": ST.count_nonzero, "aminmax": ST.aminmax, "median": ST.median, "mode": ST.mode,
    "norm": N.tensor_norm, "nansum": ST.nansum, "nanmean": ST.nanmean, "trace": ST.trace,
    "diff": ST.diff, "bincount": K.bincount, "histc": K.histc,
}
_selection_methods = {
    "isnan": SE.isnan, "isinf": SE.isinf, "isfinite": SE.isfinite, "isposinf": SE.isposinf,
    "isneginf": SE.isneginf, "isclose": SE.isclose, "allclose": SE.allclose, "equal": SE.equal,
    "eq": SE.eq, "ne": SE.ne, "lt": SE.lt, "le": SE.le, "gt": SE.gt, "ge": SE.ge,
    "greater": SE.gt, "greater_equal": SE.ge, "less": SE.lt, "less_equal": SE.le, "not_equal": SE.ne,
    "logical_and": SE.logical_and, "logical_or": SE.logical_or, "logical_xor": SE.logical_xor,
    "logical_not": SE.logical_not, "nonzero": SE.nonzero, "argwhere": SE.argwhere,
    "masked_fill": SE.masked_fill, "masked_select": SE.masked_select, "clamp": SE.clamp,
    "clip": SE.clamp, "sort": SO.sort, "argsort": SO.argsort, "msort": SO.msort, "topk": SO.topk,
    "kthvalue": SO.kthvalue, "unique": SO.unique,
}
_layout_methods = {
    "flip": L.flip, "fliplr": _fliplr, "flipud": _flipud,
    "roll": L.roll, "repeat": L.repeat, "tile": L.tile, "repeat_interleave": L.repeat_interleave,
    "tril": L.tril, "triu": L.triu, "diag": L.diag, "diagonal": L.diagonal,
    "diag_embed": L.diag_embed, "unflatten": L.unflatten, "movedim": L.movedim,
    "moveaxis": L.movedim, "swapaxes": L.swapaxes, "swapdims": L.swapdims, "narrow": L.narrow,
    "select": L.select, "unbind": L.unbind, "tensor_split": L.tensor_split, "unfold": L.unfold,
    "view": L.view, "t": _t, "ravel": _ravel,
    "dot": C.dot, "mm": C.mm, "bmm": C.bmm, "mv": C.mv, "outer": C.outer, "ger": C.outer,
    "addmm": C.addmm, "baddbmm": C.baddbmm, "cross": C.cross,
}
_index_methods = {
    "scatter": X.scatter, "scatter_add": X.scatter_add, "scatter_reduce": X.scatter_reduce,
    "index_add": X.index_add, "index_copy": X.index_copy, "index_fill": X.index_fill,
    "index_put": X.index_put, "take": X.take, "take_along_dim": X.take_along_dim,
}
_inplace_methods = {name: fn for name, fn in {**_index_methods, "masked_fill": SE.masked_fill,
                                              "clip": SE.clamp}.items()
                    if name not in ("take", "take_along_dim")}  # clamp_ is Tensor's own
_operators = {
    "__mod__": B.remainder, "__rmod__": _rev(B.remainder),
    "__floordiv__": B.floor_divide, "__rfloordiv__": _rev(B.floor_divide),
    "__and__": B.bitwise_and, "__rand__": _rev(B.bitwise_and),
    "__or__": B.bitwise_or, "__ror__": _rev(B.bitwise_or),
    "__xor__": B.bitwise_xor, "__rxor__": _rev(B.bitwise_xor),
    "__lshift__": B.bitwise_left_shift, "__rlshift__": _rev(B.bitwise_left_shift),
    "__rshift__": B.bitwise_right_shift, "__rrshift__": _rev(B.bitwise_right_shift),
    "__invert__": B.bitwise_not,
}
_inplace_operators = {
    "__imod__": B.remainder, "__ifloordiv__": B.floor_divide, "__iand__": B.bitwise_and,
    "__ior__": B.bitwise_or, "__ixor__": B.bitwise_xor, "__ilshift__": B.bitwise_left_shift,
    "__irshift__": B.bitwise_right_shift,
}

for _name, _fn in {**_math_methods, **_reduction_methods, **_selection_methods, **_layout_methods,
                   **_index_methods, **_operators}.items():
    setattr(Tensor, _name, _fn)
for _name, _fn in {**_math_methods, **_inplace_methods}.items():
    setattr(Tensor, _name + "_", _inplace(_fn, _name + "_"))
for _name, _fn in _inplace_operators.items():
    setattr(Tensor, _name, _inplace(_fn, _name))
for _name in ("exp", "log", "sqrt", "abs", "neg", "sin", "cos", "sigmoid", "tanh", "relu", "pow"):
    if not hasattr(Tensor, _name + "_"):
        setattr(Tensor, _name + "_", _inplace(getattr(Tensor, _name), _name + "_"))


def _new(make):
    """Tensor.new_zeros & co.: a new tensor of this one's dtype and array module (unless given)."""
    def method(self, *args, dtype=None, device=None, requires_grad: bool = False, **kwargs):
        new = make(*args, dtype=self.dtype if dtype is None else dtype, device=device,
                   requires_grad=requires_grad, **kwargs)
        if device is None:
            new.array = backend.array_module(self.array).asarray(new.array)
        return new

    return method


def _attach_constructors() -> None:
    from . import creation

    Tensor.new_zeros = _new(creation.zeros)
    Tensor.new_ones = _new(creation.ones)
    Tensor.new_empty = _new(creation.empty)
    Tensor.new_full = _new(lambda size, fill_value, **kw: creation.full(size, fill_value, **kw))
    Tensor.new_tensor = _new(creation.tensor)


_attach_constructors()


def _attach_protocols() -> None:
    """NumPy conversion, iteration, membership and small conveniences PyTorch code relies on."""
    from . import sampling

    def __array__(self, dtype=None, copy=None):
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on a tensor that requires grad; use "
                               "tensor.detach().numpy()")
        return self.array if dtype is None else self.array.astype(dtype)

    def __iter__(self):
        if self.array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.array.shape[0]))

    def __contains__(self, element) -> bool:
        return bool((self.array == (element.array if isinstance(element, Tensor) else element)).any())

    Tensor.__array__, Tensor.__iter__, Tensor.__contains__ = __array__, __iter__, __contains__
    Tensor.nelement = Tensor.numel
    Tensor.ndimension = Tensor.dim
    Tensor.is_contiguous = lambda self, memory_format=None: True
    Tensor.type_as = lambda self, other: self.to(other.dtype)
    for name in ("uniform_", "normal_", "bernoulli_", "exponential_", "random_"):
        setattr(Tensor, name, getattr(sampling, name))


_attach_protocols()
