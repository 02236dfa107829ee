"""BatchNorm1d/2d/3d (per-channel, running statistics) and LayerNorm (over trailing dims)."""
from __future__ import annotations

from ... import backend
from ...autograd.function import ShapeError
from ...backend import device_module
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter


class _AffineNorm(Module):
    """A normalisation layer's optional per-element scale ``weight`` (ones) and shift ``bias``
    (zeros) of one shape; ``bias=None`` means the layer has no bias at all (RMSNorm)."""

    def _affine(self, shape, dtype, weight: bool, bias: bool | None, device=None):
        """Register weight and bias; returns the resolved dtype (the default float when None)."""
        xp = device_module(device)
        dtype = backend.get_default_dtype() if dtype is None else xp.dtype(dtype)
        if weight:
            self.weight = Parameter(xp.ones(shape, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        if bias is not None:
            if weight and bias:
                self.bias = Parameter(xp.zeros(shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        return dtype

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)
        if getattr(self, "bias", None) is not None:
            init.zeros_(self.bias)


class _BatchNorm(_AffineNorm):
    """Shared by BatchNorm1d/2d/3d; subclasses set ``_dims`` (accepted input ranks) and
    ``_layout`` (for error messages)."""

    _dims: tuple[int, ...] = ()
    _layout = ""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None, dtype=None, *,
                 bias: bool = True):
        xp = device_module(device)
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        dtype = self._affine(num_features, dtype, affine, bias, device)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(xp.zeros(num_features, dtype=dtype)))
            self.register_buffer("running_var", Tensor(xp.ones(num_features, dtype=dtype)))
            self.register_buffer("num_batches_tracked", Tensor(xp.asarray(0, dtype=xp.int64)))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            init.zeros_(self.num_batches_tracked)

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        super().reset_parameters()

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim not in self._dims:
            raise ShapeError(f"{type(self).__name__}: expected {self._layout} input, got shape "
                             f"{tuple(input.shape)}")
        if input.shape[1] != self.num_features:
            raise ShapeError(f"{type(self).__name__}({self.num_features}): expected input with "
                             f"{self.num_features} channels in dim 1, got shape {tuple(input.shape)}")

    def _count_batch(self) -> float:
        """Count a training batch; the factor its statistics get in the running ones."""
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.array += 1
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.item())
        return factor

    def forward(self, input: Tensor) -> Tensor:
        """Train mode: batch statistics (and running-stat updates); eval: running statistics."""
        self._check_input_dim(input)
        factor = self._count_batch()
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if track else None,
                            self.running_var if track else None, self.weight, self.bias,
                            use_batch, factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L) input, per channel C; output has the input's shape.

    y = (x - mean) / sqrt(var + eps) * weight + bias with the batch's statistics in training
    (running_mean/var updated with momentum, running_var with the unbiased variance; momentum
    None = cumulative average) and the running statistics in eval mode.
    """

    _dims, _layout = (2, 3), "2D or 3D (N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) input, per channel C (see BatchNorm1d)."""

    _dims, _layout = (4,), "4D (N, C, H, W)"


class BatchNorm3d(_BatchNorm):
    """Batch norm over (N, C, D, H, W) input, per channel C (see BatchNorm1d)."""

    _dims, _layout = (5,), "5D (N, C, D, H, W)"


class LayerNorm(_AffineNorm):
    """Normalise over the trailing dims ``normalized_shape`` of input (*, *normalized_shape),
    then scale by weight and shift by bias (both of shape normalized_shape, ones and zeros)."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape, self.eps, self.elementwise_affine = shape, eps, elementwise_affine
        self._affine(shape, dtype, elementwise_affine, bias, device)

    def forward(self, input: Tensor) -> Tensor:
        k = len(self.normalized_shape)
        if input.ndim < k or tuple(input.shape[input.ndim - k:]) != self.normalized_shape:
            dims = ", ".join(map(str, self.normalized_shape))
            raise ShapeError(f"{self!r}: expected input of shape (*, {dims}), got {tuple(input.shape)}")
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")
