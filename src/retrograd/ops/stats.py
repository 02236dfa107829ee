"""More reductions: prod, all, any, count_nonzero, aminmax, std_mean, var_mean, median, mode,
nansum, nanmean, trace, diff.
``dim`` is an int, a tuple or None, as in the other reductions."""
from __future__ import annotations

from collections import namedtuple

from .. import backend
from ..autograd.function import Function
from ..backend import array_module
from ..tensor import Tensor
from .dims import normalize_dim, normalize_dims
from .reduce import mean, var
from .scan import cumprod

MinMax = namedtuple("MinMax", ["min", "max"])
ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


class Prod(Function):
    """Product over one dim (``dim``) or all elements (dim None, input flattened first)."""

    def forward(self, x, dim=0, keepdim=False):
        self.dim, self.keepdim = dim, keepdim
        return array_module(x).prod(x, axis=dim, keepdims=keepdim)

    def backward(self, g):
        """g * (product of the others): out / x without zeros, else exclusive running products
        from both sides (exact with zeros)."""
        x = self.inputs[0]
        if x.ndim == 0:
            return g
        g = g if self.keepdim else g.unsqueeze(self.dim)
        if not (x.array == 0).any():
            out = self.output() if self.keepdim else self.output().unsqueeze(self.dim)
            return g * out / x
        ones = Tensor(array_module(x.array).ones_like(x.array[_first(x.ndim, self.dim)]))
        before = cumprod(_shift(x, ones, self.dim, forward=True), self.dim)
        after = cumprod(_shift(x, ones, self.dim, forward=False).flip(self.dim), self.dim).flip(self.dim)
        return g * before * after


def _first(ndim: int, dim: int):
    return (slice(None),) * dim + (slice(0, 1),)


def _shift(x: Tensor, ones: Tensor, dim: int, forward: bool) -> Tensor:
    """x moved one step along ``dim`` (a 1 entering): the exclusive product's factors."""
    from .shape import cat

    n = x.shape[dim]
    if forward:
        return cat([ones, x.narrow(dim, 0, n - 1)], dim)
    return cat([x.narrow(dim, 1, n - 1), ones], dim)


def prod(input: Tensor, dim: int | None = None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    """Product of all elements, or along ``dim`` (int64 for integer and bool input)."""
    if dtype is not None:
        input = input.to(dtype)
    elif input.array.dtype.kind in "biu":
        input = input.to(backend.int64)
    if dim is None:
        return Prod.apply(input.reshape(-1), dim=0) if input.ndim else input * 1
    d = normalize_dim(dim, input.ndim, "prod")
    return Prod.apply(input, dim=d, keepdim=keepdim) if input.ndim else input * 1


def _logical(input: Tensor, dim, keepdim: bool, op: str, reduce) -> Tensor:  # noqa: A002
    dims = normalize_dims(dim, input.ndim, op)
    return Tensor(reduce(input.array != 0, axis=dims, keepdims=keepdim))


def all(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001,A002 - PyTorch's name
    """Whether every element (along ``dim``) is non-zero, as a bool tensor."""
    return _logical(input, dim, keepdim, "all", array_module(input.array).all)


def any(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001,A002
    """Whether any element (along ``dim``) is non-zero, as a bool tensor."""
    return _logical(input, dim, keepdim, "any", array_module(input.array).any)


def count_nonzero(input: Tensor, dim=None) -> Tensor:  # noqa: A002
    """The number of non-zero elements (along ``dim``), int64."""
    dims = normalize_dims(dim, input.ndim, "count_nonzero")
    return Tensor(array_module(input.array).asarray((input.array != 0).sum(axis=dims), dtype="int64"))


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> MinMax:  # noqa: A002
    """(min, max) over all elements or along ``dim``."""
    if input.numel() == 0:
        raise RuntimeError("aminmax: cannot compute on an empty tensor (as PyTorch)")
    dims = None if dim is None else normalize_dim(dim, input.ndim, "aminmax")
    return MinMax(input.amin(dims, keepdim), input.amax(dims, keepdim))


def var_mean(input: Tensor, dim=None, unbiased: bool = True, keepdim: bool = False, *,  # noqa: A002
             correction=None) -> tuple:
    """(variance, mean) over ``dim``, with ``correction`` (1: Bessel's) as var."""
    return (var(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim))


def std_mean(input: Tensor, dim=None, unbiased: bool = True, keepdim: bool = False, *,  # noqa: A002
             correction=None) -> tuple:
    """(standard deviation, mean) over ``dim``, with ``correction`` as std."""
    v, m = var_mean(input, dim, unbiased, keepdim, correction=correction)
    return v.sqrt(), m


def median(input: Tensor, dim: int | None = None, keepdim: bool = False):  # noqa: A002
    """The lower median: of all elements (a 0-d tensor), or (values, indices) along ``dim``."""
    from .index import gather

    xp = array_module(input.array)
    if dim is None:
        flat = input.reshape(-1)
        if flat.numel() == 0:
            return Tensor(xp.asarray(xp.nan, dtype=input.array.dtype))
        order = xp.argsort(flat.array, kind="stable")
        return flat[int(order[(flat.numel() - 1) // 2])]
    d = normalize_dim(dim, input.ndim, "median")
    if input.ndim == 0:
        return ValuesIndices(input * 1, Tensor(xp.zeros((), dtype=xp.int64)))
    n = input.shape[d]
    if n == 0:
        raise IndexError(f"median: dim {d} of shape {tuple(input.shape)} is empty")
    order = xp.argsort(input.array, axis=d, kind="stable")
    index = xp.take(order, [(n - 1) // 2], axis=d)
    return _values_indices(input, gather, d, index, keepdim)


def _values_indices(input: Tensor, gather, d: int, index, keepdim: bool) -> ValuesIndices:  # noqa: A002
    """values = input gathered at ``index`` (size 1 along d), indices as int64."""
    values, index = gather(input, d, index), Tensor(index.astype("int64"))
    if not keepdim:
        values, index = values.squeeze(d), index.squeeze(d)
    return ValuesIndices(values, index)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> ValuesIndices:  # noqa: A002
    """The most frequent value along ``dim`` (the smallest among equally frequent ones) and
    the index of its last occurrence, as PyTorch."""
    from .index import gather

    xp = array_module(input.array)
    if input.ndim == 0:
        return ValuesIndices(input * 1, Tensor(xp.zeros((), dtype=xp.int64)))
    d = normalize_dim(dim, input.ndim, "mode")
    x = xp.moveaxis(input.array, d, -1)
    n = x.shape[-1]
    if n == 0:
        raise IndexError(f"mode: dim {d} of shape {tuple(input.shape)} is empty")
    order = xp.argsort(x, axis=-1, kind="stable")
    ordered = xp.take_along_axis(x, order, axis=-1)
    new_run = xp.ones(ordered.shape, dtype=bool)
    new_run[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    positions = xp.arange(n)
    run_start = xp.maximum.accumulate(xp.where(new_run, positions, 0), axis=-1)
    run_length = positions - run_start + 1  # at each run's last element: the run's length
    best = xp.argmax(run_length, axis=-1)[..., None]  # the first longest run: the smallest value
    index = xp.moveaxis(xp.take_along_axis(order, best, axis=-1), -1, d)  # its last occurrence
    return _values_indices(input, gather, d, index, keepdim)


def nansum(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """Sum treating NaN as 0 (NaN elements get a zero gradient)."""
    from .elementwise import where

    return where(array_module(input.array).isnan(input.array), 0, input).sum(dim, keepdim)


def nanmean(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """Mean over the non-NaN elements."""
    xp = array_module(input.array)
    dims = normalize_dims(dim, input.ndim, "nanmean")
    count = (~xp.isnan(input.array)).sum(axis=dims, keepdims=keepdim).astype(input.array.dtype)
    return nansum(input, dims, keepdim) / Tensor(count)


def trace(input: Tensor) -> Tensor:  # noqa: A002
    """Sum of the main diagonal of a 2-D tensor."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a 2-D tensor, got shape {tuple(input.shape)}")
    return input.diagonal().sum()


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:  # noqa: A002
    """The ``n``-th forward difference along ``dim`` (after adding ``prepend``/``append``)."""
    from .shape import cat

    d = normalize_dim(dim, input.ndim, "diff")
    if prepend is not None or append is not None:
        input = cat([t for t in (prepend, input, append) if t is not None], d)
    for _ in range(n):
        size = input.shape[d]
        input = input.narrow(d, 1, max(size - 1, 0)) - input.narrow(d, 0, max(size - 1, 0))
    return input
