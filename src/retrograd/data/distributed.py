"""DistributedSampler: each rank's share of a dataset's indices, a new shuffle every epoch."""
from __future__ import annotations

import math
from typing import Any, Iterator

import numpy as np


class DistributedSampler:
    """Indices of ``dataset`` for rank ``rank`` of ``num_replicas`` (PyTorch's semantics).

    Every epoch the indices are shuffled (``shuffle``) by a generator seeded with ``seed +
    epoch``, the same on every rank, then dealt round-robin: rank r gets positions r, r + R, ...
    So each epoch covers the dataset once across ranks. When the length does not divide by R,
    the first indices are repeated to make it divide (``drop_last=False``) or the tail is dropped
    (``drop_last=True``). Call ``set_epoch(epoch)`` at the start of every epoch, before
    iterating, or every epoch repeats the first one's order. ``num_replicas`` and ``rank``
    default to the default process group's.

    >>> from retrograd.data import DistributedSampler
    >>> [list(DistributedSampler(range(5), num_replicas=2, rank=r, shuffle=False)) for r in (0, 1)]
    [[0, 2, 4], [1, 3, 0]]
    """

    def __init__(self, dataset: Any, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            from .. import distributed as dist

            num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
            rank = dist.get_rank() if rank is None else rank
        if num_replicas < 1:
            raise ValueError(f"DistributedSampler: num_replicas must be at least 1, got {num_replicas}")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset, self.num_replicas, self.rank = dataset, int(num_replicas), int(rank)
        self.shuffle, self.seed, self.drop_last, self.epoch = shuffle, int(seed), drop_last, 0
        n = len(dataset)
        if drop_last and n % self.num_replicas:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas

    def __iter__(self) -> Iterator[int]:
        n = len(self.dataset)
        if self.shuffle:
            indices = np.random.default_rng(self.seed + self.epoch).permutation(n)
        else:
            indices = np.arange(n)
        if self.drop_last:
            indices = indices[:self.total_size]
        elif self.total_size > n:
            indices = np.resize(indices, self.total_size)  # repeats from the start
        return iter(indices[self.rank:self.total_size:self.num_replicas].tolist())

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Shuffle the next iteration with ``seed + epoch`` (call at each epoch's start)."""
        self.epoch = int(epoch)
