"""dropout1d and dropout3d (whole channels of (N, C, L) / (N, C, D, H, W) input, or unbatched
(C, *)) and alpha_dropout (SELU's self-normalising dropout), as PyTorch's; masks come from
retrograd's generator (``manual_seed``)."""
from __future__ import annotations

from ..autograd.function import ShapeError
from ..backend import array_module
from ..tensor import Tensor
from .composite_activation import SELU_ALPHA, SELU_SCALE
from .dropout import _check_p, dropout_mask, feature_dropout

__all__ = ["dropout1d", "dropout3d", "alpha_dropout"]


def _channel_dropout(input: Tensor, p: float, training: bool, spatial: int, op: str) -> Tensor:
    if input.ndim not in (spatial + 1, spatial + 2):
        raise ShapeError(f"{op}: expected a {spatial + 2}-D (N, C, *) or {spatial + 1}-D (C, *) "
                         f"input, got shape {tuple(input.shape)}")
    batched = input if input.ndim == spatial + 2 else input.unsqueeze(0)
    shape = batched.shape
    four_d = batched.reshape(shape[0], shape[1], -1, 1)  # (N, C, *, 1): one mask value per (N, C)
    out = feature_dropout(four_d, p, training, op=op).reshape(shape)
    return out if input.ndim == spatial + 2 else out.squeeze(0)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) input with probability p (rest scaled 1/(1-p))."""
    return _channel_dropout(input, p, training, 1, "dropout1d")


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input with probability p."""
    return _channel_dropout(input, p, training, 3, "dropout3d")


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Dropout that keeps SELU's zero mean and unit variance: a dropped value becomes SELU's
    negative saturation, then all are scaled and shifted by a, b (PyTorch's formula)."""
    _check_p(p, "alpha_dropout")
    if not training or p == 0:
        return input
    xp = array_module(input.array)
    if p == 1:
        return input * xp.zeros((), dtype=input.dtype)
    alpha = SELU_ALPHA * SELU_SCALE
    a = ((alpha * alpha * p + 1) * (1 - p)) ** -0.5
    keep = dropout_mask(input.shape, p, input.dtype, xp=xp) * (1 - p)  # 0 or 1
    shift = ((keep - 1) * (alpha * a) + alpha * a * p).astype(input.dtype, copy=False)
    return input * Tensor((keep * a).astype(input.dtype, copy=False)) + Tensor(shift)
