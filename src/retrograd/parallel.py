"""Intra-op parallelism: one op's work split over the batch, across threads.

NumPy releases the GIL inside copies, ufunc loops and BLAS calls, so Python threads that each
take a slice of a batch run on separate cores. The convolution kernels use it: each thread takes
a contiguous run of batch chunks. While they run, BLAS is held to one thread each (through
threadpoolctl), since OpenBLAS serialises concurrent multi-threaded calls and would otherwise
fight the threads for the cores; outside, BLAS keeps its own threads for the large GEMMs of
linear layers.

``set_num_threads`` / ``get_num_threads`` as in PyTorch: the default is ``OMP_NUM_THREADS`` or,
when unset, the number of CPUs this process may use.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

__all__ = ["blas_threads_for", "get_num_threads", "set_num_threads", "split_run"]


def _default_threads() -> int:
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_threads = _default_threads()
_pool: ThreadPoolExecutor | None = None
_blas = None  # threadpoolctl's controller of the BLAS that NumPy loaded, once looked up
_lock = threading.Lock()
_local = threading.local()  # .inside: this thread is running part of a split_run


def get_num_threads() -> int:
    """The number of threads an op may use."""
    return _threads


def set_num_threads(n: int) -> None:
    """Use ``n`` threads per op (and ``n`` BLAS threads outside of split work), as PyTorch's
    ``torch.set_num_threads``."""
    global _threads, _pool, _blas_now
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"set_num_threads: expected a positive int, got {n!r}")
    with _lock:
        _threads = n
        if _pool is not None:
            _pool.shutdown(wait=True)
            _pool = None
    blas = _blas_controller()
    if blas is not None:
        blas.set_num_threads(n)
    _blas_now = n


# Matrix products with fewer multiply-adds than this run on one BLAS thread: every op that calls
# BLAS (matmul, Linear, convolutions) first calls ``blas_threads_for`` with its size. After each
# call that used OpenBLAS's second thread, that thread spins on the second core for a while,
# where it slows our own threads (``split_run``). LeNet-5's fully connected products (1.3M-6M,
# batch 128) now run on one thread and its convolutions are split: against the previous commit,
# a LeNet-5 step was 1.04x faster (14.46 against 15.18 ms; a prototype gave 1.08x), ResNet-8
# 1.05x, the MLP (16M-51M, both threads) 0.95x and 1.02x in two runs. Separate processes in
# alternating blocks, 2 threads.
BLAS_THREADS_MIN_MACS = 16_000_000
_blas_now: int | None = None  # the BLAS thread count blas_threads_for last set


def blas_threads_for(macs: int) -> None:
    """Let the next BLAS call use all ``get_num_threads()`` threads if it does at least
    BLAS_THREADS_MIN_MACS multiply-adds, else one (no-op inside ``split_run``, which holds one)."""
    global _blas_now
    if getattr(_local, "inside", False):
        return
    want = _threads if macs >= BLAS_THREADS_MIN_MACS else 1
    if want != _blas_now:
        blas = _blas_controller()
        if blas is not None:
            blas.set_num_threads(want)
        _blas_now = want


def _blas_controller():
    global _blas
    if _blas is None:
        try:
            import numpy  # noqa: F401  (threadpoolctl finds the BLAS NumPy has loaded)
            from threadpoolctl import ThreadpoolController

            found = ThreadpoolController().select(user_api="blas").lib_controllers
            _blas = found[0] if found else False
        except Exception:  # noqa: BLE001 - no threadpoolctl or an unknown BLAS: run as is
            _blas = False
    return _blas or None


def split_run(work: Callable[[Sequence[T]], R], items: Sequence[T]) -> list[R]:
    """``[work(part) for part in parts]``, where ``parts`` split ``items`` into up to
    ``get_num_threads()`` contiguous runs, run at once on that many threads (the caller's is
    one). With one thread, one item, or when called from inside another ``split_run``, it is
    simply ``[work(items)]``."""
    parts = min(_threads, len(items))
    if parts <= 1 or getattr(_local, "inside", False):
        return [work(items)]
    bounds = [len(items) * k // parts for k in range(parts + 1)]
    runs = [items[a:b] for a, b in zip(bounds, bounds[1:])]
    pool = _get_pool()
    blas = _blas_controller()
    before = blas.get_num_threads() if blas is not None else None
    if before is not None and before != 1:
        blas.set_num_threads(1)
    futures = [pool.submit(_inside, work, run) for run in runs[1:]]
    try:
        first = _inside(work, runs[0])
    finally:
        wait(futures)  # every thread is done with the arrays before anyone goes on
        if before is not None and before != 1:
            blas.set_num_threads(before)
    return [first] + [f.result() for f in futures]


def _inside(work, run):
    _local.inside = True
    try:
        return work(run)
    finally:
        _local.inside = False


def _get_pool() -> ThreadPoolExecutor:
    """The helper threads (get_num_threads() - 1 of them; set_num_threads drops the pool)."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max(_threads - 1, 1), thread_name_prefix="retrograd")
        return _pool
