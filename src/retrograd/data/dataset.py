"""Datasets: map-style ``Dataset``, ``TensorDataset``, ``Subset``, ``ConcatDataset`` and
``random_split``; ``IterableDataset`` and ``ChainDataset`` for streams.

Fast-path protocol: a dataset whose samples are rows of whole arrays may define
``get_batch(indices) -> tuple[np.ndarray, ...]`` returning, for an int64 index array of shape (B,),
the batched fields exactly as stacking ``dataset[i]`` for each ``i`` would. ``DataLoader`` then
builds each batch with one fancy-indexing call instead of a Python loop over samples.
"""
from __future__ import annotations

import bisect
import math
from typing import Any, Sequence

import numpy as np

from ._utils import as_generator, global_generator, is_tensor, to_numpy, to_tensor


class Dataset:
    """Base class of map-style datasets: subclasses define ``__getitem__`` and ``__len__``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def __add__(self, other: "Dataset") -> "ConcatDataset":
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Base class of datasets that are streams: subclasses define ``__iter__`` (samples).

    With ``DataLoader(num_workers=N)`` every worker iterates its own copy; split the work in
    ``__iter__`` with ``get_worker_info()`` (None in the main process), or each sample comes N
    times.
    """

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __getitem__(self, index: int) -> Any:
        raise TypeError(f"{type(self).__name__} is an IterableDataset: iterate over it instead "
                        "of indexing it")

    def __len__(self) -> int:  # a TypeError, so that list(loader) does without a length
        raise TypeError(f"{type(self).__name__} is an IterableDataset without __len__")

    def __add__(self, other: Any) -> "ChainDataset":
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """Several iterable datasets one after another (``stream_a + stream_b``)."""

    def __init__(self, datasets: Sequence[Any]) -> None:
        self.datasets = list(datasets)

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise TypeError(f"ChainDataset only chains IterableDatasets, got "
                                f"{type(d).__name__}")
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)


def supports_batches(dataset: Any) -> bool:
    """True when ``dataset.get_batch`` can serve whole batches (see module docstring)."""
    get_batch = getattr(dataset, "get_batch", None)
    if get_batch is None:
        return False
    ok = getattr(dataset, "batchable", True)
    return bool(ok() if callable(ok) else ok)


class TensorDataset(Dataset):
    """Rows of several Tensors or arrays with the same first dimension.

    ``TensorDataset(x, y)[i] == (x[i], y[i])``. Inputs: Tensors or arrays of shape (N, ...).

    >>> import numpy as np
    >>> ds = TensorDataset(np.zeros((4, 3), np.float32), np.arange(4))
    >>> x, y = ds[1]
    >>> len(ds), x.shape, int(y)
    (4, (3,), 1)
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        self.tensors = tensors
        self._arrays = tuple(to_numpy(t) for t in tensors)
        self._wrap = tuple(is_tensor(t) for t in tensors)
        if any(a.ndim == 0 for a in self._arrays):
            raise ValueError("TensorDataset: every tensor needs a first (sample) dimension; "
                             f"got shapes {[a.shape for a in self._arrays]}")
        if len({a.shape[0] for a in self._arrays}) != 1:
            raise ValueError("TensorDataset: size mismatch between tensors, first dimensions "
                             f"differ: shapes {[tuple(a.shape) for a in self._arrays]}")

    def __getitem__(self, index: int) -> tuple:
        return tuple(to_tensor(a[index]) if w else a[index]
                     for a, w in zip(self._arrays, self._wrap))

    def __len__(self) -> int:
        return self._arrays[0].shape[0]

    def arrays(self) -> tuple[np.ndarray, ...]:
        """The whole arrays, shapes (N, ...), as stored (no copy)."""
        return self._arrays

    def get_batch(self, indices: np.ndarray) -> tuple[np.ndarray, ...]:
        """Rows ``indices`` (shape (B,)) of every array: shapes (B, ...)."""
        return tuple(a[indices] for a in self._arrays)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``: ``Subset(ds, idx)[i] == ds[idx[i]]``."""

    def __init__(self, dataset: Any, indices: Sequence[int] | np.ndarray) -> None:
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64).reshape(-1)

    def __getitem__(self, index: int | Sequence[int]) -> Any:
        if isinstance(index, (list, tuple, np.ndarray)):
            return [self.dataset[int(i)] for i in self.indices[np.asarray(index, dtype=np.int64)]]
        return self.dataset[int(self.indices[index])]

    def __len__(self) -> int:
        return len(self.indices)

    def batchable(self) -> bool:
        return supports_batches(self.dataset)

    def get_batch(self, indices: np.ndarray) -> tuple[np.ndarray, ...]:
        """The parent's batch at ``self.indices[indices]``."""
        return self.dataset.get_batch(self.indices[indices])

    def arrays(self) -> tuple[np.ndarray, ...]:
        """Whole arrays of the subset (copies), shapes (len(self), ...)."""
        return self.dataset.get_batch(self.indices)


class ConcatDataset(Dataset):
    """Several datasets one after another (``ds_a + ds_b``)."""

    def __init__(self, datasets: Sequence[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset needs at least one dataset")
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]).tolist())

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"index out of range for ConcatDataset of length {len(self)}")
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


def _split_lengths(lengths: Sequence[int | float], n: int) -> list[int]:
    """Turn ``lengths`` (ints summing to n, or fractions summing to 1) into ints."""
    lengths = list(lengths)
    if not lengths:
        raise ValueError("random_split: lengths must not be empty")
    if any(x < 0 for x in lengths):
        raise ValueError(f"random_split: lengths must be non-negative, got {lengths}")
    all_int = all(isinstance(x, (int, np.integer)) and not isinstance(x, bool) for x in lengths)
    if not all_int:
        if not math.isclose(sum(lengths), 1.0, abs_tol=1e-6) or any(x > 1 for x in lengths):
            raise ValueError(f"random_split: fractions must sum to 1, got {lengths} "
                             f"(sum {sum(lengths)})")
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):  # spread the remainder round-robin, like PyTorch
            counts[i % len(counts)] += 1
        return counts
    if sum(lengths) != n:
        raise ValueError(f"random_split: sum of lengths {sum(lengths)} does not equal the "
                         f"length of the dataset {n}")
    return [int(x) for x in lengths]


def random_split(dataset: Any, lengths: Sequence[int | float],
                 generator: np.random.Generator | int | None = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random ``Subset`` s of the given lengths.

    ``lengths``: ints summing to ``len(dataset)``, or fractions summing to 1 (floored, the
    remainder handed out one by one from the first split). ``generator``: a
    ``numpy.random.Generator``, an int seed, or None for retrograd's global generator.

    >>> a, b = random_split(TensorDataset(np.arange(10)), [0.8, 0.2], generator=0)
    >>> len(a), len(b)
    (8, 2)
    """
    n = len(dataset)
    counts = _split_lengths(lengths, n)
    rng = as_generator(generator) or global_generator()
    order = rng.permutation(n)
    bounds = np.cumsum([0] + counts)
    return [Subset(dataset, order[bounds[i]:bounds[i + 1]]) for i in range(len(counts))]
