"""F.interpolate: resize the spatial dims of (N, C, *spatial) input by nearest, nearest-exact,
(bi/tri)linear, bicubic or area sampling, with PyTorch's source-index rules (align_corners, scale
factors) so outputs agree with PyTorch's to rounding.

Each spatial dim is resampled in turn, separably: nearest modes gather one source index per
output position; linear modes gather the two neighbours and blend them with per-position weights
(bicubic: four neighbours, Keys' cubic weights);
area averages windows (an averaging matrix, as adaptive_avg_pool). All are differentiable ops
(gathers along one dim, multiply, matmul), so gradients of every order follow.
"""
from __future__ import annotations

import math
from typing import Sequence

from ..backend import array_module
from ..tensor import Tensor
from .axis_index import take_along_dim
from .linalg import matmul
from .pool import _adaptive_matrix

_LINEAR = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}  # mode -> input rank
_MODES = ("nearest", "nearest-exact", "area", *_LINEAR)


def _scale(in_size: int, out_size: int, scale_factor: float | None, xp, dtype):
    """PyTorch's compute_scales_value: 1 / scale_factor when one was given, else in / out."""
    if scale_factor is not None and scale_factor > 0:
        return xp.asarray(1.0 / scale_factor, dtype=dtype)
    return xp.asarray(in_size, dtype=dtype) / xp.asarray(out_size, dtype=dtype)


def _nearest_index(xp, in_size, out_size, scale_factor, exact):
    """Source index per output position (computed in float32, as PyTorch's kernels do)."""
    scale = _scale(in_size, out_size, scale_factor, xp, xp.float32)
    pos = xp.arange(out_size, dtype=xp.float32) + (0.5 if exact else 0.0)
    return xp.minimum(xp.floor(pos * scale).astype(xp.int64), in_size - 1)


def _source_positions(xp, in_size, out_size, scale_factor, align_corners, dtype, cubic=False):
    """PyTorch's area_pixel_compute_source_index: where each output position samples the input
    (negative positions clamp to 0 except for cubic)."""
    pos = xp.arange(out_size, dtype=dtype)
    if align_corners:
        scale = (xp.asarray(in_size - 1, dtype=dtype) / (out_size - 1) if out_size > 1
                 else xp.asarray(0, dtype=dtype))
        return pos * scale
    src = (pos + 0.5) * _scale(in_size, out_size, scale_factor, xp, dtype) - 0.5
    return src if cubic else xp.maximum(src, 0)


def _cubic_taps(xp, in_size, out_size, scale_factor, align_corners, dtype, a=-0.75):
    """The 4 neighbours (clamped to the input) of each output position and their cubic
    convolution weights (Keys, A = -0.75, as PyTorch's bicubic)."""
    src = _source_positions(xp, in_size, out_size, scale_factor, align_corners, dtype, cubic=True)
    base = xp.floor(src)
    t = (src - base).astype(dtype)
    near = lambda x: ((a + 2) * x - (a + 3)) * x * x + 1  # noqa: E731  |x| <= 1
    far = lambda x: ((a * x - 5 * a) * x + 8 * a) * x - 4 * a  # noqa: E731  1 < |x| < 2
    weights = (far(t + 1), near(t), near(1 - t), far(2 - t))
    index = [xp.clip(base.astype(xp.int64) - 1 + k, 0, in_size - 1) for k in range(4)]
    return index, [w.astype(dtype) for w in weights]


def _linear_indices(xp, in_size, out_size, scale_factor, align_corners, dtype):
    """(i0, i1, w1): the two neighbours of each output position and the second one's weight."""
    src = _source_positions(xp, in_size, out_size, scale_factor, align_corners, dtype)
    i0 = xp.minimum(xp.floor(src).astype(xp.int64), in_size - 1)
    w1 = xp.clip(src - i0, 0, 1).astype(dtype)
    return i0, xp.minimum(i0 + 1, in_size - 1), w1


def _along(weights, dim: int, ndim: int, xp) -> Tensor:
    """A weight vector shaped to broadcast along ``dim`` of an ndim-d tensor."""
    return Tensor(xp.reshape(weights, (-1,) + (1,) * (ndim - 1 - dim)))


def _resample_dim(x: Tensor, dim: int, out_size: int, scale_factor, mode: str,
                  align_corners: bool) -> Tensor:
    xp, in_size = array_module(x.array), x.shape[dim]
    if out_size == in_size and mode != "nearest-exact":
        return x  # PyTorch's kernels copy too (a scale factor that rounds back to the same size)
    if mode in ("nearest", "nearest-exact"):
        return take_along_dim(x, dim, _nearest_index(xp, in_size, out_size, scale_factor,
                                                   mode == "nearest-exact"))
    if mode == "area":
        moved = x.transpose(dim, -1)
        return matmul(moved, _adaptive_matrix(xp, in_size, out_size, x.dtype).T).transpose(dim, -1)
    if mode == "bicubic":
        index, weights = _cubic_taps(xp, in_size, out_size, scale_factor, align_corners, x.dtype)
        terms = [take_along_dim(x, dim, i) * _along(w, dim, x.ndim, xp) for i, w in zip(index, weights)]
        return terms[0] + terms[1] + terms[2] + terms[3]
    i0, i1, w1 = _linear_indices(xp, in_size, out_size, scale_factor, align_corners, x.dtype)
    return (take_along_dim(x, dim, i0) * _along(1 - w1, dim, x.ndim, xp)
            + take_along_dim(x, dim, i1) * _along(w1, dim, x.ndim, xp))


def _as_tuple(value, n: int, name: str):
    if value is None:
        return None
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * n
    if len(values) != n:
        raise ValueError(f"interpolate: input and output must have the same number of spatial "
                         f"dimensions, but got input with {n} spatial dims and {name} {value!r}; "
                         "give input as (N, C, d1, ..., dK) and the size as (o1, ..., oK)")
    return values


def interpolate(input: Tensor, size: int | Sequence[int] | None = None,
                scale_factor: float | Sequence[float] | None = None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize (N, C, *spatial) -> (N, C, *size), or spatial sizes floor(in * scale_factor).

    mode: 'nearest' (PyTorch's legacy rule floor(out_index * in / out)), 'nearest-exact',
    'linear' (3-D input), 'bilinear' or 'bicubic' (4-D), 'trilinear' (5-D), 'area'. ``align_corners``
    (linear modes only) maps the corner pixels' centres onto each other.
    """
    if mode not in _MODES:
        raise NotImplementedError(f"interpolate: mode {mode!r} is not supported; use one of {_MODES}")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    if align_corners is not None and mode not in _LINEAR:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if mode in _LINEAR and input.ndim != _LINEAR[mode]:
        raise NotImplementedError(f"interpolate: got {input.ndim}D input, but {mode} mode needs "
                                  f"{_LINEAR[mode]}D input (N, C, *spatial)")
    if input.ndim < 3:
        raise ValueError(f"interpolate: expected input (N, C, *spatial) of 3 to 5 dims, got "
                         f"shape {tuple(input.shape)}")
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined" if size is not None
                         else "either size or scale_factor should be defined")
    n = input.ndim - 2
    spatial = input.shape[2:]
    sizes, scales = _as_tuple(size, n, "output size"), _as_tuple(scale_factor, n, "scale_factor")
    if sizes is None:
        sizes = tuple(math.floor(float(s) * f) for s, f in zip(spatial, scales))
        if recompute_scale_factor:
            scales = None  # resample by sizes alone, as PyTorch does
    if any(int(s) < 1 for s in sizes) or any(s == 0 for s in spatial):
        raise ValueError(f"interpolate: input {tuple(input.shape)} and output sizes {sizes} must "
                         "be greater than 0")
    out = input
    for i in reversed(range(n)):  # the last dim first, as PyTorch's kernels blend (same rounding)
        out_size = sizes[i]
        out = _resample_dim(out, 2 + i, int(out_size), None if scales is None else scales[i],
                            mode, bool(align_corners))
    return out


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """Deprecated name of interpolate (kept, as PyTorch keeps it)."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: interpolate(mode='nearest')."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: interpolate(mode='bilinear', align_corners=True)."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear"]
