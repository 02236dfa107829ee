"""Loss functions with PyTorch's signatures and ``reduction='none' | 'mean' | 'sum'``.

Regression losses (mse, l1, smooth_l1, huber) and kl_div are composed from differentiable ops.
Cross-entropy is fused: one stable log-softmax forward and the gradient
``(softmax * sum(q) - q) / normaliser``, where ``q`` is the (weighted, smoothed) target
distribution. Binary cross-entropy clamps its logs at -100 like PyTorch; the with-logits form
uses a stable log-sigmoid. All are finite for inputs of +-1e4 and refuse mismatched shapes
instead of broadcasting them.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function, ShapeError
from ..backend import array_module
from ..tensor import Tensor
from .activation import log_softmax, sigmoid, softmax
from .elementwise import clamp, where

_REDUCTIONS = ("none", "mean", "sum")


# ----- helpers ----------------------------------------------------------------------------------
def _reduction(name: str, reduction: str, size_average=None, reduce=None,
               allowed: tuple = _REDUCTIONS) -> str:
    """The reduction string, honouring PyTorch's deprecated ``size_average``/``reduce``."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduction = "mean" if size_average else "sum"
        if reduce is False:
            reduction = "none"
    if reduction not in allowed:
        raise ValueError(f"{name}: reduction must be one of {allowed}, got {reduction!r}")
    return reduction


def _like(x, ref: Tensor, name: str, what: str = "target") -> Tensor:
    """``x`` as a Tensor of ``ref``'s dtype (a differentiable cast for float Tensors)."""
    xp = array_module(ref.array)
    if not isinstance(x, Tensor):
        return Tensor(xp.asarray(x, dtype=ref.dtype))
    if x.dtype != ref.dtype:
        if x.dtype.kind not in "fiub":
            raise TypeError(f"{name}: {what} of dtype {x.dtype} cannot be used with input {ref.dtype}")
        return x.to(ref.dtype)
    return x


def _same_shape(name: str, input: Tensor, target: Tensor, what: str = "target") -> None:
    if tuple(input.shape) != tuple(target.shape):
        raise ShapeError(f"{name}: input of shape {tuple(input.shape)} and {what} of shape "
                         f"{tuple(target.shape)} must have the same shape; broadcasting them (e.g. "
                         "(N, 1) against (N,)) is almost always a bug, so reshape one of them")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


def _elementwise_weight(name: str, loss: Tensor, input: Tensor, weight, reduction: str,
                        mean_over_weight: bool) -> Tensor:
    """Reduce ``loss``, optionally weighted element-wise (PyTorch's ``weight`` of mse/l1/huber)."""
    if weight is None:
        return _reduce(loss, reduction)
    weight = _like(weight, input, name, "weight")
    _same_shape(name, input, weight, "weight")
    loss = loss * weight
    if reduction == "mean" and mean_over_weight:
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


# ----- regression -------------------------------------------------------------------------------
def mse_loss(input: Tensor, target, size_average=None, reduce=None, reduction: str = "mean",
             weight=None) -> Tensor:
    """Mean squared error ``(input - target)**2``; input and target of one shape."""
    reduction = _reduction("mse_loss", reduction, size_average, reduce)
    target = _like(target, input, "mse_loss")
    _same_shape("mse_loss", input, target)
    diff = input - target
    return _elementwise_weight("mse_loss", diff * diff, input, weight, reduction, True)


def l1_loss(input: Tensor, target, size_average=None, reduce=None, reduction: str = "mean",
            weight=None) -> Tensor:
    """Mean absolute error ``|input - target|``."""
    reduction = _reduction("l1_loss", reduction, size_average, reduce)
    target = _like(target, input, "l1_loss")
    _same_shape("l1_loss", input, target)
    return _elementwise_weight("l1_loss", (input - target).abs(), input, weight, reduction, True)


def smooth_l1_loss(input: Tensor, target, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """``0.5 d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (``d = input - target``)."""
    reduction = _reduction("smooth_l1_loss", reduction, size_average, reduce)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    target = _like(target, input, "smooth_l1_loss")
    _same_shape("smooth_l1_loss", input, target)
    diff = input - target
    a = diff.abs()
    if beta == 0:
        return _reduce(a, reduction)
    return _reduce(where(a.array < beta, diff * diff * (0.5 / beta), a - 0.5 * beta), reduction)


def huber_loss(input: Tensor, target, reduction: str = "mean", delta: float = 1.0,
               weight=None) -> Tensor:
    """``0.5 d**2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``."""
    reduction = _reduction("huber_loss", reduction)
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    target = _like(target, input, "huber_loss")
    _same_shape("huber_loss", input, target)
    diff = input - target
    a = diff.abs()
    loss = where(a.array < delta, diff * diff * 0.5, (a - 0.5 * delta) * delta)
    return _elementwise_weight("huber_loss", loss, input, weight, reduction, False)


# ----- classification: cross-entropy and negative log-likelihood --------------------------------
class SoftmaxCrossEntropy(Function):
    """Per-position ``-sum_c q_c log_softmax(z)_c`` over the class dim 1, fused and stable; with
    ``scale``, their sum times ``scale`` (0-d: the 'sum' and 'mean' reductions in the same node).

    ``q`` (same shape as ``z``) is a constant array or a Tensor (then it gets a gradient).
    """

    def forward(self, z, q, scale=None):
        xp = array_module(z, q)
        shifted = z - xp.max(z, axis=1, keepdims=True)
        e = xp.exp(shifted)
        s = xp.sum(e, axis=1, keepdims=True)
        self.probs = e / s  # reused by backward_arrays
        self.scale = scale
        shifted -= xp.log(s)  # log-probabilities
        terms = q * shifted
        if not xp.isfinite(shifted).all():  # a -inf logit a target does not pick: 0 * -inf is 0
            terms = xp.where(q != 0, terms, 0)
        if scale is None:
            return -xp.sum(terms, axis=1)
        return xp.asarray(-xp.sum(terms) * scale)

    def backward(self, g):
        z, q = self.inputs
        g = g * self.scale if self.scale is not None else g.unsqueeze(1)
        q = q if isinstance(q, Tensor) else Tensor(q)
        gz = g * (softmax(z, 1) * q.sum(1, keepdim=True) - q) if z.requires_grad else None
        gq = -g * log_softmax(z, 1) if q.requires_grad else None
        return gz, gq

    def backward_arrays(self, g):
        xp = array_module(g)
        z, q = self.inputs
        g = g * self.scale if self.scale is not None else xp.expand_dims(g, 1)
        q_grad = isinstance(q, Tensor) and q.requires_grad
        q = q.array if isinstance(q, Tensor) else q
        gz = None
        if z.requires_grad:
            gz = self.probs * q.sum(1, keepdims=True)
            gz -= q
            gz *= g
        gq = None
        if q_grad:  # rare (a learned target): log-probabilities recomputed, not kept from forward
            shifted = z.array - xp.max(z.array, axis=1, keepdims=True)
            gq = -g * (shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True)))
        return gz, gq


def _class_weight(name: str, weight, n_classes: int, dtype, xp):
    """The class weights as an array of shape (C,) of the array module ``xp``, or ones."""
    if weight is None:
        return xp.ones(n_classes, dtype=dtype)
    w = weight.array if isinstance(weight, Tensor) else xp.asarray(weight)
    if w.shape != (n_classes,):
        raise ShapeError(f"{name}: weight must have shape ({n_classes},), one entry per class, got "
                         f"{tuple(w.shape)}")
    return w.astype(dtype, copy=False)


def _class_targets(name: str, input: Tensor, target, ignore_index: int):
    """Check integer class targets against ``input`` (N, C, d1, ...); return the targets with
    ignored positions replaced by 0, and the mask of positions that count (None: all do)."""
    xp = array_module(input.array)
    idx = target.array if isinstance(target, Tensor) else xp.asarray(target)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{name}: class-index targets must be integers (int64), got {idx.dtype}; "
                        "class-probability targets must be floats of the input's shape")
    expected = (input.shape[0],) + tuple(input.shape[2:])
    if tuple(idx.shape) != expected:
        raise ShapeError(f"{name}: input of shape {tuple(input.shape)} needs a target of shape "
                         f"{expected}, got {tuple(idx.shape)}")
    n_classes = input.shape[1]
    if idx.size and not 0 <= ignore_index < n_classes and 0 <= idx.min() and idx.max() < n_classes:
        return idx, None  # the usual case, checked in two passes
    valid = idx != ignore_index
    bad = valid & ((idx < 0) | (idx >= n_classes))
    if bad.any():
        raise IndexError(f"{name}: target class index {int(idx[bad].flat[0])} is out of range for "
                         f"input of shape {tuple(input.shape)} with {n_classes} classes (expected 0 "
                         f"<= target < {n_classes}, or ignore_index={ignore_index})")
    return xp.where(valid, idx, 0), valid


def _batched(name: str, input: Tensor, target):
    """Unbatched (C,) input becomes (1, C); returns (input, target, unbatched)."""
    xp = array_module(input.array)
    if input.ndim == 0:
        raise ShapeError(f"{name}: input must have shape (C,), (N, C) or (N, C, d1, ...), got ()")
    if input.ndim > 1:
        return input, target, False
    t = target if isinstance(target, Tensor) else Tensor(xp.asarray(target))
    return input.unsqueeze(0), t.unsqueeze(0), True


def cross_entropy(input: Tensor, target, weight=None, size_average=None, ignore_index: int = -100,
                  reduce=None, reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of logits ``input`` (N, C) or (N, C, d1, ...) and ``target``.

    ``target`` holds class indices (integer, shape (N, d1, ...)) or class probabilities (float,
    the input's shape). With class weights, 'mean' divides by the summed weights of the
    (non-ignored) targets, as PyTorch does.

    >>> from retrograd import tensor, zeros
    >>> round(cross_entropy(zeros(2, 3), tensor([0, 2])).item(), 4)  # log(3)
    1.0986
    """
    xp = array_module(input.array)
    name = "cross_entropy"
    reduction = _reduction(name, reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{name}: label_smoothing must be in [0, 1], got {label_smoothing}")
    input, target, unbatched = _batched(name, input, target)
    n_classes = input.shape[1]
    w = _class_weight(name, weight, n_classes, input.dtype, xp)
    w_b = w.reshape((1, n_classes) + (1,) * (input.ndim - 2))
    is_prob = (target.dtype.kind == "f") if isinstance(target, Tensor) else (
        xp.asarray(target).dtype.kind == "f")
    if is_prob:
        q = _like(target, input, name)
        _same_shape(name, input, q, "class-probability target")
        if label_smoothing:
            q = q * (1.0 - label_smoothing) + label_smoothing / n_classes
        q = q * w_b if weight is not None else q
        q = q if q.requires_grad else q.array
        normaliser = input.array.size // n_classes
    else:
        idx, valid = _class_targets(name, input, target, ignore_index)
        if valid is None and weight is None and not label_smoothing:  # q is one-hot
            classes = xp.arange(n_classes).reshape(w_b.shape)
            q = (xp.expand_dims(idx, 1) == classes).astype(input.dtype)
            normaliser = idx.size
        else:
            valid = xp.ones(idx.shape, dtype=bool) if valid is None else valid
            q = xp.zeros(input.shape, dtype=input.dtype)
            if label_smoothing:
                q += (label_smoothing / n_classes) * w_b
                q *= xp.expand_dims(valid, 1)
            w_target = w[idx] * valid  # the weight of each position's target class (0 if ignored)
            picked = xp.take_along_axis(q, xp.expand_dims(idx, 1), 1)
            xp.put_along_axis(q, xp.expand_dims(idx, 1),
                              picked + (1.0 - label_smoothing) * xp.expand_dims(w_target, 1), 1)
            normaliser = w_target.sum()
    if reduction == "none":
        loss = SoftmaxCrossEntropy.apply(input, q)
        return loss.reshape(()) if unbatched else loss
    if reduction == "sum" or normaliser:
        scale = 1.0 if reduction == "sum" else 1.0 / float(normaliser)
        return SoftmaxCrossEntropy.apply(input, q, scale=scale)
    # nothing counts (an empty batch, every target ignored): a nan mean with zero gradients, as
    # in PyTorch
    return SoftmaxCrossEntropy.apply(input, q, scale=0.0) + float("nan")


def nll_loss(input: Tensor, target, weight=None, size_average=None, ignore_index: int = -100,
             reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood ``-w[y] * input[n, y]`` of log-probabilities ``input`` (N, C, ...)
    and class indices ``target`` (N, ...); 'mean' divides by the summed target weights."""
    xp = array_module(input.array)
    name = "nll_loss"
    reduction = _reduction(name, reduction, size_average, reduce)
    input, target, unbatched = _batched(name, input, target)
    w = _class_weight(name, weight, input.shape[1], input.dtype, xp)
    idx, valid = _class_targets(name, input, target, ignore_index)
    w_target = w[idx] if valid is None else w[idx] * valid
    loss = -input.gather(1, xp.expand_dims(idx, 1)).squeeze(1) * w_target
    if reduction == "none":
        return loss.reshape(()) if unbatched else loss
    total = loss.sum()
    return total if reduction == "sum" else total / w_target.sum()


# ----- binary classification -------------------------------------------------------------------
def _clamped_logs(x):
    xp = array_module(x)
    with np.errstate(divide="ignore"):
        return xp.maximum(xp.log(x), -100.0), xp.maximum(xp.log(1.0 - x), -100.0)


class BinaryCrossEntropy(Function):
    """``-(t log x + (1 - t) log(1 - x))`` with both logs clamped at -100 (PyTorch's rule)."""

    def forward(self, x, t):
        log_x, log_1mx = _clamped_logs(x)
        return -(t * log_x + (1.0 - t) * log_1mx)

    def backward(self, g):
        x, t = self.inputs
        gx = g * (x - t) / clamp(x * (1.0 - x), min=1e-12) if x.requires_grad else None
        gt = None
        if isinstance(t, Tensor) and t.requires_grad:
            gt = g * (clamp((1.0 - x).log(), min=-100.0) - clamp(x.log(), min=-100.0))
        return gx, gt


class LogSigmoid(Function):
    """``log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))``: no overflow for any x."""

    def forward(self, x):
        xp = array_module(x)
        return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))

    def backward(self, g):
        return g * sigmoid(-self.inputs[0])


def binary_cross_entropy(input: Tensor, target, weight=None, size_average=None, reduce=None,
                         reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities ``input`` in [0, 1] and ``target`` of one shape."""
    name = "binary_cross_entropy"
    reduction = _reduction(name, reduction, size_average, reduce)
    target = _like(target, input, name)
    _same_shape(name, input, target)
    x = input.array
    if not ((x >= 0) & (x <= 1)).all():  # NaN fails both tests; RuntimeError, as in PyTorch
        raise RuntimeError(f"{name}: all elements of input should be between 0 and 1 (got values in "
                           f"[{x.min()}, {x.max()}]); use binary_cross_entropy_with_logits for logits")
    loss = BinaryCrossEntropy.apply(input, target if target.requires_grad else target.array)
    if weight is not None:
        loss = loss * _like(weight, input, name, "weight")
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target, weight=None, size_average=None,
                                     reduce=None, reduction: str = "mean",
                                     pos_weight=None) -> Tensor:
    """Sigmoid + binary cross-entropy in one stable expression:
    ``(1 - t) x - (1 + (pos_weight - 1) t) log_sigmoid(x)``, finite for any logit."""
    name = "binary_cross_entropy_with_logits"
    reduction = _reduction(name, reduction, size_average, reduce)
    target = _like(target, input, name)
    _same_shape(name, input, target)
    log_sig = LogSigmoid.apply(input)
    if pos_weight is None:
        loss = (1.0 - target) * input - log_sig
    else:
        pw = _like(pos_weight, input, name, "pos_weight")
        loss = (1.0 - target) * input - (1.0 + (pw - 1.0) * target) * log_sig
    if weight is not None:
        loss = loss * _like(weight, input, name, "weight")
    return _reduce(loss, reduction)


# ----- distributions ---------------------------------------------------------------------------
def kl_div(input: Tensor, target, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """KL divergence with ``input`` as log-probabilities: ``target (log target - input)``
    (0 where target is 0). 'batchmean' divides the sum by the batch size (the KL of the maths);
    'mean' divides by the number of elements, as PyTorch does."""
    xp = array_module(input.array)
    name = "kl_div"
    reduction = _reduction(name, reduction, size_average, reduce, _REDUCTIONS + ("batchmean",))
    target = _like(target, input, name)
    _same_shape(name, input, target)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = target.array > 0
        safe = where(positive, target, xp.ones((), dtype=input.dtype))  # no log(0) in any pass
        loss = where(positive, target * safe.log(), xp.zeros((), dtype=input.dtype)) - target * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim else loss.sum()
    return _reduce(loss, reduction)


__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div"]
