"""Convolution layers: Conv1d, Conv2d, ConvTranspose2d over ``retrograd.ops.conv``, with
PyTorch's constructor arguments, attribute names, weight shapes, initialisation and repr."""
from __future__ import annotations

from ... import backend
from ...autograd.function import ShapeError
from ...backend import array_module, device_module
from ...ops.conv import conv1d, conv2d, conv_transpose2d
from ...tensor import Tensor
from .. import init
from ..module import Module
from ..parameter import Parameter
from .dtype_check import check_input_dtype

__all__ = ["Conv1d", "Conv2d", "ConvTranspose2d"]

_PADDING_MODES = {"zeros": None, "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _ntuple(value, n: int, name: str, cls: str) -> tuple:
    vals = (value,) * n if isinstance(value, int) else tuple(value)
    if len(vals) != n or not all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
        raise ValueError(f"{cls}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    return vals


class _ConvNd(Module):
    """Shared constructor: checks, parameters (kaiming_uniform_(a=sqrt(5)) weight, bias
    U(+-1/sqrt(fan_in))) and PyTorch's extra_repr."""

    _nd = 2
    _transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 output_padding=0, device=None, dtype=None):
        xp = device_module(device)
        super().__init__()
        cls, n = type(self).__name__, self._nd
        if not isinstance(groups, int) or groups <= 0:
            raise ValueError(f"{cls}: groups must be a positive integer, got {groups!r}")
        if in_channels % groups:
            raise ValueError(f"{cls}: in_channels ({in_channels}) must be divisible by groups "
                             f"({groups})")
        if out_channels % groups:
            raise ValueError(f"{cls}: out_channels ({out_channels}) must be divisible by groups "
                             f"({groups})")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{cls}: padding_mode must be one of {tuple(_PADDING_MODES)}, got "
                             f"{padding_mode!r}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = _ntuple(kernel_size, n, "kernel_size", cls)
        self.stride = _ntuple(stride, n, "stride", cls)
        self.dilation = _ntuple(dilation, n, "dilation", cls)
        if isinstance(padding, str):
            if padding not in ("same", "valid") or self._transposed:
                raise ValueError(f"{cls}: padding must be an int, a tuple, 'same' or 'valid', got "
                                 f"{padding!r}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{cls}: padding='same' is not supported for strided "
                                 f"convolutions (stride={self.stride})")
            self.padding = padding
        else:
            self.padding = _ntuple(padding, n, "padding", cls)
        self.output_padding = _ntuple(output_padding, n, "output_padding", cls)
        self.transposed, self.padding_mode = self._transposed, padding_mode
        dtype = backend.get_default_dtype() if dtype is None else xp.dtype(dtype)
        shape = ((in_channels, out_channels // groups) if self._transposed
                 else (out_channels, in_channels // groups)) + self.kernel_size
        self.weight = Parameter(xp.empty(shape, dtype=dtype))
        if bias:
            self.bias = Parameter(xp.empty((out_channels,), dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.default_layer_init_(self.weight, self.bias)

    def extra_repr(self) -> str:
        n = self._nd
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s

    def _check_channels(self, input: Tensor) -> None:
        if not isinstance(input, Tensor):
            raise TypeError(f"{type(self).__name__}: expected a Tensor input, got "
                            f"{type(input).__name__}")
        if input.ndim in (self._nd + 1, self._nd + 2) and input.shape[-self._nd - 1] != self.in_channels:
            dims = "L" if self._nd == 1 else "H, W"
            raise ShapeError(f"{self!r}: expected input (N, {self.in_channels}, {dims}) with "
                             f"{self.in_channels} channels, got shape {tuple(input.shape)}")
        check_input_dtype(self, input, self.weight)

    def forward(self, input: Tensor) -> Tensor:
        self._check_channels(input)
        input, padding = self._pad_input(input)
        return self._conv(input, self.weight, self.bias, self.stride, padding, self.dilation,
                          self.groups)

    def _pad_input(self, input: Tensor):
        """Non-zero padding modes pad here (by index arrays, so gradients flow) and the conv then
        runs unpadded; returns (input, padding for the conv)."""
        xp = array_module(input.array)
        mode = _PADDING_MODES[self.padding_mode]
        if mode is None or self.padding == "valid":
            return input, self.padding
        n = self._nd
        if self.padding == "same":
            totals = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size)]
            pads = [(t // 2, t - t // 2) for t in totals]
        else:
            pads = [(p, p) for p in self.padding]
        for i, (before, after) in enumerate(pads):
            if not before and not after:
                continue
            axis = input.ndim - n + i
            size = input.shape[axis]
            if self.padding_mode == "reflect" and max(before, after) >= size:
                raise ValueError(f"{self!r}: reflect padding {max(before, after)} must be smaller "
                                 f"than the input size {size}")
            index = xp.pad(xp.arange(size), (before, after), mode=mode)
            input = input[(slice(None),) * axis + (index,)]
        return input, 0


class Conv1d(_ConvNd):
    """1-D convolution: (N, C_in, L) -> (N, C_out, L_out); weight (C_out, C_in/groups, k).

    >>> Conv1d(2, 4, 3, padding=1)(retrograd.randn(5, 2, 10)).shape
    (5, 4, 10)
    """

    _nd = 1
    _conv = staticmethod(conv1d)

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, padding_mode, dtype=dtype)


class Conv2d(_ConvNd):
    """2-D convolution: (N, C_in, H, W) -> (N, C_out, H_out, W_out); weight
    (C_out, C_in/groups, kH, kW), bias (C_out,). ``padding``: int, tuple, 'same' or 'valid';
    ``padding_mode``: 'zeros', 'reflect', 'replicate' or 'circular'.

    >>> Conv2d(1, 6, 5)
    Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
    >>> Conv2d(1, 6, 5)(retrograd.randn(8, 1, 28, 28)).shape
    (8, 6, 24, 24)
    """

    _conv = staticmethod(conv2d)

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, padding_mode, dtype=dtype)


class ConvTranspose2d(_ConvNd):
    """Transposed 2-D convolution (the gradient of Conv2d as a layer): (N, C_in, H, W) ->
    (N, C_out, (H - 1)s - 2p + d(k - 1) + output_padding + 1, ...); weight
    (C_in, C_out/groups, kH, kW).

    >>> ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1)(retrograd.randn(1, 4, 5, 5)).shape
    (1, 2, 10, 10)
    """

    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f"ConvTranspose2d: only padding_mode='zeros' is supported, got "
                             f"{padding_mode!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, padding_mode, output_padding, dtype=dtype)

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        """``output_size`` (H, W) picks the output_padding that gives it (PyTorch's rule)."""
        from ...ops.conv_transpose import output_padding_for

        self._check_channels(input)
        extra = self.output_padding if output_size is None else output_padding_for(
            input.shape, output_size, 2, self.stride, self.padding, self.kernel_size, self.dilation)
        return conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                extra, self.groups, self.dilation)
