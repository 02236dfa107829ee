"""The CPU backend: kernels on NumPy arrays (im2col convolutions, pooling, matrix products held
to the right BLAS thread count, BLAS updates through ctypes), intra-op threads, and the
opt-in memory tuning. Everything CPU-specific lives under this folder."""
from __future__ import annotations

from .blas import add_scaled_, scale_
from .im2col import conv_forward, conv_grad_input, conv_grad_weight
from .linalg import matmul, sum_array
from .memory import tune_malloc
from .pool import empty, empty_cache
from .pooling import (avg_pool, avg_pool_spread, max_pool, max_pool_gather, max_pool_indices,
                      max_pool_scatter)
from .threads import get_num_threads, set_num_threads, split_run

__all__ = ["add_scaled_", "avg_pool", "avg_pool_spread", "conv_forward", "conv_grad_input",
           "conv_grad_weight", "empty", "empty_cache", "get_num_threads", "matmul",
           "max_pool", "max_pool_gather", "max_pool_indices", "max_pool_scatter", "scale_",
           "set_num_threads", "split_run", "sum_array", "tune_malloc"]
