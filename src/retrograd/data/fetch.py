"""Turning indices into batches, the same way in the main process and in worker processes.

A ``Fetcher`` holds what a worker needs (the dataset, the collate function, the loader's batch
transform) and is pickled once into each worker. Batches stay NumPy arrays here; the main
process wraps them into Tensors (``finish``), so workers send plain arrays back.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator

import numpy as np

from ._utils import is_tensor, to_tensor
from .collate import _collate_arrays, _wrap
from .dataset import supports_batches


class Fetcher:
    """Build one batch: from a batch of indices (map-style), from one index (``batch_size=None``)
    or from the next samples of an iterator (``IterableDataset``)."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable | None,
                 transform: Callable | None, iterable: bool, batch_size: int | None,
                 drop_last: bool) -> None:
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn
        self.transform, self.iterable = transform, iterable
        self.batch_size, self.drop_last = batch_size, drop_last
        self.fast = (collate_fn is None and auto_collation and not iterable
                     and supports_batches(dataset))

    # ----- map-style --------------------------------------------------------------------------
    def fetch(self, indices: Any) -> Any:
        """The batch for ``indices`` (an int array or list; one index without auto-collation)."""
        if not self.auto_collation:
            return self._collate_one(self.dataset[indices])
        if self.fast:
            return self._transform(tuple(self.dataset.get_batch(np.asarray(indices,
                                                                           dtype=np.int64))))
        return self._collate([self.dataset[int(i)] for i in indices])

    # ----- iterable-style ---------------------------------------------------------------------
    def fetch_next(self, iterator: Iterator) -> Any:
        """The next batch from ``iterator``; ``StopIteration`` when there is none."""
        if not self.auto_collation:
            return self._collate_one(next(iterator))
        samples = []
        for sample in iterator:
            samples.append(sample)
            if len(samples) == self.batch_size:
                break
        if not samples or (self.drop_last and len(samples) < self.batch_size):
            raise StopIteration
        return self._collate(samples)

    # ----- collation --------------------------------------------------------------------------
    def _collate(self, samples: list) -> Any:
        collate = _collate_arrays if self.collate_fn is None else self.collate_fn
        return self._transform(collate(samples))

    def _collate_one(self, sample: Any) -> Any:
        return sample if self.collate_fn is None else self.collate_fn(sample)

    def _transform(self, batch: Any) -> Any:
        """The loader's batch ``transform`` on the first field (the inputs)."""
        if self.transform is None:
            return batch
        if isinstance(batch, (tuple, list)) and batch:
            return type(batch)([self._transform_one(batch[0]), *batch[1:]])
        return self._transform_one(batch)

    def _transform_one(self, x: Any) -> Any:
        if is_tensor(x):
            return to_tensor(np.asarray(self.transform(x.numpy())))
        return self.transform(x)

    def finish(self, batch: Any) -> Any:
        """In the main process: arrays of a default-collated batch become Tensors."""
        return _wrap(batch) if self.collate_fn is None else batch
