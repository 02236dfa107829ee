"""Element-wise arithmetic and math: + - * / ** neg exp log sqrt abs sin cos maximum minimum
clamp where. Operands may be Tensors or constants (Python numbers, arrays); broadcasting is
undone by the engine, not here."""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import xp
from ..backends import kernels_for
from ..tensor import Tensor


def _tensor_grad(fn, i) -> bool:
    """Whether input ``i`` of ``fn`` wants a gradient."""
    x = fn.inputs[i]
    return isinstance(x, Tensor) and x.requires_grad


class Add(Function):
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, a, b):
        if (type(a) is type(b) and hasattr(a, "shape") and a.shape == b.shape
                and a.dtype == b.dtype):
            return xp.add(a, b, out=kernels_for(a).empty(a.shape, a.dtype))  # e.g. residuals
        return a + b

    def backward(self, g):
        return g, g


class Sub(Function):
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, a, b):
        return a - b

    def backward(self, g):
        return g, (-g if _tensor_grad(self, 1) else None)


class Mul(Function):
    def forward(self, a, b):
        return a * b

    def backward(self, g):
        a, b = self.inputs
        return (g * b if _tensor_grad(self, 0) else None), (g * a if _tensor_grad(self, 1) else None)


class Div(Function):
    def forward(self, a, b):
        return a / b

    def backward(self, g):
        a, b = self.inputs
        ga = g / b if _tensor_grad(self, 0) else None
        gb = -g * a / (b * b) if _tensor_grad(self, 1) else None
        return ga, gb


class Pow(Function):
    """a ** b; a and b may each be a Tensor or a constant."""

    def forward(self, a, b):
        return a ** b

    def backward(self, g):
        a, b = self.inputs
        ga = g * b * a ** (b - 1) if _tensor_grad(self, 0) else None
        gb = None
        if _tensor_grad(self, 1):
            base = a if isinstance(a, Tensor) else Tensor(xp.asarray(a, dtype=b.dtype))
            gb = g * self.output() * log(base)
        return ga, gb


class Neg(Function):
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, x):
        return -x

    def backward(self, g):
        return -g


class Exp(Function):
    def forward(self, x):
        return xp.exp(x)

    def backward(self, g):
        return g * self.output()


class Log(Function):
    def forward(self, x):
        return xp.log(x)

    def backward(self, g):
        return g / self.inputs[0]


class Sqrt(Function):
    def forward(self, x):
        return xp.sqrt(x)

    def backward(self, g):
        return g / (2 * self.output())


class Abs(Function):
    def forward(self, x):
        return xp.abs(x)

    def backward(self, g):
        return g * xp.sign(self.inputs[0].array)


class Sin(Function):
    def forward(self, x):
        return xp.sin(x)

    def backward(self, g):
        return g * cos(self.inputs[0])


class Cos(Function):
    def forward(self, x):
        return xp.cos(x)

    def backward(self, g):
        return -g * sin(self.inputs[0])


def _data(x):
    return x.array if isinstance(x, Tensor) else x


class Maximum(Function):
    """Element-wise max; at ties the gradient is split evenly, as in PyTorch."""

    def forward(self, a, b):
        return xp.maximum(a, b)

    def backward(self, g):
        a, b = (_data(x) for x in self.inputs)
        share_a = (a > b) + 0.5 * (a == b)
        return g * share_a.astype(g.dtype), g * (1 - share_a).astype(g.dtype)


class Minimum(Function):
    def forward(self, a, b):
        return xp.minimum(a, b)

    def backward(self, g):
        a, b = (_data(x) for x in self.inputs)
        share_a = (a < b) + 0.5 * (a == b)
        return g * share_a.astype(g.dtype), g * (1 - share_a).astype(g.dtype)


class Clamp(Function):
    """Clamp to [min, max]; the gradient passes where min <= x <= max."""

    def forward(self, x, min=None, max=None):
        self.bounds = (min, max)
        return xp.clip(x, min, max)

    def backward(self, g):
        x = self.inputs[0].array
        lo, hi = self.bounds
        inside = xp.ones(x.shape, dtype=bool)
        if lo is not None:
            inside &= x >= lo
        if hi is not None:
            inside &= x <= hi
        return g * inside


class Where(Function):
    """where(condition, a, b): a where condition holds, else b."""

    def forward(self, cond, a, b):
        self.cond = cond
        return xp.where(cond, a, b)

    def backward(self, g):
        zero = xp.zeros((), dtype=g.dtype)
        ga = where(self.cond, g, zero) if _tensor_grad(self, 1) else None
        gb = where(self.cond, zero, g) if _tensor_grad(self, 2) else None
        return None, ga, gb


def add(a, b):
    return Add.apply(a, b)


def sub(a, b):
    return Sub.apply(a, b)


def mul(a, b):
    return Mul.apply(a, b)


def div(a, b):
    return Div.apply(a, b)


def pow(a, b):  # noqa: A001 - PyTorch's name
    return Pow.apply(a, b)


def neg(x):
    return Neg.apply(x)


def exp(x):
    return Exp.apply(x)


def log(x):
    return Log.apply(x)


def sqrt(x):
    return Sqrt.apply(x)


def abs(x):  # noqa: A001 - PyTorch's name
    return Abs.apply(x)


def sin(x):
    return Sin.apply(x)


def cos(x):
    return Cos.apply(x)


def maximum(a, b):
    return Maximum.apply(a, b)


def minimum(a, b):
    return Minimum.apply(a, b)


def clamp(x, min=None, max=None):  # noqa: A002 - PyTorch's names
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    return Clamp.apply(x, min=min, max=max)


def where(condition, a, b):
    """Elements of ``a`` where ``condition`` is true, else of ``b`` (broadcast together)."""
    cond = condition.array if isinstance(condition, Tensor) else xp.asarray(condition)
    if cond.dtype != bool:
        raise TypeError(f"where: condition must be a bool tensor, got {cond.dtype}")
    return Where.apply(cond, a, b)
