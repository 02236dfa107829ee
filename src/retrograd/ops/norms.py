"""Norms: ``linalg.vector_norm``, ``linalg.matrix_norm``, ``linalg.norm`` and ``torch.norm``.
Positive p-norms share one rule (``VectorNorm``) whose gradient at 0 is 0, as PyTorch's (not 0/0)."""
from __future__ import annotations

import functools
import inspect
import math

from .. import backend
from ..autograd.function import Function
from ..backend import array_module
from ..tensor import Tensor
from .dims import normalize_dims
from .elementwise import where
from .svd import svdvals


class VectorNorm(Function):
    """(sum |x|^p)^(1/p) over ``dims`` (kept as size-1 dims); p may be inf."""

    saves_inputs, saves_output = (0,), True

    def forward(self, x, p=2.0, dims=()):
        xp = array_module(x)
        self.p, self.dims = p, dims
        a = xp.abs(x)
        if math.isinf(p):
            return a.max(axis=dims, keepdims=True, initial=0).astype(x.dtype, copy=False)
        if p == 2:
            return xp.sqrt((a * a).sum(axis=dims, keepdims=True))
        return ((a ** p).sum(axis=dims, keepdims=True) ** (1.0 / p)).astype(x.dtype, copy=False)

    def backward(self, g):
        x, norm = self.inputs[0], self.output()
        xp = array_module(x.array)
        sign = xp.sign(x.array)
        if math.isinf(self.p):  # the gradient goes to the largest |x|, shared among ties
            top = (xp.abs(x.array) == norm.array) & (norm.array > 0)
            share = top / xp.maximum(top.sum(axis=self.dims, keepdims=True), 1)
            return g * (sign * share).astype(x.dtype)
        safe = where(norm.array == 0, xp.ones((), dtype=x.dtype), norm)  # x = 0 there: grad 0
        if self.p == 2:
            return g * x / safe
        if self.p == 1:
            return g * sign.astype(x.dtype)
        return g * sign * x.abs() ** (self.p - 1) / safe ** (self.p - 1)


def p_norm(x: Tensor, p: float, dims: tuple[int, ...], keepdim: bool) -> Tensor:
    """(sum |x|^p)^(1/p) over ``dims`` for p > 0 (inf: max |x|), with PyTorch's gradient."""
    out = VectorNorm.apply(x, p=p, dims=dims)
    return out if keepdim else out.reshape(tuple(s for i, s in enumerate(out.shape) if i not in dims))


def _floating(x: Tensor, dtype, op: str) -> Tensor:
    if dtype is not None:
        x = x.to(dtype)
    if x.array.dtype.kind not in "fc":
        raise RuntimeError(f"{op}: expected a floating point input, got {x.array.dtype} (as PyTorch)")
    return x


def _also_named(other: str):
    """Let the first parameter be passed by keyword under ``other`` too: PyTorch's parser takes
    both ``x`` and ``input`` for the linalg norms."""
    def wrap(fn):
        first = next(iter(inspect.signature(fn).parameters))

        @functools.wraps(fn)
        def call(*args, **kwargs):
            if other in kwargs:
                kwargs[first] = kwargs.pop(other)
            return fn(*args, **kwargs)
        return call
    return wrap


@_also_named("input")
def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    """(sum |x|^ord)^(1/ord) over ``dim`` (all dims by default); ord inf/-inf: max/min |x|,
    ord 0: the count of non-zeros."""
    x = _floating(x, dtype, "linalg.vector_norm")
    dims = normalize_dims(dim, x.ndim, "vector_norm")
    if ord > 0:  # inf included
        return p_norm(x, float(ord), dims, keepdim)
    if ord == -math.inf:
        return x.abs().amin(dims, keepdim)
    if ord == 0:
        return Tensor((x.array != 0).sum(axis=dims, keepdims=keepdim).astype(x.array.dtype))
    return (x.abs() ** ord).sum(dims, keepdim) ** (1.0 / ord)


@_also_named("x")
def matrix_norm(input: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *,  # noqa: A002
                dtype=None) -> Tensor:
    """Frobenius norm, the max/min absolute column (ord 1/-1) or row (inf/-inf) sum, the
    largest/smallest singular value (2/-2) or their sum ('nuc') of the matrices in the two dims
    ``dim``."""
    input = _floating(input, dtype, "linalg.matrix_norm")
    rows = normalize_dims(dim[0], input.ndim, "matrix_norm")[0]
    cols = normalize_dims(dim[1], input.ndim, "matrix_norm")[0]
    if ord == "fro":
        return p_norm(input, 2.0, tuple(sorted((rows, cols))), keepdim)
    if ord in (1, -1, math.inf, -math.inf):
        summed, other = (rows, cols) if ord in (1, -1) else (cols, rows)
        sums = input.abs().sum(summed, keepdim=True)
        out = sums.amax(other, keepdim=True) if ord > 0 else sums.amin(other, keepdim=True)
        return out if keepdim else out.squeeze((rows, cols))
    if ord in (2, -2, "nuc"):
        values = svdvals(input.movedim((rows, cols), (-2, -1)))
        out = values.sum(-1) if ord == "nuc" else values.amax(-1) if ord == 2 else values.amin(-1)
        return out.unsqueeze(min(rows, cols)).unsqueeze(max(rows, cols)) if keepdim else out
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


@_also_named("x")
def norm(input: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    """``linalg.norm``: the 2-norm of all elements by default; a vector norm over one dim (or a
    1-D input), a matrix norm over two dims (or a 2-D input) when ``ord`` is given."""
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        if dim is not None and len(dim) == 2:
            return matrix_norm(input, "fro", dim, keepdim, dtype=dtype)
        return vector_norm(input, 2, dim, keepdim, dtype=dtype)
    if dim is None:
        if input.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: with ord={ord!r} the input must be 1-D or 2-D, or dim "
                               f"given; got shape {tuple(input.shape)}")
        dim = tuple(range(input.ndim))
    if len(dim) == 2:
        return matrix_norm(input, ord, dim, keepdim, dtype=dtype)
    return vector_norm(input, ord, dim, keepdim, dtype=dtype)


def tensor_norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:  # noqa: A002
    """``torch.norm``: p 'fro' (or 2) is the 2-norm over ``dim`` (all dims by default); a number
    p is a vector p-norm over ``dim``; 'nuc' the nuclear norm of a matrix (or over two dims)."""
    if p == "fro" or p is None:
        p = 2
    if p == "nuc":
        if dim is None and input.ndim != 2:
            raise RuntimeError(f"norm: p='nuc' needs a 2-D input or two dims, got shape {tuple(input.shape)}")
        return matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    if input.array.dtype.kind in "biu" and dtype is None:
        dtype = backend.get_default_dtype()
    return vector_norm(input, p, dim, keepdim, dtype=dtype)
