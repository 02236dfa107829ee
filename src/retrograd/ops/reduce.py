"""Reductions over ``dim`` (int, tuple or None) with ``keepdim``: sum, mean, var, std, max, min,
logsumexp, argmax, argmin."""
from __future__ import annotations

import builtins
from collections import namedtuple

import numpy as np

from ..autograd.broadcast import Expand
from ..autograd.function import Function
from ..backend import array_module
from ..backends import kernels_for
from ..tensor import Tensor
from .dims import normalize_dim, normalize_dims, numpy_aliases
from .float_only import require_float

MaxMin = namedtuple("MaxMin", ["values", "indices"])


def _kept_shape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


class Sum(Function):
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, x, dims=(), keepdim=False):
        self.in_shape, self.kept = x.shape, _kept_shape(x.shape, dims)
        return kernels_for(x).sum_array(x, dims, keepdim)

    def backward(self, g):
        from .shape import Reshape

        return Expand.apply(Reshape.apply(g, shape=self.kept), shape=self.in_shape)

    def backward_arrays(self, g):
        """g spread over the summed dims (a copy: broadcast_to's view costs more to make)."""
        out = kernels_for(g).empty(self.in_shape, g.dtype)
        out[...] = g.reshape(self.kept)
        return out


class Amax(Function):
    """Max over dims; the gradient is shared evenly among tied maxima."""

    def forward(self, x, dims=(), keepdim=False, smallest=False):
        self.kept, self.smallest = _kept_shape(x.shape, dims), smallest
        xp = array_module(x)
        reduce = xp.min if smallest else xp.max
        return reduce(x, axis=dims, keepdims=keepdim)

    def backward(self, g):
        x = self.inputs[0].array
        out = self.output().array.reshape(self.kept)
        mask = x == out
        share = mask / mask.sum(axis=tuple(i for i, k in enumerate(self.kept) if k == 1),
                                keepdims=True)
        return g.reshape(self.kept).expand(x.shape) * share.astype(x.dtype)


def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):  # noqa: A001
    """Sum over ``dim`` (all by default; ``axis``/``keepdims`` are NumPy's aliases); bool and
    integer tensors sum to int64, as PyTorch."""
    if axis is not None or keepdims is not None:
        dim, keepdim = (dim if axis is None else axis), (keepdim if keepdims is None else keepdims)
    if dtype is not None:
        input = input.to(dtype)
    elif input.array.dtype.kind in "biu" and input.array.dtype != np.int64:
        input = input.to(np.int64)
    return Sum.apply(input, dims=normalize_dims(dim, input.ndim, "sum"), keepdim=keepdim)


def mean(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    """Mean over ``dim`` (int, tuple, or None for all); ``keepdim`` keeps them as size 1."""
    if axis is not None or keepdims is not None:
        dim, keepdim = (dim if axis is None else axis), (keepdim if keepdims is None else keepdims)
    if dtype is not None:
        input = input.to(dtype)
    require_float(input, "mean")
    dims = normalize_dims(dim, input.ndim, "mean")
    count = 1
    for d in dims:
        count *= input.shape[d]
    return Sum.apply(input, dims=dims, keepdim=keepdim) / count


@numpy_aliases
def var(input, dim=None, unbiased=True, keepdim=False, *, correction=None):
    """Variance; ``correction`` (PyTorch >= 2) overrides ``unbiased`` (1 = Bessel's)."""
    require_float(input, "var")
    dims = normalize_dims(dim, input.ndim, "var")
    count = 1
    for d in dims:
        count *= input.shape[d]
    corr = (1 if unbiased else 0) if correction is None else correction
    centred = input - mean(input, dims, keepdim=True)
    return sum(centred * centred, dims, keepdim) / builtins.max(count - corr, 0)


@numpy_aliases
def std(input, dim=None, unbiased=True, keepdim=False, *, correction=None):
    """Standard deviation over ``dim`` (Bessel-corrected unless ``unbiased=False``)."""
    require_float(input, "std")
    return var(input, dim, unbiased, keepdim, correction=correction).sqrt()


@numpy_aliases
def amax(input, dim=None, keepdim=False):
    """Maximum over ``dim`` (int or tuple); ties share the gradient evenly."""
    return Amax.apply(input, dims=normalize_dims(dim, input.ndim, "amax"), keepdim=keepdim)


@numpy_aliases
def amin(input, dim=None, keepdim=False):
    """Minimum over ``dim`` (int or tuple); ties share the gradient evenly."""
    return Amax.apply(input, dims=normalize_dims(dim, input.ndim, "amin"), keepdim=keepdim, smallest=True)


def _max_min(x, dim, keepdim, smallest):
    op = "min" if smallest else "max"
    xp = array_module(x.array)
    if dim is not None and x.ndim == 0:  # (the value, index 0), as PyTorch
        normalize_dim(dim, 0, op)
        return MaxMin(x * 1, Tensor(xp.zeros((), dtype=xp.int64)))
    if dim is None:
        return Amax.apply(x, dims=tuple(range(x.ndim)), keepdim=False, smallest=smallest)
    d = normalize_dim(dim, x.ndim, op)
    values = Amax.apply(x, dims=(d,), keepdim=keepdim, smallest=smallest)
    idx = (xp.argmin if smallest else xp.argmax)(x.array, axis=d, keepdims=keepdim)
    return MaxMin(values, Tensor(idx.astype(xp.int64)))


@numpy_aliases
def max(input, dim=None, keepdim=False):  # noqa: A001 - PyTorch's name
    """Largest element, or (values, indices) along ``dim``; ``max(a, b)`` is maximum."""
    if isinstance(dim, Tensor):
        from .elementwise import maximum

        return maximum(input, dim)
    return _max_min(input, dim, keepdim, smallest=False)


@numpy_aliases
def min(input, dim=None, keepdim=False):  # noqa: A001 - PyTorch's name
    """Minimum of all elements, or (values, indices) along ``dim`` (PyTorch's min)."""
    if isinstance(dim, Tensor):
        from .elementwise import minimum

        return minimum(input, dim)
    return _max_min(input, dim, keepdim, smallest=True)


@numpy_aliases
def argmax(input, dim=None, keepdim=False):
    """Index of the maximum (int64), over all elements (flattened) or along ``dim``."""
    xp = array_module(input.array)
    if dim is None:
        return Tensor(xp.asarray(xp.argmax(input.array), dtype=xp.int64))
    d = normalize_dim(dim, input.ndim, "argmax")
    return Tensor(xp.argmax(input.array, axis=d, keepdims=keepdim).astype(xp.int64))


@numpy_aliases
def argmin(input, dim=None, keepdim=False):
    """Index of the minimum (int64), over all elements (flattened) or along ``dim``."""
    xp = array_module(input.array)
    if dim is None:
        return Tensor(xp.asarray(xp.argmin(input.array), dtype=xp.int64))
    d = normalize_dim(dim, input.ndim, "argmin")
    return Tensor(xp.argmin(input.array, axis=d, keepdims=keepdim).astype(xp.int64))


@numpy_aliases
def logsumexp(input, dim=None, keepdim=False):
    """log(sum(exp(x))) computed stably by subtracting the (detached) max first."""
    dims = normalize_dims(dim, input.ndim, "logsumexp")
    xp = array_module(input.array)
    m = xp.max(input.array, axis=dims, keepdims=True, initial=-xp.inf)  # an empty sum is 0: -inf
    m = xp.where(xp.isfinite(m), m, 0)
    out = ((input - m).exp().sum(dims, keepdim=True)).log() + m
    return out if keepdim else out.reshape(tuple(s for i, s in enumerate(out.shape) if i not in dims))
