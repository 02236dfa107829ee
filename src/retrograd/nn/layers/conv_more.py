"""Conv3d, ConvTranspose1d and ConvTranspose3d over ``ops/conv3d.py`` and
``ops/conv_transpose.py``, sharing Conv2d's constructor, parameters, initialisation and repr."""
from __future__ import annotations

from ...ops.conv3d import conv3d, conv_transpose3d
from ...ops.conv_transpose import conv_transpose1d, output_padding_for
from ...tensor import Tensor
from .conv import _ConvNd


class Conv3d(_ConvNd):
    """3-D convolution: (N, C_in, D, H, W) -> (N, C_out, OD, OH, OW); weight
    (C_out, C_in/groups, kD, kH, kW), bias (C_out,).

    >>> import retrograd as rg
    >>> rg.nn.Conv3d(2, 4, 3, padding=1)(rg.randn(1, 2, 4, 5, 6)).shape
    (1, 4, 4, 5, 6)
    """

    _nd = 3
    _conv = staticmethod(conv3d)

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, padding_mode, dtype=dtype)


class _ConvTransposeNd(_ConvNd):
    """Transposed convolutions: forward(input, output_size=None) picks the output_padding that
    gives ``output_size`` (PyTorch's rule), else uses the constructor's."""

    _transposed = True
    _conv_transpose = None

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f"Only 'zeros' padding mode is supported for {type(self).__name__}, "
                             f"got {padding_mode!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, padding_mode, output_padding, dtype=dtype)

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        self._check_channels(input)
        extra = self.output_padding if output_size is None else output_padding_for(
            input.shape, output_size, self._nd, self.stride, self.padding, self.kernel_size,
            self.dilation)
        return self._conv_transpose(input, self.weight, self.bias, self.stride, self.padding,
                                    extra, self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-D convolution: (N, C_in, L) -> (N, C_out, (L - 1)s - 2p + d(k - 1) +
    output_padding + 1); weight (C_in, C_out/groups, k)."""

    _nd = 1
    _conv_transpose = staticmethod(conv_transpose1d)


class ConvTranspose3d(_ConvTransposeNd):
    """Transposed 3-D convolution: (N, C_in, D, H, W) -> (N, C_out, OD, OH, OW); weight
    (C_in, C_out/groups, kD, kH, kW)."""

    _nd = 3
    _conv_transpose = staticmethod(conv_transpose3d)
