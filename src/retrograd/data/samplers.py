"""Samplers (``torch.utils.data``'s): which dataset indices an epoch visits, in which order, and
how they are grouped into batches.

A sampler is any iterable of indices with ``__len__``; ``BatchSampler`` groups one into lists.
The built-in ones also offer ``epoch_indices()``, the whole epoch as one int64 array, which
``DataLoader`` slices into batches without a Python loop per sample.

Randomness comes from a ``numpy.random.Generator`` (or an int seed). A sampler given none
makes its own on first use, seeded by one draw from retrograd's global generator, so
``retrograd.manual_seed`` fixes the orders; ``sampler.generator`` is that generator.

>>> import numpy as np
>>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
[[0, 1], [2, 3], [4]]
>>> sorted(RandomSampler(range(4), generator=0))
[0, 1, 2, 3]
"""
from __future__ import annotations

import itertools
from typing import Any, Iterable, Iterator, Sequence, Sized

import numpy as np

from ._utils import as_generator, spawn_from_global, to_numpy


class Sampler:
    """Base class: subclasses define ``__iter__`` (indices) and usually ``__len__``."""

    def __init__(self, data_source: Sized | None = None) -> None:
        pass

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class _Randomised(Sampler):
    """A sampler that draws from ``self.generator`` (made from the global one on first use)."""

    _generator: np.random.Generator | None = None

    @property
    def generator(self) -> np.random.Generator:
        if self._generator is None:
            self._generator = spawn_from_global()
        return self._generator

    @generator.setter
    def generator(self, value: np.random.Generator | int | None) -> None:
        self._generator = as_generator(value)

    def epoch_indices(self) -> np.ndarray:  # pragma: no cover - each subclass draws its own
        raise NotImplementedError

    def __iter__(self) -> Iterator[int]:
        return iter(self.epoch_indices().tolist())


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def epoch_indices(self) -> np.ndarray:
        return np.arange(len(self.data_source), dtype=np.int64)

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(_Randomised):
    """A random permutation of the dataset's indices each epoch; ``num_samples`` of them (by
    whole permutations, then part of one), or with ``replacement`` independent draws."""

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: int | None = None,
                 generator: np.random.Generator | int | None = None) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement should be a boolean value, got "
                            f"{replacement!r}")
        self.data_source, self.replacement = data_source, replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"RandomSampler: num_samples should be a positive integer, got "
                             f"{self.num_samples!r}")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def epoch_indices(self) -> np.ndarray:
        n, rng = len(self.data_source), self.generator
        if self.replacement:
            return rng.integers(0, n, size=self.num_samples, dtype=np.int64)
        whole, part = divmod(self.num_samples, n)
        orders = [rng.permutation(n) for _ in range(whole)]
        if part:
            orders.append(rng.permutation(n)[:part])
        return np.concatenate(orders).astype(np.int64, copy=False)

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(_Randomised):
    """The given ``indices``, in a random order each epoch."""

    def __init__(self, indices: Sequence[int],
                 generator: np.random.Generator | int | None = None) -> None:
        self.indices = indices
        self.generator = generator

    def epoch_indices(self) -> np.ndarray:
        order = self.generator.permutation(len(self.indices))
        return np.asarray(to_numpy(self.indices), dtype=np.int64).reshape(-1)[order]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(_Randomised):
    """``num_samples`` indices drawn with probabilities proportional to ``weights`` (N,), with
    replacement by default (without: each index at most once, needs ``num_samples <= N``)."""

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: np.random.Generator | int | None = None) -> None:
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(f"WeightedRandomSampler: num_samples should be a positive integer, "
                             f"got {num_samples!r}")
        if not isinstance(replacement, bool):
            raise ValueError(f"WeightedRandomSampler: replacement should be a boolean value, got "
                             f"{replacement!r}")
        w = np.asarray(to_numpy(weights), dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"WeightedRandomSampler: weights should be a 1d sequence, got shape "
                             f"{tuple(w.shape)}")
        if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise RuntimeError("WeightedRandomSampler: weights must be finite, non-negative and "
                               "not all zero")
        if not replacement and num_samples > np.count_nonzero(w):
            raise RuntimeError(f"WeightedRandomSampler: cannot draw {num_samples} samples without "
                               f"replacement from {np.count_nonzero(w)} non-zero weights")
        self.weights, self.num_samples, self.replacement = w, num_samples, replacement
        self.generator = generator

    def epoch_indices(self) -> np.ndarray:
        return self.generator.choice(len(self.weights), size=self.num_samples,
                                     replace=self.replacement,
                                     p=self.weights / self.weights.sum()).astype(np.int64)

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Group the indices of ``sampler`` into lists of ``batch_size`` (the last one shorter,
    unless ``drop_last``)."""

    def __init__(self, sampler: Sampler | Iterable[int], batch_size: int,
                 drop_last: bool) -> None:
        if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) \
                or batch_size <= 0:
            raise ValueError(f"BatchSampler: batch_size should be a positive integer value, got "
                             f"{batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"BatchSampler: drop_last should be a boolean value, got "
                             f"{drop_last!r}")
        self.sampler, self.batch_size, self.drop_last = sampler, int(batch_size), drop_last

    def batches(self) -> Iterator[np.ndarray | list]:
        """The batches as int64 arrays when the sampler draws a whole epoch at once (no loop
        per index), else as lists."""
        epoch = getattr(self.sampler, "epoch_indices", None)
        if epoch is None:
            yield from self._from_iterator()
            return
        order = epoch()
        stop = len(order) - len(order) % self.batch_size if self.drop_last else len(order)
        for start in range(0, stop, self.batch_size):
            yield order[start:start + self.batch_size]

    def _from_iterator(self) -> Iterator[list]:
        it = iter(self.sampler)
        while True:
            batch = list(itertools.islice(it, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield batch

    def __iter__(self) -> Iterator[list[int]]:
        for batch in self.batches():
            yield batch.tolist() if isinstance(batch, np.ndarray) else batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
