"""Pooling over NCHW arrays: max_pool2d, avg_pool2d, adaptive_avg_pool2d (and the 1-D forms).

The array kernels come from the inputs' backend (``backends/cpu/pooling.py`` for NumPy).
Max pooling remembers which offset won each window (the first on ties, as PyTorch); its gradient
is a scatter to those positions (``MaxPoolScatter``) whose own gradient is the matching gather
(``MaxPoolGather``). Average pooling is linear: ``AvgPool`` and its transpose ``AvgPoolT`` are
each other's gradients. Adaptive average pooling is composed of differentiable ops.
"""
from __future__ import annotations

from ..autograd.function import Function, ShapeError
from ..backend import array_module
from ..backends import PoolGeometry, kernels_for
from ..tensor import Tensor
from .conv import _tuple
from .linalg import matmul
from .max_pool import MaxPool

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "max_pool1d",
    "max_pool2d",
]


# ----- average pooling --------------------------------------------------------------------------
class AvgPool(Function):
    """Sum over each window times ``scale`` (1 / divisor: a scalar or an (OH, OW) array)."""
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, x, geometry=None, scale=None):
        self.geo, self.scale = geometry, scale
        return kernels_for(x).avg_pool(x, geometry, scale)

    def backward(self, g):
        return AvgPoolT.apply(g, geometry=self.geo, scale=self.scale)


class AvgPoolT(Function):
    """The transpose of AvgPool: each scaled output gradient spread over its window."""
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, g, geometry=None, scale=None):
        self.geo, self.scale = geometry, scale
        return kernels_for(g).avg_pool_spread(g, geometry, scale)

    def backward(self, gg):
        return AvgPool.apply(gg, geometry=self.geo, scale=self.scale)


def _avg_scale(xp, geo: PoolGeometry, count_include_pad, divisor_override, dtype):
    """1 / divisor per output element, PyTorch's rule: windows are clipped to the padded input
    (count_include_pad) or to the input itself."""
    if divisor_override is not None:
        if divisor_override == 0:
            raise ValueError("avg_pool2d: divisor_override must be non-zero")
        return xp.asarray(1.0 / divisor_override, dtype=dtype)

    def counts(size, k, s, p, out):
        start = xp.arange(out) * s - p
        end = xp.minimum(start + k, size + p)
        if count_include_pad:
            return end - start
        return xp.minimum(end, size) - xp.maximum(start, 0)

    ch = counts(geo.h, geo.kh, geo.sh, geo.ph, geo.oh)
    cw = counts(geo.w, geo.kw, geo.sw, geo.pw, geo.ow)
    div = xp.maximum(ch[:, None] * cw[None, :], 1)
    if (div == div.flat[0]).all():
        return xp.asarray(1.0 / div.flat[0], dtype=dtype)
    return (1.0 / div).astype(dtype)


# ----- argument checks --------------------------------------------------------------------------
def _out_size(op, size, k, s, p, d, ceil_mode):
    span = d * (k - 1) + 1
    out = (size + 2 * p - span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1  # the last window must start inside the input or its left padding
    if out < 1:
        raise ShapeError(f"{op}: input size {size} with kernel {k}, stride {s}, padding {p}, "
                         f"dilation {d} gives an empty output")
    return out


def _pool_geometry(op, x, nd, kernel_size, stride, padding, dilation, ceil_mode, max_pool):
    dims = "(N, C, H, W) or (C, H, W)" if nd == 2 else "(N, C, L) or (C, L)"
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor input, got {type(x).__name__}")
    if x.ndim not in (nd + 1, nd + 2):
        raise ShapeError(f"{op}: expected a {nd + 2}-D input {dims}, got shape {tuple(x.shape)}")
    k = _tuple(kernel_size, nd, "kernel_size", op, 1)
    s = k if stride is None or stride == () or stride == [] else _tuple(stride, nd, "stride", op, 1)
    p = _tuple(padding, nd, "padding", op, 0)
    d = _tuple(dilation, nd, "dilation", op, 1)
    for k_, p_, d_ in zip(k, p, d):
        limit = (d_ * (k_ - 1) + 1) // 2 if max_pool else k_ // 2
        if p_ > limit:
            raise ValueError(f"{op}: padding {p} must be at most half the (effective) kernel "
                             f"size {k}")
    if nd == 1:
        k, s, p, d = (1,) + k, (1,) + s, (0,) + p, (1,) + d
    size = x.shape[-2:] if nd == 2 else (1, x.shape[-1])
    oh, ow = (_out_size(op, size[i], k[i], s[i], p[i], d[i], ceil_mode) for i in (0, 1))
    return PoolGeometry(*size, *k, *s, *p, *d, oh, ow)


# ----- functional wrappers ----------------------------------------------------------------------
def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over kH x kW windows (PyTorch's ``F.max_pool2d``); stride defaults to the kernel
    size, padding is -inf. Input (N, C, H, W) or (C, H, W) -> (N, C, OH, OW); with
    ``return_indices`` also the flat (H * W) index of each max.

    >>> max_pool2d(retrograd.randn(2, 3, 8, 8), 2).shape
    (2, 3, 4, 4)
    """
    geo = _pool_geometry("max_pool2d", input, 2, kernel_size, stride, padding, dilation,
                         ceil_mode, True)
    return _max_pool(input, geo, return_indices)


def _max_pool(input, geo, return_indices):
    out = MaxPool.apply(input, geometry=geo)
    if not return_indices:
        return out
    fn = out.grad_fn or MaxPool()
    if out.grad_fn is None:  # not recorded: recompute the winners
        fn.forward(input.array, geometry=geo)
    return out, Tensor(fn.indices())


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over windows of length k: (N, C, L) -> (N, C, OL) (PyTorch's ``F.max_pool1d``)."""
    geo = _pool_geometry("max_pool1d", input, 1, kernel_size, stride, padding, dilation,
                         ceil_mode, True)
    out = _max_pool(input.unsqueeze(-2), geo, return_indices)
    if return_indices:
        return out[0].squeeze(-2), Tensor(out[1].array.squeeze(-2))
    return out.squeeze(-2)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over kH x kW windows (PyTorch's ``F.avg_pool2d``): zero padding, counted in the
    divisor when ``count_include_pad``. (N, C, H, W) -> (N, C, OH, OW).

    >>> avg_pool2d(retrograd.randn(2, 3, 8, 8), 3, stride=2, padding=1).shape
    (2, 3, 4, 4)
    """
    geo = _pool_geometry("avg_pool2d", input, 2, kernel_size, stride, padding, 1, ceil_mode, False)
    scale = _avg_scale(array_module(input.array), geo, count_include_pad, divisor_override, input.dtype)
    return AvgPool.apply(input, geometry=geo, scale=scale)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """Mean over windows of length k: (N, C, L) -> (N, C, OL) (PyTorch's ``F.avg_pool1d``)."""
    geo = _pool_geometry("avg_pool1d", input, 1, kernel_size, stride, padding, 1, ceil_mode, False)
    scale = _avg_scale(array_module(input.array), geo, count_include_pad, None, input.dtype)
    return AvgPool.apply(input.unsqueeze(-2), geometry=geo, scale=scale).squeeze(-2)


def _adaptive_matrix(xp, size, out, dtype):
    """(out, size): row i averages input[floor(i * size / out) : ceil((i + 1) * size / out)]."""
    i = xp.arange(out)
    start, end = (i * size) // out, -((-(i + 1) * size) // out)
    pos = xp.arange(size)
    inside = (pos[None, :] >= start[:, None]) & (pos[None, :] < end[:, None])
    return Tensor((inside / (end - start)[:, None]).astype(dtype))


def _adaptive_sizes(op, x, nd, output_size):
    sizes = (output_size,) * nd if isinstance(output_size, int) or output_size is None else tuple(output_size)
    if len(sizes) != nd:
        raise ValueError(f"{op}: output_size must be an int or a tuple of {nd}, got {output_size!r}")
    sizes = tuple(x.shape[-nd + i] if s is None else s for i, s in enumerate(sizes))
    if any(not isinstance(s, int) or s < 1 for s in sizes):
        raise ValueError(f"{op}: output_size must hold positive ints, got {output_size!r}")
    return sizes


def adaptive_avg_pool2d(input, output_size):
    """Average pool to a fixed (OH, OW) whatever the input size (PyTorch's
    ``F.adaptive_avg_pool2d``): output cell i covers input rows floor(i*H/OH) to
    ceil((i+1)*H/OH). output_size 1 is global average pooling; None keeps that dim.

    >>> adaptive_avg_pool2d(retrograd.randn(2, 3, 7, 9), (2, 3)).shape
    (2, 3, 2, 3)
    """
    op = "adaptive_avg_pool2d"
    if not isinstance(input, Tensor) or input.ndim not in (3, 4):
        raise ShapeError(f"{op}: expected a 4-D input (N, C, H, W) or (C, H, W), got shape "
                         f"{tuple(getattr(input, 'shape', ()))}")
    oh, ow = _adaptive_sizes(op, input, 2, output_size)
    h, w = input.shape[-2:]
    if (oh, ow) == (1, 1):
        return input.mean((-2, -1), keepdim=True)
    if h % oh == 0 and w % ow == 0:
        lead = input.shape[:-2]
        return input.reshape(*lead, oh, h // oh, ow, w // ow).mean((-3, -1))
    if oh != h:
        input = matmul(_adaptive_matrix(array_module(input.array), h, oh, input.dtype), input)
    if ow != w:
        input = matmul(input, _adaptive_matrix(array_module(input.array), w, ow, input.dtype).T)
    return input


def adaptive_avg_pool1d(input, output_size):
    """Average pool (N, C, L) to (N, C, output_size) (PyTorch's ``F.adaptive_avg_pool1d``)."""
    if not isinstance(input, Tensor) or input.ndim not in (2, 3):
        raise ShapeError(f"adaptive_avg_pool1d: expected a 3-D input (N, C, L) or (C, L), got "
                         f"shape {tuple(getattr(input, 'shape', ()))}")
    (ol,) = _adaptive_sizes("adaptive_avg_pool1d", input, 1, output_size)
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, ol)).squeeze(-2)
