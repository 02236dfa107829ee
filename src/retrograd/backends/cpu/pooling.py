"""Pooling kernels on NCHW NumPy arrays: max pooling (with the winning offset per window), its
scatter and gather, and the window sums and spreads of average pooling. ``ops/pool.py`` and
``ops/max_pool.py`` build the differentiable ops on them.

Max pooling takes the maxima over 1-D shifted views of the flattened padded buffer, one per
kernel offset (each op one long SIMD loop, where strided window views give NumPy inner loops
of only OW elements), and reads them at the window corners at the end. Each winner is the first
position holding the max in row-major window order, as in PyTorch.
"""
from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..geometry import PoolGeometry
from .pool import array_pool, empty

__all__ = ["avg_pool", "avg_pool_spread", "max_pool", "max_pool_gather", "max_pool_indices",
           "max_pool_scatter"]


def _padded(x, geo: PoolGeometry, fill):
    rows, cols = geo.buffer
    if (rows, cols) == (geo.h, geo.w):
        return x
    buf = empty(x.shape[:-2] + (rows, cols), x.dtype)
    buf.fill(fill)
    buf[geo.inner()] = x
    return buf


def _unpadded(buf, geo: PoolGeometry):
    if buf.shape[-2:] == (geo.h, geo.w):
        return buf
    out = empty(buf.shape[:-2] + (geo.h, geo.w), buf.dtype)
    np.copyto(out, buf[geo.inner()])
    return out


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _at_window_corners(flat, shape, geo: PoolGeometry):
    """(..., OH, OW): the values of ``flat`` (a buffer of ``shape`` flattened, possibly cut
    short past the last window's corner) at each window's top-left corner."""
    item, cols = flat.itemsize, shape[-1]
    lead = tuple(item * math.prod(shape[k + 1:]) for k in range(len(shape) - 2))
    corners = as_strided(flat, shape[:-2] + (geo.oh, geo.ow),
                         lead + (geo.sh * cols * item, geo.sw * item), writeable=False)
    out = empty(corners.shape, flat.dtype)
    np.copyto(out, corners)
    return out


def _running_max(views, labels, label_dtype):
    """Element-wise max over ``views`` and, per element, the label of the first view holding it.
    Labels (ints or int arrays) must grow strictly from view to view and be >= 0: then "take the
    new label where the new view wins" is an integer max, far cheaper than a masked copy. The
    first view and label are only read (they may be the input itself)."""
    pairs = iter(zip(views, labels))
    best, arg = next(pairs)
    owned = False  # whether best and arg are arrays of our own yet
    for v, label in pairs:
        wins = np.greater(v, best, out=empty(v.shape, np.bool_))
        if isinstance(label, int) and label == 1 and np.dtype(label_dtype).itemsize == 1:
            taken = wins.view(label_dtype)  # True is 1
        else:
            taken = np.multiply(wins, label, dtype=label_dtype, out=empty(v.shape, label_dtype))
        if owned:
            np.maximum(best, v, out=best)
            np.maximum(arg, taken, out=arg)
        else:
            best = np.maximum(best, v, out=empty(v.shape, v.dtype))
            arg = (taken if isinstance(arg, int) and arg == 0 else
                   np.maximum(arg, taken, out=empty(v.shape, label_dtype)))
            owned = True
    if isinstance(arg, int):
        arg = np.full(best.shape, arg, dtype=label_dtype)
    return best, arg


def max_pool(x, geo: PoolGeometry):
    """x (..., H, W) -> (max per window (..., OH, OW), winning kernel offset i * kW + j as int8
    or int16): separably, first over the kernel's columns for every row, then over its rows.
    The columns of position p are p + j*dw, its rows p + i*dh*width."""
    buf = np.ascontiguousarray(_padded(x, geo, _lowest(x.dtype)))
    flat, width = buf.reshape(-1), buf.shape[-1]
    kind = np.int16 if geo.kh * geo.kw > 127 else np.int8
    col_len = flat.size - (geo.kw - 1) * geo.dw
    if geo.kw == 1:
        col_best, col_arg = flat, None
    else:
        col_best, col_arg = _running_max(
            (flat[j * geo.dw:j * geo.dw + col_len] for j in range(geo.kw)), range(geo.kw), kind)
    step = geo.dh * width
    length = col_len - (geo.kh - 1) * step
    labels = (i * geo.kw if col_arg is None else col_arg[:length] if i == 0 else
              col_arg[i * step:i * step + length] + kind(i * geo.kw) for i in range(geo.kh))
    best, arg = _running_max((col_best[i * step:i * step + length] for i in range(geo.kh)),
                             labels, kind)
    return _at_window_corners(best, buf.shape, geo), _at_window_corners(arg, buf.shape, geo)


def max_pool_indices(arg, geo: PoolGeometry):
    """PyTorch's flat indices into each (H, W) input plane, from the winning offsets."""
    arg = arg.astype(np.int64)
    rows = np.arange(geo.oh)[:, None] * geo.sh - geo.ph + (arg // geo.kw) * geo.dh
    cols = np.arange(geo.ow)[None, :] * geo.sw - geo.pw + (arg % geo.kw) * geo.dw
    return rows * geo.w + cols


def max_pool_scatter(g, arg, geo: PoolGeometry):
    """Each output gradient put at the input position its window's max came from (added where
    windows overlap)."""
    shape = g.shape[:-2] + geo.buffer
    buf = empty(shape, g.dtype) if geo.tiling else array_pool.zeros(shape, g.dtype)
    for k, sl in enumerate(geo.windows()):
        if geo.disjoint:
            np.multiply(g, arg == k, out=buf[sl])
        else:
            buf[sl] += g * (arg == k)
    return _unpadded(buf, geo)


def max_pool_gather(x, arg, geo: PoolGeometry):
    """The value of x at each window's max position (the transpose of max_pool_scatter)."""
    buf = _padded(x, geo, 0)
    out = array_pool.zeros(arg.shape, x.dtype)
    for k, sl in enumerate(geo.windows()):
        np.copyto(out, buf[sl], where=arg == k)
    return out


def avg_pool(x, geo: PoolGeometry, scale):
    """Sum over each window times ``scale`` (1 / divisor: a scalar or an (OH, OW) array)."""
    buf = _padded(x, geo, 0)
    slices = geo.windows()
    acc = buf[next(slices)].copy()
    for sl in slices:
        acc += buf[sl]
    acc *= scale
    return acc


def avg_pool_spread(g, geo: PoolGeometry, scale):
    """The transpose of avg_pool: each scaled output gradient spread over its window."""
    gs = g * scale
    shape = g.shape[:-2] + geo.buffer
    buf = empty(shape, g.dtype) if geo.tiling else array_pool.zeros(shape, g.dtype)
    for sl in geo.windows():
        if geo.disjoint:
            buf[sl] = gs
        else:
            buf[sl] += gs
    return _unpadded(buf, geo)
