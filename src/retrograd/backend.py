"""The array library behind tensors.

Every other module reaches NumPy through ``xp`` here, so a GPU array library with NumPy's API
(CuPy) can be swapped in later without touching op code.
"""
from __future__ import annotations

import numpy as np

xp = np  # the array module in use


def array_module(*arrays):
    """The array library (NumPy's API) that holds ``arrays``: ops call this on their inputs
    instead of importing a module-wide one, so arrays of a second backend run the same op code.
    NumPy arrays, scalars and anything unregistered answer NumPy."""
    for a in arrays:
        module = _modules_by_type.get(type(a))
        if module is not None:
            return module
    return np


def register_array_module(array_type: type, module) -> None:
    """Let ``array_module`` answer ``module`` for arrays of ``array_type`` (a backend's call)."""
    _modules_by_type[array_type] = module


_modules_by_type: dict = {}

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
    if isinstance(data, np.ndarray):
        return data if dtype is None else data.astype(dtype, copy=False)
    arr = np.asarray(data, dtype=dtype)
    if dtype is None and arr.dtype == np.float64 and not isinstance(data, np.generic):
        arr = arr.astype(_default_float)
    return arr


# ----- random numbers: retrograd.random's default generator, seeded by manual_seed --------------
from .random import default_generator as _rng, get_generator, manual_seed  # noqa: E402,F401


def get_rng_state() -> dict:
    """The default generator's NumPy state (what checkpoints store)."""
    return _rng.bit_generator.state


def set_rng_state(state: dict) -> None:
    _rng.bit_generator.state = state
