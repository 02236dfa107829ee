"""Activations composed of differentiable ops (so their gradients of every order follow):
selu, celu, mish (one fused op), softsign, logsigmoid, softmin, glu, prelu, hardshrink,
softshrink, tanhshrink. Stable for inputs of +-1e4. F's signatures; ``inplace=True`` is accepted
and computed out of place."""
from __future__ import annotations

from .. import backend
from ..autograd.function import Function
from ..backend import array_module
from ..tensor import Tensor
from .activation import elu, softmax, softplus
from .dims import normalize_dim
from .elementwise import where
from .loss import LogSigmoid
from .shape import chunk

__all__ = ["selu", "celu", "mish", "softsign", "logsigmoid", "glu", "prelu", "hardshrink",
           "softshrink", "tanhshrink", "gumbel_softmax"]

# SELU's constants (Klambauer et al. 2017), as PyTorch writes them
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(input, alpha) with SELU_SCALE and SELU_ALPHA."""
    return elu(input, SELU_ALPHA) * SELU_SCALE


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1)), i.e. alpha * elu(x / alpha)."""
    if alpha == 0:
        raise ZeroDivisionError("celu: alpha must not be 0 (ZeroDivisionError in PyTorch too)")
    return elu(input / alpha, 1.0) * alpha


class Mish(Function):
    """x * tanh(softplus(x)) in one op: d/dx = t + x * sigmoid(x) * (1 - t^2) with
    t = tanh(softplus(x)). backward is written with differentiable ops (exact higher orders);
    without create_graph the engine runs backward_arrays, the same formula on arrays."""

    saves_inputs, saves_output = (0,), False

    def forward(self, x):
        xp = array_module(x)
        soft = xp.asarray(xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x))))  # softplus, no overflow
        self.t = xp.tanh(soft, out=soft)
        return x * self.t

    def backward(self, g):
        x = self.inputs[0]
        t = softplus(x).tanh()
        return g * (t + x * x.sigmoid() * (1 - t * t))

    def backward_arrays(self, g):
        x, t = self.inputs[0].array, self.t
        xp = array_module(x)
        e = xp.exp(-xp.abs(x))
        sig = xp.where(x >= 0, 1 / (1 + e), e / (1 + e))  # sigmoid, no overflow
        return (g * (t + x * sig * (1 - t * t)),)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """input * tanh(softplus(input))."""
    return Mish.apply(input)


def softsign(input: Tensor) -> Tensor:
    """input / (1 + |input|)."""
    return input / (input.abs() + 1.0)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(input)) without overflow."""
    return LogSigmoid.apply(input)


def softmin(input: Tensor, dim: int = -1) -> Tensor:
    """softmax(-input) along ``dim``."""
    return softmax(-input, normalize_dim(dim, input.ndim, "softmin"))


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: a * sigmoid(b), where a, b are the halves of ``input`` along ``dim``
    (size 2k -> k)."""
    if input.ndim == 0:
        raise RuntimeError("glu: does not support 0-d (scalar) tensors")
    d = normalize_dim(dim, input.ndim, "glu")
    if input.shape[d] % 2:
        raise RuntimeError(f"glu: halving dimension must be even, but dimension {d} is size "
                           f"{input.shape[d]} (input shape {tuple(input.shape)})")
    a, b = chunk(input, 2, d)
    return a * b.sigmoid()


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x where x > 0, else weight * x; weight (1,) or (C,) per channel of dim 1 (inputs of fewer
    than 2 dims have one channel, as in PyTorch)."""
    if weight.ndim != 1:
        raise RuntimeError(f"prelu: weight must be 1-D, got shape {tuple(weight.shape)}")
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.shape[0] not in (1, channels):
        raise RuntimeError(f"prelu: mismatch of parameter numbers and input channel size. Found "
                           f"parameter numbers = {weight.shape[0]} and channel size = {channels} "
                           f"(input shape {tuple(input.shape)})")
    if weight.shape[0] > 1 and input.ndim >= 2:
        weight = weight.reshape((-1,) + (1,) * (input.ndim - 2))
    return where(input.array > 0, input, weight * input)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0."""
    return where(abs(input.array) > lambd, input, input * 0.0)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd above lambd, x + lambd below -lambd, else 0."""
    if lambd < 0:
        raise RuntimeError(f"softshrink: lambda must be greater or equal to 0, but found to be {lambd}")
    x = input.array
    return where(x > lambd, input - lambd, where(x < -lambd, input + lambd, input * 0.0))


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    return input - input.tanh()


def gumbel_softmax(logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """softmax((logits + Gumbel noise) / tau) along ``dim``; with ``hard``, the one-hot of its
    argmax in forward and the soft sample's gradient (straight-through), as PyTorch's. The noise
    comes from retrograd's generator (``manual_seed``)."""
    xp = array_module(logits.array)
    uniform = backend.get_generator().random(logits.shape)
    gumbels = (-xp.log(-xp.log(uniform + eps) + eps)).astype(logits.dtype)  # -log(Exp(1))
    d = normalize_dim(dim, logits.ndim, "gumbel_softmax")
    soft = softmax((logits + Tensor(gumbels)) / tau, d)
    if not hard:
        return soft
    index = xp.expand_dims(soft.array.argmax(axis=d), d)
    one_hot = xp.zeros(soft.shape, dtype=soft.dtype)
    xp.put_along_axis(one_hot, index, 1, axis=d)
    return soft + Tensor(one_hot - soft.array)  # the value is one_hot, the gradient soft's
