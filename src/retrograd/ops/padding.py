"""F.pad in all of PyTorch's modes: constant (negative pads crop), reflect, replicate, circular.

``pad`` lists (before, after) pairs from the last dim backwards, as PyTorch's. The non-constant
modes build each padded dim from the kept slice and the border slices, which are gathered by
source positions (vectorised); the gradient sums the borders back into their sources (a
scatter-add along the dim).
"""
from __future__ import annotations

from ..autograd.function import ShapeError
from ..backend import array_module
from ..tensor import Tensor
from .axis_index import take_along_dim
from .shape import Pad, cat

_MODES = ("constant", "reflect", "replicate", "circular")


def _source_positions(xp, size: int, before: int, after: int, mode: str):
    """For one dim of ``size``, the source index of each output position (pads may be < 0)."""
    pos = xp.arange(-before, size + after)
    if mode == "replicate":
        return xp.clip(pos, 0, size - 1)
    if mode == "circular":  # PyTorch crops first (negative pads), then wraps within the rest
        start, stop = max(-before, 0), size - max(-after, 0)
        return start + (pos - start) % max(stop - start, 1)
    period = 2 * (size - 1)  # reflect: mirror about the first and last element
    pos = xp.abs(pos) % period if period else xp.zeros_like(pos)
    return xp.where(pos >= size, period - pos, pos)


def _check_mode_pad(x: Tensor, pad: tuple[int, ...], mode: str) -> None:
    dims = len(pad) // 2
    if dims not in (1, 2, 3) or x.ndim not in (dims + 1, dims + 2):
        raise NotImplementedError(
            f"pad: padding size {len(pad)} is not supported for {x.ndim}D input in mode {mode!r}; "
            "non-constant modes pad the last 1, 2 or 3 dims of a (N, C, *) or (C, *) input "
            "(2D/3D, 3D/4D or 4D/5D)")
    for i in range(dims):
        d = x.ndim - 1 - i
        size, before, after = x.shape[d], pad[2 * i], pad[2 * i + 1]
        if size == 0:
            raise RuntimeError(f"pad: mode {mode!r} needs a non-empty dim {d} (input shape "
                               f"{tuple(x.shape)})")
        if mode == "reflect" and (before >= size or after >= size):
            raise RuntimeError(f"pad: padding size should be less than the corresponding input "
                               f"dimension, but got padding ({before}, {after}) at dimension {d} "
                               f"of input {tuple(x.shape)}")
        kept = size - max(-before, 0) - max(-after, 0)  # circular wraps within what is kept
        if mode == "circular" and (before > kept or after > kept):
            raise RuntimeError(f"pad: padding ({before}, {after}) at dimension {d} of input "
                               f"{tuple(x.shape)} wraps around more than once (circular)")
        if size + before + after < (0 if mode == "circular" else 1):
            raise RuntimeError(f"pad: padding ({before}, {after}) crops dimension {d} of input "
                               f"{tuple(x.shape)} to nothing")


def _constant(x: Tensor, pad: tuple[int, ...], value: float) -> Tensor:
    """Negative pads crop first (a slice); the positive ones then pad with ``value``."""
    crop = [slice(None)] * x.ndim
    for i in range(len(pad) // 2):
        d = x.ndim - 1 - i
        before, after = pad[2 * i], pad[2 * i + 1]
        if x.shape[d] + before + after < 0:
            raise RuntimeError(f"pad: padding ({before}, {after}) crops dimension {d} of input "
                               f"{tuple(x.shape)} below size 0")
        crop[d] = slice(max(-before, 0), x.shape[d] - max(-after, 0))
    if any(p < 0 for p in pad):
        x = x[tuple(crop)]
    if any(p > 0 for p in pad):
        x = Pad.apply(x, pad=tuple(max(p, 0) for p in pad), value=value)
    return x


def pad(input: Tensor, pad: tuple[int, ...] | list[int], mode: str = "constant",
        value: float | None = None) -> Tensor:
    """Pad (or, with negative sizes, crop) the last len(pad) // 2 dims of ``input``.

    ``pad`` = (left, right) of the last dim, then (top, bottom) of the one before, ...; mode is
    'constant' (filled with ``value``, default 0), 'reflect' (mirror without repeating the edge),
    'replicate' (repeat the edge) or 'circular' (wrap around). Shape (*, n) -> (*, n + l + r).
    """
    pad = tuple(int(p) for p in pad)
    if mode not in _MODES:
        raise NotImplementedError(f"pad: mode must be one of {', '.join(_MODES)}; got {mode!r}")
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ShapeError(f"pad: {pad} must hold (before, after) pairs for at most {input.ndim} "
                         f"dims (input shape {tuple(input.shape)})")
    if mode == "constant":
        return _constant(input, pad, 0.0 if value is None else value)
    if value:
        raise ValueError(f"pad: padding mode {mode!r} doesn't take in value argument")
    _check_mode_pad(input, pad, mode)
    xp = array_module(input.array)
    out = input
    for i in range(len(pad) // 2):
        d = input.ndim - 1 - i
        if pad[2 * i] or pad[2 * i + 1]:
            out = _pad_dim(out, d, pad[2 * i], pad[2 * i + 1], mode, xp)
    return out


def _pad_dim(x: Tensor, d: int, before: int, after: int, mode: str, xp) -> Tensor:
    """One dim: the kept middle is a slice of x; only the new border slices are gathered (so
    the gradient's scatter-add touches the borders alone)."""
    source = _source_positions(xp, x.shape[d], before, after, mode)
    lead = (slice(None),) * d
    middle = x[lead + (slice(max(-before, 0), x.shape[d] - max(-after, 0)),)]
    pieces = [middle]
    if before > 0:
        pieces.insert(0, take_along_dim(x, d, source[:before]))
    if after > 0:
        pieces.append(take_along_dim(x, d, source[len(source) - after:]))
    return cat(pieces, d) if len(pieces) > 1 else middle
