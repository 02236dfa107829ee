"""DistributedDataParallel: one model replica per rank, gradients averaged over the ranks.

Each rank runs its own batch through its replica; the backward pass averages the gradients
bucket by bucket while it runs (``reducer.py``), so every rank's optimizer takes the same step
and the replicas stay identical.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np

from ... import distributed as dist
from ...autograd.grad_mode import is_grad_enabled
from ...tensor import Tensor
from ..module import Module
from .reducer import Reducer


def _signature(module: Module) -> list[tuple[str, str, tuple, str]]:
    """What must agree between ranks: every parameter's and buffer's name, shape and dtype, and
    which parameters are trained."""
    return ([("parameter" if p.requires_grad else "frozen parameter", n, tuple(p.shape),
              str(p.dtype)) for n, p in module.named_parameters()]
            + [("buffer", n, tuple(b.shape), str(b.dtype)) for n, b in module.named_buffers()])


def verify_same_model(module: Module, group: dist.ProcessGroup) -> None:
    """Raise RuntimeError on every rank when any rank's parameters or buffers differ from rank
    0's in number, name, shape or dtype (checked together, so no rank is left waiting)."""
    everyone = [None] * group.size()
    dist.all_gather_object(everyone, _signature(module), group=group)
    reference = everyone[0]
    for rank, sig in enumerate(everyone[1:], start=1):
        if sig == reference:
            continue
        for i, (mine, theirs) in enumerate(zip(sig, reference)):
            if mine != theirs:
                raise RuntimeError(
                    f"DistributedDataParallel: the model differs between ranks: {mine[0]} {i} on "
                    f"rank {rank} is '{mine[1]}' of shape {mine[2]} and dtype {mine[3]}, on rank 0 "
                    f"'{theirs[1]}' of shape {theirs[2]} and dtype {theirs[3]}. Every rank must "
                    "build the same model.")
        raise RuntimeError(
            f"DistributedDataParallel: the model differs between ranks: rank {rank} has "
            f"{len(sig)} parameters and buffers, rank 0 has {len(reference)}. Every rank must "
            "build the same model.")


def _broadcast_from_rank0(tensors: list[Tensor], group: dist.ProcessGroup) -> None:
    works = [dist.broadcast(t, src=0, group=group, async_op=True) for t in tensors
             if t.array.size and t.array.flags.c_contiguous]
    for t in tensors:
        if t.array.size and not t.array.flags.c_contiguous:
            copy = Tensor(np.ascontiguousarray(t.array))
            dist.broadcast(copy, src=0, group=group)
            t.array[...] = copy.array
    for w in works:
        w.wait()


def _reachable_leaves(output: Any) -> set[int]:
    """ids of the leaf tensors the graph of ``output`` (tensors, nested in lists/dicts) uses."""
    stack, seen, leaves = [], set(), set()
    pending = [output]
    while pending:
        obj = pending.pop()
        if isinstance(obj, Tensor):
            if obj.grad_fn is None:
                leaves.add(id(obj))
            else:
                stack.append(obj.grad_fn)
        elif isinstance(obj, dict):
            pending.extend(obj.values())
        elif isinstance(obj, (list, tuple)):
            pending.extend(obj)
    while stack:
        node = stack.pop()
        if id(node) in seen or node.inputs is None:
            continue
        seen.add(id(node))
        for x in node.inputs:
            if isinstance(x, Tensor):
                if x.grad_fn is None:
                    leaves.add(id(x))
                else:
                    stack.append(x.grad_fn)
    return leaves


class DistributedDataParallel(Module):
    """Data-parallel training of ``module`` over the ranks of ``process_group`` (default: all).

    At construction the ranks' models are checked to match and rank 0's parameters and buffers
    are copied to every rank. In training, each forward broadcasts rank 0's buffers (with
    ``broadcast_buffers``) and the following backward averages every gradient over the ranks,
    in buckets of up to ``bucket_cap_mb`` MiB started while backward still runs; ``backward()``
    returns once all are averaged. ``no_sync()`` skips the averaging (gradient accumulation).
    The wrapped model is ``.module``; state dict keys start with ``module.`` as in PyTorch.

    >>> # mpiexec -n 2 python train.py
    >>> # dist.init_process_group("mpi"); model = DistributedDataParallel(Net())
    >>> # loss_fn(model(x), y).backward(); opt.step()   # the same step on every rank
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0,
                 broadcast_buffers: bool = True, init_sync: bool = True, process_group=None,
                 bucket_cap_mb: float | None = None, find_unused_parameters: bool = False,
                 check_reduction: bool = False, gradient_as_bucket_view: bool = False,
                 static_graph: bool = False) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: expected a Module, got {type(module).__name__}")
        if bucket_cap_mb is not None and not bucket_cap_mb > 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be positive, got "
                             f"{bucket_cap_mb!r}")
        self.module = module
        self.process_group = dist.process_group.group_of(process_group)
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.require_backward_grad_sync = True
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * 1024 * 1024)
        # Gradient buckets travel on a communicator of their own, so their non-blocking
        # collectives never interleave with the user's (SyncBatchNorm's, say) on the default one.
        self._grad_group = self.process_group.duplicate()
        verify_same_model(module, self.process_group)
        if init_sync:
            _broadcast_from_rank0(list(module.parameters()) + list(module.buffers()),
                                  self.process_group)
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        self.reducer = Reducer(named, self._grad_group, max(1, self.bucket_bytes_cap),
                               find_unused_parameters) if named else None

    def forward(self, *inputs, **kwargs):
        if self.broadcast_buffers and self.training and self.process_group.size() > 1:
            _broadcast_from_rank0(list(self.module.buffers()), self.process_group)
        output = self.module(*inputs, **kwargs)
        if self.reducer is not None and is_grad_enabled() and self.require_backward_grad_sync:
            unused = []
            if self.find_unused_parameters:
                used = _reachable_leaves(output)
                unused = [p for b in self.reducer.buckets for p in b.params if id(p) not in used]
            self.reducer.prepare_for_backward(unused)
        return output

    @contextmanager
    def no_sync(self) -> Iterator[None]:
        """Inside, backward accumulates gradients locally without averaging them; the first
        backward after a forward outside averages the accumulated gradients."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    def extra_repr(self) -> str:
        return (f"world_size={self.process_group.size()}, buckets="
                f"{0 if self.reducer is None else len(self.reducer.buckets)}")
