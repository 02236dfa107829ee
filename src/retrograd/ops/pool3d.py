"""3-D pooling and max unpooling.

max_pool3d and avg_pool3d are separable: a (kD, kH, kW) box is a kH x kW window per depth plane
followed by a kD window along depth (a max of maxes; a mean of means, with the divisor a product
of per-dim counts under every padding/ceil_mode rule PyTorch uses). Both stages run the 2-D
pooling kernels, the depth stage on a (N, C*OH*OW, 1, D) view, so gradients follow from theirs.

max_unpool1d/2d/3d put values back at the flat positions that max pooling returned (a
write into zeros; its gradient gathers from the same positions, as PyTorch's).
"""
from __future__ import annotations

import math

from ..autograd.function import Function, ShapeError
from ..backend import array_module
from ..tensor import Tensor
from .conv import _tuple
from .index import GetItem
from .pool import avg_pool2d, max_pool2d


def _args(op, input, kernel_size, stride, padding, dilation):
    if input.ndim not in (4, 5):
        raise ShapeError(f"{op}: expected a 5-D input (N, C, D, H, W) or 4-D (C, D, H, W), got "
                         f"shape {tuple(input.shape)}")
    k = _tuple(kernel_size, 3, "kernel_size", op, 1)
    s = k if stride is None or stride == () or stride == [] else _tuple(stride, 3, "stride", op, 1)
    return k, s, _tuple(padding, 3, "padding", op, 0), _tuple(dilation, 3, "dilation", op, 1)


def _separable(pool2d, x: Tensor, hw: dict, depth: dict):
    """pool2d over (H, W) of each depth plane, then over D; returns (out, plane stage's result,
    depth stage's result) with the stages' extra outputs (indices) when pool2d returns pairs."""
    n, c, d, h, w = x.shape
    planes = pool2d(x.reshape(n, c * d, h, w), **hw)
    first = planes[0] if isinstance(planes, tuple) else planes
    oh, ow = first.shape[-2:]
    across = first.reshape(n, c, d, oh, ow).permute(0, 1, 3, 4, 2).reshape(n, c * oh * ow, 1, d)
    depthwise = pool2d(across, **depth)
    second = depthwise[0] if isinstance(depthwise, tuple) else depthwise
    od = second.shape[-1]
    out = second.reshape(n, c, oh, ow, od).permute(0, 1, 4, 2, 3)
    return out, planes, depthwise


def max_pool3d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """Max over (kD, kH, kW) boxes: (N, C, D, H, W) -> (N, C, OD, OH, OW); with
    ``return_indices`` also each max's flat index into D * H * W (for max_unpool3d)."""
    if input.ndim == 4:
        out = max_pool3d(input.unsqueeze(0), kernel_size, stride, padding, dilation, ceil_mode,
                         return_indices)
        return (out[0][0], Tensor(out[1].array[0])) if return_indices else out[0]
    k, s, p, d = _args("max_pool3d", input, kernel_size, stride, padding, dilation)
    hw = dict(kernel_size=k[1:], stride=s[1:], padding=p[1:], dilation=d[1:], ceil_mode=ceil_mode,
              return_indices=return_indices)
    depth = dict(kernel_size=(1, k[0]), stride=(1, s[0]), padding=(0, p[0]), dilation=(1, d[0]),
                 ceil_mode=ceil_mode, return_indices=return_indices)
    out, planes, depthwise = _separable(max_pool2d, input, hw, depth)
    if not return_indices:
        return out
    xp = array_module(input.array)
    n, c, dd, h, w = input.shape
    od, oh, ow = out.shape[2:]
    plane_index = planes[1].array.reshape(n, c, dd, oh, ow).transpose(0, 1, 3, 4, 2)
    winner = depthwise[1].array.reshape(n, c, oh, ow, od)  # the depth of each max
    flat = winner * (h * w) + xp.take_along_axis(plane_index, winner, axis=-1)
    return out, Tensor(flat.transpose(0, 1, 4, 2, 3))


def avg_pool3d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """Mean over (kD, kH, kW) boxes: (N, C, D, H, W) -> (N, C, OD, OH, OW); zero padding,
    counted in the divisor when ``count_include_pad``; ``divisor_override`` replaces the count."""
    if input.ndim == 4:
        return avg_pool3d(input.unsqueeze(0), kernel_size, stride, padding, ceil_mode,
                          count_include_pad, divisor_override)[0]
    k, s, p, _ = _args("avg_pool3d", input, kernel_size, stride, padding, 1)
    total = divisor_override is not None  # sum both stages, then divide once
    if total and divisor_override == 0:
        raise RuntimeError("avg_pool3d: divisor must be not zero")
    hw = dict(kernel_size=k[1:], stride=s[1:], padding=p[1:], ceil_mode=ceil_mode,
              count_include_pad=count_include_pad, divisor_override=1 if total else None)
    depth = dict(kernel_size=(1, k[0]), stride=(1, s[0]), padding=(0, p[0]), ceil_mode=ceil_mode,
                 count_include_pad=count_include_pad, divisor_override=1 if total else None)
    out = _separable(avg_pool2d, input, hw, depth)[0]
    return out / divisor_override if total else out


class Unpool(Function):
    """Zeros of ``shape`` with ``values`` written at ``key`` (where overlapping pooling windows
    name one position twice, the write is the same max). Gradient: gather at ``key``, so every
    copy gets it, as PyTorch's max_unpool backward."""

    saves_inputs, saves_output = (), False

    def forward(self, values, key=None, shape=()):
        self.key = key
        out = array_module(values).zeros(shape, dtype=values.dtype)
        out[key] = values
        return out

    def backward(self, g):
        return GetItem.apply(g, key=self.key)


def _max_unpool(op: str, nd: int, input: Tensor, indices, kernel_size, stride, padding,
                output_size) -> Tensor:
    if input.ndim not in (nd + 1, nd + 2):
        raise ShapeError(f"{op}: expected a {nd + 2}-D input (N, C, *) or {nd + 1}-D (C, *), got "
                         f"shape {tuple(input.shape)}")
    idx = indices.array if isinstance(indices, Tensor) else array_module(input.array).asarray(indices)
    if tuple(idx.shape) != tuple(input.shape) or idx.dtype.kind not in "iu":
        raise ShapeError(f"{op}: indices (shape {tuple(idx.shape)}, dtype {idx.dtype}) must be "
                         f"integers of the input's shape {tuple(input.shape)}")
    k = _tuple(kernel_size, nd, "kernel_size", op, 1)
    s = k if stride is None else _tuple(stride, nd, "stride", op, 1)
    p = _tuple(padding, nd, "padding", op, 0)
    spatial_in = input.shape[input.ndim - nd:]
    default = tuple((i - 1) * s_ - 2 * p_ + k_ for i, s_, p_, k_ in zip(spatial_in, s, p, k))
    size = default if output_size is None else tuple(output_size)[-nd:]
    if len(size) != nd or any(not 0 < o for o in size):
        raise ValueError(f"{op}: output_size {output_size!r} must give {nd} positive sizes")
    if any(abs(o - dflt) >= s_ for o, dflt, s_ in zip(size, default, s)):
        raise ValueError(f"{op}: invalid output_size {tuple(size)} (expected within a stride of "
                         f"{default})")
    lead = input.shape[:input.ndim - nd]
    plane = math.prod(size)
    if idx.size and (idx.min() < 0 or idx.max() >= plane):
        raise RuntimeError(f"{op}: found an invalid max index {int(idx.max())} (output volumes "
                           f"are of size {plane})")
    rows = math.prod(lead)
    xp = array_module(input.array)
    key = (xp.arange(rows)[:, None], idx.reshape(rows, -1))
    out = Unpool.apply(input.reshape(rows, -1), key=key, shape=(rows, plane))
    return out.reshape(*lead, *size)


def max_unpool1d(input: Tensor, indices, kernel_size, stride=None, padding=0, output_size=None):
    """(N, C, L) maxima and their indices -> (N, C, L_out), zero except at the indices."""
    return _max_unpool("max_unpool1d", 1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input: Tensor, indices, kernel_size, stride=None, padding=0, output_size=None):
    """(N, C, H, W) maxima and their flat indices (from max_pool2d(return_indices=True)) ->
    (N, C, H_out, W_out), zero except at the indices; H_out = (H - 1) stride - 2 padding + k."""
    return _max_unpool("max_unpool2d", 2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input: Tensor, indices, kernel_size, stride=None, padding=0, output_size=None):
    """(N, C, D, H, W) maxima and their flat indices -> (N, C, D_out, H_out, W_out)."""
    return _max_unpool("max_unpool3d", 3, input, indices, kernel_size, stride, padding, output_size)


__all__ = ["max_pool3d", "avg_pool3d", "max_unpool1d", "max_unpool2d", "max_unpool3d"]
