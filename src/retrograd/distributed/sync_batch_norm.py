"""Batch norm whose statistics are those of the global batch: every rank's samples together.

Built from differentiable ops and the differentiable ``all_reduce``, so the backward pass sums
the statistics' gradients over the ranks as well (two more all-reduces), as PyTorch's does.
"""
from __future__ import annotations

from ..tensor import Tensor
from .autograd_ops import all_reduce as all_reduce_differentiable
from .collectives import all_reduce
from .process_group import ProcessGroup


def sync_batch_norm(x: Tensor, weight: Tensor | None, bias: Tensor | None, eps: float,
                    group: ProcessGroup):
    """Batch norm of x (N, C, *) with the statistics of all ranks' batches (N may differ).

    Returns (y, mean, var, count): y like x; the global per-channel mean and biased variance as
    arrays (C,), and the global number of values per channel (for the running statistics)."""
    c = x.shape[1]
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, c) + (1,) * (x.ndim - 2)
    count = Tensor(x.array.dtype.type(x.array.size // max(c, 1)).reshape(1))
    all_reduce(count, group=group)
    count = float(count.item())
    if count <= 1:
        raise ValueError(f"SyncBatchNorm: expected more than 1 value per channel when training, "
                         f"got {count:g} over all ranks")
    mean = all_reduce_differentiable(x.sum(axes, keepdim=True), group) / count
    centred = x - mean
    var = all_reduce_differentiable((centred * centred).sum(axes, keepdim=True), group) / count
    y = centred * (var + eps) ** -0.5
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y, mean.array.reshape(c), var.array.reshape(c), count
