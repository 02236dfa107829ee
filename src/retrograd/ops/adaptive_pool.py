"""Adaptive pooling PyTorch has beyond ops/pool.py: adaptive_avg_pool3d and
adaptive_max_pool1d/2d/3d (output cell i covers input floor(i * n / out) .. ceil((i + 1) * n / out)
in each dim), and lp_pool1d/2d/3d.

Adaptive max gathers, for every output cell, the flat positions of its window (windows of
different sizes padded by repeating their last position) and takes the max over them: one gather
and one reduction, whose gradient goes to the winner.
"""
from __future__ import annotations

import math

from ..autograd.function import ShapeError
from ..backend import array_module
from ..tensor import Tensor
from .axis_index import take_along_dim
from .pool import avg_pool1d, avg_pool2d
from .pool3d import avg_pool3d
from .resample import interpolate

__all__ = ["adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d",
           "adaptive_max_pool3d", "lp_pool1d", "lp_pool2d", "lp_pool3d"]


def _sizes(op: str, input: Tensor, nd: int, output_size) -> tuple[int, ...]:
    if input.ndim not in (nd + 1, nd + 2):
        raise ShapeError(f"{op}: expected a {nd + 2}-D (N, C, *) or {nd + 1}-D (C, *) input, got "
                         f"shape {tuple(input.shape)}")
    one = isinstance(output_size, int) or output_size is None
    sizes = (output_size,) * nd if one else tuple(output_size)
    if len(sizes) != nd:
        raise ValueError(f"{op}: output_size must be an int or a tuple of {nd}, got {output_size!r}")
    spatial = input.shape[input.ndim - nd:]
    sizes = tuple(s if o is None else o for s, o in zip(spatial, sizes))
    if any(not isinstance(o, int) or o < 1 for o in sizes):
        raise ValueError(f"{op}: output_size must hold positive ints, got {output_size!r}")
    return sizes


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:
    """Mean over adaptive windows: (N, C, D, H, W) -> (N, C, *output_size)."""
    sizes = _sizes("adaptive_avg_pool3d", input, 3, output_size)
    batched = input if input.ndim == 5 else input.unsqueeze(0)
    out = interpolate(batched, size=sizes, mode="area")  # area resampling is this very average
    return out if input.ndim == 5 else out.squeeze(0)


def _window_positions(xp, size: int, out: int):
    """(out, k) input positions of each adaptive window, the shorter ones padded with their last."""
    i = xp.arange(out)
    start, end = (i * size) // out, -((-(i + 1) * size) // out)
    k = int((end - start).max())
    return xp.minimum(start[:, None] + xp.arange(k)[None, :], end[:, None] - 1)


def _adaptive_max(op: str, nd: int, input: Tensor, output_size, return_indices: bool):
    sizes = _sizes(op, input, nd, output_size)
    spatial = input.shape[input.ndim - nd:]
    xp = array_module(input.array)
    flat = xp.zeros((1,) * (2 * nd), dtype=xp.int64)  # (o1, .., o_nd, k1, .., k_nd)
    for d, (size, out) in enumerate(zip(spatial, sizes)):
        pos = _window_positions(xp, size, out)
        shape = [1] * (2 * nd)
        shape[d], shape[nd + d] = pos.shape
        flat = flat * size + pos.reshape(shape)
    taps = math.prod(flat.shape[nd:])
    lead = input.shape[:input.ndim - nd]
    planes = input.reshape(*lead, math.prod(spatial))
    windows = take_along_dim(planes, -1, flat.reshape(-1)).reshape(*lead, *sizes, taps)
    values, winners = windows.max(-1)
    if not return_indices:
        return values
    candidates = flat.reshape(*sizes, taps)
    indices = xp.take_along_axis(xp.broadcast_to(candidates, winners.shape + (taps,)),
                                 winners.array[..., None], axis=-1)[..., 0]
    return values, Tensor(indices.astype(xp.int64))


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """Max over adaptive windows: (N, C, L) -> (N, C, output_size) (and flat indices)."""
    return _adaptive_max("adaptive_max_pool1d", 1, input, output_size, return_indices)


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Max over adaptive windows: (N, C, H, W) -> (N, C, *output_size) (and flat H * W indices)."""
    return _adaptive_max("adaptive_max_pool2d", 2, input, output_size, return_indices)


def adaptive_max_pool3d(input: Tensor, output_size, return_indices: bool = False):
    """Max over adaptive windows: (N, C, D, H, W) -> (N, C, *output_size)."""
    return _adaptive_max("adaptive_max_pool3d", 3, input, output_size, return_indices)


def _lp(op_pool, nd: int, input: Tensor, norm_type: float, kernel_size, stride, ceil_mode):
    kernel = (kernel_size,) * nd if isinstance(kernel_size, int) else tuple(kernel_size)
    out = op_pool(input ** norm_type, kernel_size, stride, 0, ceil_mode)
    # PyTorch writes sign(out) * relu(|out|), which equals out (and has gradient 0 at out = 0)
    return (out * math.prod(kernel)) ** (1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False):
    """(sum over each window of x^p)^(1/p): (N, C, L) -> (N, C, OL)."""
    return _lp(avg_pool1d, 1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False):
    """(sum over each kH x kW window of x^p)^(1/p): (N, C, H, W) -> (N, C, OH, OW)."""
    return _lp(avg_pool2d, 2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False):
    """(sum over each box of x^p)^(1/p): (N, C, D, H, W) -> (N, C, OD, OH, OW)."""
    return _lp(avg_pool3d, 3, input, norm_type, kernel_size, stride, ceil_mode)
