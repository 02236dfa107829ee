"""Synthetic sequence tasks for recurrent networks.

The adding problem (Hochreiter & Schmidhuber 1997; Le, Jaitly & Hinton 2015): each sequence has
T steps of two features, a value drawn from U(0, 1) and a marker that is 1 at exactly two steps
(one in each half of the sequence) and 0 elsewhere; the target is the sum of the two marked
values. Always answering the mean, 1, scores MSE 1/6 ~ 0.167 (the variance of a sum of two
U(0, 1)); solving it means carrying a value across up to T steps.
"""
from __future__ import annotations

import numpy as np

from .._utils import as_generator, global_generator
from ..dataset import TensorDataset

ADDING_BASELINE_MSE = 1 / 6  # MSE of always predicting 1


def adding_problem_arrays(num_samples: int, seq_len: int, generator=None, dtype=np.float32):
    """(inputs (N, T, 2), targets (N, 1)) of the adding problem; ``generator`` a seed, a NumPy
    Generator, or None for retrograd's global one."""
    if seq_len < 2:
        raise ValueError(f"adding problem: seq_len must be at least 2, got {seq_len}")
    if num_samples < 0:
        raise ValueError(f"adding problem: num_samples must be >= 0, got {num_samples}")
    rng = as_generator(generator) or global_generator()
    values = rng.random((num_samples, seq_len))
    half = seq_len // 2
    first = rng.integers(0, half, num_samples)
    second = rng.integers(half, seq_len, num_samples)
    markers = np.zeros((num_samples, seq_len))
    rows = np.arange(num_samples)
    markers[rows, first] = 1
    markers[rows, second] = 1
    inputs = np.stack([values, markers], axis=-1).astype(dtype)
    targets = (values[rows, first] + values[rows, second])[:, None].astype(dtype)
    return inputs, targets


def adding_problem(num_samples: int = 10_000, seq_len: int = 100, generator=None,
                   dtype=np.float32) -> TensorDataset:
    """The adding problem as a dataset of (sequence (T, 2), target (1,)) pairs.

    >>> ds = adding_problem(4, 10, generator=0)
    >>> x, y = ds[0]
    >>> x.shape, y.shape, float(x[:, 1].sum())
    ((10, 2), (1,), 2.0)
    """
    return TensorDataset(*adding_problem_arrays(num_samples, seq_len, generator, dtype))
