"""Collation: a list of samples -> one batch (``default_collate``), and ``default_convert``
for loaders without automatic batching. Arrays become Tensors (wrapped without copying) at the
end, in the main process; workers send back plain NumPy arrays."""
from __future__ import annotations

import collections.abc
from typing import Any, Sequence

import numpy as np

from ._utils import default_float_dtype, is_tensor, to_tensor


def _collate_arrays(batch: Sequence[Any]) -> Any:
    """Like ``default_collate`` but leaves NumPy arrays where Tensors would go."""
    elem = batch[0]
    if isinstance(elem, np.ndarray) or is_tensor(elem):
        arrays = [b if isinstance(b, np.ndarray) else b.numpy() for b in batch]
        shapes = {a.shape for a in arrays}
        if len(shapes) > 1:
            raise ValueError(f"default_collate: cannot stack samples of different shapes "
                             f"{sorted(shapes)}")
        return np.stack(arrays)
    if isinstance(elem, np.generic):
        return np.array(batch)
    if isinstance(elem, bool):
        return np.array(batch, dtype=bool)
    if isinstance(elem, int):
        return np.array(batch, dtype=np.int64)
    if isinstance(elem, float):
        return np.array(batch, dtype=default_float_dtype())
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, collections.abc.Mapping):
        return {key: _collate_arrays([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(_collate_arrays(s) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        if len({len(b) for b in batch}) > 1:
            raise ValueError("default_collate: every sample must have the same number of fields")
        fields = [_collate_arrays(list(s)) for s in zip(*batch)]
        return tuple(fields) if isinstance(elem, tuple) else fields
    raise TypeError(f"default_collate: samples of type {type(elem).__name__} are not supported; "
                    "use arrays, Tensors, numbers, strings, or tuples/lists/dicts of them")


def _map_leaves(batch: Any, leaf: Any) -> Any:
    """``batch`` with ``leaf`` applied to everything inside its dicts, tuples and lists."""
    if isinstance(batch, collections.abc.Mapping):
        return {k: _map_leaves(v, leaf) for k, v in batch.items()}
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):  # namedtuple
        return type(batch)(*(_map_leaves(v, leaf) for v in batch))
    if isinstance(batch, (tuple, list)):
        return type(batch)(_map_leaves(v, leaf) for v in batch)
    return leaf(batch)


def _wrap(batch: Any) -> Any:
    """Replace every NumPy array inside ``batch`` by a Tensor (no copy)."""
    return _map_leaves(batch, lambda x: to_tensor(x) if isinstance(x, np.ndarray) else x)


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch.

    Arrays/Tensors of shape S are stacked to a Tensor (B, *S); ints become an int64 Tensor (B,),
    floats one of retrograd's default float dtype, bools a bool Tensor; strings stay a list;
    tuples, lists, namedtuples and dicts are collated field by field.
    """
    if len(batch) == 0:
        raise ValueError("default_collate: empty batch")
    return _wrap(_collate_arrays(batch))


def default_convert(data: Any) -> Any:
    """One sample as it is, with NumPy arrays (also inside tuples, lists and dicts) turned into
    Tensors: what a loader with ``batch_size=None`` yields."""
    return _wrap(data)
