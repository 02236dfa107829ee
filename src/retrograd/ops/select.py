"""Comparison and selection: isnan, isinf, isfinite, isposinf, isneginf, isclose, allclose,
equal, eq/ne/lt/le/gt/ge, logical_and/or/not/xor, nonzero, argwhere, masked_fill,
masked_select, clamp with tensor bounds. Tests give bool tensors (no gradient); selections are
``where`` and indexing, whose gradients route back to the chosen elements."""
from __future__ import annotations

from ..autograd.function import ShapeError
from ..backend import array_module
from ..tensor import Tensor
from .elementwise import Clamp, where
from .index import getitem
from .layout import broadcast_shapes
from .promote import result_type
from .shape import expand


def _array(x):
    return x.array if isinstance(x, Tensor) else x


def _test(fn, *operands) -> Tensor:
    arrays = [_array(x) for x in operands]
    return Tensor(fn(array_module(*arrays), *arrays))


def isnan(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's names
    """Which elements are NaN (bool tensor)."""
    return _test(lambda xp, a: xp.isnan(a), input)


def isinf(input: Tensor) -> Tensor:  # noqa: A002
    """Which elements are +inf or -inf (bool tensor)."""
    return _test(lambda xp, a: xp.isinf(a), input)


def isfinite(input: Tensor) -> Tensor:  # noqa: A002
    """Which elements are neither infinite nor NaN (bool tensor)."""
    return _test(lambda xp, a: xp.isfinite(a), input)


def isposinf(input: Tensor) -> Tensor:  # noqa: A002
    """Which elements are +inf (bool tensor)."""
    return _test(lambda xp, a: xp.isposinf(a) if a.dtype.kind == "f" else xp.zeros(a.shape, bool), input)


def isneginf(input: Tensor) -> Tensor:  # noqa: A002
    """Which elements are -inf (bool tensor)."""
    return _test(lambda xp, a: xp.isneginf(a) if a.dtype.kind == "f" else xp.zeros(a.shape, bool), input)


def isclose(input: Tensor, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:  # noqa: A002
    """|input - other| <= atol + rtol * |other|, element-wise."""
    return _test(lambda xp, a, b: xp.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan), input, other)


def allclose(input: Tensor, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:  # noqa: A002
    """Whether every element of input is close to other's (see isclose)."""
    return bool(isclose(input, other, rtol, atol, equal_nan).array.all())


def equal(input: Tensor, other: Tensor) -> bool:  # noqa: A002
    """True when both have one shape and equal elements."""
    return tuple(input.shape) == tuple(other.shape) and bool((input.array == other.array).all())


def _comparison(name: str, ufunc: str):
    def compare(input: Tensor, other) -> Tensor:  # noqa: A002
        try:
            return _test(lambda xp, a, b: getattr(xp, ufunc)(a, b), input, other)
        except ValueError:
            raise ShapeError(f"{name}: shapes {tuple(input.shape)} and {tuple(getattr(other, 'shape', ()))} "
                             "do not broadcast") from None

    compare.__name__ = name
    compare.__doc__ = f"Element-wise ``{name}`` as a bool tensor (broadcasting)."
    return compare


eq = _comparison("eq", "equal")
ne = _comparison("ne", "not_equal")
lt = _comparison("lt", "less")
le = _comparison("le", "less_equal")
gt = _comparison("gt", "greater")
ge = _comparison("ge", "greater_equal")
logical_and = _comparison("logical_and", "logical_and")
logical_or = _comparison("logical_or", "logical_or")
logical_xor = _comparison("logical_xor", "logical_xor")


def logical_not(input: Tensor) -> Tensor:  # noqa: A002
    """not input, element-wise, as a bool tensor."""
    return _test(lambda xp, a: xp.logical_not(a), input)


def nonzero(input: Tensor, *, as_tuple: bool = False):  # noqa: A002
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or one 1-D tensor per dim."""
    xp = array_module(input.array)
    found = xp.nonzero(xp.atleast_1d(input.array))
    found = tuple(Tensor(i.astype("int64")) for i in found)
    if as_tuple:
        return found
    n = found[0].shape[0]
    if input.ndim == 0:
        return Tensor(xp.zeros((n, 0), dtype="int64"))
    return Tensor(xp.stack([i.array for i in found], axis=1).reshape(n, input.ndim))


def argwhere(input: Tensor) -> Tensor:  # noqa: A002
    """Indices of the non-zero elements as an (n, ndim) int64 tensor."""
    return nonzero(input)


def _bool_mask(mask, op: str):
    mask = _array(mask)
    if getattr(mask, "dtype", None) is None or mask.dtype.kind != "b":
        raise RuntimeError(f"{op}: expected a bool mask, got {getattr(mask, 'dtype', type(mask).__name__)}")
    return mask


def masked_fill(input: Tensor, mask, value) -> Tensor:  # noqa: A002
    """``value`` where ``mask`` (broadcast to input) holds, else input; input's dtype stays."""
    mask = _bool_mask(mask, "masked_fill")
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"masked_fill: only a 0-d value tensor is supported, got shape {tuple(value.shape)}")
        value = value.to(input.dtype)
    else:
        value = Tensor(array_module(input.array).asarray(value, dtype=input.dtype))
    out = where(mask, value, input)
    if tuple(out.shape) != tuple(input.shape):
        raise ShapeError(f"masked_fill: mask of shape {tuple(mask.shape)} does not broadcast to the "
                         f"input's shape {tuple(input.shape)}")
    return out


def masked_select(input: Tensor, mask) -> Tensor:  # noqa: A002
    """The elements of input where ``mask`` holds (both broadcast), as a 1-D tensor."""
    mask = _bool_mask(mask, "masked_select")
    shape = broadcast_shapes(input.shape, mask.shape)
    xp = array_module(input.array)
    return getitem(expand(input, shape), xp.broadcast_to(mask, shape))


def clamp(input: Tensor, min=None, max=None) -> Tensor:  # noqa: A001,A002 - PyTorch's names
    """Clamp to [min, max]; the bounds may be numbers or tensors (broadcast). Where min > max
    the result is max, as PyTorch."""
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
    dtype = result_type(input, min, max)
    if dtype != input.dtype:  # an integer tensor clamped to 2.5 becomes float32, as PyTorch
        input = input.to(dtype)
    if not isinstance(min, Tensor) and not isinstance(max, Tensor):
        return Clamp.apply(input, min=min, max=max)
    out = input
    if min is not None:
        out = where(_array(out) < _array(min), min, out)
    if max is not None:
        out = where(_array(out) > _array(max), max, out)
    return out
