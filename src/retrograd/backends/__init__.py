"""Array backends: the kernels that ops run on their inputs' arrays.

An op never imports a backend's kernels directly: it asks ``kernels_for(*arrays)`` for the
backend of its inputs and calls the functions every backend provides (``cpu`` for NumPy arrays;
a GPU backend is a sibling folder of ``cpu/`` that registers its array type). What a backend
must provide is ``REQUIRED``; the README's "Backends" section says what each does.
"""
from __future__ import annotations

import numpy as np

from ..backend import register_array_module, unregister_array_module
from . import cpu
from .geometry import ConvGeometry, PoolGeometry

__all__ = ["REQUIRED", "ConvGeometry", "PoolGeometry", "kernels_for", "register", "unregister"]

REQUIRED = (
    "empty",                                                        # memory
    "matmul", "sum_array",                                          # linear algebra, reductions
    "conv_forward", "conv_grad_input", "conv_grad_weight",          # convolutions
    "max_pool", "max_pool_indices", "max_pool_scatter", "max_pool_gather",
    "avg_pool", "avg_pool_spread",                                  # pooling
    "add_scaled_", "scale_",                                        # in-place optimizer updates
)

_by_array_type: dict = {}  # array type -> kernels; NumPy arrays (not listed) run on cpu


def register(array_type: type, kernels, array_module) -> None:
    """Run ops on arrays of ``array_type`` with ``kernels`` (a module providing ``REQUIRED``)
    and ``array_module`` (the array library with NumPy's API, e.g. CuPy)."""
    missing = [name for name in REQUIRED if not hasattr(kernels, name)]
    if missing:
        raise TypeError(f"backend {getattr(kernels, '__name__', kernels)!r} lacks {missing}")
    if array_type is np.ndarray:
        raise TypeError("register: numpy.ndarray is the CPU backend's and cannot be re-registered")
    _by_array_type[array_type] = kernels
    register_array_module(array_type, array_module)


def unregister(array_type: type) -> None:
    """Undo ``register``: arrays of ``array_type`` go to the CPU backend and NumPy again."""
    _by_array_type.pop(array_type, None)
    unregister_array_module(array_type)


def kernels_for(*arrays):
    """The backend whose kernels run on ``arrays``: that of the first array of a registered type,
    as ``backend.array_module`` picks its module; NumPy arrays, scalars and None go to cpu."""
    if not _by_array_type:  # only NumPy in use
        return cpu
    for a in arrays:
        kernels = _by_array_type.get(type(a))
        if kernels is not None:
            return kernels
    return cpu
