"""Matrix products and sums on the CPU: NumPy's matmul with BLAS held to one thread where that
is faster, and sums that walk memory in order."""
from __future__ import annotations

import numpy as np

from .threads import hold_blas_threads, release_blas_threads

__all__ = ["matmul", "sum_array"]

# Longer row sums keep NumPy's pairwise summation (more accurate than a BLAS dot product).
ROWS_BY_PRODUCT = 4096


def matmul(a, b):
    """``np.matmul(a, b)``."""
    n = b.shape[-1] if b.ndim > 1 else 1
    m = a.shape[-2] if a.ndim > 1 else 1
    held = hold_blas_threads(max(a.size * n, b.size * m))  # multiply-adds
    try:
        return np.matmul(a, b)
    finally:
        release_blas_threads(held)


def sum_array(x, axes: tuple[int, ...], keepdims: bool = False):
    """``np.sum(x, axis=axes, keepdims=keepdims)`` for non-negative ``axes``, faster when they
    include the leading axis and others: the samples of a C-contiguous array are first added
    together whole (contiguous row adds), then the rest is reduced, where NumPy's own reduction
    over (0, 2, 3) walks the array in a strided order. A sum over every axis stays NumPy's
    (pairwise over the whole array, the most accurate). A (rows, cols) float array summed over
    up to ROWS_BY_PRODUCT rows is a product with a row of ones (BLAS gemv), where NumPy sums a
    column-major array column by column."""
    if (axes == (0,) and x.ndim == 2 and x.shape[0] <= ROWS_BY_PRODUCT
            and x.dtype in (np.float32, np.float64)):
        out = np.matmul(np.ones(x.shape[0], dtype=x.dtype), x)
        return out[None] if keepdims else out
    if len(axes) < 2 or len(axes) == x.ndim or 0 not in axes or not x.flags.c_contiguous:
        return np.sum(x, axis=axes, keepdims=keepdims)
    out = np.sum(np.sum(x, axis=0), axis=tuple(a - 1 for a in axes if a != 0), keepdims=keepdims)
    return out[None] if keepdims else out
