"""Reuse of the large arrays a training step makes and drops (activations, gradients), without
touching the C allocator.

A step allocates and frees the same large arrays every time. Freed by NumPy, glibc hands big
blocks back to the kernel, and the kernel zero-fills every page of the next allocation on first
touch: page faults that cost a convolutional step a fifth of its time. ``ArrayPool`` keeps the
buffers under the arrays that kernels hand out and gives one out again, for any shape of about
its size, once nothing references it any more (its reference count says so: every array made
from it is a view that references it), so the memory stays mapped inside retrograd and the
process's allocator is left as the user has it.
"""
from __future__ import annotations

import sys
import threading

import numpy as np

__all__ = ["ArrayPool", "array_pool", "empty", "empty_cache", "size_class"]

_getrefcount = sys.getrefcount


def size_class(nbytes: int) -> int:
    """``nbytes`` rounded up to one of four sizes per power of two (at most 25% more), so arrays
    of different shapes but about the same size share buffers."""
    top = 1 << (nbytes - 1).bit_length()
    quarter = top >> 3  # sizes top/2 + k * top/8, k = 1..4
    return -(-nbytes // quarter) * quarter if quarter else top


class ArrayPool:
    """Buffers of at least ``smallest`` bytes by size class; at most ``limit`` bytes are held,
    the least recently used classes dropped first. Smaller arrays come straight from NumPy."""

    def __init__(self, limit: int = 1 << 30, smallest: int = 1 << 17):
        self.held: dict = {}  # size class -> [uint8 buffers], most recently used class last
        self.bytes, self.limit, self.smallest = 0, limit, smallest
        self.lock = threading.Lock()

    def empty(self, shape, dtype) -> np.ndarray:
        """An uninitialised C-contiguous array (a view of a held buffer when large enough),
        reused once nothing references its buffer any more."""
        dtype = np.dtype(dtype)
        shape = tuple(shape)
        nbytes = dtype.itemsize
        for s in shape:
            nbytes *= s
        if nbytes < self.smallest or nbytes > self.limit:
            return np.empty(shape, dtype)
        size = size_class(nbytes)
        with self.lock:
            buffers = self.held.get(size)
            if buffers is not None:
                for buf in buffers:
                    if _getrefcount(buf) == 3:  # the list, ``buf`` and the call's argument
                        self.held[size] = self.held.pop(size)  # most recently used last
                        return buf[:nbytes].view(dtype).reshape(shape)
            buf = np.empty(size, np.uint8)
            self.held.setdefault(size, []).append(buf)
            self.bytes += size
            if self.bytes > self.limit:
                self._drop_oldest()
        return buf[:nbytes].view(dtype).reshape(shape)

    def zeros(self, shape, dtype) -> np.ndarray:
        out = self.empty(shape, dtype)
        out.fill(0)
        return out

    def _drop_oldest(self) -> None:
        for size in list(self.held):
            if self.bytes <= self.limit:
                return
            self.bytes -= size * len(self.held.pop(size))

    def clear(self) -> None:
        """Let go of every held buffer (those still in use stay alive through their arrays)."""
        with self.lock:
            self.held.clear()
            self.bytes = 0


array_pool = ArrayPool()
empty = array_pool.empty


def empty_cache() -> None:
    """Release the arrays retrograd holds for reuse (as ``torch.cuda.empty_cache``)."""
    array_pool.clear()
