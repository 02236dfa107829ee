"""Sequences of different lengths for the recurrent modules (PyTorch's torch.nn.utils.rnn):
padding to one length, and packing (the steps of all sequences, time-major, longest first) in a
``PackedSequence``. Every conversion is differentiable in the data.

>>> import retrograd as rg
>>> from retrograd.nn.utils.rnn import pack_sequence, pad_packed_sequence
>>> packed = pack_sequence([rg.ones(3, 2), rg.ones(1, 2)])
>>> packed.batch_sizes.tolist()
[2, 1, 1]
>>> pad_packed_sequence(packed)[0].shape
(3, 2, 2)
"""
# No ``from __future__ import annotations`` here: PackedSequence (a NamedTuple) must hold its
# fields' types as classes, or documentation tools cannot resolve them (tests/test_docs.py).
from typing import NamedTuple, Sequence

import numpy as np

from ...backend import array_module
from ...ops.index import ScatterAdd, getitem
from ...ops.shape import pad as _pad
from ...ops.shape import stack
from ...tensor import Tensor


class PackedSequence(NamedTuple):
    """``data`` (sum of lengths, *): the steps of all sequences, time-major; ``batch_sizes``
    (max length,) int64: how many sequences have step t; ``sorted_indices``: the batch order by
    decreasing length (None when given sorted) and ``unsorted_indices`` its inverse."""

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None

    def __repr__(self) -> str:
        return (f"PackedSequence(data={self.data!r}, batch_sizes={self.batch_sizes!r}, "
                f"sorted_indices={self.sorted_indices!r}, "
                f"unsorted_indices={self.unsorted_indices!r})")


def _lengths_array(lengths) -> np.ndarray:
    arr = lengths.array if isinstance(lengths, Tensor) else np.asarray(lengths)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise ValueError(f"lengths must be a 1-D sequence of integers, got {arr!r}")
    return arr.astype(np.int64)


def packed_positions(batch_sizes: np.ndarray):
    """(time, batch) of each row of a packed ``data``, in order."""
    t = np.repeat(np.arange(len(batch_sizes)), batch_sizes)
    b = np.concatenate([np.arange(n) for n in batch_sizes]) if len(batch_sizes) else t
    return t, b


def pad_sequence(sequences: Sequence[Tensor], batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    """Tensors (L_i, *) padded to the longest: (L, B, *), or (B, L, *) with ``batch_first``."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"pad_sequence: padding_side must be 'left' or 'right', got "
                         f"{padding_side!r}")
    sequences = list(sequences)
    if not sequences:
        raise ValueError("pad_sequence: received an empty list of sequences")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        extra = longest - s.shape[0]
        widths = (0, 0) * (s.ndim - 1) + ((0, extra) if padding_side == "right" else (extra, 0))
        padded.append(_pad(s, widths, value=padding_value) if extra else s)
    return stack(padded, 0 if batch_first else 1)


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) (or (B, T, *)) of sequences of ``lengths``."""
    lengths = _lengths_array(lengths)
    batch_dim = 0 if batch_first else 1
    if lengths.shape[0] != input.shape[batch_dim]:
        raise ValueError(f"pack_padded_sequence: {lengths.shape[0]} lengths for a batch of "
                         f"{input.shape[batch_dim]} sequences (input shape {tuple(input.shape)})")
    if lengths.size and lengths.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    if lengths.size and lengths.max() > input.shape[1 - batch_dim]:
        raise ValueError(f"pack_padded_sequence: a length of {lengths.max()} exceeds the padded "
                         f"length {input.shape[1 - batch_dim]}")
    sorted_indices = unsorted_indices = None
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` to "
                               "pack_padded_sequence and/or pack_sequence to sidestep this "
                               "requirement if you do not need ONNX exportability.")
        order = np.arange(len(lengths))
    else:
        order = np.argsort(-lengths, kind="stable")
        sorted_indices = Tensor(order)
        unsorted_indices = Tensor(np.argsort(order, kind="stable"))
    sorted_lengths = lengths[order]
    batch_sizes = (sorted_lengths[None, :] > np.arange(sorted_lengths[0])[:, None]).sum(1)
    t, b = packed_positions(batch_sizes)
    key = (order[b], t) if batch_first else (t, order[b])
    return PackedSequence(getitem(input, key), Tensor(batch_sizes.astype(np.int64)),
                          sorted_indices, unsorted_indices)


def padded_from_packed(data: Tensor, batch_sizes: np.ndarray, padding_value: float = 0.0,
                       total_length: int | None = None) -> Tensor:
    """Packed rows back at their places in (T, B, *), in sorted batch order."""
    xp = array_module(data.array)  # batch_sizes stay on the host, as in PyTorch
    t, b = (xp.asarray(i) for i in packed_positions(batch_sizes))
    T = len(batch_sizes) if total_length is None else total_length
    shape = (T, int(batch_sizes[0]) if len(batch_sizes) else 0) + tuple(data.shape[1:])
    out = ScatterAdd.apply(data, key=(t, b), shape=shape)
    if padding_value:
        fill = xp.full(shape[:2], padding_value, dtype=data.dtype)
        fill[t, b] = 0
        out = out + fill.reshape(shape[:2] + (1,) * (len(shape) - 2))
    return out


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None):
    """(padded (T, B, *) or (B, T, *), lengths (B,) int64), in the batch's original order."""
    batch_sizes = sequence.batch_sizes.array
    if total_length is not None and total_length < len(batch_sizes):
        raise ValueError("Expected total_length to be at least the length of the longest sequence "
                         f"in input, but got total_length={total_length} and max sequence length "
                         f"being {len(batch_sizes)}")
    padded = padded_from_packed(sequence.data, batch_sizes, padding_value, total_length)
    lengths = (batch_sizes[None, :] > np.arange(batch_sizes[0])[:, None]).sum(1)
    if sequence.unsorted_indices is not None:
        order = sequence.unsorted_indices.array
        padded = getitem(padded, (slice(None), order))
        lengths = lengths[order]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, Tensor(lengths.astype(np.int64))


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of tensors (L_i, *) (longest first unless ``enforce_sorted=False``)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths, batch_first: bool = False) -> list[Tensor]:
    """The list of tensors (L_i, *) that ``pad_sequence`` padded."""
    lengths = _lengths_array(lengths)
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[i, :int(n)] for i, n in enumerate(lengths)]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of tensors (L_i, *) that ``pack_sequence`` packed."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


__all__ = ["PackedSequence", "pad_sequence", "pack_padded_sequence", "pad_packed_sequence",
           "pack_sequence", "unpad_sequence", "unpack_sequence"]
