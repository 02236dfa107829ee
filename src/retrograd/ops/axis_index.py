"""Gather and scatter-add along one dim by a 1-D index, each the other's gradient.

``take_along_dim(x, dim, index)`` picks x's slices ``index`` along ``dim`` (repeats allowed);
``index_add_along_dim(g, dim, index, size)`` sums g's slices into ``size`` slots. Into a few
slots (<= ONE_HOT_MAX_SIZE, floating dtypes) the sum is one matrix product with the (len(index),
size) one-hot matrix, a GEMM; otherwise it sorts the index once and adds runs with
``add.reduceat``. Both beat ``add.at`` by far on the repeated indices of padding, resampling and
sliding windows (figures in benchmarks/README.md).
"""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import array_module
from ..tensor import Tensor


ONE_HOT_MAX_SIZE = 256  # above it the dense product would cost more than the sorted scatter


class TakeAlongDim(Function):
    saves_inputs, saves_output = (), False  # backward reads the index only

    def forward(self, x, dim=0, index=None):
        self.dim, self.index, self.size = dim, index, x.shape[dim]
        return array_module(x).take(x, index, axis=dim)

    def backward(self, g):
        return IndexAddAlongDim.apply(g, dim=self.dim, index=self.index, size=self.size)


class IndexAddAlongDim(Function):
    saves_inputs, saves_output = (), False

    def forward(self, g, dim=0, index=None, size=0):
        self.dim, self.index = dim, index
        xp = array_module(g)
        if 0 < index.size and size <= ONE_HOT_MAX_SIZE and g.dtype.kind == "f":
            one_hot = xp.zeros((index.size, size), dtype=g.dtype)
            one_hot[xp.arange(index.size), index] = 1
            summed = xp.tensordot(g, one_hot, axes=([dim], [0]))  # the summed dim comes last
            return xp.ascontiguousarray(xp.moveaxis(summed, -1, dim))
        shape = list(g.shape)
        shape[dim] = size
        out = xp.zeros(shape, dtype=g.dtype)
        if index.size == 0:
            return out
        order = xp.argsort(index, kind="stable")
        ordered = index[order]
        starts = xp.flatnonzero(xp.r_[True, ordered[1:] != ordered[:-1]])
        sums = xp.add.reduceat(xp.take(g, order, axis=dim), starts, axis=dim)
        where = [slice(None)] * g.ndim
        where[dim] = ordered[starts]
        out[tuple(where)] = sums
        return out

    def backward(self, gg):
        return TakeAlongDim.apply(gg, dim=self.dim, index=self.index)


def take_along_dim(x: Tensor, dim: int, index) -> Tensor:
    """x's slices ``index`` (1-D ints in [0, size)) along ``dim``: size n -> len(index)."""
    return TakeAlongDim.apply(x, dim=dim % x.ndim, index=index)


def index_add_along_dim(g: Tensor, dim: int, index, size: int) -> Tensor:
    """Zeros with ``size`` slots along ``dim``, g's slice i added to slot index[i]."""
    return IndexAddAlongDim.apply(g, dim=dim % g.ndim, index=index, size=size)
