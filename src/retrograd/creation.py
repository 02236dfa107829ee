"""Tensor constructors with PyTorch's names, signatures and defaults: float32 unless a dtype is
given (integers for integer data), and ``dtype=``, ``device=`` and ``requires_grad=`` on each.
Random constructors are in sampling.py."""
from __future__ import annotations

import numpy as np

from . import backend
from .device import check_device
from .tensor import Tensor


def _shape(size, keyword=None) -> tuple:
    """``zeros(2, 3)``, ``zeros((2, 3))``, ``zeros([2, 3])`` and ``zeros(size=(2, 3))`` alike."""
    if keyword is not None:
        size = (keyword,)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    if not all(isinstance(s, (int, np.integer)) or (isinstance(s, Tensor) and s.ndim == 0) for s in size):
        raise TypeError(f"size must be a tuple of ints, got {size!r}")
    shape = tuple(int(s) for s in size)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {shape}")
    return shape


def _module(device):
    """The array library that makes arrays on ``device`` (None: the CPU's, NumPy)."""
    return backend.device_module(device)


def _float(dtype) -> np.dtype:
    return backend.get_default_dtype() if dtype is None else np.dtype(dtype)


def finish(array, device=None, requires_grad: bool = False) -> Tensor:
    """The tensor holding ``array``, after checking ``device`` (only the CPU exists)."""
    check_device(device, "tensor constructor")
    return Tensor(array, requires_grad=requires_grad)


def _data_dtype(data):
    """PyTorch's dtype for Python data: bools stay bool, ints int64, floats the default float
    (arrays keep theirs)."""
    if backend.is_array(data):
        return None
    arr = np.asarray(data)
    if arr.dtype.kind in "iu":
        return backend.int64
    return None


def tensor(data, dtype=None, device=None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (Python floats become float32)."""
    data = data.array if isinstance(data, Tensor) else data
    arr = backend.to_array(data, dtype if dtype is not None else _data_dtype(data))
    return finish(arr.copy() if arr is data else arr, device, requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """``data`` as a tensor, sharing memory with a tensor or NumPy array of the same dtype."""
    if isinstance(data, Tensor):
        return data if dtype is None or np.dtype(dtype) == data.dtype else data.to(dtype)
    if backend.is_array(data):
        return finish(data if dtype is None else data.astype(dtype, copy=False), device)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing ``ndarray``'s memory and dtype."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(ndarray).__name__}")
    return Tensor(ndarray)


def zeros(*size, dtype=None, device=None, requires_grad: bool = False, **options) -> Tensor:
    """A tensor of zeros of shape ``size`` (ints or one tuple), default float dtype."""
    xp = _module(device)
    return finish(xp.zeros(_shape(size, options.get("size")), dtype=_float(dtype)), device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad: bool = False, **options) -> Tensor:
    """A tensor of ones of shape ``size`` (ints or one tuple), default float dtype."""
    xp = _module(device)
    return finish(xp.ones(_shape(size, options.get("size")), dtype=_float(dtype)), device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad: bool = False, **options) -> Tensor:
    """A tensor of ``size`` (zero-filled here, though callers must not rely on it)."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad, **options)


def _fill_dtype(fill_value, dtype) -> np.dtype:
    if dtype is not None:
        return np.dtype(dtype)
    if isinstance(fill_value, (bool, np.bool_)):
        return backend.bool_
    if isinstance(fill_value, (int, np.integer)):
        return backend.int64
    if isinstance(fill_value, Tensor):
        return fill_value.dtype
    return backend.get_default_dtype()


def full(size, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """``size`` filled with ``fill_value`` (bool, int64 or the default float, from the value)."""
    xp = _module(device)
    value = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    return finish(xp.full(_shape((size,)), value, dtype=_fill_dtype(fill_value, dtype)), device, requires_grad)


def _like(input: Tensor, dtype, device):  # noqa: A002
    """Shape, dtype and array library of a ``*_like`` result: ``input``'s unless given."""
    module = backend.array_module(input.array) if device is None else _module(device)
    return input.shape, (input.dtype if dtype is None else np.dtype(dtype)), module


def zeros_like(input: Tensor, dtype=None, device=None, requires_grad: bool = False, **_) -> Tensor:  # noqa: A002
    """Zeros with the shape (and, unless given, the dtype) of ``input``."""
    shape, dtype, xp = _like(input, dtype, device)
    return finish(xp.zeros(shape, dtype=dtype), device, requires_grad)


def ones_like(input: Tensor, dtype=None, device=None, requires_grad: bool = False, **_) -> Tensor:  # noqa: A002
    """Ones with the shape (and, unless given, the dtype) of ``input``."""
    shape, dtype, xp = _like(input, dtype, device)
    return finish(xp.ones(shape, dtype=dtype), device, requires_grad)


empty_like = zeros_like


def full_like(input: Tensor, fill_value, dtype=None, device=None, requires_grad: bool = False, **_) -> Tensor:  # noqa: A002
    """``fill_value`` everywhere, with the shape (and, unless given, the dtype) of ``input``."""
    shape, dtype, xp = _like(input, dtype, device)
    return finish(xp.full(shape, fill_value, dtype=dtype), device, requires_grad)


def _number(v):
    """Zeros with the shape (and, unless given, the dtype) of ``input``."""
    return v.item() if isinstance(v, Tensor) else v


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """start, start+step, ... below ``end``: int64 when all three are integers, else float32."""
    xp = _module(device)
    start, end, step = _number(start), _number(end), _number(step)
    if end is None:
        start, end = 0, start
    is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    dtype = np.dtype(dtype) if dtype is not None else (backend.int64 if is_int else _float(None))
    if dtype.kind in "iu":  # PyTorch truncates start, end and step to integers first (a wart)
        start, end, step = int(start), int(end), int(step)
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    return finish(xp.arange(start, end, step, dtype=dtype), device, requires_grad)


def linspace(start, end, steps: int, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from start to end; integer dtypes truncate toward zero."""
    xp = _module(device)
    if steps < 0:
        raise RuntimeError(f"linspace: number of steps must be non-negative, got {steps}")
    values = xp.linspace(_number(start), _number(end), steps, dtype=xp.float64)
    dtype = _float(dtype)
    if dtype.kind in "iu":
        values = xp.trunc(values)
    return finish(values.astype(dtype), device, requires_grad)


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """base ** linspace(start, end, steps)."""
    xp = _module(device)
    exponents = xp.linspace(_number(start), _number(end), steps, dtype=xp.float64)
    return finish((base ** exponents).astype(_float(dtype)), device, requires_grad)


def eye(n: int, m: int | None = None, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """The identity matrix (n, m) (m defaults to n): ones on the diagonal."""
    xp = _module(device)
    return finish(xp.eye(n, m, dtype=_float(dtype)), device, requires_grad)
