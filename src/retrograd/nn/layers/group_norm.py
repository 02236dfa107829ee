"""GroupNorm, InstanceNorm1d/2d/3d (per-sample statistics; ``ops/group_norm.py``), RMSNorm
(``ops/rms_norm.py``) and LocalResponseNorm (``ops/local_response_norm.py``)."""
from __future__ import annotations

from ...autograd.function import ShapeError
from ...ops.group_norm import group_norm, instance_norm
from ...ops.local_response_norm import local_response_norm
from ...ops.rms_norm import rms_norm
from ...tensor import Tensor
from ..module import Module
from .norm import _AffineNorm, _BatchNorm


class GroupNorm(_AffineNorm):
    """Normalise (N, C, *) over groups of C / num_groups channels per sample, then scale and shift
    per channel (weight ones, bias zeros, shape (C,)). Output has the input's shape.

    >>> import retrograd as rg
    >>> rg.nn.GroupNorm(2, 4)(rg.randn(3, 4, 5)).shape
    (3, 4, 5)
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 device=None, dtype=None, *, bias: bool = True):
        super().__init__()
        if num_groups < 1 or num_channels % num_groups:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        self._affine(num_channels, dtype, affine, bias, device)

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim < 2 or input.shape[1] != self.num_channels:
            raise ShapeError(f"{self!r}: expected input (N, {self.num_channels}, *), got shape "
                             f"{tuple(input.shape)}")
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class _InstanceNorm(_BatchNorm):
    """Instance norm: batch norm's parameters, buffers and repr; statistics per sample and
    channel. Defaults affine=False, track_running_stats=False (PyTorch's); unbatched input
    (C, *) is accepted."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device=None, dtype=None,
                 *, bias: bool = True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype,
                         bias=bias)

    def forward(self, input: Tensor) -> Tensor:
        batched = max(self._dims)  # the accepted ranks: unbatched (C, *) and batched (N, C, *)
        if input.ndim not in self._dims:
            raise ShapeError(f"{type(self).__name__}: expected {batched - 1}D or {batched}D input "
                             f"(got {input.ndim}D input, shape {tuple(input.shape)})")
        unbatched = input.ndim == batched - 1
        x = input.unsqueeze(0) if unbatched else input
        if self.affine and x.shape[1] != self.num_features:
            dim = input.ndim - batched + 1
            raise ShapeError(f"{type(self).__name__}: expected input's size at dim={dim} "
                             f"to match num_features ({self.num_features}), but got: {x.shape[1]}")
        # PyTorch's wart, matched: instance norm never counts num_batches_tracked, and momentum
        # None means 0 (running statistics frozen), not a cumulative average as in batch norm
        factor = 0.0 if self.momentum is None else self.momentum
        out = instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            self.training or not self.track_running_stats, factor, self.eps)
        return out.squeeze(0) if unbatched else out


class InstanceNorm1d(_InstanceNorm):
    """Instance norm of (N, C, L) or (C, L) input."""

    _dims = (2, 3)


class InstanceNorm2d(_InstanceNorm):
    """Instance norm of (N, C, H, W) or (C, H, W) input."""

    _dims = (3, 4)


class InstanceNorm3d(_InstanceNorm):
    """Instance norm of (N, C, D, H, W) or (C, D, H, W) input."""

    _dims = (4, 5)


class RMSNorm(_AffineNorm):
    """x / sqrt(mean(x^2) + eps) over the trailing dims ``normalized_shape``, times weight (ones,
    of that shape) when elementwise_affine. eps None: the input dtype's machine epsilon."""

    def __init__(self, normalized_shape, eps: float | None = None, elementwise_affine: bool = True,
                 device=None, dtype=None):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape, self.eps, self.elementwise_affine = shape, eps, elementwise_affine
        self._affine(shape, dtype, elementwise_affine, None, device)

    def forward(self, input: Tensor) -> Tensor:
        return rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class LocalResponseNorm(Module):
    """x / (k + alpha * mean of x^2 over ``size`` neighbouring channels)^beta; no parameters."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input: Tensor) -> Tensor:
        return local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
