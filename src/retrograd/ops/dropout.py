"""Inverted dropout: multiply by a mask of 0 and 1/(1-p), drawn from retrograd's generator in the
input's dtype (never upcast). The mask may broadcast (one value per channel for dropout2d)."""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..backend import array_module
from ..random import generator_or_default
from ..tensor import Tensor


class Dropout(Function):
    """x * mask; the gradient is g * mask (the same mask)."""
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, x, mask=None):
        self.mask = mask
        return x * mask

    def backward(self, g):
        return g * self.mask


def dropout_mask(shape: tuple[int, ...], p: float, dtype, generator=None, xp=np):
    """An array of ``shape`` of the array module ``xp``: 0 with probability p, else 1/(1-p), in
    ``dtype``. Drawn by retrograd's (NumPy) generator, so a seed gives the same mask anywhere."""
    dtype = np.dtype(dtype)
    if p >= 1:
        return xp.zeros(shape, dtype=dtype)
    rng = generator_or_default(generator)
    draw_dtype = dtype if dtype in (np.float32, np.float64) else np.float32
    keep = xp.asarray(rng.random(shape, dtype=draw_dtype) >= p)
    return xp.multiply(keep, xp.asarray(1.0 / (1.0 - p), dtype=dtype), dtype=dtype)


def apply_mask(x: Tensor, mask) -> Tensor:
    """x * mask (mask: an array broadcasting to x), as a dropout node."""
    if np.broadcast_shapes(x.shape, mask.shape) != x.shape:
        raise ValueError(f"dropout: mask of shape {mask.shape} does not broadcast to input {x.shape}")
    return Dropout.apply(x, mask=mask)


def _check_p(p: float, op: str) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got {p}")


def dropout(x: Tensor, p: float = 0.5, training: bool = True, generator=None) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1-p); identity when not
    training or p == 0."""
    _check_p(p, "dropout")
    if not training or p == 0:
        return x
    return Dropout.apply(x, mask=dropout_mask(x.shape, p, x.dtype, generator, array_module(x.array)))


def feature_dropout(x: Tensor, p: float = 0.5, training: bool = True, generator=None,
                    op: str = "dropout2d") -> Tensor:
    """Zero whole channels: one mask value per (N, C) of x (N, C, *spatial), or per C of an
    unbatched (C, H, W) input."""
    _check_p(p, op)
    if x.ndim < 3:
        raise ValueError(f"{op}: expected input (N, C, H, W) or (C, H, W), got shape {tuple(x.shape)}")
    if not training or p == 0:
        return x
    mask_shape = x.shape[:-2] + (1, 1) if x.ndim == 3 else x.shape[:2] + (1,) * (x.ndim - 2)
    return Dropout.apply(x, mask=dropout_mask(mask_shape, p, x.dtype, generator, array_module(x.array)))
