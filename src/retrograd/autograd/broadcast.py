"""Broadcasting and its undoing, the pair the engine is built on: ``Expand`` broadcasts an
array to a larger shape and ``SumTo`` sums a gradient back to its input's shape (the engine's
one place where broadcasting is undone); each is the other's gradient."""
from __future__ import annotations

from ..backend import array_module
from ..backends import kernels_for
from .function import Function

__all__ = ["Expand", "SumTo", "sum_to"]


class SumTo(Function):
    """Sum a broadcast array back to ``shape`` (leading dims and dims of size 1)."""
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, x, shape=()):
        self.in_shape = x.shape
        lead = x.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape)
                                          if s == 1 and x.shape[i + lead] != 1)
        out = kernels_for(x).sum_array(x, axes, keepdims=True) if axes else x
        return out.reshape(shape)

    def backward(self, g):
        return Expand.apply(g, shape=self.in_shape)


class Expand(Function):
    """Broadcast to a larger shape (a read-only view); its gradient is sum_to."""
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, x, shape=()):
        self.in_shape = x.shape
        return array_module(x).broadcast_to(x, shape)

    def backward(self, g):
        return sum_to(g, self.in_shape)


def sum_to(x, shape):
    """``x`` summed to ``shape`` (x itself when it already has that shape)."""
    shape = tuple(shape)
    return x if x.shape == shape else SumTo.apply(x, shape=shape)
