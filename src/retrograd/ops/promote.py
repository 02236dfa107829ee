"""Type promotion as PyTorch does it, for ops with several operands.

Operands fall in three priority levels: tensors with dimensions, 0-d tensors, Python numbers.
A lower level changes the result only when its category (bool < integer < floating) is higher:
``int64 tensor * 2.5`` is float32 (the default float), ``float32 tensor + float64 0-d tensor`` is
float32, ``int32 tensor + float64 0-d tensor`` is float64. Within a level, dtypes promote as
``torch.promote_types``: the higher category wins outright (float32 with int64 stays float32).
"""
from __future__ import annotations

import numpy as np

from .. import backend
from ..backend import is_array
from ..tensor import Tensor

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def category(dtype) -> int:
    return _CATEGORY[np.dtype(dtype).kind]


def promote_types(type1, type2) -> np.dtype:
    """The dtype holding both ``type1`` and ``type2`` (PyTorch's ``promote_types``)."""
    type1, type2 = np.dtype(type1), np.dtype(type2)
    ca, cb = category(type1), category(type2)
    if ca != cb:
        return type1 if ca > cb else type2
    return np.promote_types(type1, type2)


def _scalar_dtype(value) -> np.dtype:
    """The default dtype of a Python number's category."""
    if isinstance(value, (bool, np.bool_)):
        return backend.bool_
    if isinstance(value, (int, np.integer)):
        return backend.int64
    if isinstance(value, complex):
        return np.dtype("complex64") if backend.get_default_dtype() == backend.float32 else np.dtype("complex128")
    return backend.get_default_dtype()


def result_type(tensor, other, *more) -> np.dtype:
    """The dtype PyTorch gives an op on ``tensor``, ``other`` and any ``more`` (Tensors, arrays,
    Python numbers)."""
    levels: list = [None, None, None]  # dimensioned tensors, 0-d tensors, Python numbers
    for x in (tensor, other, *more):
        if isinstance(x, Tensor):
            arr = x.array
            level, dt = (0 if arr.ndim else 1), arr.dtype
        elif is_array(x):
            level, dt = (0 if x.ndim else 1), x.dtype
        elif x is None:
            continue
        else:
            level, dt = 2, _scalar_dtype(x)
        levels[level] = dt if levels[level] is None else promote_types(levels[level], dt)
    result = None
    for dt in levels:
        if dt is None:
            continue
        if result is None:
            result = dt
        elif category(dt) > category(result):  # a lower level wins only by a higher category
            result = dt
    return result


def as_dtype(x, dtype):
    """``x`` (Tensor, array or number) in ``dtype``: tensors are cast (differentiably between
    floating dtypes), numbers and arrays converted."""
    if isinstance(x, Tensor):
        if x.array.dtype == dtype:
            return x
        from .cast import cast

        return cast(x, dtype)
    if is_array(x):
        return x.astype(dtype, copy=False)
    return x  # a Python number: NumPy keeps the array operand's dtype (NEP 50)


def promote(a, b, floating: bool = False):
    """``a`` and ``b`` in their common dtype (the default float when ``floating`` and the common
    dtype is bool or integer: true division, atan2 ...). Returns (a, b)."""
    ta, tb = type(a), type(b)
    if ta is Tensor and tb is Tensor:  # the common case first: one dtype, nothing to do
        if a.array.dtype == b.array.dtype and (not floating or a.array.dtype.kind == "f"):
            return a, b
    elif ta is Tensor and (tb is float or tb is int):  # a Python number keeps the tensor's
        kind = a.array.dtype.kind                       # dtype unless it is of a higher category
        if kind == "f" or (tb is int and kind in "iu" and not floating):
            return a, b
    elif tb is Tensor and (ta is float or ta is int):
        kind = b.array.dtype.kind
        if kind == "f" or (ta is int and kind in "iu" and not floating):
            return a, b
    dtype = result_type(a, b)
    if floating and dtype.kind in "biu":
        dtype = backend.get_default_dtype()
    return as_dtype(a, dtype), as_dtype(b, dtype)
