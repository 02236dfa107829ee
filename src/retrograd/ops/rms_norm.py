"""F.rms_norm: x / sqrt(mean(x^2) + eps) over the trailing ``normalized_shape`` dims, times an
optional weight (composed of differentiable ops). eps None is the dtype's machine epsilon, as
PyTorch's."""
from __future__ import annotations

from ..autograd.function import ShapeError
from ..backend import array_module
from ..tensor import Tensor


def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """Normalise input (*, *normalized_shape) by its root mean square over normalized_shape."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if input.ndim < k or tuple(input.shape[input.ndim - k:]) != shape:
        raise ShapeError(f"rms_norm: input of shape {tuple(input.shape)} does not end with "
                         f"normalized_shape {shape}")
    if weight is not None and tuple(weight.shape) != shape:
        raise ShapeError(f"rms_norm: weight of shape {tuple(weight.shape)} does not fit; "
                         f"expected {shape}")
    if eps is None:
        eps = float(array_module(input.array).finfo(input.dtype).eps)
    dims = tuple(range(input.ndim - k, input.ndim))
    out = input * ((input * input).mean(dims, keepdim=True) + eps) ** -0.5
    return out if weight is None else out * weight


__all__ = ["rms_norm"]
