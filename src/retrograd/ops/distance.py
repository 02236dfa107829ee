"""Norms and distances of nn.functional: normalize, cosine_similarity, pairwise_distance.

They rest on ``ops.norms.p_norm``, a p-norm along dims whose gradient is PyTorch's: zero (not
NaN) for an all-zero vector, split evenly among ties for p = inf.
"""
from __future__ import annotations

from ..backend import array_module
from ..tensor import Tensor
from .axis_index import take_along_dim
from .dims import normalize_dims
from .elementwise import clamp
from .norms import p_norm


def vector_norm(x: Tensor, p: float = 2.0, dim=None, keepdim: bool = False) -> Tensor:
    """The p-norm of ``x`` over ``dim`` (all dims if None)."""
    dims = tuple(range(x.ndim)) if dim is None else normalize_dims(dim, x.ndim, "norm")
    if p <= 0:
        raise ValueError(f"norm: p must be positive (or inf), got {p}")
    return p_norm(x, float(p), dims, keepdim)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None) -> Tensor:
    """input / max(||input||_p, eps) along ``dim`` (the default: unit rows of (N, D))."""
    if out is not None:
        raise NotImplementedError("normalize: out= is not supported")
    return input / clamp(vector_norm(input, p, dim, keepdim=True), min=eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1 * x2) / (||x1|| ||x2||) along ``dim`` (inputs broadcast; that dim is removed).

    Each input is divided by its own norm first, the norm clamped to ``eps`` in value only (its
    gradient stays the norm's), exactly as PyTorch does."""
    from .shape import expand

    shape = _broadcast_shape(x1, x2, "cosine_similarity")
    x1, x2 = expand(x1, shape), expand(x2, shape)
    d = normalize_dims(dim, len(shape), "cosine_similarity")
    units = []
    for x in (x1, x2):
        norm = vector_norm(x, 2.0, d, keepdim=True)
        lifted = array_module(norm.array).maximum(norm.array, eps) - norm.array
        units.append(x / (norm + Tensor(lifted)))
    return (units[0] * units[1]).sum(d)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p over the last dim: (N, D), (N, D) -> (N,)."""
    diff = x1 - x2 + eps
    if diff.ndim == 0:
        return diff.abs()
    return vector_norm(diff, p, -1, keepdim)


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """p-norm distances between the rows of input (N, M): the N(N-1)/2 pairs i < j, row-major."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    first, second = array_module(input.array).triu_indices(input.shape[0], 1)
    pairs = take_along_dim(input, 0, first) - take_along_dim(input, 0, second)
    return vector_norm(pairs, p, 1)


def embedding_renorm_(weight: Tensor, indices, max_norm: float, norm_type: float = 2.0) -> None:
    """In place, outside the graph: rows of ``weight`` named in ``indices`` whose ``norm_type``-norm
    exceeds ``max_norm`` are scaled to max_norm / (norm + 1e-7) of it (PyTorch's embedding_renorm_)."""
    xp = array_module(weight.array)
    rows = xp.unique(xp.asarray(indices).reshape(-1))
    picked = weight.array[rows]
    norms = xp.linalg.norm(picked, ord=norm_type, axis=1, keepdims=True)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
    weight.array[rows] = (picked * scale).astype(weight.dtype, copy=False)


def _broadcast_shape(a: Tensor, b: Tensor, op: str) -> tuple[int, ...]:
    xp = array_module(a.array, b.array)
    try:
        return tuple(xp.broadcast_shapes(a.shape, b.shape))
    except ValueError:
        raise RuntimeError(f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} do not "
                           "broadcast") from None


__all__ = ["normalize", "cosine_similarity", "pairwise_distance", "pdist"]
