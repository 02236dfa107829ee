"""Collectives the autograd engine can differentiate (PyTorch's ``torch.distributed.nn``).

``all_reduce(x)`` sums ``x`` over the ranks; its gradient on each rank is the sum of all the
ranks' output gradients (every rank's output depends on every rank's input), itself an
``all_reduce``, so higher-order gradients work too. SyncBatchNorm is built from it.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..tensor import Tensor
from .process_group import ProcessGroup, _mpi, group_of


class AllReduceSum(Function):
    """y = sum over ranks of x (same shape as x, on every rank)."""

    def forward(self, x, group: ProcessGroup):
        self.group = group
        out = x.copy(order="C")
        group.comm.Allreduce(_mpi().IN_PLACE, out, op=_mpi().SUM)
        return out

    def backward(self, grad):
        return AllReduceSum.apply(grad, group=self.group)


def all_reduce(tensor: Tensor, group: ProcessGroup | None = None) -> Tensor:
    """The sum of ``tensor`` over the group's ranks, as a new tensor in the graph."""
    return AllReduceSum.apply(tensor, group=group_of(group))
