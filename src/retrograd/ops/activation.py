"""Activations: relu, leaky_relu, elu, gelu, sigmoid, tanh, softplus, softmax, log_softmax.
Stable for inputs of +-1e4: no overflow in forward or backward."""
from __future__ import annotations

import math

from ..autograd.function import Function
from ..backend import array_module
from ..backends import kernels_for
from .dims import normalize_dim
from .float_only import require_float
from .elementwise import as_floating
from .special import erf


class ReLU(Function):
    """max(x, 0). The gradient's mask is read off the output (x > 0 where out > 0), so the input
    need not be kept: a BatchNorm output feeding a ReLU is freed after the forward pass."""
    saves_inputs, saves_output = (), True

    def forward(self, x):
        xp = array_module(x)
        return xp.maximum(x, 0, out=kernels_for(x).empty(x.shape, x.dtype))

    def backward(self, g):
        return g * (self.output().array > 0)

    def backward_arrays(self, g):
        xp = array_module(g)
        out = self.output().array
        empty = kernels_for(g).empty
        return xp.multiply(g, xp.greater(out, 0, out=empty(out.shape, bool)),
                           out=empty(g.shape, g.dtype))


class LeakyReLU(Function):
    def forward(self, x, negative_slope=0.01):
        xp = array_module(x)
        self.slope = negative_slope
        return xp.where(x > 0, x, x * negative_slope)

    def backward(self, g):
        xp = array_module(g.array)
        x = self.inputs[0].array
        return g * xp.where(x > 0, 1.0, self.slope).astype(x.dtype)


class ELU(Function):
    def forward(self, x, alpha=1.0):
        xp = array_module(x)
        self.alpha = alpha
        return xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0)))

    def backward(self, g):
        x = self.inputs[0]
        negative = x.minimum(0).exp() * self.alpha  # differentiable: second order works
        return _select(x.array > 0, g, g * negative)


class Sigmoid(Function):
    def forward(self, x):
        xp = array_module(x)
        e = xp.exp(-xp.abs(x))  # never overflows
        return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))

    def backward(self, g):
        out = self.output()
        return g * out * (1 - out)

    def backward_arrays(self, g):
        out = self.output().array
        return g * out * (1 - out)


class Tanh(Function):
    def forward(self, x):
        xp = array_module(x)
        return xp.tanh(x)

    def backward(self, g):
        out = self.output()
        return g * (1 - out * out)

    def backward_arrays(self, g):
        out = self.output().array
        xp_ = array_module(out)
        grad = xp_.multiply(out, out, out=xp_.empty_like(out))  # an array even when 0-d
        xp_.subtract(1, grad, out=grad)
        grad *= g
        return grad


class Softplus(Function):
    """log(1 + exp(beta x)) / beta; linear above ``threshold`` (PyTorch's definition)."""

    def forward(self, x, beta=1.0, threshold=20.0):
        xp = array_module(x)
        self.beta, self.threshold = beta, threshold
        bx = beta * x
        soft = (xp.maximum(bx, 0) + xp.log1p(xp.exp(-xp.abs(bx)))) / beta
        return xp.where(bx > threshold, x, soft)

    def backward(self, g):
        x = self.inputs[0]
        return _select((x.array * self.beta) > self.threshold, g, g * sigmoid(x * self.beta))


class GELU(Function):
    """x * Phi(x), Phi the standard normal CDF (exact, via erf) or its tanh approximation."""

    def forward(self, x, approximate="none"):
        xp = array_module(x)
        self.approximate = approximate
        if approximate == "tanh":
            return 0.5 * x * (1 + xp.tanh(_K * (x + 0.044715 * x ** 3)))
        return 0.5 * x * (1 + erf(x / math.sqrt(2)))

    def backward(self, g):
        x = self.inputs[0]
        if self.approximate == "tanh":
            inner = (x + 0.044715 * x ** 3) * _K
            t = inner.tanh()
            d_inner = (1 + 3 * 0.044715 * x * x) * _K
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * d_inner)
        cdf = _Phi.apply(x)
        pdf = (x * x * -0.5).exp() * (1 / math.sqrt(2 * math.pi))
        return g * (cdf + x * pdf)


_K = math.sqrt(2 / math.pi)


class _Phi(Function):
    """Standard normal CDF, used by GELU's gradient (its own gradient is the pdf)."""

    def forward(self, x):
        return 0.5 * (1 + erf(x / math.sqrt(2)))

    def backward(self, g):
        x = self.inputs[0]
        return g * (x * x * -0.5).exp() * (1 / math.sqrt(2 * math.pi))


class Softmax(Function):
    def forward(self, x, dim=-1):
        xp = array_module(x)
        self.dim = dim
        e = xp.exp(x - xp.max(x, axis=dim, keepdims=True))
        return e / xp.sum(e, axis=dim, keepdims=True)

    def backward(self, g):
        out = self.output()
        return out * (g - (g * out).sum(self.dim, keepdim=True))


class LogSoftmax(Function):
    def forward(self, x, dim=-1):
        xp = array_module(x)
        self.dim = dim
        shifted = x - xp.max(x, axis=dim, keepdims=True)
        return shifted - xp.log(xp.sum(xp.exp(shifted), axis=dim, keepdims=True))

    def backward(self, g):
        return g - self.output().exp() * g.sum(self.dim, keepdim=True)


def _select(cond, a, b):
    from .elementwise import where

    return where(cond, a, b)


def relu(input):
    """max(x, 0), element-wise."""
    return ReLU.apply(input)


def leaky_relu(x, negative_slope: float = 0.01):
    """x where x > 0, else negative_slope * x."""
    return LeakyReLU.apply(x, negative_slope=negative_slope)


def elu(x, alpha: float = 1.0):
    """x where x > 0, else alpha * (exp(x) - 1)."""
    return ELU.apply(x, alpha=alpha)


def gelu(x, approximate: str = "none"):
    """x * Phi(x), Phi the normal CDF; ``approximate='tanh'`` for the tanh form."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return GELU.apply(x, approximate=approximate)


def sigmoid(input):
    """1 / (1 + exp(-x)), stable for large |x|."""
    return Sigmoid.apply(as_floating(input))


def tanh(input):
    """Hyperbolic tangent, element-wise."""
    return Tanh.apply(as_floating(input))


def softplus(x, beta: float = 1.0, threshold: float = 20.0):
    """log(1 + exp(beta x)) / beta; x itself where beta x > threshold."""
    return Softplus.apply(x, beta=beta, threshold=threshold)


def softmax(input, dim: int = -1):
    """exp(x) / sum(exp(x)) along ``dim`` (shifted by the max: no overflow)."""
    require_float(input, "softmax", NotImplementedError)
    if input.ndim == 0:  # a 0-d tensor is its own one-element distribution (as PyTorch)
        normalize_dim(dim, 0, "softmax")
        return softmax(input.reshape(1), 0).reshape(())
    if input.array.size == 0:  # nothing to normalise (an empty dim has no maximum)
        return input * 1
    return Softmax.apply(input, dim=normalize_dim(dim, input.ndim, "softmax"))


def log_softmax(input, dim: int = -1):
    """log(softmax(x)) along ``dim``, computed stably."""
    require_float(input, "log_softmax", NotImplementedError)
    if input.ndim == 0:
        normalize_dim(dim, 0, "log_softmax")
        return log_softmax(input.reshape(1), 0).reshape(())
    if input.array.size == 0:
        return input * 1
    return LogSoftmax.apply(input, dim=normalize_dim(dim, input.ndim, "log_softmax"))
