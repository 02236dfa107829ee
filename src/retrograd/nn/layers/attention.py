"""MultiheadAttention (PyTorch's parameters, names, initialisation and forward), over
``ops/attention.py``."""
from __future__ import annotations

import math

from ... import backend
from ...autograd.function import ShapeError
from ...backend import array_module, device_module
from ...ops.activation import softmax
from ...ops.attention import mask_to_bias, scaled_dot_product_attention
from ...ops.dropout import dropout
from ...ops.linalg import linear
from ...ops.shape import cat
from ...tensor import Tensor
from .. import init
from ..module import Module
from ..parameter import Parameter
from .linear import Linear


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear under PyTorch's name for MultiheadAttention's out_proj (same repr)."""


class MultiheadAttention(Module):
    """Attention over ``num_heads`` heads of size embed_dim / num_heads.

    forward(query (L, N, E), key (S, N, kdim), value (S, N, vdim)) -> (output (L, N, E),
    weights (N, L, S) averaged over heads, or (N, H, L, S), or None if not need_weights);
    (N, L, E) with ``batch_first``; unbatched (L, E) too. ``key_padding_mask`` (N, S) and
    ``attn_mask`` (L, S) or (N * H, L, S): bool (True = not attended) or float (added).

    Parameters: in_proj_weight (3E, E) (or q/k/v_proj_weight when kdim/vdim differ from E),
    in_proj_bias (3E,), out_proj (E -> E), bias_k/bias_v (1, 1, E) if add_bias_kv.
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device=None, dtype=None):
        xp = device_module(device)
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        if embed_dim % num_heads:
            raise ValueError(f"embed_dim ({embed_dim}) must be divisible by num_heads ({num_heads})")
        dtype = backend.get_default_dtype() if dtype is None else xp.dtype(dtype)
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, dropout
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.head_dim = embed_dim // num_heads
        self.batch_first, self.add_zero_attn = batch_first, add_zero_attn
        empty = lambda *shape: Parameter(xp.empty(shape, dtype=dtype))  # noqa: E731
        if self._qkv_same_embed_dim:
            self.in_proj_weight = empty(3 * embed_dim, embed_dim)
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = empty(embed_dim, embed_dim)
            self.k_proj_weight = empty(embed_dim, self.kdim)
            self.v_proj_weight = empty(embed_dim, self.vdim)
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = empty(3 * embed_dim)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k, self.bias_v = empty(1, 1, embed_dim), empty(1, 1, embed_dim)
        else:
            self.bias_k = self.bias_v = None
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """xavier_uniform_ projections, zero biases, xavier_normal_ bias_k/v (PyTorch's)."""
        for w in (self.in_proj_weight, self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
            if w is not None:
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        for b in (self.bias_k, self.bias_v):
            if b is not None:
                init.xavier_normal_(b)

    def _projections(self, query: Tensor, key: Tensor, value: Tensor):
        e = self.embed_dim
        if self._qkv_same_embed_dim:
            weights = [self.in_proj_weight[i * e:(i + 1) * e] for i in range(3)]
        else:
            weights = [self.q_proj_weight, self.k_proj_weight, self.v_proj_weight]
        biases = ([None] * 3 if self.in_proj_bias is None
                  else [self.in_proj_bias[i * e:(i + 1) * e] for i in range(3)])
        return [linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases)]

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask=None,
                need_weights: bool = True, attn_mask=None, average_attn_weights: bool = True,
                is_causal: bool = False):
        if is_causal and attn_mask is None:
            raise RuntimeError("MultiheadAttention: need attn_mask if specifying the is_causal hint "
                               "(pass the causal mask as attn_mask)")
        batched = query.ndim == 3
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise ShapeError(f"{type(self).__name__}: expected query, key, value of 2 (unbatched) or "
                             f"3 dims, got shapes {tuple(query.shape)}, {tuple(key.shape)}, "
                             f"{tuple(value.shape)}")
        if not batched:
            query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
            if key_padding_mask is not None:
                key_padding_mask = _array(key_padding_mask, query.array)[None]
        elif self.batch_first:
            query, key, value = (x.transpose(0, 1) for x in (query, key, value))
        out, weights = self._attend(query, key, value, key_padding_mask, need_weights, attn_mask)
        if weights is not None and average_attn_weights:
            weights = weights.mean(1)
        if not batched:
            return out.squeeze(1), None if weights is None else weights.squeeze(0)
        return (out.transpose(0, 1) if self.batch_first else out), weights

    def _attend(self, query, key, value, key_padding_mask, need_weights, attn_mask):
        """Sequence-first (L, N, E) inputs -> (output (L, N, E), weights (N, H, L, S) or None)."""
        length, n, e = query.shape
        if key.shape[-1] != self.kdim or value.shape[-1] != self.vdim or query.shape[-1] != e or \
                e != self.embed_dim or key.shape[:2] != value.shape[:2] or key.shape[1] != n:
            raise ShapeError(f"{type(self).__name__}(embed_dim={self.embed_dim}, kdim={self.kdim}, "
                             f"vdim={self.vdim}): query {tuple(query.shape)}, key {tuple(key.shape)} "
                             f"and value {tuple(value.shape)} do not fit")
        h, hd, dtype = self.num_heads, self.head_dim, query.dtype
        q, k, v = self._projections(query, key, value)
        amod = array_module(q.array)
        bias = None if attn_mask is None else _as_tensor(
            mask_to_bias(attn_mask, dtype, (n * h, length, key.shape[0]), amod, allowed_if_true=False))
        pad = None if key_padding_mask is None else mask_to_bias(
            key_padding_mask, dtype, (n, key.shape[0]), amod, allowed_if_true=False)
        if self.bias_k is not None:
            k = cat([k, self.bias_k.expand(1, n, e)])
            v = cat([v, self.bias_v.expand(1, n, e)])
            bias, pad = _extend(bias), _extend(pad)
        q, k, v = (x.reshape(x.shape[0], n * h, hd).transpose(0, 1) for x in (q, k, v))
        if self.add_zero_attn:
            zeros = Tensor(amod.zeros((n * h, 1, hd), dtype=dtype))
            k, v = cat([k, zeros], 1), cat([v, zeros], 1)
            bias, pad = _extend(bias), _extend(pad)
        source = k.shape[1]
        if pad is not None:
            pad = _as_tensor(pad).reshape(n, 1, 1, source).expand(n, h, 1, source)
            pad = pad.reshape(n * h, 1, source)
            bias = pad if bias is None else bias + pad
        if bias is not None and bias.ndim == 2:
            bias = bias.unsqueeze(0)
        p = self.dropout if self.training else 0.0
        if need_weights:
            scores = (q * (1.0 / math.sqrt(hd))) @ k.transpose(-2, -1)
            # plain softmax: a query with every key masked gets NaN weights, as in PyTorch
            weights = softmax(scores if bias is None else scores + bias, -1)
            out = (dropout(weights, p, True) if p > 0 else weights) @ v
            weights = weights.reshape(n, h, length, source)
        else:
            out, weights = scaled_dot_product_attention(q, k, v, bias, p), None
        out = out.transpose(0, 1).reshape(length * n, e)
        out = linear(out, self.out_proj.weight, self.out_proj.bias)
        return out.reshape(length, n, e), weights


def _array(mask, like):
    """A mask as an array of the array module of ``like`` (the query's array)."""
    return mask.array if isinstance(mask, Tensor) else array_module(like).asarray(mask)


def _as_tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _extend(mask):
    """A mask over keys, one more key (bias_k or the zero key): a 0 column appended."""
    if mask is None:
        return None
    from ...ops.padding import pad

    return pad(_as_tensor(mask), (0, 1))
