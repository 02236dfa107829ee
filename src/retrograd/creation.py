"""Tensor constructors with PyTorch's names and defaults (float32 unless a dtype is given)."""
from __future__ import annotations

import numpy as np

from . import backend
from .backend import xp
from .tensor import Tensor


def _shape(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(size[0])
    return tuple(size)


def _float(dtype):
    return backend.get_default_dtype() if dtype is None else np.dtype(dtype)


def tensor(data, dtype=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (Python floats become float32)."""
    data = data.array if isinstance(data, Tensor) else data
    arr = backend.to_array(data, dtype)
    return Tensor(arr.copy() if arr is data else arr, requires_grad=requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory and dtype."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    return Tensor(array)


def zeros(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of shape ``size`` (ints or one tuple), default float dtype."""
    return Tensor(xp.zeros(_shape(size), dtype=_float(dtype)), requires_grad=requires_grad)


def ones(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones of shape ``size`` (ints or one tuple), default float dtype."""
    return Tensor(xp.ones(_shape(size), dtype=_float(dtype)), requires_grad=requires_grad)


def full(size, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    """Shape ``size`` filled with ``fill_value`` (dtype inferred from it unless given)."""
    if dtype is None:
        dtype = np.asarray(fill_value).dtype if not isinstance(fill_value, float) else _float(None)
        dtype = backend.int64 if dtype.kind in "iu" else dtype
    return Tensor(xp.full(tuple(size), fill_value, dtype=dtype), requires_grad=requires_grad)


def zeros_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape (and, unless given, the dtype) of ``t``."""
    return Tensor(xp.zeros(t.shape, dtype=dtype or t.dtype), requires_grad=requires_grad)


def ones_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    """Ones with the shape (and, unless given, the dtype) of ``t``."""
    return Tensor(xp.ones(t.shape, dtype=dtype or t.dtype), requires_grad=requires_grad)


def full_like(t: Tensor, fill_value, dtype=None) -> Tensor:
    """``fill_value`` everywhere, with the shape (and, unless given, the dtype) of ``t``."""
    return Tensor(xp.full(t.shape, fill_value, dtype=dtype or t.dtype))


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False) -> Tensor:
    """start (default 0), start + step, ... up to, not including, ``end``: a 1-D tensor."""
    if end is None:
        start, end = 0, start
    is_int = all(isinstance(v, int) for v in (start, end, step))
    dtype = dtype or (backend.int64 if is_int else _float(None))
    return Tensor(xp.arange(start, end, step, dtype=dtype), requires_grad=requires_grad)


def linspace(start, end, steps: int, dtype=None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included: shape (steps,)."""
    return Tensor(xp.linspace(start, end, steps, dtype=_float(dtype)), requires_grad=requires_grad)


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False) -> Tensor:
    """The identity matrix (n, m) (m defaults to n): ones on the diagonal."""
    return Tensor(xp.eye(n, m, dtype=_float(dtype)), requires_grad=requires_grad)


def rand(*size, dtype=None, generator=None, requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1)."""
    rng = generator or backend.get_generator()
    return Tensor(rng.random(_shape(size)).astype(_float(dtype)), requires_grad=requires_grad)


def randn(*size, dtype=None, generator=None, requires_grad: bool = False) -> Tensor:
    """Standard normal."""
    rng = generator or backend.get_generator()
    return Tensor(rng.standard_normal(_shape(size)).astype(_float(dtype)), requires_grad=requires_grad)


def randint(low, high=None, size=(), dtype=None, generator=None) -> Tensor:
    """Integers in [low, high) (``randint(high, size)`` also accepted)."""
    if high is None:
        low, high = 0, low
    rng = generator or backend.get_generator()
    return Tensor(rng.integers(low, high, size=tuple(size)).astype(dtype or backend.int64))


def randperm(n: int, generator=None) -> Tensor:
    """A random permutation of 0..n-1 (int64, shape (n,))."""
    rng = generator or backend.get_generator()
    return Tensor(rng.permutation(n).astype(backend.int64))
