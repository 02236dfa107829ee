"""Scans along one dim: cumsum, cumprod, cummax, cummin, logcumsumexp. NumPy's ufunc
``accumulate`` runs them vectorised; gradients are reversed scans, written with differentiable
ops."""
from __future__ import annotations

from collections import namedtuple

from .. import backend
from ..autograd.function import Function
from ..backend import array_module
from ..tensor import Tensor
from .dims import normalize_dim

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


def _scan_dim(x: Tensor, dim: int, op: str) -> int:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be a Tensor, not {type(x).__name__}")
    return normalize_dim(dim, x.ndim, op)


def _integer_to_int64(x: Tensor, dtype) -> Tensor:
    """PyTorch's accumulation dtype: ``dtype`` when given, int64 for bool and integer input."""
    if dtype is not None:
        return x.to(dtype)
    return x.to(backend.int64) if x.array.dtype.kind in "biu" else x


def _reverse_cumsum(g: Tensor, dim: int) -> Tensor:
    """out[i] = sum of g[j] for j >= i along ``dim``."""
    return cumsum(g.flip(dim), dim).flip(dim)


class CumSum(Function):
    def forward(self, x, dim=0):
        self.dim = dim
        return array_module(x).cumsum(x, axis=dim) if x.ndim else x.copy()

    def backward(self, g):
        return _reverse_cumsum(g, self.dim) if g.ndim else g


class CumProd(Function):
    def forward(self, x, dim=0):
        self.dim = dim
        return array_module(x).cumprod(x, axis=dim) if x.ndim else x.copy()

    def backward(self, g):
        x = self.inputs[0]
        if x.ndim == 0:
            return g
        if not (x.array == 0).any():  # out[j] / x[i] is the product without x[i]
            return _reverse_cumsum(g * self.output(), self.dim) / x
        return _cumprod_grad_with_zeros(x, g, self.dim)


def _cumprod_grad_with_zeros(x: Tensor, g: Tensor, dim: int) -> Tensor:
    """grad[i] = sum over j >= i of g[j] * prod(x[k] for k <= j, k != i): each row i of an
    (n, n) block holds x with x[i] set to 1 (O(n^2) memory along ``dim``; only with zeros)."""
    xp = array_module(x.array)
    n = x.shape[dim]
    moved, g_moved = x.movedim(dim, -1), g.movedim(dim, -1)
    eye = xp.eye(n, dtype=bool)
    rows = moved.unsqueeze(-2).expand(*moved.shape[:-1], n, n).where(~eye, 1.0)
    after = xp.triu(xp.ones((n, n), dtype=x.array.dtype))  # j >= i
    grad = (cumprod(rows, -1) * g_moved.unsqueeze(-2) * after).sum(-1)
    return grad.movedim(-1, dim)


def _running_extreme_indices(x, dim: int, smallest: bool):
    """Where the running max (min) along ``dim`` was last reached (ties: the latest, as PyTorch)."""
    xp = array_module(x)
    values = (xp.minimum if smallest else xp.maximum).accumulate(x, axis=dim)
    shape = [1] * x.ndim
    shape[dim] = x.shape[dim]
    positions = xp.arange(x.shape[dim], dtype=xp.int64).reshape(shape)
    reached = x == values
    if x.dtype.kind == "f":
        reached |= xp.isnan(x)
    return xp.maximum.accumulate(xp.where(reached, positions, 0), axis=dim)


class LogCumSumExp(Function):
    def forward(self, x, dim=0):
        self.dim = dim
        return array_module(x).logaddexp.accumulate(x, axis=dim) if x.ndim else x.copy()

    def backward(self, g):
        """grad[i] = sum over j >= i of g[j] exp(x[i] - out[j]). out rises along dim; when its
        spread is moderate the sum is exp(x - c) * reversed-cumsum(g exp(c - out)) with c its
        largest value; beyond, the positive and negative parts of g are summed in log space
        separately (no overflow). Both are smooth, so higher orders work."""
        x, out = self.inputs[0], self.output()
        if x.ndim == 0:
            return g
        xp = array_module(g.array)
        top = xp.max(out.array, axis=self.dim, keepdims=True) if out.array.size else 0
        bottom = xp.min(out.array, axis=self.dim, keepdims=True) if out.array.size else 0
        if xp.all(xp.isfinite(top)) and xp.all(top - bottom < _SPREAD):
            c = Tensor(top)
            return (x - c).exp() * _reverse_cumsum(g * (c - out).exp(), self.dim)
        return (_log_space_part(x, out, g, g.array > 0, self.dim)
                - _log_space_part(x, out, g, g.array < 0, self.dim))


def _log_space_part(x: Tensor, out: Tensor, g: Tensor, part, dim: int) -> Tensor:
    """exp(x[i] + log sum over j >= i of |g[j]| exp(-out[j])) over the entries ``part`` of g.
    Left-out entries get the dtype's lowest finite number, not -inf, and the log never sees a
    zero: their gradients are 0, where -inf and log(0) gave NaN (as PyTorch's formula)."""
    xp = array_module(g.array)
    lowest = xp.finfo(g.array.dtype).min if g.array.dtype.kind == "f" else -xp.inf
    log_g = g.abs().where(Tensor(part), 1.0).log().where(Tensor(part), lowest)
    with xp.errstate(over="ignore"):
        summed = logcumsumexp((log_g - out).flip(dim), dim).flip(dim)
    return (x + summed).exp()


_SPREAD = 50.0  # exp(50) ~ 5e21 fits float32 with room to spare


def cumsum(input: Tensor, dim: int, *, dtype=None) -> Tensor:  # noqa: A002 - PyTorch's names
    """Running sum along ``dim`` (int64 for integer and bool input)."""
    d = _scan_dim(input, dim, "cumsum")
    return CumSum.apply(_integer_to_int64(input, dtype), dim=d)


def cumprod(input: Tensor, dim: int, *, dtype=None) -> Tensor:  # noqa: A002
    """Running product along ``dim``; the gradient is exact with zeros in the input."""
    d = _scan_dim(input, dim, "cumprod")
    return CumProd.apply(_integer_to_int64(input, dtype), dim=d)


def cummax(input: Tensor, dim: int) -> ValuesIndices:  # noqa: A002
    """(values, indices): the running maximum along ``dim`` and where it was reached."""
    return _cum_extreme(input, dim, "cummax", smallest=False)


def cummin(input: Tensor, dim: int) -> ValuesIndices:  # noqa: A002
    """(values, indices): the running minimum along ``dim`` and where it was reached."""
    return _cum_extreme(input, dim, "cummin", smallest=True)


def _cum_extreme(input: Tensor, dim: int, op: str, smallest: bool) -> ValuesIndices:  # noqa: A002
    from .index import gather

    d = _scan_dim(input, dim, op)
    if input.ndim == 0:
        return ValuesIndices(input * 1, Tensor(array_module(input.array).zeros((), dtype="int64")))
    indices = Tensor(_running_extreme_indices(input.array, d, smallest))
    return ValuesIndices(gather(input, d, indices), indices)


def logcumsumexp(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    """log(cumsum(exp(input))) along ``dim``, without overflow."""
    d = _scan_dim(input, dim, "logcumsumexp")
    if input.array.dtype.kind in "biu":
        input = input.to(backend.get_default_dtype())
    return LogCumSumExp.apply(input, dim=d)
