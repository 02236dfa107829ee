"""Scaled dot-product attention (F.scaled_dot_product_attention), composed of differentiable ops:
softmax(q k^T * scale + mask) v, with PyTorch's mask rules and its "safe softmax" (a query whose
keys are all masked gets zero weights and output, not NaN)."""
from __future__ import annotations

import math

from ..autograd.function import ShapeError
from ..backend import array_module
from ..tensor import Tensor
from .activation import softmax
from .dropout import dropout
from .elementwise import where
from .axis_index import take_along_dim


def mask_to_bias(mask, dtype, shape, xp, allowed_if_true: bool = True):
    """A bool mask (True = attend when ``allowed_if_true``, else True = masked) or an additive
    float mask, as an array or Tensor to add to scores of ``shape``: 0 / -inf, or the float mask."""
    m = mask.array if isinstance(mask, Tensor) else xp.asarray(mask)
    if m.dtype == bool:
        blocked = ~m if allowed_if_true else m
        return xp.where(blocked, xp.asarray(-xp.inf, dtype=dtype), xp.asarray(0, dtype=dtype))
    if m.dtype.kind != "f":
        raise TypeError(f"attention: attn_mask must be bool or floating, got dtype {m.dtype}")
    if m.dtype != dtype:
        raise TypeError(f"attention: a float attn_mask must have the query's dtype {dtype}, "
                        f"got {m.dtype}")
    try:
        xp.broadcast_shapes(m.shape, shape)
    except ValueError:
        raise ShapeError(f"attention: attn_mask of shape {tuple(m.shape)} does not broadcast to the "
                         f"attention weights' shape {tuple(shape)}") from None
    return mask if isinstance(mask, Tensor) else m


def attention_weights(scores: Tensor) -> Tensor:
    """softmax over the last dim; rows whose every score is -inf get weights 0 (PyTorch's
    safe softmax), without NaN in forward or backward."""
    xp = array_module(scores.array)
    if scores.shape[-1] == 0:
        return scores  # no keys: weights (*, L, 0), so the output is zeros, as PyTorch's
    dead = xp.isneginf(scores.array).all(-1, keepdims=True)
    if not dead.any():
        return softmax(scores, -1)
    zero = xp.zeros((), dtype=scores.dtype)
    return where(dead, zero, softmax(where(dead, zero, scores), -1))


def _repeat_heads(x: Tensor, heads: int, name: str) -> Tensor:
    """enable_gqa: repeat each of x's heads (dim -3) so that there are ``heads``."""
    have = x.shape[-3]
    if heads % have:
        raise ShapeError(f"scaled_dot_product_attention: {name} has {have} heads, which do not "
                         f"divide the query's {heads} heads (enable_gqa)")
    xp = array_module(x.array)
    return take_along_dim(x, x.ndim - 3, xp.arange(heads) // (heads // have))


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask=None,
                                 dropout_p: float = 0.0, is_causal: bool = False,
                                 scale: float | None = None, enable_gqa: bool = False) -> Tensor:
    """softmax(query @ key^T * scale + mask) @ value.

    query (*, L, E), key (*, S, E), value (*, S, Ev) -> (*, L, Ev); scale defaults to 1/sqrt(E).
    attn_mask broadcasts to (*, L, S): bool (True = attend) or float (added to the scores).
    is_causal masks key j > query i (no attn_mask then). dropout_p drops attention weights
    (always, as PyTorch's function does; pass 0 in evaluation).
    """
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise ShapeError(f"scaled_dot_product_attention: expected (*, L, E) inputs, got shapes "
                         f"{tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ShapeError(f"scaled_dot_product_attention: query {tuple(query.shape)}, key "
                         f"{tuple(key.shape)} and value {tuple(value.shape)} do not fit: query and "
                         "key need one embedding size E, key and value one length S")
    if is_causal and attn_mask is not None:
        raise RuntimeError("scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")
    if enable_gqa and query.ndim >= 3:
        key = _repeat_heads(key, query.shape[-3], "key")
        value = _repeat_heads(value, query.shape[-3], "value")
    xp = array_module(query.array)
    length, source = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query @ key.transpose(-2, -1)) * scale
    if is_causal:
        attn_mask = xp.tril(xp.ones((length, source), dtype=bool))
    if attn_mask is not None:
        scores = scores + mask_to_bias(attn_mask, scores.dtype, scores.shape, xp)
    weights = attention_weights(scores)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, True)
    return weights @ value


__all__ = ["scaled_dot_product_attention"]
