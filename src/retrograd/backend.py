"""The array library behind tensors, chosen per call from the arrays themselves.

Ops never hold a module-wide array library: ``array_module(*arrays)`` answers the NumPy-like
module of their inputs (NumPy unless a backend registered the arrays' type), and factory
functions with no input arrays (zeros, arange, layer constructors) ask ``device_module(device)``,
the CPU's being NumPy, as PyTorch's factories go by ``device=``.
"""
from __future__ import annotations

import numpy as np

from .device import check_device


def array_module(*arrays):
    """The array library (NumPy's API) that holds ``arrays``: the module registered for the first
    array of a registered type; NumPy for NumPy arrays, scalars, None and anything else."""
    if not _modules_by_type:  # only NumPy in use: the common case costs one dict check
        return np
    for a in arrays:
        module = _modules_by_type.get(type(a))
        if module is not None:
            return module
    return np


def is_array(value) -> bool:
    """Whether ``value`` is an array of NumPy or of a registered backend (not a scalar or list)."""
    return isinstance(value, np.ndarray) or type(value) in _modules_by_type


def device_module(device=None):
    """The array library that makes new arrays on ``device`` (a device, its name, or None for
    the CPU): NumPy for the CPU. Factory functions (zeros, arange, layer constructors) use it;
    ops take their inputs' module from ``array_module`` instead."""
    return _modules_by_device[check_device(device, "tensor constructor").type]


def register_array_module(array_type: type, module) -> None:
    """Let ``array_module`` answer ``module`` for arrays of ``array_type`` (a backend's call)."""
    _modules_by_type[array_type] = module


def unregister_array_module(array_type: type) -> None:
    """Undo ``register_array_module`` (arrays of ``array_type`` answer NumPy again)."""
    _modules_by_type.pop(array_type, None)


_modules_by_type: dict = {}  # array type -> its module; NumPy's own types are not listed
_modules_by_device: dict = {"cpu": np}

float32 = np.dtype("float32")
float64 = np.dtype("float64")
float16 = np.dtype("float16")
int64 = np.dtype("int64")
int32 = np.dtype("int32")
uint8 = np.dtype("uint8")
bool_ = np.dtype("bool")
int8 = np.dtype("int8")
int16 = np.dtype("int16")
uint16 = np.dtype("uint16")
uint32 = np.dtype("uint32")
uint64 = np.dtype("uint64")
complex64 = np.dtype("complex64")
complex128 = np.dtype("complex128")

_default_float = float32


def get_default_dtype() -> np.dtype:
    """The dtype of tensors made from Python floats (float32 unless changed)."""
    return _default_float


def set_default_dtype(dtype) -> None:
    """Make ``dtype`` (float32 or float64) the dtype of new float tensors."""
    global _default_float
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"set_default_dtype: expected a floating dtype, got {dtype}")
    _default_float = dtype


def is_floating(dtype) -> bool:
    return np.dtype(dtype).kind == "f"


def to_array(data, dtype=None) -> np.ndarray:
    """Turn Python data or an array into an array, Python floats becoming the default dtype."""
    if isinstance(data, np.ndarray) or type(data) in _modules_by_type:
        return data if dtype is None else data.astype(dtype, copy=False)
    arr = np.asarray(data, dtype=dtype)
    if dtype is None and arr.dtype == np.float64 and not isinstance(data, np.generic):
        arr = arr.astype(_default_float)
    return arr


def as_array(value):
    """An op's result as an array: arrays of a registered backend as they are, NumPy scalars
    and the like as NumPy arrays."""
    return value if type(value) in _modules_by_type else np.asarray(value)


# ----- random numbers: retrograd.random's default generator, seeded by manual_seed --------------
from .random import get_generator, manual_seed  # noqa: E402,F401
