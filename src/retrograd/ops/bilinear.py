"""F.bilinear: y[n, o] = sum_ij x1[n, i] weight[o, i, j] x2[n, j] + bias[o], as two matrix
products (so gradients of every order follow)."""
from __future__ import annotations

from ..autograd.function import ShapeError
from ..tensor import Tensor
from .linalg import matmul

__all__ = ["bilinear"]


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input1 (*, in1), input2 (*, in2), weight (out, in1, in2), bias (out,) -> (*, out)."""
    fits = (weight.ndim == 3 and input1.shape[-1] == weight.shape[1]
            and input2.shape[-1] == weight.shape[2]
            and tuple(input1.shape[:-1]) == tuple(input2.shape[:-1]))
    if not fits:
        raise ShapeError(f"bilinear: input1 {tuple(input1.shape)}, input2 {tuple(input2.shape)} "
                         f"and weight {tuple(weight.shape)} do not fit (*, in1), (*, in2), "
                         "(out, in1, in2)")
    out, in1, in2 = weight.shape
    lead = input1.shape[:-1]
    x1, x2 = input1.reshape(-1, in1), input2.reshape(-1, in2)
    mixed = matmul(x1, weight.permute(1, 0, 2).reshape(in1, out * in2)).reshape(-1, out, in2)
    y = (mixed * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(*lead, out)
