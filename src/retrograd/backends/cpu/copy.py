"""Copies between arrays laid out across each other, in tiles.

``dst[...] = src`` where src runs across dst's contiguous axis with a long stride (a transposed
gradient written back into an activation's layout): NumPy walks dst in order and src a stride
at a time, each read on a new cache line and, for strides of pages, a new page. Copying
``TILE``-wide slices of dst's contiguous axis instead fills whole cache lines of dst from reads
that stay in cache (benchmarks/README.md has the figures).
"""
from __future__ import annotations

__all__ = ["copy_"]

TILE = 16  # elements of dst's contiguous axis per slice: one 64-byte line of float32
MIN_SIZE = 1 << 15  # smaller copies stay in cache anyway
MIN_SRC_STRIDE = 1024  # bytes between src's elements along dst's contiguous axis


def copy_(dst, src) -> None:
    """``dst[...] = src`` in place (src broadcast to dst's shape)."""
    if dst.ndim < 2 or dst.size < MIN_SIZE or getattr(src, "shape", None) != dst.shape:
        dst[...] = src
        return
    axis = min(range(dst.ndim), key=lambda a: abs(dst.strides[a]))
    if abs(src.strides[axis]) < MIN_SRC_STRIDE or dst.shape[axis] <= TILE:
        dst[...] = src
        return
    index = [slice(None)] * dst.ndim
    for start in range(0, dst.shape[axis], TILE):
        index[axis] = slice(start, start + TILE)
        dst[tuple(index)] = src[tuple(index)]
