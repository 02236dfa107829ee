"""dtype conversion: differentiable between floating dtypes, a cut in the graph otherwise."""
from __future__ import annotations

from ..autograd.function import Function
from ..tensor import Tensor


class Cast(Function):
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, x, dtype=None):
        self.in_dtype = x.dtype
        return x.astype(dtype)

    def backward(self, g):
        return g.to(self.in_dtype)


def cast(x: Tensor, dtype) -> Tensor:
    if x.dtype == dtype:
        return x
    if dtype.kind != "f" or x.dtype.kind != "f":
        return Tensor(x.array.astype(dtype))
    return Cast.apply(x, dtype=dtype)
