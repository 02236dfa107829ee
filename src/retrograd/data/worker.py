"""Worker processes for ``DataLoader(num_workers=N)``: PyTorch's design, in miniature.

The main process sends each worker tasks on its own queue (a batch of indices, or "next batch"
for an ``IterableDataset``); workers build batches with the pickled ``Fetcher`` and send them
back, as NumPy arrays, on one shared result queue; the main process yields them in task order.
Everything that crosses is an in-process object (the dataset, indices, arrays); no file is
unpickled. It works with every start method ("fork", "forkserver", "spawn"), provided that
what the loader holds pickles (a lambda ``collate_fn`` does not, under "spawn").

Each worker runs ops on one thread and seeds Python's ``random`` and retrograd's global
generator with ``base_seed + worker_id`` (as PyTorch's workers do with their threads, ``random``
and torch's generator). Like PyTorch, it leaves NumPy's legacy
global ``np.random`` alone: seed it in ``worker_init_fn`` if the dataset draws from it.
"""
from __future__ import annotations

import itertools
import multiprocessing
import queue
import random
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from .fetch import Fetcher

_POLL_S = 1.0  # how often a waiting side checks that the other side is still alive


@dataclass(frozen=True)
class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker: its ``id`` (0 to ``num_workers - 1``),
    ``num_workers``, ``seed`` and its own copy of the ``dataset``."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """The ``WorkerInfo`` of the calling DataLoader worker; None in the main process. An
    ``IterableDataset.__iter__`` uses it to give each worker its own share of the data."""
    return _worker_info


class _Exhausted:
    """Reply of a worker whose ``IterableDataset`` iterator has run out."""


class _WorkerError:
    """An exception raised in a worker, carried to the main process as text and re-raised."""

    def __init__(self, worker_id: int, exc: BaseException) -> None:
        self.exc_type, self.worker_id = type(exc), worker_id
        self.text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))

    def reraise(self) -> None:
        message = (f"Caught {self.exc_type.__name__} in DataLoader worker process "
                   f"{self.worker_id}.\nOriginal {self.text}")
        try:
            error = self.exc_type(message)
        except Exception:  # an exception type that wants other arguments
            error = RuntimeError(message)
        raise error


def _worker_loop(fetcher: Fetcher, tasks: Any, results: Any, worker_id: int, num_workers: int,
                 seed: int, init_fn: Callable[[int], None] | None) -> None:
    """A worker's whole life: seed, run ``init_fn``, answer tasks until told to stop."""
    global _worker_info
    _worker_info = WorkerInfo(worker_id, num_workers, seed, fetcher.dataset)
    from .. import manual_seed, set_num_threads
    # One op thread per worker, as PyTorch's workers: N workers already share the cores, and a
    # forked child must not wait on the parent's thread pool, whose threads it did not inherit.
    set_num_threads(1)
    random.seed(seed)
    manual_seed(seed % 2**63)
    init_error = None
    try:
        if init_fn is not None:
            init_fn(worker_id)
    except Exception as exc:  # reported with the first task
        init_error = _WorkerError(worker_id, exc)
    parent = multiprocessing.parent_process()
    iterator, iterator_epoch = None, None
    while True:
        try:
            task = tasks.get(timeout=_POLL_S)
        except queue.Empty:
            if parent is not None and not parent.is_alive():
                return
            continue
        if task is None:
            return
        epoch, task_id, indices = task
        try:
            if init_error is not None:
                raise RuntimeError("worker_init_fn failed") from None
            if fetcher.iterable:
                if iterator_epoch != epoch:
                    iterator, iterator_epoch = iter(fetcher.dataset), epoch
                reply = (fetcher.fetch_next(iterator) if iterator is not None else _Exhausted())
            else:
                reply = fetcher.fetch(indices)
        except StopIteration:
            iterator, reply = None, _Exhausted()
        except Exception as exc:
            reply = init_error or _WorkerError(worker_id, exc)
        results.put((epoch, task_id, reply))


class WorkerPool:
    """``num_workers`` processes with a task queue each and one result queue."""

    def __init__(self, fetcher: Fetcher, num_workers: int, init_fn: Callable | None,
                 context: Any, base_seed: int) -> None:
        if context is None:
            context = multiprocessing.get_context()
        elif isinstance(context, str):
            context = multiprocessing.get_context(context)
        self.results = context.Queue()
        self.tasks = [context.Queue() for _ in range(num_workers)]
        self.processes = []
        self.epoch = 0
        for i in range(num_workers):
            process = context.Process(
                target=_worker_loop, daemon=True, name=f"retrograd-dataloader-{i}",
                args=(fetcher, self.tasks[i], self.results, i, num_workers, base_seed + i,
                      init_fn))
            try:
                process.start()
            except Exception as exc:
                self.shutdown()
                raise type(exc)(f"DataLoader: could not start worker {i} ({exc}); with the "
                                "'spawn' start method the dataset, collate_fn and "
                                "worker_init_fn must pickle (no lambdas)") from exc
            self.processes.append(process)

    def _get(self, timeout: float) -> tuple:
        """The next result; raises if it takes over ``timeout`` s (when > 0) or a worker died."""
        start = time.monotonic()
        while True:
            wait = _POLL_S if timeout <= 0 else min(_POLL_S, timeout - (time.monotonic() - start))
            try:
                return self.results.get(timeout=max(wait, 0.001))
            except queue.Empty:
                dead = [p.pid for p in self.processes if not p.is_alive()]
                if dead:
                    raise RuntimeError(f"DataLoader worker (pid(s) {', '.join(map(str, dead))}) "
                                       "exited unexpectedly") from None
                if timeout > 0 and time.monotonic() - start >= timeout:
                    raise RuntimeError(f"DataLoader timed out after {timeout} seconds") from None

    def run(self, batches: Iterator | None, prefetch: int, timeout: float,
            in_order: bool = True) -> Iterator[Any]:
        """Yield the batches of one epoch: ``batches`` of indices (map-style) or None (each
        worker iterates its own copy of an ``IterableDataset`` until it runs out)."""
        self.epoch += 1
        epoch, workers = self.epoch, list(range(len(self.processes)))
        turn = itertools.cycle(workers)
        live = set(workers)
        outstanding: dict[int, int] = {}  # task id -> worker
        done: dict[int, Any] = {}
        next_task = next_yield = 0

        def dispatch() -> bool:
            nonlocal next_task
            if not live:
                return False
            if batches is None:
                worker = next(turn)
                while worker not in live:
                    worker = next(turn)
                indices = None
            else:
                indices = next(batches, None)
                if indices is None:
                    return False
                worker = next(turn)
            self.tasks[worker].put((epoch, next_task, indices))
            outstanding[next_task] = worker
            next_task += 1
            return True

        for _ in range(prefetch * len(workers)):
            if not dispatch():
                break
        while True:
            while done and (not in_order or next_yield in done):  # hand out what is ready
                reply = done.pop(next_yield if in_order else next(iter(done)))
                next_yield += 1
                dispatch()
                if isinstance(reply, _WorkerError):
                    reply.reraise()
                if reply is not _SKIP:
                    yield reply
            if not outstanding:
                return
            got_epoch, task_id, reply = self._get(timeout)
            if got_epoch != epoch:
                continue  # left over from an epoch abandoned mid-way (persistent workers)
            worker = outstanding.pop(task_id)
            if isinstance(reply, _Exhausted):
                live.discard(worker)
                reply = _SKIP
            done[task_id] = reply

    def shutdown(self) -> None:
        """Tell the workers to stop, wait briefly, and terminate any that do not."""
        for q in self.tasks:
            try:
                q.put(None)
            except (OSError, ValueError):
                pass
        for p in self.processes:
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()
                p.join(timeout=1)
        for q in [*self.tasks, self.results]:
            q.cancel_join_thread()
            q.close()
        self.processes = []


_SKIP = object()  # an exhausted-iterator reply: counts as a finished task, yields nothing
