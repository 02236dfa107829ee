"""AdaptiveAvgPool3d, AdaptiveMaxPool1d/2d/3d and LPPool1d/2d/3d over ``ops/adaptive_pool.py``,
with PyTorch's arguments and repr."""
from __future__ import annotations

from ...ops import adaptive_pool as P
from ...tensor import Tensor
from ..module import Module


class AdaptiveAvgPool3d(Module):
    """Mean over adaptive windows: (N, C, D, H, W) -> (N, C, *output_size)."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return P.adaptive_avg_pool3d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class _AdaptiveMaxPoolNd(Module):
    _pool = None

    def __init__(self, output_size, return_indices: bool = False):
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input: Tensor):
        return self._pool(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Max over adaptive windows: (N, C, L) -> (N, C, output_size)."""

    _pool = staticmethod(P.adaptive_max_pool1d)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Max over adaptive windows: (N, C, H, W) -> (N, C, *output_size)."""

    _pool = staticmethod(P.adaptive_max_pool2d)


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """Max over adaptive windows: (N, C, D, H, W) -> (N, C, *output_size)."""

    _pool = staticmethod(P.adaptive_max_pool3d)


class _LPPoolNd(Module):
    _pool = None

    def __init__(self, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False):
        super().__init__()
        self.norm_type, self.kernel_size = norm_type, kernel_size
        self.stride, self.ceil_mode = stride, ceil_mode

    def forward(self, input: Tensor) -> Tensor:
        return self._pool(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """(sum of x^p over each window)^(1/p): (N, C, L) -> (N, C, OL)."""

    _pool = staticmethod(P.lp_pool1d)


class LPPool2d(_LPPoolNd):
    """(sum of x^p over each kH x kW window)^(1/p): (N, C, H, W) -> (N, C, OH, OW)."""

    _pool = staticmethod(P.lp_pool2d)


class LPPool3d(_LPPoolNd):
    """(sum of x^p over each box)^(1/p): (N, C, D, H, W) -> (N, C, OD, OH, OW)."""

    _pool = staticmethod(P.lp_pool3d)
