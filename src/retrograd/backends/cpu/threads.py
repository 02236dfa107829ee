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

__all__ = ["get_num_threads", "hold_blas_threads", "release_blas_threads", "set_num_threads",
           "split_run"]


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
    global _threads, _pool
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


# Matrix products with fewer multiply-adds than this run on one BLAS thread: after a product that
# used OpenBLAS's other threads, they spin on their cores for a while, where they slow the
# threads of ``split_run`` (the benchmarks' README has the figures). Below OPENBLAS_SERIAL_MACS
# OpenBLAS runs a GEMM on one thread by itself, so nothing needs changing there.
BLAS_THREADS_MIN_MACS = 16_000_000
OPENBLAS_SERIAL_MACS = 262_144


def hold_blas_threads(macs: int) -> int | None:
    """Hold BLAS to one thread for a product of ``macs`` multiply-adds when that is faster.
    Returns the count to give back to ``release_blas_threads`` after the product (None when
    nothing was changed): the user's BLAS setting is restored, never left changed."""
    if macs < OPENBLAS_SERIAL_MACS or macs >= BLAS_THREADS_MIN_MACS:
        return None
    if getattr(_local, "inside", False):
        return None  # split_run already holds it
    blas = _blas_controller()
    if blas is None:
        return None
    before = blas.get_num_threads()
    if before == 1:
        return None
    blas.set_num_threads(1)
    return before


def release_blas_threads(before: int | None) -> None:
    """Give BLAS back the thread count ``hold_blas_threads`` found."""
    if before is not None:
        _blas_controller().set_num_threads(before)


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
