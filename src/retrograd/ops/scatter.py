"""Scatter and index updates: scatter (src or value), scatter_add, scatter_reduce (sum, prod,
mean, amax, amin; include_self), index_add, index_copy, index_fill, index_put, take,
take_along_dim. ``index`` may be smaller than the input in every dim, as PyTorch allows."""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import array_module
from ..tensor import Tensor
from .axis_index import index_add_along_dim
from .dims import normalize_dim
from .elementwise import where
from .index import ScatterAdd, gather, getitem

_UFUNCS = {"sum": "add", "mean": "add", "prod": "multiply", "amax": "maximum", "amin": "minimum"}


def _identity(reduce: str, dtype):
    """The value that leaves ``reduce`` unchanged, in ``dtype``."""
    import numpy as np

    if reduce in ("amax", "amin"):
        if dtype.kind == "f":
            return -np.inf if reduce == "amax" else np.inf
        info = np.iinfo(dtype)
        return info.min if reduce == "amax" else info.max
    return 1 if reduce == "prod" else 0


def _positions(index, dim: int):
    """Index arrays addressing out[..., index[i][j], ...]: index along ``dim``, i, j elsewhere."""
    xp = array_module(index)
    grids = list(xp.ix_(*[xp.arange(s) for s in index.shape]))
    grids[dim] = index
    return tuple(grids)


def _check_index(x, dim: int, index, src, op: str):
    xp = array_module(x)
    if index.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: index must be an int64 tensor, got {index.dtype}")
    if index.ndim != x.ndim or (src is not None and getattr(src, "ndim", 0) != x.ndim):
        raise RuntimeError(f"{op}: index (shape {index.shape}), input (shape {x.shape})"
                           f"{'' if src is None else f' and src (shape {src.shape})'} must have the same number of dims")
    for k, s in enumerate(index.shape):
        if (k != dim and s > x.shape[k]) or (src is not None and s > src.shape[k]):
            raise RuntimeError(f"{op}: index of shape {index.shape} is larger than input {x.shape} or src "
                               f"{getattr(src, 'shape', None)} in dim {k}")
    if index.size and (xp.min(index) < -x.shape[dim] or xp.max(index) >= x.shape[dim]):
        raise RuntimeError(f"{op}: index out of range for dim {dim} of size {x.shape[dim]}")


def _sub(src, index):
    """The part of ``src`` that ``index`` covers (its leading block)."""
    return src[tuple(slice(0, s) for s in index.shape)]


class Scatter(Function):
    """out = x with src (or a number) written or reduced at ``index`` along ``dim``."""

    def forward(self, x, src, dim=0, index=None, reduce="none", include_self=True):
        xp = array_module(x)
        self.dim, self.index, self.reduce, self.include_self = dim, index, reduce, include_self
        self.positions = _positions(index, dim)
        values = _sub(src, index) if getattr(src, "ndim", 0) else xp.broadcast_to(src, index.shape)
        out = x.copy()
        touched = xp.zeros(x.shape, dtype=bool)
        touched[self.positions] = True
        self.touched = touched
        if reduce == "none":
            out[self.positions] = values
            return out
        if not include_self:
            out[touched] = _identity(reduce, x.dtype)
        getattr(xp, _UFUNCS[reduce]).at(out, self.positions, values)
        if reduce == "mean":
            self.count = xp.zeros(x.shape, dtype=x.dtype) + (1 if include_self else 0)
            xp.add.at(self.count, self.positions, 1)
            self.count = xp.maximum(self.count, 1)
            out = out / self.count if x.dtype.kind == "f" else out // self.count.astype(x.dtype)
        return out

    def backward(self, g):
        x, src = self.inputs
        wants_src = isinstance(src, Tensor) and src.requires_grad
        rule = getattr(self, "_grad_" + self.reduce)
        gx, gsrc = rule(g, x, src, wants_src)
        if gsrc is not None and gsrc.shape != src.shape:  # src may be larger than index
            gsrc = ScatterAdd.apply(gsrc, key=tuple(slice(0, s) for s in gsrc.shape), shape=src.shape)
        return gx, gsrc

    def _untouched(self, g):
        return where(self.touched, 0.0, g)

    def _grad_none(self, g, x, src, wants_src):
        return self._untouched(g), (gather(g, self.dim, self.index) if wants_src else None)

    def _grad_sum(self, g, x, src, wants_src):
        gx = g if self.include_self else self._untouched(g)
        return gx, (gather(g, self.dim, self.index) if wants_src else None)

    def _grad_mean(self, g, x, src, wants_src):
        scaled = g / Tensor(self.count)
        gx = where(self.touched, scaled, g) if self.include_self else self._untouched(g)
        return gx, (gather(scaled, self.dim, self.index) if wants_src else None)

    def _grad_prod(self, g, x, src, wants_src):
        """The product of the others is out / x (inputs without zeros)."""
        out = self.output()
        gx = where(self.touched, g * out / x, g) if self.include_self else self._untouched(g)
        gsrc = gather(g * out, self.dim, self.index) / _sub_tensor(src, self.index) if wants_src else None
        return gx, gsrc

    def _grad_amax(self, g, x, src, wants_src):
        """Shared evenly among the elements equal to the result (as PyTorch)."""
        xp = array_module(g.array)
        out = self.output().array
        src_hits = _sub(src.array, self.index) == out[self.positions]
        self_hits = (x.array == out) & self.touched if self.include_self else xp.zeros(out.shape, bool)
        count = self_hits.astype(g.array.dtype)
        xp.add.at(count, self.positions, src_hits.astype(g.array.dtype))
        share = g / Tensor(xp.maximum(count, 1))
        gx = where(self.touched, where(self_hits, share, 0.0), g)
        gsrc = where(src_hits, gather(share, self.dim, self.index), 0.0) if wants_src else None
        return gx, gsrc

    _grad_amin = _grad_amax


def _sub_tensor(src: Tensor, index):
    return getitem(src, tuple(slice(0, s) for s in index.shape))


def _scatter(op: str, input: Tensor, dim: int, index, src, reduce: str, include_self: bool = True) -> Tensor:  # noqa: A002
    d = normalize_dim(dim, input.ndim, op) if input.ndim else 0
    idx = index.array if isinstance(index, Tensor) else array_module(input.array).asarray(index)
    if input.ndim == 0:
        input, idx = input.reshape(1), idx.reshape(1)
        src = src.reshape(1) if isinstance(src, Tensor) and src.ndim == 0 else src
        return _scatter(op, input, 0, idx, src, reduce, include_self).reshape(())
    if isinstance(src, Tensor):
        src = src.to(input.dtype)
    _check_index(input.array, d, idx, src.array if isinstance(src, Tensor) else None, op)
    return Scatter.apply(input, src, dim=d, index=idx, reduce=reduce, include_self=include_self)


def scatter(input: Tensor, dim: int, index, src=None, *, value=None, reduce: str | None = None) -> Tensor:  # noqa: A002
    """out[index[i][j]][j] = src[i][j] (dim 0): a copy of input with src (or ``value``) written
    at ``index``; ``reduce='add'|'multiply'`` combines instead."""
    src = value if src is None else src
    mode = {None: "none", "add": "sum", "multiply": "prod"}.get(reduce)
    if mode is None:
        raise RuntimeError(f"scatter: reduce must be None, 'add' or 'multiply', got {reduce!r}")
    return _scatter("scatter", input, dim, index, src, mode)


def scatter_add(input: Tensor, dim: int, index, src: Tensor) -> Tensor:  # noqa: A002
    """A copy of input with src added at ``index`` along ``dim`` (repeated indices accumulate)."""
    return _scatter("scatter_add", input, dim, index, src, "sum")


def scatter_reduce(input: Tensor, dim: int, index, src: Tensor, reduce: str, *,  # noqa: A002
                   include_self: bool = True) -> Tensor:
    """Reduce src into input at ``index``: 'sum', 'prod', 'mean', 'amax' or 'amin'; without
    ``include_self`` the scattered-to elements of input do not take part."""
    if reduce not in _UFUNCS:
        raise RuntimeError(f"scatter_reduce: reduce must be one of {sorted(_UFUNCS)}, got {reduce!r}")
    return _scatter("scatter_reduce", input, dim, index, src, reduce, include_self)


def _index_key(input: Tensor, dim: int, index, op: str):  # noqa: A002
    d = normalize_dim(dim, input.ndim, op) if input.ndim else 0
    idx = index.array if isinstance(index, Tensor) else array_module(input.array).asarray(index)
    if idx.ndim > 1 or idx.dtype.kind not in "iu":
        raise IndexError(f"{op}: index must be a 1-D integer tensor, got shape {idx.shape} of {idx.dtype}")
    if idx.size and (idx.min() < -max(input.shape[d] if input.ndim else 1, 1)
                     or idx.max() >= (input.shape[d] if input.ndim else 1)):
        raise IndexError(f"{op}: index out of range for dim {d}")
    return d, (slice(None),) * d + (idx.reshape(-1),)


def index_add(input: Tensor, dim: int, index, source: Tensor, *, alpha=1) -> Tensor:  # noqa: A002
    """A copy of input with ``alpha * source`` slices added at ``index`` along ``dim``."""
    d, key = _index_key(input, dim, index, "index_add")
    added = (source if alpha == 1 else source * alpha).to(input.dtype)
    if input.ndim == 0:
        return input + ScatterAdd.apply(added, key=key, shape=input.shape)
    size = input.shape[d]  # the sorted / one-hot scatter-add that the layers use, not add.at
    return input + index_add_along_dim(added, d, key[-1] % size, size)


def _touched(input: Tensor, key):  # noqa: A002
    mask = array_module(input.array).zeros(input.shape, dtype=bool)
    mask[key] = True
    return mask


def index_copy(input: Tensor, dim: int, index, source: Tensor) -> Tensor:  # noqa: A002
    """A copy of input with slices along ``dim`` at ``index`` replaced by source's."""
    d, key = _index_key(input, dim, index, "index_copy")
    placed = ScatterAdd.apply(source.to(input.dtype), key=key, shape=input.shape)
    return where(_touched(input, key), placed, input)


def index_fill(input: Tensor, dim: int, index, value) -> Tensor:  # noqa: A002
    """A copy of input with the slices at ``index`` along ``dim`` set to ``value``."""
    d, key = _index_key(input, dim, index, "index_fill")
    value = value.to(input.dtype) if isinstance(value, Tensor) else Tensor(
        array_module(input.array).asarray(value, dtype=input.dtype))
    return where(_touched(input, key), value, input)


def index_put(input: Tensor, indices, values, accumulate: bool = False) -> Tensor:  # noqa: A002
    """A copy of input with ``values`` at ``input[indices]`` (added with ``accumulate``)."""
    from .index import _convert_key

    xp = array_module(input.array)
    key = _convert_key(tuple(indices), xp)
    values = values if isinstance(values, Tensor) else Tensor(xp.asarray(values))
    target_shape = input.array[key].shape
    placed = ScatterAdd.apply(values.to(input.dtype).expand(target_shape), key=key, shape=input.shape)
    return input + placed if accumulate else where(_touched(input, key), placed, input)


def take(input: Tensor, index) -> Tensor:  # noqa: A002
    """input as 1-D, indexed by ``index`` (any shape, the result's)."""
    idx = index.array if isinstance(index, Tensor) else array_module(input.array).asarray(index)
    n = input.numel()
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"take: index out of range for a tensor of {n} elements")
    return getitem(input.reshape(-1), idx)


def take_along_dim(input: Tensor, indices, dim: int | None = None) -> Tensor:  # noqa: A002
    """gather with input and indices broadcast to each other outside ``dim`` (dim None: both
    flattened)."""
    idx = indices.array if isinstance(indices, Tensor) else array_module(input.array).asarray(indices)
    if dim is None:
        return take(input, idx.reshape(-1))
    d = normalize_dim(dim, input.ndim, "take_along_dim")
    xp = array_module(input.array)
    shape_x, shape_i = list(input.shape), list(idx.shape)
    shape_x[d] = shape_i[d] = 1
    common = list(xp.broadcast_shapes(tuple(shape_x), tuple(shape_i)))
    grown_x = list(common)
    grown_x[d] = input.shape[d]
    grown_i = list(common)
    grown_i[d] = idx.shape[d]
    return gather(input.expand(tuple(grown_x)), d, xp.broadcast_to(idx, tuple(grown_i)))
