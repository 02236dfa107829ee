"""Element-wise math of one tensor: sign, erf, erfc, exp2, expm1, log2, log10, log1p, rsqrt, tan,
asin, acos, atan, sinh, cosh, asinh, acosh, atanh, floor, ceil, round, trunc, frac, reciprocal,
square, nan_to_num.

Each op is one line of the table below: its name, the forward on arrays, and its derivative
written with differentiable ops (so higher-order gradients work), as a function of the input
``x`` and the output ``y``. Integer and bool inputs become the default float first, except for
the ops that keep their dtype (sign, floor, ceil, round, trunc, square), as in PyTorch.
"""
from __future__ import annotations

import math
from typing import Callable

from .. import backend
from ..autograd.function import Function
from ..backend import array_module
from ..tensor import Tensor
from .special import erf as _erf_array
from .special import erfc as _erfc_array

_LN2, _LN10 = math.log(2.0), math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class UnaryMath(Function):
    """An element-wise function of one tensor; subclasses set ``fn`` and ``derivative``."""

    fn: Callable = None  # (array, **options) -> array
    derivative: Callable = None  # (x, y) -> dy/dx as a Tensor (differentiable); None: zero

    def forward(self, x, **options):
        return self.fn(x, **options)

    def backward(self, g):
        if self.derivative is None:  # piecewise constant: the gradient is zero (as PyTorch)
            return g * 0
        return g * self.derivative(self.inputs[0], self.output())


def _xp(a):
    return array_module(a)


def _check_tensor(x, op: str) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be a Tensor, not {type(x).__name__}")


def _floating_input(x: Tensor, op: str) -> Tensor:
    """Integer and bool tensors become the default float (PyTorch's rule for sin, exp, ...)."""
    if x.array.dtype.kind in "biu":
        return Tensor(x.array.astype(backend.get_default_dtype()))
    return x


_REGISTRY: dict = {}


def _define(name: str, fn, derivative, keeps_dtype: bool = False, int_ok: bool = True):
    """Make the Function subclass for ``name`` and its lowercase wrapper."""
    cls = type(name.title().replace("_", ""), (UnaryMath,),
               {"fn": staticmethod(fn), "derivative": None if derivative is None else staticmethod(derivative),
                "__doc__": f"Element-wise {name}."})

    def op(input: Tensor, **options) -> Tensor:  # noqa: A002 - PyTorch's name
        _check_tensor(input, name)
        if input.array.dtype.kind in "biu":
            if not int_ok:
                raise NotImplementedError(f"{name}: not implemented for {input.array.dtype} tensors "
                                          "(as PyTorch); use a floating tensor")
            if not keeps_dtype:
                input = _floating_input(input, name)
        return cls.apply(input, **options)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Element-wise {name} (PyTorch's ``torch.{name}``); same shape as the input."
    _REGISTRY[name] = op
    return op


sign = _define("sign", lambda a: _xp(a).sign(a), None, keeps_dtype=True)
erf = _define("erf", _erf_array, lambda x, y: (x * x * -1.0).exp() * _TWO_OVER_SQRT_PI)
erfc = _define("erfc", _erfc_array, lambda x, y: (x * x * -1.0).exp() * -_TWO_OVER_SQRT_PI)
exp2 = _define("exp2", lambda a: _xp(a).exp2(a), lambda x, y: y * _LN2)
expm1 = _define("expm1", lambda a: _xp(a).expm1(a), lambda x, y: y + 1.0)
log2 = _define("log2", lambda a: _xp(a).log2(a), lambda x, y: reciprocal(x * _LN2))
log10 = _define("log10", lambda a: _xp(a).log10(a), lambda x, y: reciprocal(x * _LN10))
log1p = _define("log1p", lambda a: _xp(a).log1p(a), lambda x, y: reciprocal(x + 1.0))
rsqrt = _define("rsqrt", lambda a: 1 / _xp(a).sqrt(a), lambda x, y: y * y * y * -0.5)
tan = _define("tan", lambda a: _xp(a).tan(a), lambda x, y: y * y + 1.0)
asin = _define("asin", lambda a: _xp(a).arcsin(a), lambda x, y: rsqrt(1.0 - x * x))
acos = _define("acos", lambda a: _xp(a).arccos(a), lambda x, y: -rsqrt(1.0 - x * x))
atan = _define("atan", lambda a: _xp(a).arctan(a), lambda x, y: reciprocal(x * x + 1.0))
sinh = _define("sinh", lambda a: _xp(a).sinh(a), lambda x, y: cosh(x))
cosh = _define("cosh", lambda a: _xp(a).cosh(a), lambda x, y: sinh(x))
asinh = _define("asinh", lambda a: _xp(a).arcsinh(a), lambda x, y: rsqrt(x * x + 1.0))
acosh = _define("acosh", lambda a: _xp(a).arccosh(a), lambda x, y: rsqrt(x * x - 1.0))
atanh = _define("atanh", lambda a: _xp(a).arctanh(a), lambda x, y: reciprocal(1.0 - x * x))
floor = _define("floor", lambda a: _xp(a).floor(a) if a.dtype.kind == "f" else a.copy(), None,
                keeps_dtype=True)
ceil = _define("ceil", lambda a: _xp(a).ceil(a) if a.dtype.kind == "f" else a.copy(), None,
               keeps_dtype=True)
trunc = _define("trunc", lambda a: _xp(a).trunc(a) if a.dtype.kind == "f" else a.copy(), None,
                keeps_dtype=True)
frac = _define("frac", lambda a: a - _xp(a).trunc(a), lambda x, y: x * 0 + 1.0, int_ok=False)
reciprocal = _define("reciprocal", lambda a: 1 / a, lambda x, y: y * y * -1.0)
square = _define("square", lambda a: a * a, lambda x, y: x * 2.0, keeps_dtype=True)


def _round_array(a, decimals: int = 0):
    """Half to even, at ``decimals`` places (NumPy's and PyTorch's rule)."""
    if a.dtype.kind != "f":
        return a.copy()
    return _xp(a).round(a, decimals)


_round = _define("round", _round_array, None, keeps_dtype=True)


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001 - PyTorch's name
    """Round half to even (2.5 -> 2), at ``decimals`` decimal places; the gradient is zero."""
    return _round(input, decimals=decimals)


def _nan_to_num_array(a, nan=0.0, posinf=None, neginf=None):
    return _xp(a).nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)


_nan_to_num = _define("nan_to_num", _nan_to_num_array,
                      lambda x, y: Tensor(_xp(x.array).isfinite(x.array).astype(x.array.dtype)), keeps_dtype=True)


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,  # noqa: A002
               neginf: float | None = None) -> Tensor:
    """NaN -> ``nan``, +inf -> ``posinf`` (default: the dtype's largest finite value), -inf ->
    ``neginf`` (its lowest); the gradient passes where the input is finite."""
    return _nan_to_num(input, nan=nan, posinf=posinf, neginf=neginf)


UNARY_OPS = dict(_REGISTRY, round=round, nan_to_num=nan_to_num)
