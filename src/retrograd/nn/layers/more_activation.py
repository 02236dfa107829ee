"""More activation modules, over ``ops/hard_activation.py`` and ``ops/composite_activation.py``:
Hardtanh, ReLU6, Hardsigmoid, Hardswish, Threshold, SELU, CELU, Mish, Softsign, LogSigmoid,
Softmin, GLU, PReLU, Hardshrink, Softshrink, Tanhshrink. Element-wise ones keep the input's
shape; GLU halves ``dim``."""
from __future__ import annotations

from ...ops import composite_activation as C
from ...ops import hard_activation as H
from ... import backend
from ...backend import device_module
from ...tensor import Tensor
from .. import functional as F
from ..module import Module
from ..parameter import Parameter
from .activation import _Inplace


class Hardtanh(_Inplace):
    """clip(x, min_val, max_val)."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
        super().__init__(inplace)
        if min_val > max_val:
            raise ValueError(f"Hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})")
        self.min_val, self.max_val = min_val, max_val

    def forward(self, input: Tensor) -> Tensor:
        return H.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}{self._inplace_repr()}"


class _Elementwise(_Inplace):
    """An activation without parameters (``function`` set by each subclass), inplace accepted."""

    function = staticmethod(lambda input: input)

    def forward(self, input: Tensor) -> Tensor:
        return self.function(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ReLU6(_Elementwise):
    """min(max(x, 0), 6)."""

    function = staticmethod(H.relu6)


class Hardsigmoid(_Elementwise):
    """relu6(x + 3) / 6."""

    function = staticmethod(H.hardsigmoid)


class Hardswish(_Elementwise):
    """x * relu6(x + 3) / 6."""

    function = staticmethod(H.hardswish)


class SELU(_Elementwise):
    """scale * elu(x, alpha), scale ~ 1.0507, alpha ~ 1.6733."""

    function = staticmethod(C.selu)


class Mish(_Elementwise):
    """x * tanh(softplus(x))."""

    function = staticmethod(C.mish)


class Softsign(Module):
    """x / (1 + |x|)."""

    def forward(self, input: Tensor) -> Tensor:
        return C.softsign(input)


class LogSigmoid(Module):
    """log(sigmoid(x)), stable for large |x|."""

    def forward(self, input: Tensor) -> Tensor:
        return C.logsigmoid(input)


class Threshold(_Inplace):
    """x where x > threshold, else value."""

    def __init__(self, threshold: float, value: float, inplace: bool = False):
        super().__init__(inplace)
        self.threshold, self.value = threshold, value

    def forward(self, input: Tensor) -> Tensor:
        return H.threshold(input, self.threshold, self.value)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}{self._inplace_repr()}"


class CELU(_Inplace):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__(inplace)
        self.alpha = alpha

    def forward(self, input: Tensor) -> Tensor:
        return C.celu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{self._inplace_repr()}"


class Softmin(Module):
    """softmax(-x) along ``dim``."""

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmin(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class GLU(Module):
    """a * sigmoid(b) for the halves a, b of the input along ``dim`` (size 2k -> k)."""

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return C.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class PReLU(Module):
    """x where x > 0, else a * x, with learnable a: one (num_parameters=1) or one per channel
    (dim 1), initialised to ``init``."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        xp = device_module(device)
        super().__init__()
        self.num_parameters, self.init = num_parameters, init
        dtype = backend.get_default_dtype() if dtype is None else xp.dtype(dtype)
        self.weight = Parameter(xp.full(num_parameters, init, dtype=dtype))

    def reset_parameters(self) -> None:
        self.weight.array[:] = self.init

    def forward(self, input: Tensor) -> Tensor:
        return C.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class _Shrink(Module):
    def __init__(self, lambd: float = 0.5):
        super().__init__()
        self.lambd = lambd

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Hardshrink(_Shrink):
    """x where |x| > lambd, else 0."""

    def forward(self, input: Tensor) -> Tensor:
        return C.hardshrink(input, self.lambd)


class Softshrink(_Shrink):
    """x - lambd above lambd, x + lambd below -lambd, else 0."""

    def forward(self, input: Tensor) -> Tensor:
        return C.softshrink(input, self.lambd)


class Tanhshrink(Module):
    """x - tanh(x)."""

    def forward(self, input: Tensor) -> Tensor:
        return C.tanhshrink(input)


class Softmax2d(Module):
    """Softmax over the channels of (N, C, H, W) or (C, H, W) input, at every position."""

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input of 3 or 4 dims, got shape "
                             f"{tuple(input.shape)}")
        return F.softmax(input, -3)
