"""Indexing: ints, slices with steps, None, Ellipsis, integer arrays and bool masks; gather and
index_select. Gradients scatter back, accumulating over repeated indices."""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..backend import array_module, is_array
from ..backends import kernels_for
from ..tensor import Tensor
from .dims import normalize_dim


def _is_advanced(key) -> bool:
    items = key if isinstance(key, tuple) else (key,)
    return any(isinstance(k, list) or is_array(k) for k in items)


class GetItem(Function):
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, x, key=None):
        self.in_shape, self.key = x.shape, key
        self.in_order = memory_order(x)
        return x[key]

    def backward(self, g):
        return ScatterAdd.apply(g, key=self.key, shape=self.in_shape, order=self.in_order)


def memory_order(x):
    """x's axes from the longest stride to the shortest when x is a permuted view (a gradient
    laid out the same way flows back through the permutation as a plain block), else None."""
    strides = getattr(x, "strides", None)
    if strides is None or x.ndim < 2 or x.flags.c_contiguous:
        return None
    order = tuple(sorted(range(x.ndim), key=lambda a: -abs(strides[a])))
    return None if order == tuple(range(x.ndim)) else order


class ScatterAdd(Function):
    """A zero array of ``shape`` with ``g`` added at ``key`` (repeated indices accumulate),
    laid out in memory in ``order`` (axes from outermost; None: C order)."""
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, g, key=None, shape=(), order=None):
        xp, kernels = array_module(g), kernels_for(g)
        self.key = key
        if order is None:
            out = kernels.empty(shape, g.dtype)  # pooled: no fresh pages to fault in
        else:
            out = kernels.empty(tuple(shape[a] for a in order), g.dtype)
            out = out.transpose(tuple(sorted(range(len(order)), key=order.__getitem__)))
        out.fill(0)
        if _is_advanced(key):
            xp.add.at(out, key, g)
        else:
            out[key] = g
        return out

    def backward(self, gg):
        return GetItem.apply(gg, key=self.key)


def _convert_key(key, xp):
    """Tensors and lists in an index become arrays (lists of the indexed array's module ``xp``)."""
    items = key if isinstance(key, tuple) else (key,)
    out = []
    for k in items:
        if isinstance(k, Tensor):
            k = k.array
        if isinstance(k, list) or isinstance(k, np.ndarray) and xp is not np:  # host indices
            k = xp.asarray(k)
        if is_array(k) and k.dtype.kind not in "iub":
            raise IndexError(f"index: tensors used as indices must be integer or bool, got {k.dtype}")
        out.append(k)
    return tuple(out) if isinstance(key, tuple) or len(out) != 1 else out[0]


def _is_int(k) -> bool:
    return isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_))


def _split_int_indices(key):
    """PyTorch applies integer indices before advanced ones: x[0, :, idx] on (3, 4, 5) is
    (4, 2), where NumPy (which treats the 0 as advanced too) gives (2, 4). Returns the integer
    part (ints, other dims kept whole) and the rest, or None when no such mix occurs."""
    items = key if isinstance(key, tuple) else (key,)
    if not any(_is_int(k) for k in items) or not any(is_array(k) and k.ndim > 0 for k in items):
        return None
    first, rest = [], []
    for k in items:
        if _is_int(k):
            first.append(k)
        elif k is None:
            rest.append(k)
        elif k is Ellipsis:
            first.append(k)
            rest.append(k)
        else:
            width = k.ndim if is_array(k) and k.dtype == bool else 1
            first.extend([slice(None)] * width)
            rest.append(k)
    return tuple(first), tuple(rest)


def getitem(x, key):
    key = _convert_key(key, array_module(x.array))
    split = _split_int_indices(key)
    if split is not None:
        return getitem(getitem(x, split[0]), split[1])
    try:
        return GetItem.apply(x, key=key)
    except IndexError as e:
        raise IndexError(f"index {key!r} is out of range for a tensor of shape {tuple(x.shape)}: {e}") from None


def _along_axis(index, dim):
    xp = array_module(index)
    grids = list(xp.ix_(*[xp.arange(s) for s in index.shape]))
    grids[dim] = index
    return tuple(grids)


class Gather(Function):
    def forward(self, x, dim=0, index=None):
        xp = array_module(x)
        self.dim, self.index, self.in_shape = dim, index, x.shape
        return xp.take_along_axis(x, index, axis=dim)

    def backward(self, g):
        return ScatterAdd.apply(g, key=_along_axis(self.index, self.dim), shape=self.in_shape)


def gather(input, dim: int, index):
    """out[i][j] = x[i][index[i][j]] for dim=1 (PyTorch's gather)."""
    d = normalize_dim(dim, input.ndim, "gather")
    idx = index.array if isinstance(index, Tensor) else array_module(input.array).asarray(index)
    if idx.ndim != input.ndim:
        raise RuntimeError(f"gather: index has {idx.ndim} dims but input has {input.ndim} "
                         f"(shapes {tuple(idx.shape)} and {tuple(input.shape)})")
    if idx.size and (idx.min() < -input.shape[d] or idx.max() >= input.shape[d]):
        raise RuntimeError(f"gather: index out of range for dim {d} of size {input.shape[d]} (as "
                           "PyTorch, a RuntimeError)")
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"gather: index must be an integer tensor, got {idx.dtype}")
    if any(i != d and s > input.shape[i] for i, s in enumerate(idx.shape)):
        raise RuntimeError(f"gather: index of shape {tuple(idx.shape)} is larger than the input "
                           f"{tuple(input.shape)} outside dim {d}")
    if any(i != d and s < input.shape[i] for i, s in enumerate(idx.shape)):  # PyTorch allows smaller
        input = getitem(input, tuple(slice(None) if i == d else slice(0, s) for i, s in enumerate(idx.shape)))
    return Gather.apply(input, dim=d, index=idx)


def index_select(input, dim: int, index):
    """The entries at the 1-D integer ``index`` along ``dim`` (that dim becomes len(index))."""
    d = normalize_dim(dim, input.ndim, "index_select")
    idx = index.array if isinstance(index, Tensor) else array_module(input.array).asarray(index)
    if idx.ndim != 1:
        raise IndexError(f"index_select: index must be 1-D, got shape {tuple(idx.shape)}")
    return getitem(input, (slice(None),) * d + (idx,))
