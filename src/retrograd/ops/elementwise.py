"""Element-wise arithmetic and math: + - * / ** neg exp log sqrt abs sin cos maximum minimum
clamp where. Operands may be Tensors or constants (Python numbers, arrays); broadcasting is
undone by the engine, not here."""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..backend import array_module
from ..backends import kernels_for
from ..tensor import Tensor
from .promote import promote, result_type


def _data(x):
    """A tensor's array; a constant as it is."""
    return x.array if isinstance(x, Tensor) else x


def _arrays(inputs):
    """A binary op's two inputs as arrays (constants as they are)."""
    a, b = inputs
    return _data(a), _data(b)


def as_floating(x):
    """Integer and bool tensors as the default float (PyTorch's rule for exp, sin, sqrt ...)."""
    if x.array.dtype.kind in "biu":
        from ..backend import get_default_dtype

        return Tensor(x.array.astype(get_default_dtype()))
    return x


def _tensor_grad(fn, i) -> bool:
    """Whether input ``i`` of ``fn`` wants a gradient."""
    x = fn.inputs[i]
    return isinstance(x, Tensor) and x.requires_grad


def _wanted(fn, *grads):
    """A binary op's array gradients: each given as an array or a function making it, made only
    for the inputs that want one (None for the others)."""
    return tuple((g() if callable(g) else g) if _tensor_grad(fn, i) else None
                 for i, g in enumerate(grads))


class Add(Function):
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, a, b):
        if (type(a) is type(b) and hasattr(a, "shape") and a.shape == b.shape
                and a.dtype == b.dtype):
            return array_module(a).add(a, b, out=kernels_for(a).empty(a.shape, a.dtype))  # e.g. residuals
        return a + b

    def backward(self, g):
        return g, g

    def backward_arrays(self, g):
        return _wanted(self, g, g)


class Sub(Function):
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, a, b):
        return a - b

    def backward(self, g):
        return g, (-g if _tensor_grad(self, 1) else None)

    backward_arrays = backward  # the same on arrays (no graph nodes without create_graph)


class Mul(Function):
    def forward(self, a, b):
        return a * b

    def backward(self, g):
        a, b = self.inputs
        return (g * b if _tensor_grad(self, 0) else None), (g * a if _tensor_grad(self, 1) else None)

    def backward_arrays(self, g):
        a, b = _arrays(self.inputs)
        return (g * b if _tensor_grad(self, 0) else None), (g * a if _tensor_grad(self, 1) else None)


class Div(Function):
    def forward(self, a, b):
        return a / b

    def backward(self, g):
        a, b = self.inputs
        ga = g / b if _tensor_grad(self, 0) else None
        gb = -g * a / (b * b) if _tensor_grad(self, 1) else None
        return ga, gb

    def backward_arrays(self, g):
        a, b = _arrays(self.inputs)
        ga = g / b if _tensor_grad(self, 0) else None
        gb = -g * a / (b * b) if _tensor_grad(self, 1) else None
        return ga, gb


class Pow(Function):
    """a ** b; a and b may each be a Tensor or a constant."""

    def forward(self, a, b):
        try:
            return a ** b
        except ValueError as err:  # NumPy's wording and type differ from PyTorch's
            if "negative integer powers" in str(err):
                raise RuntimeError("Integers to negative integer powers are not allowed.") \
                    from None
            raise

    def backward(self, g):
        """As PyTorch at 0: d/da a**0 = 0 and d/db 0**b = 0 for b >= 0 (not 0 * inf = nan)."""
        a, b = self.inputs
        ga = gb = None
        if _tensor_grad(self, 0):
            if not isinstance(b, Tensor):
                ga = g * 0.0 if b == 0 else g * b * a ** (b - 1) if b >= 1 else _at_zero_too(g, a, b)
            else:
                with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** negative is inf, silently
                    ga = where(b.array == 0, 0.0, g * b * a ** (b - 1))
        if _tensor_grad(self, 1):
            base = a if isinstance(a, Tensor) else Tensor(array_module(b.array).asarray(a, dtype=b.dtype))
            at_zero = (_data(base) == 0) & (b.array >= 0)
            if at_zero.any():
                gb = where(at_zero, 0.0, g * self.output() * log(where(at_zero, 1.0, base)))
            else:
                gb = g * self.output() * log(base)
        return ga, gb

    def backward_arrays(self, g):
        """The same rule on arrays; a constant exponent >= 1 (x ** 2) is one product."""
        a, b = _arrays(self.inputs)
        ga = gb = None
        if _tensor_grad(self, 0):
            if type(b) in (int, float) and b >= 1:
                ga = g * (b * a ** (b - 1)) if b != 1 else g
            else:
                xp = array_module(g)
                with np.errstate(divide="ignore", invalid="ignore"):
                    ga = xp.where(xp.asarray(b) == 0, 0, g * b * a ** (b - 1)).astype(g.dtype, copy=False)
        if _tensor_grad(self, 1):
            xp = array_module(g)
            at_zero = (xp.asarray(a) == 0) & (b >= 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = g * self.output().array * xp.log(xp.where(at_zero, 1, a))
            gb = xp.where(at_zero, 0, gb).astype(g.dtype, copy=False)
        return ga, gb


def _at_zero_too(g, a, b):
    """g * b * a ** (b - 1) for an exponent below 1, where a = 0 gives inf (as PyTorch) silently."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return g * b * a ** (b - 1)


class Neg(Function):
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, x):
        return -x

    def backward(self, g):
        return -g

    def backward_arrays(self, g):
        return -g


class Exp(Function):
    def forward(self, x):
        return array_module(x).exp(x)

    def backward(self, g):
        return g * self.output()

    def backward_arrays(self, g):
        return g * self.output().array


class Log(Function):
    def forward(self, x):
        return array_module(x).log(x)

    def backward(self, g):
        return g / self.inputs[0]


class Sqrt(Function):
    def forward(self, x):
        return array_module(x).sqrt(x)

    def backward(self, g):
        return g / (2 * self.output())


class Abs(Function):
    def forward(self, x):
        return array_module(x).abs(x)

    def backward(self, g):
        x = self.inputs[0].array
        return g * array_module(x).sign(x)


class Sin(Function):
    def forward(self, x):
        return array_module(x).sin(x)

    def backward(self, g):
        return g * cos(self.inputs[0])


class Cos(Function):
    def forward(self, x):
        return array_module(x).cos(x)

    def backward(self, g):
        return -g * sin(self.inputs[0])


class Maximum(Function):
    """Element-wise max; at ties the gradient is split evenly, as in PyTorch."""

    def forward(self, a, b):
        return array_module(a, b).maximum(a, b)

    def backward(self, g):
        a, b = _arrays(self.inputs)
        share_a = (a > b) + 0.5 * (a == b)
        return g * share_a.astype(g.dtype), g * (1 - share_a).astype(g.dtype)


class Minimum(Function):
    def forward(self, a, b):
        return array_module(a, b).minimum(a, b)

    def backward(self, g):
        a, b = _arrays(self.inputs)
        share_a = (a < b) + 0.5 * (a == b)
        return g * share_a.astype(g.dtype), g * (1 - share_a).astype(g.dtype)


class Clamp(Function):
    """Clamp to [min, max]; the gradient passes where min <= x <= max."""

    def forward(self, x, min=None, max=None):
        self.bounds = (min, max)
        return array_module(x).clip(x, min, max)

    def backward(self, g):
        x = self.inputs[0].array
        lo, hi = self.bounds
        inside = array_module(x).ones(x.shape, dtype=bool)
        if lo is not None:
            inside &= x >= lo
        if hi is not None:
            inside &= x <= hi
        return g * inside


class Where(Function):
    """where(condition, a, b): a where condition holds, else b."""

    def forward(self, cond, a, b):
        self.cond = cond
        return array_module(cond, a, b).where(cond, a, b)

    def backward(self, g):
        zero = array_module(g.array).zeros((), dtype=g.dtype)
        ga = where(self.cond, g, zero) if _tensor_grad(self, 1) else None
        gb = where(self.cond, zero, g) if _tensor_grad(self, 2) else None
        return None, ga, gb


def add(input, other, *, alpha=1):
    """input + alpha * other."""
    if alpha != 1:
        other = other * alpha
    input, other = promote(input, other)
    return Add.apply(input, other)


def sub(input, other, *, alpha=1):
    """input - alpha * other."""
    if alpha != 1:
        other = other * alpha
    input, other = promote(input, other)
    return Sub.apply(input, other)


def mul(input, other):
    """input * other, broadcasting."""
    input, other = promote(input, other)
    return Mul.apply(input, other)


def div(input, other, *, rounding_mode: str | None = None):
    """input / other; ``rounding_mode`` 'trunc' or 'floor' rounds the quotient (no gradient then)."""
    if rounding_mode is not None:
        from .math_binary import rounded_div

        return rounded_div(input, other, rounding_mode)
    return Div.apply(*promote(input, other, floating=True))


def pow(input, exponent):  # noqa: A001 - PyTorch's name
    """input ** exponent, broadcasting."""
    input, exponent = promote(input, exponent)
    return Pow.apply(input, exponent)


def neg(input):
    """-input."""
    return Neg.apply(input)


def exp(input):
    """e ** x, element-wise."""
    return Exp.apply(as_floating(input))


def log(input):
    """Natural logarithm, element-wise."""
    return Log.apply(as_floating(input))


def sqrt(input):
    """Square root, element-wise."""
    return Sqrt.apply(as_floating(input))


def abs(input):  # noqa: A001 - PyTorch's name
    """|x|, element-wise (gradient sign(x), 0 at 0)."""
    return Abs.apply(input)


def sin(input):
    """sin(x), element-wise."""
    return Sin.apply(as_floating(input))


def cos(input):
    """cos(x), element-wise."""
    return Cos.apply(as_floating(input))


def maximum(input, other):
    """The larger of input and other, element-wise, broadcasting."""
    input, other = promote(input, other)
    return Maximum.apply(input, other)


def minimum(input, other):
    """The smaller of input and other, element-wise, broadcasting."""
    input, other = promote(input, other)
    return Minimum.apply(input, other)


def clamp(x, min=None, max=None):  # noqa: A002 - PyTorch's names
    """x limited to [min, max] (either may be None), element-wise."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    return Clamp.apply(x, min=min, max=max)


def where(condition, input=None, other=None):
    """Elements of ``input`` where ``condition`` is true, else of ``other`` (broadcast together;
    either may be a number). ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``."""
    xp = array_module(*(t.array for t in (condition, input, other) if isinstance(t, Tensor)))
    cond = condition.array if isinstance(condition, Tensor) else xp.asarray(condition)
    if input is None and other is None:
        from .select import nonzero

        return nonzero(Tensor(cond), as_tuple=True)
    if input is None or other is None:
        raise TypeError("where: give both input and other, or neither (where(condition) is nonzero)")
    if cond.dtype != bool:
        raise TypeError(f"where: condition must be a bool tensor, got {cond.dtype}")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = Tensor(xp.asarray(input, dtype=result_type(input, other)))
    return Where.apply(cond, *promote(input, other))
