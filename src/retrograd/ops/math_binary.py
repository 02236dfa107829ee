"""Element-wise math of two tensors: atan2, logaddexp, hypot, copysign, fmod, remainder (``%``),
floor_divide (``//``), div with ``rounding_mode``, lerp, and the bitwise ops ``& | ^ ~ << >>``
on integer and bool tensors. Operands promote as PyTorch (ops/promote.py); broadcasting is
undone by the engine."""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import array_module
from ..tensor import Tensor
from .math import reciprocal
from .promote import promote


def _array(x):
    return x.array if isinstance(x, Tensor) else x


def _wants(fn, i) -> bool:
    x = fn.inputs[i]
    return isinstance(x, Tensor) and x.requires_grad


class Atan2(Function):
    def forward(self, a, b):
        return array_module(a, b).arctan2(a, b)

    def backward(self, g):
        a, b = self.inputs
        scale = g * reciprocal(a * a + b * b)
        return (scale * b if _wants(self, 0) else None), (scale * -a if _wants(self, 1) else None)


class LogAddExp(Function):
    def forward(self, a, b):
        return array_module(a, b).logaddexp(a, b)

    def backward(self, g):
        a, b = self.inputs
        out = self.output()
        return ((g * (a - out).exp()) if _wants(self, 0) else None,
                (g * (b - out).exp()) if _wants(self, 1) else None)


class Hypot(Function):
    def forward(self, a, b):
        return array_module(a, b).hypot(a, b)

    def backward(self, g):
        a, b = self.inputs
        scale = g * reciprocal(self.output())
        return (scale * a if _wants(self, 0) else None), (scale * b if _wants(self, 1) else None)


class CopySign(Function):
    """|a| with b's sign; d/da is +-1 (0 where a is 0, as PyTorch), d/db is 0."""

    def forward(self, a, b):
        return array_module(a, b).copysign(a, b)

    def backward(self, g):
        a = _array(self.inputs[0])
        with array_module(a).errstate(invalid="ignore", divide="ignore"):
            ratio = array_module(a).where(a == 0, 0, self.output().array / a).astype(g.dtype)
        return (g * ratio if _wants(self, 0) else None), (g * 0 if _wants(self, 1) else None)


class Remainder(Function):
    """a - q * b with q = floor(a / b) (``%``, Python's sign rule) or trunc(a / b) (fmod, C's)."""

    def forward(self, a, b, floored=True):
        self.floored = floored
        xp = array_module(a, b)
        return xp.remainder(a, b) if floored else xp.fmod(a, b)

    def backward(self, g):
        a, b = (_array(x) for x in self.inputs)
        xp = array_module(a, b)
        quotient = (xp.floor if self.floored else xp.trunc)(a / b) if _wants(self, 1) else None
        return (g if _wants(self, 0) else None), (g * -quotient.astype(g.dtype) if _wants(self, 1) else None)


class RoundedDiv(Function):
    """a / b rounded toward zero ('trunc') or down ('floor'); piecewise constant: zero gradient."""

    def forward(self, a, b, mode="trunc"):
        xp = array_module(a, b)
        if xp.result_type(a, b).kind in "iu":
            return xp.floor_divide(a, b) if mode == "floor" else _int_trunc_div(xp, a, b)
        return (xp.floor if mode == "floor" else xp.trunc)(a / b)

    def backward(self, g):
        return tuple(g * 0 if _wants(self, i) else None for i in range(2))


def _int_trunc_div(xp, a, b):
    q = xp.floor_divide(a, b)
    return q + ((q < 0) & (q * b != a))


def _floating_pair(a, b):
    return promote(a, b, floating=True)


def atan2(input, other) -> Tensor:  # noqa: A002 - PyTorch's names
    """The angle of (other, input) in (-pi, pi], element-wise."""
    return Atan2.apply(*_floating_pair(input, other))


arctan2 = atan2


def logaddexp(input, other) -> Tensor:  # noqa: A002
    """log(exp(input) + exp(other)), without overflow."""
    return LogAddExp.apply(*_floating_pair(input, other))


def hypot(input, other) -> Tensor:  # noqa: A002
    """sqrt(input**2 + other**2), element-wise."""
    return Hypot.apply(*promote(input, other))


def copysign(input, other) -> Tensor:  # noqa: A002
    """|input| with the sign of ``other`` (always a floating result, as PyTorch)."""
    return CopySign.apply(*_floating_pair(input, other))


def remainder(input, other) -> Tensor:  # noqa: A002
    """Python's modulus: the result has the sign of ``other`` (``%``)."""
    return Remainder.apply(*promote(input, other), floored=True)


def fmod(input, other) -> Tensor:  # noqa: A002
    """C's fmod: the result has the sign of ``input``."""
    return Remainder.apply(*promote(input, other), floored=False)


def rounded_div(a, b, rounding_mode: str) -> Tensor:
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")
    return RoundedDiv.apply(*promote(a, b), mode=rounding_mode)


def floor_divide(input, other) -> Tensor:  # noqa: A002
    """input / other rounded down (``//``; PyTorch floors since 1.13)."""
    return RoundedDiv.apply(*promote(input, other), mode="floor")


def lerp(input, end, weight) -> Tensor:  # noqa: A002
    """input + weight * (end - input), differentiable in all three."""
    return input + weight * (end - input)


def addcmul(input, tensor1, tensor2, *, value=1) -> Tensor:  # noqa: A002
    """input + value * tensor1 * tensor2."""
    return input + (tensor1 * tensor2) * value


def addcdiv(input, tensor1, tensor2, *, value=1) -> Tensor:  # noqa: A002
    """input + value * tensor1 / tensor2."""
    return input + (tensor1 / tensor2) * value


# ----- bitwise (integer and bool tensors; no gradient) ------------------------------------------
_BITWISE = {"bitwise_and": "bitwise_and", "bitwise_or": "bitwise_or", "bitwise_xor": "bitwise_xor",
            "bitwise_left_shift": "left_shift", "bitwise_right_shift": "right_shift"}


def _bitwise(name: str, a, b) -> Tensor:
    a, b = promote(a, b)
    arrays = [_array(a), _array(b)]
    for x in arrays:
        kind = getattr(x, "dtype", None)
        if (kind is not None and kind.kind not in "biu") or isinstance(x, float):
            raise NotImplementedError(f"{name}: not implemented for floating operands (as PyTorch); "
                                      "use integer or bool tensors")
    xp = array_module(*arrays)
    return Tensor(getattr(xp, _BITWISE[name])(*arrays))


def bitwise_and(input, other) -> Tensor:  # noqa: A002
    """input & other, element-wise, for integer and bool tensors."""
    return _bitwise("bitwise_and", input, other)


def bitwise_or(input, other) -> Tensor:  # noqa: A002
    """input | other, element-wise, for integer and bool tensors."""
    return _bitwise("bitwise_or", input, other)


def bitwise_xor(input, other) -> Tensor:  # noqa: A002
    """input ^ other, element-wise, for integer and bool tensors."""
    return _bitwise("bitwise_xor", input, other)


def bitwise_left_shift(input, other) -> Tensor:  # noqa: A002
    """input << other, element-wise, for integer tensors."""
    return _bitwise("bitwise_left_shift", input, other)


def bitwise_right_shift(input, other) -> Tensor:  # noqa: A002
    """input >> other (arithmetic shift), element-wise."""
    return _bitwise("bitwise_right_shift", input, other)


def bitwise_not(input: Tensor) -> Tensor:  # noqa: A002
    """~x: bit inversion on integers, logical not on bools."""
    if input.array.dtype.kind not in "biu":
        raise NotImplementedError(f"bitwise_not: not implemented for {input.array.dtype} tensors "
                                  "(as PyTorch); use integer or bool tensors")
    return Tensor(array_module(input.array).invert(input.array))

