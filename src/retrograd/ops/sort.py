"""Ordering: sort, argsort, msort, topk, kthvalue, unique. Values are gathered from the input at
the sorted indices, so their gradient is gather's (scattered back to where each value came from)."""
from __future__ import annotations

from collections import namedtuple

from ..backend import array_module
from ..tensor import Tensor
from .dims import normalize_dim
from .index import gather

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


def _order(x, dim: int, descending: bool):
    """Indices sorting ``x`` along ``dim``; stable both ways (equal values keep their order) and
    NaN last ascending, first descending, as PyTorch."""
    xp = array_module(x)
    if not descending:
        return xp.argsort(x, axis=dim, kind="stable")
    n = x.shape[dim]
    flipped = xp.argsort(xp.flip(x, axis=dim), axis=dim, kind="stable")
    return (n - 1) - xp.flip(flipped, axis=dim)


def _sorted_by(input: Tensor, dim: int, order) -> ValuesIndices:  # noqa: A002
    return ValuesIndices(gather(input, dim, order), Tensor(order.astype("int64")))


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> ValuesIndices:  # noqa: A002
    """(values, indices) sorted along ``dim``; equal values keep their order (always stable)."""
    if input.ndim == 0:
        return ValuesIndices(input * 1, Tensor(array_module(input.array).zeros((), dtype="int64")))
    d = normalize_dim(dim, input.ndim, "sort")
    return _sorted_by(input, d, _order(input.array, d, descending))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:  # noqa: A002
    """The indices that sort input along ``dim`` (sort's indices)."""
    return sort(input, dim, descending, stable).indices


def msort(input: Tensor) -> Tensor:  # noqa: A002
    """Sorted along the first dim."""
    return sort(input, 0).values


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> ValuesIndices:  # noqa: A002
    """The ``k`` largest (or smallest) elements along ``dim`` and their indices, in order."""
    if input.ndim == 0:
        if k not in (0, 1):
            raise RuntimeError(f"topk: k ({k}) is out of range for a 0-d tensor")
        return sort(input)
    d = normalize_dim(dim, input.ndim, "topk")
    if not 0 <= k <= input.shape[d]:
        raise RuntimeError(f"topk: k ({k}) is out of range for dim {d} of size {input.shape[d]}")
    order = _order(input.array, d, descending=largest)
    return _sorted_by(input, d, array_module(order).take(order, range(k), axis=d))


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> ValuesIndices:  # noqa: A002
    """The ``k``-th smallest element (k from 1) along ``dim`` and its index."""
    if input.ndim == 0:
        if k != 1:
            raise RuntimeError(f"kthvalue: k ({k}) is out of range for a 0-d tensor")
        return sort(input)
    d = normalize_dim(dim, input.ndim, "kthvalue")
    if not 1 <= k <= input.shape[d]:
        raise RuntimeError(f"kthvalue: k ({k}) is out of range for dim {d} of size {input.shape[d]}")
    order = _order(input.array, d, descending=False)
    values, indices = _sorted_by(input, d, array_module(order).take(order, [k - 1], axis=d))
    if not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return ValuesIndices(values, indices)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim: int | None = None):
    """The distinct values (sorted), with the inverse indices and counts when asked; ``dim``
    makes the distinct slices along it. No gradient (as PyTorch)."""
    xp = array_module(input.array)
    axis = None if dim is None else normalize_dim(dim, input.ndim, "unique")
    values, inverse, counts = xp.unique(input.array, return_inverse=True, return_counts=True, axis=axis)
    out = [Tensor(values)]
    if return_inverse:
        shape = input.shape if axis is None else (input.shape[axis],)
        out.append(Tensor(inverse.reshape(shape).astype("int64")))
    if return_counts:
        out.append(Tensor(counts.astype("int64")))
    return out[0] if len(out) == 1 else tuple(out)
