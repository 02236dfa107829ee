"""Layout ops: flip, roll, repeat, tile, repeat_interleave, tril, triu, diagonal, diag,
diag_embed, unflatten, movedim, swapaxes, narrow, select, unbind, tensor_split, Tensor.unfold,
meshgrid, broadcast_tensors, view(dtype). Most are compositions of indexing and reshapes, whose
gradients already exist; flip, roll, repeat and diag_embed have their own rules."""
from __future__ import annotations

import builtins

import numpy as np

from ..autograd.function import Function, ShapeError
from ..backend import array_module
from ..tensor import Tensor
from .dims import normalize_dim, normalize_dims
from .elementwise import where
from .index import getitem
from .shape import expand, permute, reshape


def _sizes(args) -> tuple:
    """``f(2, 3)`` and ``f((2, 3))`` alike."""
    return tuple(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else tuple(args)


class Flip(Function):
    def forward(self, x, dims=()):
        self.dims = dims
        return array_module(x).flip(x, axis=dims).copy()

    def backward(self, g):
        return Flip.apply(g, dims=self.dims)


class Roll(Function):
    def forward(self, x, shifts=(), dims=()):
        self.shifts, self.dims = shifts, dims
        return array_module(x).roll(x, shifts, axis=dims)

    def backward(self, g):
        return Roll.apply(g, shifts=tuple(-s for s in self.shifts), dims=self.dims)


class Repeat(Function):
    """Tile ``x`` (already reshaped to len(reps) dims) ``reps`` times along each dim."""

    def forward(self, x, reps=()):
        self.reps, self.in_shape = reps, x.shape
        return array_module(x).tile(x, reps)

    def backward(self, g):
        interleaved = builtins.sum(((r, s) for r, s in zip(self.reps, self.in_shape)), ())
        return g.reshape(interleaved).sum(tuple(range(0, 2 * len(self.reps), 2)))


class DiagEmbed(Function):
    """Batches of vectors (last dim) placed on the ``offset`` diagonal of new (dim1, dim2) planes."""

    def forward(self, x, offset=0, dim1=-2, dim2=-1):
        self.offset, self.dim1, self.dim2 = offset, dim1, dim2
        xp = array_module(x)
        n = x.shape[-1] + builtins.abs(offset)
        out = xp.zeros(x.shape[:-1] + (n, n), dtype=x.dtype)
        rows, cols = _diagonal_positions(xp, n, n, offset)
        out[..., rows, cols] = x
        return xp.moveaxis(out, (-2, -1), (dim1, dim2))

    def backward(self, g):
        return diagonal(g, self.offset, self.dim1, self.dim2)


def _diagonal_positions(xp, rows: int, cols: int, offset: int):
    length = builtins.max(0, builtins.min(rows + builtins.min(offset, 0), cols - builtins.max(offset, 0)))
    i = xp.arange(length)
    return i - builtins.min(offset, 0), i + builtins.max(offset, 0)


def flip(input: Tensor, dims) -> Tensor:  # noqa: A002 - PyTorch's names
    """Reverse the order along ``dims`` (a copy, as PyTorch)."""
    dims = normalize_dims(dims, input.ndim, "flip")
    return Flip.apply(input, dims=dims) if dims else input * 1


def roll(input: Tensor, shifts, dims=None) -> Tensor:  # noqa: A002
    """Shift elements along ``dims`` cyclically; without ``dims``, over the flattened tensor."""
    if dims is None:
        return Roll.apply(input.flatten(), shifts=(shifts,) if isinstance(shifts, int) else tuple(shifts),
                          dims=(0,)).reshape(input.shape)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise ValueError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    return Roll.apply(input, shifts=shifts, dims=tuple(normalize_dim(d, input.ndim, "roll") for d in dims))


def repeat(input: Tensor, *sizes) -> Tensor:  # noqa: A002
    """Tile the whole tensor ``sizes`` times per dim (PyTorch's ``Tensor.repeat``)."""
    reps = _sizes(sizes)
    if len(reps) < input.ndim:
        raise RuntimeError(f"repeat: the number of repeats {len(reps)} can not be smaller than the "
                           f"number of dimensions {input.ndim} of the tensor")
    x = reshape(input, (1,) * (len(reps) - input.ndim) + tuple(input.shape))
    return Repeat.apply(x, reps=reps)


def tile(input: Tensor, dims) -> Tensor:  # noqa: A002
    """As repeat, with missing leading repeats taken as 1."""
    dims = tuple(dims)
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)


def repeat_interleave(input: Tensor, repeats=None, dim: int | None = None, *,  # noqa: A002
                      output_size: int | None = None) -> Tensor:
    """Repeat each element ``repeats`` times (an int, or one count per element along ``dim``);
    ``repeat_interleave(counts)`` alone repeats each index i counts[i] times."""
    if repeats is None:
        counts = input.array
        return Tensor(array_module(counts).repeat(array_module(counts).arange(counts.size), counts))
    if dim is None:
        input, dim = input.flatten(), 0
    d = normalize_dim(dim, input.ndim, "repeat_interleave")
    counts = repeats.array if isinstance(repeats, Tensor) else repeats
    xp = array_module(input.array)
    index = xp.repeat(xp.arange(input.shape[d]), counts)
    return getitem(input, (slice(None),) * d + (index,))


def _triangle(input: Tensor, diagonal: int, lower: bool, op: str) -> Tensor:  # noqa: A002
    if input.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions, got shape {tuple(input.shape)}")
    xp = array_module(input.array)
    n, m = input.shape[-2:]
    keep = (xp.tril if lower else xp.triu)(xp.ones((n, m), dtype=bool), diagonal)
    return where(keep, input, 0)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """The lower triangle of the last two dims (on and below ``diagonal``), zeros elsewhere."""
    return _triangle(input, diagonal, True, "tril")


def triu(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """The upper triangle of the last two dims (on and above ``diagonal``), zeros elsewhere."""
    return _triangle(input, diagonal, False, "triu")


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    """The ``offset`` diagonal of the (dim1, dim2) planes, as a new last dim."""
    d1, d2 = normalize_dim(dim1, input.ndim, "diagonal"), normalize_dim(dim2, input.ndim, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal: dim1 and dim2 cannot be the same dim ({dim1}, {dim2})")
    moved = movedim(input, (d1, d2), (-2, -1))
    rows, cols = _diagonal_positions(array_module(input.array), *moved.shape[-2:], offset)
    return getitem(moved, (Ellipsis, rows, cols))


_take_diagonal = diagonal  # for diag, whose argument is named like the function


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: A002
    """Each vector of the last dim on the ``offset`` diagonal of a new (dim1, dim2) plane."""
    ndim = input.ndim + 1
    d1, d2 = normalize_dim(dim1, ndim, "diag_embed"), normalize_dim(dim2, ndim, "diag_embed")
    if d1 == d2:
        raise RuntimeError(f"diag_embed: dim1 and dim2 cannot be the same dim ({dim1}, {dim2})")
    return DiagEmbed.apply(input, offset=offset, dim1=d1, dim2=d2)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """A 1-D input becomes a square matrix with it on the ``diagonal``; a 2-D input gives that
    diagonal."""
    if input.ndim == 1:
        return diag_embed(input, diagonal)
    if input.ndim == 2:
        return _take_diagonal(input, diagonal)
    raise RuntimeError(f"diag: expected a 1-D or 2-D tensor, got shape {tuple(input.shape)}")


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:  # noqa: A002
    """Split dim ``dim`` into ``sizes`` (one of them may be -1)."""
    d = normalize_dim(dim, input.ndim, "unflatten")
    return reshape(input, tuple(input.shape[:d]) + tuple(sizes) + tuple(input.shape[d + 1:]))


def movedim(input: Tensor, source, destination) -> Tensor:  # noqa: A002
    """Move dims ``source`` to positions ``destination``; the others keep their order."""
    source = (source,) if isinstance(source, int) else tuple(source)
    destination = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(source) != len(destination):
        raise RuntimeError(f"movedim: source {source} and destination {destination} differ in length")
    src = [normalize_dim(d, input.ndim, "movedim") for d in source]
    dst = [normalize_dim(d, input.ndim, "movedim") for d in destination]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in source {source} or destination {destination}")
    rest = iter(d for d in range(input.ndim) if d not in src)
    placed = dict(zip(dst, src))
    order = tuple(placed[i] if i in placed else next(rest) for i in range(input.ndim))
    return input if order == tuple(range(input.ndim)) else permute(input, order)


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:  # noqa: A002
    """Swap dims ``axis0`` and ``axis1`` (NumPy's name for transpose)."""
    return input.transpose(axis0, axis1)


def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    """Swap dims ``dim0`` and ``dim1`` (``swapaxes`` with PyTorch's other names)."""
    return input.transpose(dim0, dim1)


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:  # noqa: A002
    """Elements start .. start+length-1 along ``dim``."""
    d = normalize_dim(dim, input.ndim, "narrow")
    size = input.shape[d]
    start = int(start)
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise RuntimeError(f"narrow: start {start} and length {length} exceed dim {d} of size {size}")
    return getitem(input, (slice(None),) * d + (slice(start, start + length),))


def select(input: Tensor, dim: int, index: int) -> Tensor:  # noqa: A002
    """The slice at ``index`` along ``dim``, that dim removed."""
    d = normalize_dim(dim, input.ndim, "select")
    return getitem(input, (slice(None),) * d + (int(index),))


def unbind(input: Tensor, dim: int = 0) -> tuple:  # noqa: A002
    """The slices along ``dim``, that dim removed."""
    d = normalize_dim(dim, input.ndim, "unbind")
    return tuple(select(input, d, i) for i in range(input.shape[d]))


def tensor_split(input: Tensor, indices_or_sections=None, dim: int = 0, *,  # noqa: A002
                 sections: int | None = None, indices=None,
                 tensor_indices_or_sections=None) -> tuple:
    """``n`` near-equal parts (the first ``size % n`` one longer), or parts cut at indices.
    By keyword, as PyTorch's parser takes them: ``sections=n``, ``indices=[...]`` or
    ``tensor_indices_or_sections=``."""
    given = [v for v in (indices_or_sections, sections, indices, tensor_indices_or_sections)
             if v is not None]
    if len(given) != 1:
        raise TypeError("tensor_split(): give exactly one of indices_or_sections, sections, "
                        "indices, tensor_indices_or_sections")
    indices_or_sections = given[0]
    d = normalize_dim(dim, input.ndim, "tensor_split")
    size = input.shape[d]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        if n <= 0:
            raise RuntimeError(f"tensor_split: number of sections must be larger than 0, got {n}")
        lengths = [size // n + (1 if i < size % n else 0) for i in range(n)]
        bounds = [builtins.sum(lengths[:i]) for i in range(n + 1)]
    else:
        bounds = [0] + [builtins.min(builtins.max(int(i), 0), size) for i in indices_or_sections] + [size]
    return tuple(getitem(input, (slice(None),) * d + (slice(a, builtins.max(a, b)),))
                 for a, b in zip(bounds[:-1], bounds[1:]))


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:  # noqa: A002
    """Windows of ``size`` every ``step`` along ``dimension``: that dim becomes the window count
    and a new last dim of ``size`` holds each window (PyTorch's ``Tensor.unfold``)."""
    d = normalize_dim(dimension, input.ndim, "unfold")
    length = input.shape[d] if input.ndim else 1
    if size > length or step <= 0:
        raise RuntimeError(f"unfold: size {size} exceeds dim {d} of size {length}, or step {step} <= 0")
    xp = array_module(input.array)
    windows = (length - size) // step + 1
    index = xp.arange(windows)[:, None] * step + xp.arange(size)[None, :]
    if input.ndim == 0:
        return reshape(input, (1,))
    return movedim(getitem(movedim(input, d, -1), (Ellipsis, index)), -2, d)


def meshgrid(*tensors, indexing: str = "ij") -> tuple:
    """Coordinate grids from 1-D tensors ('ij': matrix indexing, 'xy': Cartesian)."""
    tensors = _sizes(tensors)
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    shape = [t.numel() for t in tensors]
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        shape[0], shape[1] = shape[1], shape[0]
    grids = []
    for i, t in enumerate(tensors):
        position = (1 - i if i < 2 else i) if swap else i
        view = [1] * len(tensors)
        view[position] = -1
        grids.append(expand(reshape(t, tuple(view)), tuple(shape)))
    return tuple(grids)


def broadcast_shapes(*shapes) -> tuple:
    """The shape the given shapes broadcast to (ShapeError if they do not)."""
    try:
        return tuple(np.broadcast_shapes(*[tuple(s) for s in shapes]))
    except ValueError:
        raise ShapeError(f"broadcast_shapes: shapes {', '.join(str(tuple(s)) for s in shapes)} do "
                         "not broadcast together") from None


def broadcast_tensors(*tensors) -> tuple:
    """The tensors expanded to their common broadcast shape."""
    tensors = _sizes(tensors)
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(expand(t, shape) for t in tensors)


def view(input: Tensor, *shape_or_dtype) -> Tensor:  # noqa: A002
    """``view(shape)`` (a reshape sharing memory) or ``view(dtype)``: the same bytes read as
    another dtype (the last dim scales by the ratio of item sizes; no gradient)."""
    if len(shape_or_dtype) == 1 and isinstance(shape_or_dtype[0], (np.dtype, type)):
        dtype = np.dtype(shape_or_dtype[0])
        arr = input.array
        if arr.ndim == 0 and dtype.itemsize != arr.dtype.itemsize:
            raise RuntimeError(f"view: a 0-d {arr.dtype} tensor cannot be viewed as {dtype}")
        return Tensor(arr.view(dtype))
    return reshape(input, *shape_or_dtype)


def atleast_1d(*tensors):
    """Each tensor with at least 1 dim (a tuple for several)."""
    out = tuple(t.reshape(1) if t.ndim == 0 else t for t in _sizes(tensors))
    return out[0] if len(out) == 1 else out


def atleast_2d(*tensors):
    """Each tensor with at least 2 dims (a tuple for several)."""
    out = tuple(t.reshape(1, -1) if t.ndim < 2 else t for t in _sizes(tensors))
    return out[0] if len(out) == 1 else out


def hstack(tensors) -> Tensor:
    """Concatenate along dim 1 (dim 0 for 1-D tensors)."""
    from .shape import cat

    tensors = [atleast_1d(t) for t in tensors]
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors) -> Tensor:
    """Concatenate along dim 0, 1-D tensors becoming rows."""
    from .shape import cat

    return cat([atleast_2d(t) for t in tensors], 0)


def column_stack(tensors) -> Tensor:
    """1-D tensors as columns, side by side."""
    from .shape import cat

    return cat([t.reshape(-1, 1) if t.ndim <= 1 else t for t in tensors], 1)
