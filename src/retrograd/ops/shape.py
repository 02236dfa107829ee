"""Shape ops: reshape/view, permute/transpose, squeeze/unsqueeze, flatten, expand, cat, stack,
split, chunk, pad. Gradients put values back where they came from."""
from __future__ import annotations

import functools

import numpy as np

from ..autograd.function import Function, ShapeError
from ..backend import array_module
from ..backends import kernels_for
from .dims import normalize_dim
from .cast import cast
from .promote import promote_types
from ..autograd.broadcast import Expand


class Reshape(Function):
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, x, shape=()):
        self.in_shape = x.shape
        return x.reshape(shape)

    def backward(self, g):
        return g.reshape(self.in_shape)


class Permute(Function):
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, x, dims=()):
        self.dims = dims
        return x.transpose(dims)

    def backward(self, g):
        return g.permute(tuple(np.argsort(self.dims).tolist()))  # host index arithmetic


class Cat(Function):
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, *arrays, dim=0):
        self.dim, self.sizes = dim, [a.shape[dim] for a in arrays]
        xp = array_module(*arrays)
        shape = arrays[0].shape[:dim] + (sum(self.sizes),) + arrays[0].shape[dim + 1:]
        out = kernels_for(*arrays).empty(shape, arrays[0].dtype)  # pooled when large
        return xp.concatenate(arrays, axis=dim, out=out)

    def backward(self, g):
        grads, start = [], 0
        for x, size in zip(self.inputs, self.sizes):
            index = (slice(None),) * self.dim + (slice(start, start + size),)
            grads.append(g[index] if getattr(x, "requires_grad", False) else None)
            start += size
        return tuple(grads)


class Pad(Function):
    """Constant padding; ``pad`` lists (before, after) pairs from the last dim backwards."""
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, x, pad=(), value=0.0):
        widths = [(0, 0)] * x.ndim
        for i in range(len(pad) // 2):
            widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
        self.index = tuple(slice(b, b + s) for (b, _), s in zip(widths, x.shape))
        return array_module(x).pad(x, widths, mode="constant", constant_values=value)

    def backward(self, g):
        return g[self.index]


def _sizes(given: tuple, keyword, op: str) -> tuple:
    """Sizes given one by one, as one tuple, or by keyword (not both)."""
    if keyword is not None:
        if given:
            raise TypeError(f"{op}(): got the sizes both by position and by keyword")
        given = (keyword,)
    return tuple(given[0]) if len(given) == 1 and isinstance(given[0], (tuple, list)) else given


def reshape(input, *sizes, shape=None):  # noqa: A002 - PyTorch's names
    """The same elements in ``shape`` (one dim may be -1, inferred), given as PyTorch's
    ``shape=`` or a tuple or the sizes one by one: ``reshape(x, (2, 3))``, ``reshape(x, 2, 3)``."""
    shape = _sizes(sizes, shape, "reshape")
    if shape == input.shape:
        return input
    numel = input.array.size
    known = 1
    for s in shape:
        known *= s if s != -1 else 1
    if shape.count(-1) > 1 or (-1 not in shape and known != numel) or (
            -1 in shape and (known == 0 or numel % known)):
        raise ShapeError(f"reshape: cannot reshape a tensor of shape {tuple(input.shape)} "
                         f"({numel} elements) to {shape}")
    return Reshape.apply(input, shape=shape)


def permute(input, *order, dims=None):  # noqa: A002 - PyTorch's names
    """Reorder the dims: ``permute(x, (0, 2, 1))`` (or ``dims=(0, 2, 1)``, or ``0, 2, 1``) maps
    (A, B, C) to (A, C, B)."""
    dims = _sizes(order, dims, "permute")
    if len(dims) != input.ndim:
        raise ShapeError(f"permute: got {len(dims)} dims {dims} for a tensor of shape {tuple(input.shape)}")
    dims = tuple(normalize_dim(d, input.ndim, "permute") for d in dims)
    if sorted(dims) != list(range(input.ndim)):
        raise ShapeError(f"permute: {dims} is not a permutation of the dims of a {input.ndim}-d tensor")
    return Permute.apply(input, dims=dims)


def transpose(input, dim0: int, dim1: int):
    """Swap dims ``dim0`` and ``dim1``."""
    if input.ndim == 0:  # dims 0 and -1 of a 0-d tensor: nothing to swap (as PyTorch)
        normalize_dim(dim0, 0, "transpose"), normalize_dim(dim1, 0, "transpose")
        return input
    order = list(range(input.ndim))
    d0, d1 = normalize_dim(dim0, input.ndim, "transpose"), normalize_dim(dim1, input.ndim, "transpose")
    order[d0], order[d1] = order[d1], order[d0]
    return Permute.apply(input, dims=tuple(order))


def squeeze(input, dim=None):
    """Drop dims of size 1 (all of them, or those in ``dim``)."""
    if dim is None:
        return reshape(input, tuple(s for s in input.shape if s != 1))
    dims = (dim,) if isinstance(dim, int) else dim
    dims = {normalize_dim(d, input.ndim, "squeeze") for d in dims}
    return reshape(input, tuple(s for i, s in enumerate(input.shape) if not (i in dims and s == 1)))


def unsqueeze(input, dim: int):
    """Insert a dim of size 1 at ``dim``: (A, B) -> (A, 1, B) for dim=1."""
    d = normalize_dim(dim, input.ndim + 1, "unsqueeze", input.ndim)
    return reshape(input, input.shape[:d] + (1,) + input.shape[d:])


def flatten(input, start_dim: int = 0, end_dim: int = -1):
    """Merge dims ``start_dim``..``end_dim``: (N, C, H, W) -> (N, C*H*W) for start_dim=1."""
    if input.ndim == 0:
        return reshape(input, (1,))
    s = normalize_dim(start_dim, input.ndim, "flatten")
    e = normalize_dim(end_dim, input.ndim, "flatten")
    size = 1
    for n in input.shape[s:e + 1]:
        size *= n
    return reshape(input, input.shape[:s] + (size,) + input.shape[e + 1:])


def expand(x, *shape):
    """Broadcast to ``shape``; -1 keeps a dim's size (PyTorch's expand)."""
    shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    lead = len(shape) - x.ndim
    if lead < 0:
        raise ShapeError(f"expand: cannot expand shape {tuple(x.shape)} to fewer dims {shape}")
    shape = tuple(x.shape[i - lead] if s == -1 else s for i, s in enumerate(shape))
    if shape == x.shape:
        return x
    for i, s in enumerate(x.shape):
        if s != 1 and s != shape[i + lead]:
            raise ShapeError(f"expand: cannot expand shape {tuple(x.shape)} to {shape}")
    return Expand.apply(x, shape=shape)


def broadcast_to(input, size):  # noqa: A002 - PyTorch's names
    """``input`` broadcast to ``size`` (-1 keeps a dim), as ``expand``."""
    return expand(input, size)


def cat(tensors, dim: int = 0):
    """Join tensors along an existing dim ``dim``; they must agree in every other dim."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: expected a non-empty sequence of tensors")
    if any(t.ndim == 0 for t in tensors):
        raise ShapeError("cat: zero-dimensional tensors cannot be concatenated (use stack)")
    d = normalize_dim(dim, tensors[0].ndim, "cat")
    first = tensors[0].shape
    for t in tensors[1:]:
        if t.ndim != len(first) or any(a != b for i, (a, b) in enumerate(zip(first, t.shape)) if i != d):
            raise ShapeError(f"cat: shapes {tuple(first)} and {tuple(t.shape)} differ outside dim {d}")
    dtype = functools.reduce(promote_types, (t.dtype for t in tensors))  # as torch.cat
    return Cat.apply(*(cast(t, dtype) for t in tensors), dim=d)


def stack(tensors, dim: int = 0):
    """Join same-shaped tensors along a new dim: k of (A, B) -> (k, A, B) for dim=0."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: expected a non-empty sequence of tensors")
    for t in tensors[1:]:
        if t.shape != tensors[0].shape:
            raise ShapeError(f"stack: all tensors must have one shape, got {tuple(tensors[0].shape)} "
                             f"and {tuple(t.shape)}")
    d = normalize_dim(dim, tensors[0].ndim + 1, "stack", tensors[0].ndim)
    return cat([unsqueeze(t, d) for t in tensors], d)


def split(tensor, split_size_or_sections, dim: int = 0):
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the given sizes."""
    d = normalize_dim(dim, tensor.ndim, "split")
    n = tensor.shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0:
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [min(size, n - i) for i in range(0, n, size)] or [0]  # an empty dim: one piece
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise ValueError(f"split: sizes {sizes} do not add up to {n}, the size of dim {d}")
    pieces, start = [], 0
    for s in sizes:
        pieces.append(tensor[(slice(None),) * d + (slice(start, start + s),)])
        start += s
    return tuple(pieces)


def chunk(input, chunks: int, dim: int = 0):
    """Split into ``chunks`` pieces of ceil(size / chunks) along ``dim`` (the last smaller)."""
    d = normalize_dim(dim, input.ndim, "chunk")
    if input.shape[d] == 0:  # PyTorch gives ``chunks`` empty pieces
        return split(input, [0] * chunks, d)
    size = -(-input.shape[d] // chunks)
    return split(input, max(size, 1), d)


def pad(x, pad, mode: str = "constant", value: float = 0.0):
    """Pad with a constant (PyTorch's F.pad order: last dim's (left, right) first)."""
    if mode != "constant":
        raise NotImplementedError(f"pad: mode {mode!r} is not supported; only 'constant'")
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(f"pad: {tuple(pad)} must hold (before, after) pairs for at most {x.ndim} dims")
    if any(p < 0 for p in pad):
        raise ValueError(f"pad: negative padding {tuple(pad)} is not supported")
    return Pad.apply(x, pad=tuple(pad), value=value)

