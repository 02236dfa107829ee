"""Max pooling over NCHW arrays: the op, its gradient (a scatter to the winning positions,
``MaxPoolScatter``) and that gradient's own (the matching gather, ``MaxPoolGather``).

The maxima are taken over 1-D shifted views of the flattened padded buffer, one per kernel
offset, and read at the window corners at the end. Each winner is the first position holding
the max in row-major window order, as in PyTorch.
"""
from __future__ import annotations

import math

from numpy.lib.stride_tricks import as_strided

from ..autograd.function import Function
from ..backend import xp
from .pool_geometry import PoolGeometry, _lowest, _padded, _unpadded


def _at_window_corners(flat, shape, geo: PoolGeometry):
    """(..., OH, OW): the values of ``flat`` (a buffer of ``shape`` flattened, possibly cut
    short past the last window's corner) at each window's top-left corner."""
    item, cols = flat.itemsize, shape[-1]
    lead = tuple(item * math.prod(shape[k + 1:]) for k in range(len(shape) - 2))
    return as_strided(flat, shape[:-2] + (geo.oh, geo.ow),
                      lead + (geo.sh * cols * item, geo.sw * item), writeable=False).copy()


def _running_max(views, labels, label_dtype):
    """Element-wise max over ``views`` and, per element, the label of the first view holding it.
    Labels (ints or int arrays) must grow strictly from view to view and be >= 0: then "take the
    new label where the new view wins" is an integer max, far cheaper than a masked copy. The
    first view and label are only read (they may be the input itself)."""
    pairs = iter(zip(views, labels))
    best, arg = next(pairs)
    owned = False  # whether best and arg are arrays of our own yet
    for v, label in pairs:
        wins = xp.greater(v, best)
        if isinstance(label, int) and label == 1 and xp.dtype(label_dtype).itemsize == 1:
            taken = wins.view(label_dtype)  # True is 1
        else:
            taken = xp.multiply(wins, label, dtype=label_dtype)
        if owned:
            xp.maximum(best, v, out=best)
            xp.maximum(arg, taken, out=arg)
        else:
            best = xp.maximum(best, v)
            arg = taken if isinstance(arg, int) and arg == 0 else xp.maximum(arg, taken)
            owned = True
    if isinstance(arg, int):
        arg = xp.full(best.shape, arg, dtype=label_dtype)
    return best, arg


class MaxPool(Function):
    """Max over each window, separably: first over the kernel's columns for every row, then over
    its rows. ``arg`` keeps the winning kernel offset (i * kW + j) per output element: the first
    row holding the max, and in it the first column, i.e. PyTorch's first-in-window rule."""

    def forward(self, x, geometry=None):
        # The maxima are taken at every position of the flattened buffer, over 1-D shifted
        # views: p's columns are p + j*dw, its rows p + i*dh*width. Each op is one long SIMD
        # loop; strided views of the windows alone give NumPy inner loops of OW elements
        # (LeNet-5's 2x2 pool, batch 128: 1.09 -> 0.45 ms). Then read at window corners.
        self.geo = geo = geometry
        buf = xp.ascontiguousarray(_padded(x, geo, _lowest(x.dtype)))
        flat, width = buf.reshape(-1), buf.shape[-1]
        kind = xp.int16 if geo.kh * geo.kw > 127 else xp.int8
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
        self.arg = _at_window_corners(arg, buf.shape, geo)
        return _at_window_corners(best, buf.shape, geo)

    def backward(self, g):
        return MaxPoolScatter.apply(g, arg=self.arg, geometry=self.geo)

    def indices(self):
        """PyTorch's flat indices into each (H, W) input plane."""
        geo, arg = self.geo, self.arg.astype(xp.int64)
        rows = xp.arange(geo.oh)[:, None] * geo.sh - geo.ph + (arg // geo.kw) * geo.dh
        cols = xp.arange(geo.ow)[None, :] * geo.sw - geo.pw + (arg % geo.kw) * geo.dw
        return rows * geo.w + cols


class MaxPoolScatter(Function):
    """Each output gradient added to the input position its window's max came from (written
    directly when windows do not overlap)."""

    def forward(self, g, arg=None, geometry=None):
        self.arg, self.geo = arg, geometry
        shape = g.shape[:-2] + geometry.buffer
        buf = xp.empty(shape, dtype=g.dtype) if geometry.tiling else xp.zeros(shape, dtype=g.dtype)
        for k, sl in enumerate(geometry.windows()):
            if geometry.disjoint:
                xp.multiply(g, arg == k, out=buf[sl])
            else:
                buf[sl] += g * (arg == k)
        return _unpadded(buf, geometry)

    def backward(self, gg):
        return MaxPoolGather.apply(gg, arg=self.arg, geometry=self.geo)


class MaxPoolGather(Function):
    """The value at each window's max position (the transpose of MaxPoolScatter)."""

    def forward(self, x, arg=None, geometry=None):
        self.arg, self.geo = arg, geometry
        buf = _padded(x, geometry, 0)
        out = xp.zeros(arg.shape, dtype=x.dtype)
        for k, sl in enumerate(geometry.windows()):
            xp.copyto(out, buf[sl], where=arg == k)
        return out

    def backward(self, g):
        return MaxPoolScatter.apply(g, arg=self.arg, geometry=self.geo)
