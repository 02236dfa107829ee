"""Normalisation with batch statistics, fused: (x - mean) / sqrt(var + eps) * weight + bias.

One op serves batch norm (statistics over N and the spatial dims, parameters per channel) and
layer norm (statistics over the trailing dims, parameters of those dims). Forward is a few NumPy
passes; backward is the closed-form gradient. Without ``create_graph`` it is computed on arrays
from the saved normalised input; with it, in Tensor ops, the statistics rebuilt from ``x`` with
differentiable ops so that second derivatives are exact.
"""
from __future__ import annotations

import math

from ..autograd.function import Function, ShapeError
from ..backend import array_module
from ..tensor import Tensor
from ..backends import kernels_for


def batch_stats(x, axes: tuple[int, ...]):
    """Mean and biased variance of array ``x`` over ``axes`` (kept as size-1 dims), and
    ``x - mean`` (a new array that Normalize may reuse)."""
    xp = array_module(x)
    count = math.prod(x.shape[a] for a in axes)
    kernels = kernels_for(x)
    mean = kernels.sum_array(x, axes, keepdims=True) / count
    centred = xp.subtract(x, mean, out=kernels.empty(x.shape, x.dtype))
    squares = xp.square(centred, out=kernels.empty(x.shape, x.dtype))
    var = kernels.sum_array(squares, axes, keepdims=True) / count
    return mean, var, centred


def _standardize(x: Tensor, axes, eps):
    """Differentiable (x - mean) * inv_std and inv_std, statistics over ``axes``."""
    centred = x - x.mean(axes, keepdim=True)
    inv = ((centred * centred).mean(axes, keepdim=True) + eps) ** -0.5
    return centred * inv, inv


class Normalize(Function):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, where ``mean``/``var`` (arrays with
    keepdims over ``axes``) MUST be x's own biased batch statistics (see ``batch_stats``): the
    gradient assumes they depend on x. weight and bias (optional) broadcast as ``param_shape``."""
    saves_output = False

    def forward(self, x, weight=None, bias=None, mean=None, var=None, axes=(), eps=1e-5,
                param_shape=(), centred=None):
        xp = array_module(x)
        inv = 1.0 / xp.sqrt(var + xp.asarray(eps, dtype=var.dtype))
        if centred is None:
            centred = xp.subtract(x, mean, out=kernels_for(x).empty(x.shape, x.dtype))
        # xhat is not kept: backward rebuilds it from x (kept as the input), one more pass for
        # one activation-sized array less per layer between forward and backward
        self.mean, self.inv, self.axes, self.eps, self.param_shape = mean, inv, axes, eps, param_shape
        w = None if weight is None else weight.reshape(param_shape)
        if w is not None and w.size == inv.size:  # batch norm: one pass with weight * inv
            out = xp.multiply(centred, w * inv, out=centred)  # x - mean is ours to overwrite
        else:
            out = xp.multiply(centred, inv, out=centred)
            if w is not None:
                out *= w
        if bias is not None:
            out += bias.reshape(param_shape)
        return out

    def backward(self, g):
        x, w, b = self.inputs
        axes, param_dims = self.axes, self._param_dims(x.ndim)
        xhat, inv = _standardize(x, axes, self.eps)  # recorded: the statistics depend on x
        gx = gw = gb = None
        if x.requires_grad:
            gxhat = g if w is None else g * w.reshape(self.param_shape)
            gx = inv * (gxhat - gxhat.mean(axes, keepdim=True)
                        - xhat * (gxhat * xhat).mean(axes, keepdim=True))
        if w is not None and w.requires_grad:
            gw = (g * xhat).sum(param_dims).reshape(w.shape)
        if b is not None and b.requires_grad:
            gb = g.sum(param_dims).reshape(b.shape)
        return gx, gw, gb

    def _param_dims(self, ndim):
        """The dims the parameters broadcast along (their gradients sum over these)."""
        padded = (1,) * (ndim - len(self.param_shape)) + tuple(self.param_shape)
        return tuple(i for i, s in enumerate(padded) if s == 1)

    def backward_arrays(self, g):
        """The same gradient on arrays, from xhat rebuilt with the saved mean and inv. When weight and bias are per
        statistic (batch norm), with s = inv * weight and the sums of g and g * xhat over the
        statistic's m elements, gx = s * g - s * sum_g / m - xhat * s * sum_gx / m: about 6
        passes over x."""
        xp = array_module(g)
        x, w, b = self.inputs
        axes, inv, param_dims = self.axes, self.inv, self._param_dims(x.ndim)
        want_x, want_w = x.requires_grad, w is not None and w.requires_grad
        want_b = b is not None and b.requires_grad
        per_statistic = param_dims == axes
        factored = want_x and per_statistic
        kernels = kernels_for(g)
        xhat = xp.subtract(x.array, self.mean, out=kernels.empty(g.shape, g.dtype))
        xhat *= inv
        sum_g = kernels.sum_array(g, param_dims, keepdims=True) if want_b or factored else None
        sum_gx = None
        if want_w or factored:
            sum_gx = (_channel_dots(g, xhat) if _channels_second(param_dims, x.ndim) else
                      kernels.sum_array(xp.multiply(g, xhat, out=kernels.empty(g.shape, g.dtype)),
                                        param_dims, keepdims=True))
        gx = None
        if factored:
            count = xhat.size // inv.size
            s = inv if w is None else inv * w.array.reshape(inv.shape)
            gx = xp.multiply(g, s, out=kernels.empty(g.shape, g.dtype))
            gx -= s * sum_g / count
            gx -= xp.multiply(xhat, s * sum_gx / count, out=xhat)
        elif want_x:
            gxhat = g if w is None else g * w.array.reshape(self.param_shape)
            gx = gxhat - gxhat.mean(axes, keepdims=True)
            gx -= xhat * xp.multiply(gxhat, xhat).mean(axes, keepdims=True)
            gx *= inv
        return (gx, sum_gx.reshape(w.shape) if want_w else None,
                sum_g.reshape(b.shape) if want_b else None)


def _channels_second(dims: tuple[int, ...], ndim: int) -> bool:
    """Whether ``dims`` are every dim but the second of an (N, C, *) array with spatial dims."""
    return ndim >= 3 and dims == (0,) + tuple(range(2, ndim))


def _channel_dots(g, h):
    """The sum of g * h per channel of (N, C, *) arrays, kept as (1, C, 1, ...): one dot product
    per sample and channel (a batched matrix product), without writing the product array."""
    n, c = g.shape[:2]
    dots = array_module(g).matmul(g.reshape(n, c, 1, -1), h.reshape(n, c, -1, 1))
    return dots.sum(0).reshape((1, c) + (1,) * (g.ndim - 2))


def _check_param(p, shape, name, op):
    if p is not None and tuple(p.shape) != tuple(shape):
        raise ShapeError(f"{op}: {name} of shape {tuple(p.shape)} does not fit; expected {tuple(shape)}")


def batch_norm_train(x: Tensor, weight: Tensor | None = None, bias: Tensor | None = None,
                     eps: float = 1e-5):
    """Batch norm with the batch's statistics. x (N, C, *), weight/bias (C,).

    Returns (y, mean, var): y like x, and the per-channel batch mean and biased variance as
    arrays of shape (C,) (for the running statistics)."""
    if x.ndim < 2:
        raise ShapeError(f"batch_norm: expected input (N, C, *), got shape {tuple(x.shape)}")
    c = x.shape[1]
    _check_param(weight, (c,), "weight", "batch_norm")
    _check_param(bias, (c,), "bias", "batch_norm")
    axes = (0,) + tuple(range(2, x.ndim))
    mean, var, centred = batch_stats(x.array, axes)
    y = Normalize.apply(x, weight, bias, mean=mean, var=var, axes=axes, eps=eps,
                        param_shape=(1, c) + (1,) * (x.ndim - 2), centred=centred)
    return y, mean.reshape(c), var.reshape(c)


def layer_norm(x: Tensor, normalized_shape: tuple[int, ...], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing dims ``normalized_shape``; weight/bias of that shape."""
    k = len(normalized_shape)
    if x.ndim < k or tuple(x.shape[x.ndim - k:]) != tuple(normalized_shape):
        raise ShapeError(f"layer_norm: input of shape {tuple(x.shape)} does not end with "
                         f"normalized_shape {tuple(normalized_shape)}")
    _check_param(weight, normalized_shape, "weight", "layer_norm")
    _check_param(bias, normalized_shape, "bias", "layer_norm")
    axes = tuple(range(x.ndim - k, x.ndim))
    mean, var, centred = batch_stats(x.array, axes)
    return Normalize.apply(x, weight, bias, mean=mean, var=var, axes=axes, eps=eps,
                           param_shape=tuple(normalized_shape), centred=centred)
