"""MaxPool3d, AvgPool3d and MaxUnpool1d/2d/3d over ``ops/pool3d.py``, with PyTorch's arguments
and repr (the 3-D pools share the 2-D ones' constructors)."""
from __future__ import annotations

from ...ops.pool3d import avg_pool3d, max_pool3d, max_unpool1d, max_unpool2d, max_unpool3d
from ...tensor import Tensor
from ..module import Module
from .pool import AvgPool2d, _MaxPoolNd


class MaxPool3d(_MaxPoolNd):
    """Max over (kD, kH, kW) boxes: (N, C, D, H, W) -> (N, C, OD, OH, OW)."""

    def forward(self, input: Tensor):
        return max_pool3d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                          self.ceil_mode, self.return_indices)


class AvgPool3d(AvgPool2d):
    """Mean over (kD, kH, kW) boxes: (N, C, D, H, W) -> (N, C, OD, OH, OW)."""

    def forward(self, input: Tensor) -> Tensor:
        return avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad, self.divisor_override)


class _MaxUnpoolNd(Module):
    """Undo max pooling: forward(input, indices, output_size=None) puts each max back at its index
    (zeros elsewhere)."""

    _nd = 2
    _unpool = None

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        n = self._nd
        as_tuple = lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v,) * n  # noqa: E731
        self.kernel_size = as_tuple(kernel_size)
        self.stride = as_tuple(stride if stride is not None else kernel_size)
        self.padding = as_tuple(padding)

    def forward(self, input: Tensor, indices, output_size=None) -> Tensor:
        return self._unpool(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """(N, C, L) maxima + indices -> (N, C, (L - 1) stride - 2 padding + kernel_size)."""

    _nd, _unpool = 1, staticmethod(max_unpool1d)


class MaxUnpool2d(_MaxUnpoolNd):
    """(N, C, H, W) maxima + flat indices from MaxPool2d(return_indices=True) -> (N, C, H', W')."""

    _nd, _unpool = 2, staticmethod(max_unpool2d)


class MaxUnpool3d(_MaxUnpoolNd):
    """(N, C, D, H, W) maxima + flat indices from MaxPool3d(return_indices=True)."""

    _nd, _unpool = 3, staticmethod(max_unpool3d)
