"""``DataLoader``: ``torch.utils.data.DataLoader``'s signature and behaviour over retrograd.

A sampler picks the indices of an epoch, a ``BatchSampler`` groups them, a fetcher turns each
group into a batch (``dataset.get_batch(indices)`` in one fancy-indexing call when the dataset
has it and no ``collate_fn`` is given, else ``dataset[i]`` per sample and the collate function),
in this process or in ``num_workers`` worker processes. Default-collated batches are Tensors.
"""
from __future__ import annotations

import copy
import itertools
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from ._utils import as_generator, global_generator, spawn_from_global
from .collate import default_collate, default_convert
from .dataset import IterableDataset
from .fetch import Fetcher
from .samplers import BatchSampler, RandomSampler, Sampler, SequentialSampler
from .worker import WorkerPool

__all__ = ["DataLoader", "default_collate", "default_convert"]


def _check_options(batch_size, shuffle, sampler, batch_sampler, num_workers, drop_last,
                   timeout, prefetch_factor, persistent_workers, iterable: bool) -> None:
    """PyTorch's argument checks, with its messages."""
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(
            batch_size, (int, np.integer)) or batch_size < 1):
        raise ValueError(f"DataLoader: batch_size must be a positive int or None, got "
                         f"{batch_size!r}")
    if num_workers < 0:
        raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                         "disable multiprocessing.")
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("prefetch_factor option could only be specified in multiprocessing: "
                         "let num_workers > 0 to enable it, otherwise set prefetch_factor to None")
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")
    if iterable:
        for name, value in (("shuffle", shuffle), ("sampler", sampler),
                            ("batch_sampler", batch_sampler)):
            if value not in (None, False):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"{name} option, but got {name}={value!r}")
    if sampler is not None and shuffle:
        raise ValueError("sampler option is mutually exclusive with shuffle")
    if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None
                                      or drop_last):
        raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, "
                         "sampler, and drop_last")
    if batch_size is None and drop_last:
        raise ValueError("batch_size=None option disables auto-batching and is mutually "
                         "exclusive with drop_last")


class DataLoader:
    """Iterate over ``dataset`` in batches of Tensors.

    ``DataLoader(dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
    num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
    worker_init_fn=None, multiprocessing_context=None, generator=None, *, prefetch_factor=None,
    persistent_workers=False, pin_memory_device='', in_order=True, transform=None)``

    As PyTorch's: ``sampler`` is any iterable of indices with ``__len__`` (a ``Sampler``, a
    ``DistributedSampler``, a list); ``batch_sampler`` yields lists of indices;
    ``batch_size=None`` turns batching off; ``num_workers`` > 0 loads in that many processes
    (``prefetch_factor`` batches ahead each, default 2; ``persistent_workers`` keeps them between
    epochs; ``timeout`` seconds to wait for a batch, 0 for ever); ``pin_memory`` is accepted
    and does nothing (CPU only). ``generator`` is a ``retrograd.Generator`` (or a NumPy one, or
    an int seed); when None, the shuffling sampler makes its own from retrograd's global
    generator on first use. Each epoch takes the workers' base seed from ``generator`` (the
    global generator when None), as PyTorch: one generator seed gives the same worker seeds and
    so the same random augmentations, whatever the global seed (a generator that shuffles is
    not advanced by it, so orders are as without workers). ``transform`` (retrograd's) is
    applied to the inputs of every batch (its first field, a NumPy array (B, ...)), e.g. a
    batched ``RandomCrop``.
    ``state_dict()``/``load_state_dict()`` resume the shuffled order mid-epoch.

    >>> import numpy as np
    >>> from retrograd.data import DataLoader, TensorDataset
    >>> x = np.arange(10, dtype=np.float32).reshape(5, 2); y = np.arange(5)
    >>> loader = DataLoader(TensorDataset(x, y), batch_size=2)
    >>> [tuple(xb.shape) for xb, yb in loader], len(loader)
    ([(2, 2), (2, 2), (1, 2)], 3)
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Sampler | Iterable | None = None,
                 batch_sampler: Sampler | Iterable | None = None, num_workers: int = 0,
                 collate_fn: Callable[[list], Any] | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context: Any = None,
                 generator: np.random.Generator | int | None = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True,
                 transform: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        iterable = isinstance(dataset, IterableDataset)
        _check_options(batch_size, shuffle, sampler, batch_sampler, num_workers, drop_last,
                       timeout, prefetch_factor, persistent_workers, iterable)
        self.dataset, self.num_workers, self.timeout = dataset, num_workers, timeout
        self.prefetch_factor = 2 if num_workers > 0 and prefetch_factor is None else prefetch_factor
        self.pin_memory, self.pin_memory_device = pin_memory, pin_memory_device
        self.worker_init_fn, self.multiprocessing_context = worker_init_fn, multiprocessing_context
        self.persistent_workers, self.in_order = persistent_workers, in_order
        self.transform = transform
        self.shuffle = bool(shuffle)
        self._generator = as_generator(generator)
        if batch_sampler is not None:
            batch_size, drop_last = None, False
        if sampler is None and not iterable:
            sampler = (RandomSampler(dataset, generator=self._generator) if self.shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None and not iterable:
            batch_sampler = BatchSampler(sampler, int(batch_size), bool(drop_last))
        self.batch_size = None if batch_size is None else int(batch_size)
        self.drop_last, self.sampler, self.batch_sampler = bool(drop_last), sampler, batch_sampler
        auto_collation = batch_sampler is not None or (iterable and batch_size is not None)
        self.collate_fn = collate_fn or (default_collate if auto_collation else default_convert)
        self._fetcher = Fetcher(dataset, auto_collation, collate_fn, transform, iterable,
                                self.batch_size, self.drop_last)
        self._pool: WorkerPool | None = None  # the persistent workers, once started
        self._in_epoch = False
        self._epoch_start_state: dict | None = None  # generator state before this epoch's draw
        self._batches_done = 0
        self._skip = 0
        self._epoch_base_seed: int | None = None  # this epoch's workers' base seed
        self._resume_base_seed: int | None = None  # the interrupted epoch's, after load_state_dict

    # ----- randomness -------------------------------------------------------------------------
    def _random_sampler(self) -> Any:
        """The sampler whose generator orders the epoch (None when the order is fixed)."""
        for s in (self.sampler, getattr(self.batch_sampler, "sampler", None)):
            if isinstance(getattr(s, "generator", None), np.random.Generator) or \
                    isinstance(s, RandomSampler):
                return s
        return None

    @property
    def generator(self) -> np.random.Generator:
        """The generator that shuffles (created from the global generator on first use)."""
        sampler = self._random_sampler()
        if sampler is None and self._generator is None:
            self._generator = spawn_from_global()
        return self._generator if sampler is None else sampler.generator

    @generator.setter
    def generator(self, value: np.random.Generator | int | None) -> None:
        self._generator = as_generator(value)
        sampler = self._random_sampler()
        if sampler is not None:
            sampler.generator = self._generator

    # ----- iteration --------------------------------------------------------------------------
    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)  # TypeError when the stream has no length, as in PyTorch
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def _index_batches(self) -> Iterator | None:
        """This epoch's groups of indices (None for an IterableDataset)."""
        if isinstance(self.dataset, IterableDataset):
            return None
        if isinstance(self.batch_sampler, BatchSampler):
            return self.batch_sampler.batches()
        return iter(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def _draw_base_seed(self) -> int | None:
        """The workers' base seed for the epoch that starts, as PyTorch from ``generator`` when
        one was given (else from the global generator, where workers need one): one generator
        seed gives the same worker seeds whatever the global seed. A generator that also
        shuffles gives the number it would draw next without advancing, so the epoch's order is
        the same with or without workers and as before this seed existed (PyTorch advances it).
        None: no seed needed (no workers, or persistent workers that keep theirs)."""
        if self.num_workers > 0 and self.persistent_workers and self._pool is not None:
            return None
        if self._generator is None:
            return int(global_generator().integers(0, 2**62)) if self.num_workers > 0 else None
        if self._generator is self._state_generator() and self._random_sampler() is not None:
            peek = np.random.Generator(copy.deepcopy(self._generator.bit_generator))
            return int(peek.integers(0, 2**62))
        return int(self._generator.integers(0, 2**62))  # nothing else draws from it

    def _raw_batches(self, indices: Iterator | None, base_seed: int | None) -> Iterator[Any]:
        if self.num_workers > 0:
            pool = self._pool or WorkerPool(self._fetcher, self.num_workers, self.worker_init_fn,
                                            self.multiprocessing_context, base_seed)
            if self.persistent_workers:
                self._pool = pool
            try:
                yield from pool.run(indices, self.prefetch_factor, self.timeout, self.in_order)
            finally:
                if not self.persistent_workers:
                    pool.shutdown()
        elif indices is None:
            stream = iter(self.dataset)
            while True:
                try:
                    batch = self._fetcher.fetch_next(stream)
                except StopIteration:
                    return
                yield batch
        else:
            for group in indices:
                yield self._fetcher.fetch(group)

    def _state_generator(self) -> np.random.Generator | None:
        """The generator whose state ``state_dict`` keeps: the shuffling one, else ``generator``."""
        sampler = self._random_sampler()
        return sampler.generator if sampler is not None else self._generator

    def __iter__(self) -> Iterator[Any]:
        self._in_epoch = True
        held = self._state_generator()
        self._epoch_start_state = (copy.deepcopy(held.bit_generator.state)
                                   if held is not None else None)
        skip, self._skip = self._skip, 0
        resumed, self._resume_base_seed = self._resume_base_seed, None
        if resumed is not None and not (held is not None and held is self._generator):
            base_seed = resumed  # drawn before the checkpoint from a stream not rewound: not again
        else:  # a fresh epoch, or one replayed from its generator's start state
            base_seed = self._draw_base_seed()
        self._epoch_base_seed = base_seed
        indices = self._index_batches()
        if skip and indices is not None:
            indices = itertools.islice(indices, skip, None)
        self._batches_done = skip
        for batch in self._raw_batches(indices, base_seed):
            self._batches_done += 1
            yield self._fetcher.finish(batch)
        self._in_epoch, self._epoch_start_state, self._batches_done = False, None, 0

    def __del__(self) -> None:
        pool = getattr(self, "_pool", None)
        if pool is not None:  # persistent workers
            try:
                pool.shutdown()
            except Exception:  # at interpreter exit queues may be gone; workers are daemons
                pass

    # ----- resuming ---------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """Where the shuffling stands: ``{"generator_state", "batches_done", "base_seed"}``.

        Taken mid-epoch, it holds the generator state from before this epoch's shuffle and the
        number of batches already yielded, so ``load_state_dict`` resumes with the next batch.
        """
        state = self._epoch_start_state
        if state is None and (self._random_sampler() is not None or self._generator is not None):
            state = self.generator.bit_generator.state
        return {"generator_state": copy.deepcopy(state),  # None: never needed a generator
                "batches_done": self._batches_done if self._in_epoch else self._skip,
                "base_seed": self._epoch_base_seed if self._in_epoch else self._resume_base_seed}

    def load_state_dict(self, state: dict) -> None:
        """Restore ``state_dict()``: the next epoch replays that order, skipping done batches."""
        if state.get("generator_state") is not None:
            self.generator.bit_generator.state = copy.deepcopy(state["generator_state"])
        self._skip = int(state.get("batches_done", 0))
        seed = state.get("base_seed")
        self._resume_base_seed = None if seed is None or not self._skip else int(seed)
        self._in_epoch, self._epoch_start_state = False, None
