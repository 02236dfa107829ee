"""The ``F`` namespace: stateless layers as functions, with PyTorch's names and signatures.

``import retrograd.nn.functional as F``. Functions defined in ``retrograd.ops`` (convolution,
pooling, losses) are imported here by name. ``inplace=`` arguments are accepted for
compatibility and computed out of place.
"""
from __future__ import annotations

import warnings as _warnings

import numpy as np

from ..autograd.function import ShapeError
from ..autograd.grad_mode import no_grad
from ..backend import array_module
from ..ops import activation as _act
from ..ops import dropout as _drop
from ..ops import norm as _norm
from ..ops.conv import conv1d, conv2d, conv_transpose2d
from ..ops.linalg import linear
from ..ops.loss import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                        huber_loss, kl_div, l1_loss, mse_loss, nll_loss, smooth_l1_loss)
from ..ops.pool import (adaptive_avg_pool1d, adaptive_avg_pool2d, avg_pool1d, avg_pool2d,
                        max_pool1d, max_pool2d)
from ..ops import padding as _padding
# issue 14 part B: more activations, resampling, distances, norms, attention, 3-d conv/pool
from ..ops.hard_activation import hardsigmoid, hardswish, hardtanh, relu6, threshold
from ..ops.composite_activation import (celu, glu, hardshrink, logsigmoid, mish, prelu, selu,
                                        softshrink, softsign, tanhshrink)
from ..ops.resample import interpolate
from ..ops.distance import cosine_similarity, normalize, pairwise_distance
from ..ops.group_norm import group_norm, instance_norm
from ..ops.attention import scaled_dot_product_attention
from ..ops.fold import fold, unfold
from ..ops.conv3d import conv3d, conv_transpose3d
from ..ops.conv_transpose import conv_transpose1d
from ..ops.pool3d import avg_pool3d, max_pool3d, max_unpool1d, max_unpool2d, max_unpool3d
from ..ops.pixel_shuffle import channel_shuffle, pixel_shuffle, pixel_unshuffle
from ..ops.rms_norm import rms_norm
from ..ops.feature_dropout import alpha_dropout, dropout1d, dropout3d
from ..ops.adaptive_pool import (adaptive_avg_pool3d, adaptive_max_pool1d, adaptive_max_pool2d,
                                 adaptive_max_pool3d, lp_pool1d, lp_pool2d, lp_pool3d)
from ..ops.distance import pdist
from ..ops.resample import upsample, upsample_bilinear, upsample_nearest
from ..ops.grid_sample import affine_grid, grid_sample
from ..ops.bilinear import bilinear
from ..ops.local_response_norm import local_response_norm
from ..ops.composite_activation import gumbel_softmax
from ..tensor import Tensor


# ----- activations ------------------------------------------------------------------------------
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0), element-wise (``inplace`` is accepted; computed out of place)."""
    return _act.relu(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    return _act.leaky_relu(input, negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else alpha * (exp(x) - 1)."""
    return _act.elu(input, alpha)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x) (exact, or ``approximate='tanh'``)."""
    return _act.gelu(input, approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (swish)."""
    return input * _act.sigmoid(input)


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x)), element-wise."""
    return _act.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent, element-wise."""
    return _act.tanh(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta x)) / beta; x itself where beta x > threshold."""
    return _act.softplus(input, beta, threshold)


def _softmax_dim(name: str, ndim: int, dim: int | None) -> int:
    if dim is not None:
        return dim
    _warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim`` (stable for large inputs)."""
    x = input if dtype is None else input.to(dtype)
    return _act.softmax(x, _softmax_dim("softmax", x.ndim, dim))


def log_softmax(input: Tensor, dim: int | None = None, dtype=None) -> Tensor:
    """log(softmax(x)) along ``dim`` (optionally cast to ``dtype`` first)."""
    x = input if dtype is None else input.to(dtype)
    return _act.log_softmax(x, _softmax_dim("log_softmax", x.ndim, dim))


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmax(-input) along ``dim``."""
    x = input if dtype is None else input.to(dtype)
    return _act.softmax(-x, _softmax_dim("softmin", x.ndim, dim))


# ----- dropout ----------------------------------------------------------------------------------
def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Inverted dropout: zero with probability p, scale the rest by 1/(1-p); identity if not
    ``training``. The mask comes from retrograd's generator (``manual_seed``)."""
    return _drop.dropout(input, p, training)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) or (C, H, W) input."""
    return _drop.feature_dropout(input, p, training, op="dropout2d")


# ----- normalisation ----------------------------------------------------------------------------
def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch norm of input (N, C, *) per channel C.

    training: normalise with the batch's mean and biased variance, and (if given) update
    running_mean/running_var in place: r = (1 - momentum) * r + momentum * stat, using the
    unbiased variance for running_var (PyTorch's convention). Otherwise normalise with the
    running statistics.
    """
    if input.ndim < 2:
        raise ShapeError(f"batch_norm: expected input (N, C, *), got shape {tuple(input.shape)}")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        if t is not None and tuple(t.shape) != (c,):
            raise ShapeError(f"batch_norm: {name} of shape {tuple(t.shape)} does not fit input of "
                             f"shape {tuple(input.shape)} ({c} channels)")
    if training and input.array.size == 0:  # an empty batch: an empty result, statistics kept
        shape = (1, c) + (1,) * (input.ndim - 2)  # (as PyTorch; weight and bias get zero grads)
        out = input * 0.0
        out = out if weight is None else out + weight.reshape(shape) * 0.0
        return out if bias is None else out + bias.reshape(shape) * 0.0
    if training:
        count = input.array.size // max(c, 1)
        if count <= 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                             f"got input of shape {tuple(input.shape)}")
        out, mean, var = _norm.batch_norm_train(input, weight, bias, eps)
        with no_grad():
            if running_mean is not None:
                running_mean.array *= 1 - momentum
                running_mean.array += momentum * mean
            if running_var is not None:
                running_var.array *= 1 - momentum
                running_var.array += (momentum * count / (count - 1)) * var
        return out
    if running_mean is None or running_var is None:
        raise ValueError("batch_norm: running_mean and running_var are required when not training")
    shape = (1, c) + (1,) * (input.ndim - 2)
    xp = array_module(input.array)
    inv = 1.0 / xp.sqrt(running_var.array + xp.asarray(eps, dtype=running_var.dtype))
    scale = inv if weight is None else weight * inv
    shift = -running_mean.array * scale
    if bias is not None:
        shift = shift + bias
    scale = scale.reshape(shape) if isinstance(scale, Tensor) else xp.asarray(scale.reshape(shape))
    shift = shift.reshape(shape) if isinstance(shift, Tensor) else xp.asarray(shift.reshape(shape))
    return input * scale + shift


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing dims ``normalized_shape`` (then scale and shift)."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    return _norm.layer_norm(input, shape, weight, bias, eps)


def pad(input: Tensor, pad: tuple[int, ...], mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad or crop (negative sizes); ``pad`` = (left, right) for the last dim, then the one before,
    ...; modes constant, reflect, replicate, circular (see ``retrograd.ops.padding``)."""
    return _padding.pad(input, pad, mode, value)


# ----- embedding and one-hot --------------------------------------------------------------------
def _indices(input, op: str, xp=np):
    """Integer indices as an array (Python data as one of the array module ``xp``)."""
    idx = input.array if isinstance(input, Tensor) else xp.asarray(input)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{op}: expected integer indices, got dtype {idx.dtype} (shape "
                        f"{tuple(idx.shape)})")
    return idx


def embedding(input, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` (num_embeddings, dim) picked by integer ``input`` (*) -> (*, dim).
    Entries equal to ``padding_idx`` get no gradient. With ``max_norm``, the rows looked up are
    first renormalised in place to norm <= max_norm (as PyTorch). (scale_grad_by_freq and sparse
    are not supported.)"""
    if scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: scale_grad_by_freq and sparse are not supported")
    idx = _indices(input, "embedding", array_module(weight.array))
    n = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError(f"embedding: index out of range: indices span [{idx.min()}, {idx.max()}] "
                         f"but weight has {n} rows (shape {tuple(weight.shape)})")
    if max_norm is not None:
        from ..ops.distance import embedding_renorm_

        embedding_renorm_(weight, idx, max_norm, norm_type)
    out = weight[idx]
    if padding_idx is not None:
        padding_idx = padding_idx % n if padding_idx < 0 else padding_idx
        keep = (idx != padding_idx)[..., None]
        if not keep.all():
            from ..ops.elementwise import where

            out = where(keep, out, out.detach())
    return out


def one_hot(input, num_classes: int = -1) -> Tensor:
    """Integer class indices (*) -> int64 one-hot (*, num_classes)."""
    idx = _indices(input, "one_hot")
    if idx.size and idx.min() < 0:
        raise RuntimeError(f"one_hot: class values must be non-negative, got {idx.min()}")
    if num_classes < 0:
        if not idx.size:
            raise RuntimeError("one_hot: cannot infer the number of classes from an empty tensor")
        num_classes = int(idx.max()) + 1
    if idx.size and idx.max() >= num_classes:
        raise RuntimeError(f"one_hot: class values must be smaller than num_classes "
                           f"({num_classes}), got {idx.max()}")
    return Tensor((idx[..., None] == array_module(idx).arange(num_classes)).astype(np.int64))


__all__ = [
    # activations
    "elu", "gelu", "leaky_relu", "log_softmax", "relu", "sigmoid", "silu", "softmax", "softplus",
    "tanh",
    # linear, convolution, pooling
    "linear", "conv1d", "conv2d", "conv_transpose2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
    "avg_pool1d", "avg_pool2d", "max_pool1d", "max_pool2d",
    # normalisation, dropout, embedding, padding
    "batch_norm", "layer_norm", "dropout", "dropout2d", "embedding", "one_hot", "pad",
    # losses
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "huber_loss",
    "kl_div", "l1_loss", "mse_loss", "nll_loss", "smooth_l1_loss",
    # issue 14 part B
    "hardtanh", "relu6", "hardsigmoid", "hardswish", "threshold", "selu", "celu", "mish",
    "softsign", "logsigmoid", "softmin", "glu", "prelu", "hardshrink", "softshrink", "tanhshrink",
    "interpolate", "normalize", "cosine_similarity", "pairwise_distance", "group_norm",
    "instance_norm", "scaled_dot_product_attention", "unfold", "fold", "conv3d",
    "conv_transpose1d", "conv_transpose3d", "max_pool3d", "avg_pool3d", "max_unpool1d",
    "max_unpool2d", "max_unpool3d", "pixel_shuffle", "pixel_unshuffle", "rms_norm",
    "channel_shuffle", "alpha_dropout", "dropout1d", "dropout3d", "adaptive_avg_pool3d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d", "lp_pool1d", "lp_pool2d",
    "lp_pool3d", "pdist", "upsample", "upsample_bilinear", "upsample_nearest", "affine_grid",
    "grid_sample", "bilinear", "local_response_norm", "gumbel_softmax",
]

from ..tensor_args import guard as _guard  # noqa: E402  (PyTorch's TypeError for a non-Tensor input)

_guard(globals(), "F.")
