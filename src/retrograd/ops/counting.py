"""Counting and bucketing (no gradient, as in PyTorch): bincount, histc, searchsorted,
bucketize."""
from __future__ import annotations

from ..backend import array_module
from ..tensor import Tensor


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:  # noqa: A002
    """How often each non-negative integer occurs in the 1-D ``input`` (weighted sums with
    ``weights``)."""
    x = input.array
    if x.ndim != 1 or x.dtype.kind not in "iu" or (x.size and x.min() < 0):
        raise RuntimeError("bincount: input must be a 1-D tensor of non-negative integers")
    w = None if weights is None else weights.array
    out = array_module(x).bincount(x, weights=w, minlength=minlength)
    return Tensor(out.astype("int64") if w is None else out.astype(w.dtype if w.dtype.kind == "f" else "float64"))


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A001,A002
    """Counts in ``bins`` equal bins over [min, max] (the data's range when both are 0)."""
    x = input.array
    xp = array_module(x)
    lo, hi = (float(x.min()), float(x.max())) if min == max == 0 and x.size else (min, max)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    inside = x[(x >= lo) & (x <= hi)]
    counts, _ = xp.histogram(inside, bins=bins, range=(lo, hi))
    return Tensor(counts.astype(x.dtype))


def searchsorted(sorted_sequence: Tensor, input, *, out_int32: bool = False, right: bool = False,
                 side: str | None = None) -> Tensor:
    """Where each value would be inserted into the last dim of ``sorted_sequence`` to keep it
    sorted (rows searched separately for an N-D sequence)."""
    seq = sorted_sequence.array
    vals = input.array if isinstance(input, Tensor) else array_module(seq).asarray(input)
    xp = array_module(seq, vals)
    side = side or ("right" if right else "left")
    if seq.ndim == 1:
        out = xp.searchsorted(seq, vals, side=side)
    else:  # offset each row so that one flat search serves all rows
        rows = seq.reshape(-1, seq.shape[-1])
        span = max(xp.abs(rows).max() if rows.size else 0, xp.abs(vals).max() if vals.size else 0) * 2 + 1
        offsets = xp.arange(rows.shape[0])[:, None] * span
        flat = (rows + offsets).ravel()
        found = xp.searchsorted(flat, (vals.reshape(rows.shape[0], -1) + offsets), side=side)
        out = (found - xp.arange(rows.shape[0])[:, None] * seq.shape[-1]).reshape(vals.shape)
    return Tensor(out.astype("int32" if out_int32 else "int64"))


def bucketize(input, boundaries: Tensor, *, out_int32: bool = False, right: bool = False) -> Tensor:  # noqa: A002
    """The bucket of each element given 1-D sorted ``boundaries`` (PyTorch's ``right`` flips
    NumPy's side)."""
    return searchsorted(boundaries, input, out_int32=out_int32, side="left" if not right else "right")
