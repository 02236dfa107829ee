"""Indexing: ints, slices with steps, None, Ellipsis, integer arrays and bool masks; gather and
index_select. Gradients scatter back, accumulating over repeated indices."""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import xp
from ..backends import kernels_for
from ..tensor import Tensor
from .dims import normalize_dim


def _is_advanced(key) -> bool:
    items = key if isinstance(key, tuple) else (key,)
    return any(isinstance(k, (xp.ndarray, list)) for k in items)


class GetItem(Function):
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, x, key=None):
        self.in_shape, self.key = x.shape, key
        return x[key]

    def backward(self, g):
        return ScatterAdd.apply(g, key=self.key, shape=self.in_shape)


class ScatterAdd(Function):
    """A zero array of ``shape`` with ``g`` added at ``key`` (repeated indices accumulate)."""
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, g, key=None, shape=()):
        self.key = key
        out = kernels_for(g).empty(shape, g.dtype)  # pooled: no fresh pages to fault in
        out.fill(0)
        if _is_advanced(key):
            xp.add.at(out, key, g)
        else:
            out[key] = g
        return out

    def backward(self, gg):
        return GetItem.apply(gg, key=self.key)


def _convert_key(key, shape):
    """Tensors in an index become arrays; bounds are checked with a readable error."""
    items = key if isinstance(key, tuple) else (key,)
    out = []
    for k in items:
        if isinstance(k, Tensor):
            k = k.array
        if isinstance(k, list):
            k = xp.asarray(k)
        if isinstance(k, xp.ndarray) and k.dtype.kind not in "iub":
            raise IndexError(f"index: tensors used as indices must be integer or bool, got {k.dtype}")
        out.append(k)
    return tuple(out) if isinstance(key, tuple) or len(out) != 1 else out[0]


def getitem(x, key):
    key = _convert_key(key, x.shape)
    try:
        return GetItem.apply(x, key=key)
    except IndexError as e:
        raise IndexError(f"index {key!r} is out of range for a tensor of shape {tuple(x.shape)}: {e}") from None


def _along_axis(index, dim):
    grids = list(xp.ix_(*[xp.arange(s) for s in index.shape]))
    grids[dim] = index
    return tuple(grids)


class Gather(Function):
    def forward(self, x, dim=0, index=None):
        self.dim, self.index, self.in_shape = dim, index, x.shape
        return xp.take_along_axis(x, index, axis=dim)

    def backward(self, g):
        return ScatterAdd.apply(g, key=_along_axis(self.index, self.dim), shape=self.in_shape)


def gather(x, dim: int, index):
    """out[i][j] = x[i][index[i][j]] for dim=1 (PyTorch's gather)."""
    d = normalize_dim(dim, x.ndim, "gather")
    idx = index.array if isinstance(index, Tensor) else xp.asarray(index)
    if idx.ndim != x.ndim:
        raise IndexError(f"gather: index has {idx.ndim} dims but input has {x.ndim} "
                         f"(shapes {tuple(idx.shape)} and {tuple(x.shape)})")
    if idx.size and (idx.min() < -x.shape[d] or idx.max() >= x.shape[d]):
        raise IndexError(f"gather: index out of range for dim {d} of size {x.shape[d]}")
    return Gather.apply(x, dim=d, index=idx)


def index_select(x, dim: int, index):
    d = normalize_dim(dim, x.ndim, "index_select")
    idx = index.array if isinstance(index, Tensor) else xp.asarray(index)
    if idx.ndim != 1:
        raise IndexError(f"index_select: index must be 1-D, got shape {tuple(idx.shape)}")
    return getitem(x, (slice(None),) * d + (idx,))
