"""Array backends: the kernels that ops run on their inputs' arrays.

An op never imports a backend's kernels directly: it asks ``kernels_for(*arrays)`` for the
backend of its inputs and calls the functions every backend provides (``cpu`` for NumPy arrays;
a GPU backend is a sibling folder of ``cpu/`` that registers its array type). What a backend
must provide is ``REQUIRED``; the README's "Backends" section says what each does.
"""
from __future__ import annotations

import numpy as np

from ..backend import register_array_module
from . import cpu
from .geometry import ConvGeometry, PoolGeometry

__all__ = ["REQUIRED", "ConvGeometry", "PoolGeometry", "kernels_for", "register"]

REQUIRED = (
    "empty",                                                        # memory
    "matmul", "sum_array",                                          # linear algebra, reductions
    "conv_forward", "conv_grad_input", "conv_grad_weight",          # convolutions
    "max_pool", "max_pool_indices", "max_pool_scatter", "max_pool_gather",
    "avg_pool", "avg_pool_spread",                                  # pooling
    "add_scaled_", "scale_",                                        # in-place optimizer updates
)

_by_array_type: dict = {np.ndarray: cpu}


def register(array_type: type, kernels, array_module) -> None:
    """Run ops on arrays of ``array_type`` with ``kernels`` (a module providing ``REQUIRED``)
    and ``array_module`` (the array library with NumPy's API, e.g. CuPy)."""
    missing = [name for name in REQUIRED if not hasattr(kernels, name)]
    if missing:
        raise TypeError(f"backend {getattr(kernels, '__name__', kernels)!r} lacks {missing}")
    _by_array_type[array_type] = kernels
    register_array_module(array_type, array_module)


def kernels_for(*arrays):
    """The backend whose kernels run on ``arrays`` (the first array's type decides; NumPy
    arrays, scalars and None go to the CPU backend)."""
    for a in arrays:
        kernels = _by_array_type.get(type(a))
        if kernels is not None:
            return kernels
    return cpu
