"""Reuse of the large arrays a training step makes and drops (activations, gradients), without
touching the C allocator.

A step allocates and frees the same large arrays every time. Freed by NumPy, glibc hands big
blocks back to the kernel, and the kernel zero-fills every page of the next allocation on first
touch: page faults that cost a convolutional step a fifth of its time. ``ArrayPool`` keeps the
arrays that kernels hand out and gives one out again once nothing else references it (its
reference count says so: a view keeps its base referenced), so the memory stays mapped inside
retrograd and the process's allocator is left as the user has it.
"""
from __future__ import annotations

import sys
import threading

import numpy as np

__all__ = ["ArrayPool", "array_pool", "empty", "empty_cache"]

_getrefcount = sys.getrefcount


class ArrayPool:
    """Arrays of at least ``smallest`` bytes by (shape, dtype); at most ``limit`` bytes are held,
    the least recently used shapes dropped first. Smaller arrays come straight from NumPy."""

    def __init__(self, limit: int = 1 << 30, smallest: int = 1 << 18):
        self.held: dict = {}  # (shape, dtype) -> [arrays], most recently used key last
        self.bytes, self.limit, self.smallest = 0, limit, smallest
        self.lock = threading.Lock()

    def empty(self, shape, dtype) -> np.ndarray:
        """An uninitialised C-contiguous array, reused when one of this shape is free."""
        dtype = np.dtype(dtype)
        shape = tuple(shape)
        nbytes = dtype.itemsize
        for s in shape:
            nbytes *= s
        if nbytes < self.smallest or nbytes > self.limit:
            return np.empty(shape, dtype)
        key = (shape, dtype)
        with self.lock:
            arrays = self.held.get(key)
            if arrays is not None:
                for a in arrays:
                    if _getrefcount(a) == 3:  # the list, ``a`` and the call's argument
                        self.held[key] = self.held.pop(key)  # most recently used last
                        return a
            a = np.empty(shape, dtype)
            self.held.setdefault(key, []).append(a)
            self.bytes += nbytes
            if self.bytes > self.limit:
                self._drop_oldest()
        return a

    def zeros(self, shape, dtype) -> np.ndarray:
        out = self.empty(shape, dtype)
        out.fill(0)
        return out

    def _drop_oldest(self) -> None:
        for key in list(self.held):
            if self.bytes <= self.limit:
                return
            arrays = self.held.pop(key)
            self.bytes -= sum(a.nbytes for a in arrays)

    def clear(self) -> None:
        """Let go of every held array (those still in use stay alive through their users)."""
        with self.lock:
            self.held.clear()
            self.bytes = 0


array_pool = ArrayPool()
empty = array_pool.empty


def empty_cache() -> None:
    """Release the arrays retrograd holds for reuse (as ``torch.cuda.empty_cache``)."""
    array_pool.clear()
