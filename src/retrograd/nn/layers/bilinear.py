"""Bilinear: y = x1^T A x2 + b, with PyTorch's parameter shapes and initialisation."""
from __future__ import annotations

import math

from ... import backend
from ...backend import device_module
from ...ops.bilinear import bilinear
from ...tensor import Tensor
from .. import init
from ..module import Module
from ..parameter import Parameter


class Bilinear(Module):
    """(*, in1), (*, in2) -> (*, out); weight (out, in1, in2) and bias (out,) drawn from
    U(+-1/sqrt(in1)), as PyTorch's."""

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                 device=None, dtype=None):
        xp = device_module(device)
        super().__init__()
        dtype = backend.get_default_dtype() if dtype is None else xp.dtype(dtype)
        self.in1_features, self.in2_features = in1_features, in2_features
        self.out_features = out_features
        self.weight = Parameter(xp.empty((out_features, in1_features, in2_features), dtype=dtype))
        if bias:
            self.bias = Parameter(xp.empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
