"""Shared timing helpers: median of several repeats after warm-up, printed as rates and ratios."""
from __future__ import annotations

import os
import statistics
import time
from typing import Callable


def threads() -> int:
    """The thread count both frameworks use (BLAS for NumPy, intra-op for PyTorch)."""
    return int(os.environ.get("OMP_NUM_THREADS", os.cpu_count() or 1))


def rate(step: Callable[[], object], items_per_call: int, repeats: int = 7, min_time: float = 0.2,
         warmup: int = 3) -> float:
    """Median items/s of ``step`` over ``repeats`` timed blocks, each at least ``min_time`` s."""
    for _ in range(warmup):
        step()
    calls = 1
    while True:  # size a block so it lasts min_time
        t0 = time.perf_counter()
        for _ in range(calls):
            step()
        if time.perf_counter() - t0 >= min_time:
            break
        calls *= 2
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(calls):
            step()
        rates.append(calls * items_per_call / (time.perf_counter() - t0))
    return statistics.median(rates)


def try_torch():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(threads())
    return torch
