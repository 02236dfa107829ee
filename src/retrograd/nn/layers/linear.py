"""Linear (y = x W^T + b, the fused op) and Identity."""
from __future__ import annotations

from ... import backend
from ...autograd.function import ShapeError
from ...backend import device_module
from ...ops.linalg import linear
from ...tensor import Tensor
from .. import init
from ..module import Module
from ..parameter import Parameter
from .dtype_check import check_input_dtype


class Identity(Module):
    """Returns its input unchanged (any constructor arguments are ignored)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """y = x W^T + b. Input (*, in_features) -> output (*, out_features).

    weight: (out_features, in_features), kaiming_uniform_(a=sqrt(5)), i.e. U(+-1/sqrt(in));
    bias: (out_features,), U(+-1/sqrt(in)). PyTorch's default initialisation.

    >>> import retrograd as rg
    >>> rg.nn.Linear(4, 3)(rg.randn(2, 4)).shape
    (2, 3)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None):
        xp = device_module(device)
        super().__init__()
        dtype = backend.get_default_dtype() if dtype is None else xp.dtype(dtype)
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(xp.empty((out_features, in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(xp.empty((out_features,), dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.default_layer_init_(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim == 0 or input.shape[-1] != self.in_features:
            raise ShapeError(f"{self!r}: expected input of shape (*, {self.in_features}), got "
                             f"{tuple(input.shape)}")
        check_input_dtype(self, input, self.weight)
        return linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
