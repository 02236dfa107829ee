"""``DataLoader``: batches, shuffling and collation over a map-style dataset.

Batches are retrograd Tensors. Datasets with ``get_batch`` (``TensorDataset``, the built-in
image datasets, a ``Subset`` of one) are batched by one fancy-indexing call per batch; others go
through ``dataset[i]`` per sample and ``default_collate``.
"""
from __future__ import annotations

import collections.abc
import copy
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from ._utils import as_generator, default_float_dtype, is_tensor, spawn_from_global, to_tensor
from .dataset import supports_batches


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


def _wrap(batch: Any) -> Any:
    """Replace every NumPy array inside ``batch`` by a Tensor (no copy)."""
    if isinstance(batch, np.ndarray):
        return to_tensor(batch)
    if isinstance(batch, dict):
        return {k: _wrap(v) for k, v in batch.items()}
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):
        return type(batch)(*(_wrap(v) for v in batch))
    if isinstance(batch, (tuple, list)) and not (batch and isinstance(batch[0], (str, bytes))):
        return type(batch)(_wrap(v) for v in batch)
    return batch


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch.

    Arrays/Tensors of shape S are stacked to a Tensor (B, *S); ints become an int64 Tensor (B,),
    floats one of retrograd's default float dtype, bools a bool Tensor; strings stay a list;
    tuples, lists, namedtuples and dicts are collated field by field.
    """
    if len(batch) == 0:
        raise ValueError("default_collate: empty batch")
    return _wrap(_collate_arrays(batch))


class DataLoader:
    """Iterate over ``dataset`` in batches of Tensors.

    Args:
        dataset: a map-style dataset (``__getitem__`` and ``__len__``).
        batch_size: samples per batch (the last one may be smaller unless ``drop_last``).
        shuffle: draw a new random order at the start of every epoch.
        drop_last: drop the last batch when it is smaller than ``batch_size``.
        collate_fn: merges a list of samples into a batch; its output is yielded as is.
            When None, batches are Tensors (``default_collate``, or the ``get_batch`` fast path).
        generator: ``numpy.random.Generator`` or int seed for shuffling. When None, a private
            generator is seeded from retrograd's global generator the first time it is needed.
            ``loader.generator.bit_generator.state`` can be saved and restored to replay orders;
            ``state_dict()``/``load_state_dict()`` also resume in the middle of an epoch.
        transform: applied to the inputs of every batch (the first field, a NumPy array of
            shape (B, ...)), e.g. a batched ``RandomCrop``; None for none.
        sampler: an iterable of dataset indices with ``len`` (e.g. ``DistributedSampler``) that
            sets the order instead of ``shuffle``.

    >>> import numpy as np
    >>> from retrograd.data import DataLoader, TensorDataset
    >>> x = np.arange(10, dtype=np.float32).reshape(5, 2); y = np.arange(5)
    >>> loader = DataLoader(TensorDataset(x, y), batch_size=2)
    >>> [tuple(xb.shape) for xb, yb in loader], len(loader)
    ([(2, 2), (2, 2), (1, 2)], 3)
    """

    def __init__(self, dataset: Any, batch_size: int = 1, shuffle: bool = False,
                 drop_last: bool = False, collate_fn: Callable[[list], Any] | None = None,
                 generator: np.random.Generator | int | None = None,
                 transform: Callable[[np.ndarray], np.ndarray] | None = None,
                 sampler: Any = None) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        self.dataset = dataset
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        self.transform = transform
        self._generator = as_generator(generator)
        self._in_epoch = False
        self._epoch_start_state: dict | None = None  # generator state before this epoch's draw
        self._batches_done = 0
        self._skip = 0

    @property
    def generator(self) -> np.random.Generator:
        """The generator that shuffles (created from the global generator on first use)."""
        if self._generator is None:
            self._generator = spawn_from_global()
        return self._generator

    @generator.setter
    def generator(self, value: np.random.Generator | int | None) -> None:
        self._generator = as_generator(value)

    def __len__(self) -> int:
        n = len(self.dataset) if self.sampler is None else len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _order(self) -> np.ndarray:
        if self.sampler is not None:
            return np.fromiter(self.sampler, dtype=np.int64)
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n, dtype=np.int64)
        return self.generator.permutation(n).astype(np.int64, copy=False)

    def __iter__(self) -> Iterator[Any]:
        self._in_epoch = True
        self._epoch_start_state = (copy.deepcopy(self.generator.bit_generator.state)
                                   if self.shuffle else None)
        order = self._order()
        skip, self._skip = self._skip, 0
        fast = self.collate_fn is None and supports_batches(self.dataset)
        self._batches_done = skip
        for b in range(skip, len(self)):
            indices = order[b * self.batch_size:(b + 1) * self.batch_size]
            if fast:
                batch = tuple(self.dataset.get_batch(indices))
            else:
                samples = [self.dataset[int(i)] for i in indices]
                batch = (_collate_arrays(samples) if self.collate_fn is None
                         else self.collate_fn(samples))
            batch = self._apply_transform(batch)
            if self.collate_fn is None:
                batch = _wrap(batch)
            self._batches_done = b + 1
            yield batch
        self._in_epoch, self._epoch_start_state, self._batches_done = False, None, 0

    def _apply_transform(self, batch: Any) -> Any:
        if self.transform is None:
            return batch
        if isinstance(batch, (tuple, list)) and batch:
            return type(batch)([self._apply_transform_one(batch[0]), *batch[1:]])
        return self._apply_transform_one(batch)

    def _apply_transform_one(self, x: Any) -> Any:
        if is_tensor(x):
            return to_tensor(np.asarray(self.transform(x.numpy())))
        return self.transform(x)

    def state_dict(self) -> dict:
        """Where the shuffling stands: ``{"generator_state", "batches_done"}``.

        Taken mid-epoch, it holds the generator state from before this epoch's shuffle and the
        number of batches already yielded, so ``load_state_dict`` resumes with the next batch.
        """
        state = self._epoch_start_state
        if state is None and (self.shuffle or self._generator is not None):
            state = self.generator.bit_generator.state
        return {"generator_state": copy.deepcopy(state),  # None: never needed a generator
                "batches_done": self._batches_done if self._in_epoch else self._skip}

    def load_state_dict(self, state: dict) -> None:
        """Restore ``state_dict()``: the next epoch replays that order, skipping done batches."""
        if state.get("generator_state") is not None:
            self.generator.bit_generator.state = copy.deepcopy(state["generator_state"])
        self._skip = int(state.get("batches_done", 0))
        self._in_epoch, self._epoch_start_state = False, None
