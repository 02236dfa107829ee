"""Gradient buckets averaged over ranks while the backward pass is still running.

Parameters are grouped into buckets (at first in reverse registration order, roughly the order
their gradients become final; after the first backward pass in the order they did become final,
rank 0's, as PyTorch rebuilds its buckets; the first bucket small so that communication starts
early). Each
parameter's post-accumulate-grad hook marks it ready; when a bucket is complete its gradients are
packed into one flat buffer, divided by the world size and started as a non-blocking
``all_reduce``. Buckets are started in bucket order on every rank (MPI needs the same order of
collectives everywhere). When the pass ends, the rest are started and all are waited for, and the
averaged gradients written back to ``.grad``.
"""
from __future__ import annotations

import time
from typing import Sequence

import numpy as np

from ... import distributed as dist
from ...autograd.engine import queue_callback
from ...tensor import Tensor
from ..parameter import Parameter

FIRST_BUCKET_BYTES = 1024 * 1024  # PyTorch's dist._DEFAULT_FIRST_BUCKET_BYTES


class Bucket:
    """Parameters whose gradients travel together in one flat buffer."""

    def __init__(self, params: list[tuple[str, Parameter]]) -> None:
        self.names = [n for n, _ in params]
        self.params = [p for _, p in params]
        sizes = [p.array.size for p in self.params]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        self.buffer = Tensor(np.empty(int(self.offsets[-1]), dtype=self.params[0].array.dtype))
        self.pending = len(self.params)
        self.work: dist.Work | None = None

    def pack(self, divisor: int) -> None:
        """Gradients (zeros where a parameter has none) into the buffer, divided by ``divisor``."""
        flat = self.buffer.array
        for p, start, stop in zip(self.params, self.offsets[:-1], self.offsets[1:]):
            if p.grad is None:
                flat[start:stop] = 0
            else:
                np.divide(p.grad.array.reshape(-1), divisor, out=flat[start:stop])

    def unpack(self) -> None:
        """The averaged gradients from the buffer into each parameter's ``.grad``."""
        flat = self.buffer.array
        for p, start, stop in zip(self.params, self.offsets[:-1], self.offsets[1:]):
            part = flat[start:stop].reshape(p.array.shape)
            if p.grad is None or p.grad.requires_grad or not p.grad.array.flags.writeable:
                p.grad = Tensor(part.copy())
            else:
                p.grad.array[...] = part


def assign_buckets(named_params: Sequence[tuple[str, Parameter]], cap_bytes: int,
                   first_cap_bytes: int = FIRST_BUCKET_BYTES) -> list[Bucket]:
    """Buckets of parameters in the given order, one dtype each, each up to its byte cap (the
    first up to the smaller of ``first_cap_bytes`` and ``cap_bytes``); a parameter larger than
    the cap gets a bucket alone."""
    buckets, current, size = [], [], 0
    for name, p in named_params:
        cap = min(first_cap_bytes, cap_bytes) if not buckets else cap_bytes
        if current and (size + p.array.nbytes > cap or p.array.dtype != current[0][1].array.dtype):
            buckets.append(Bucket(current))
            current, size = [], 0
        current.append((name, p))
        size += p.array.nbytes
    if current:
        buckets.append(Bucket(current))
    return buckets


class Reducer:
    """Averages the gradients of ``named_params`` over the ranks of ``group`` during backward.

    ``prepare_for_backward(unused)`` arms it for the next backward pass (``unused``: parameters
    this forward did not use, counted as ready with zero gradients); unarmed, hooks do nothing
    (``no_sync``). ``launched_early`` counts the buckets started before the pass ended;
    ``exposed_seconds`` adds up the time backward spent at its end finishing communication
    (what overlapping did not hide).
    """

    def __init__(self, named_params: Sequence[tuple[str, Parameter]], group: dist.ProcessGroup,
                 cap_bytes: int, find_unused_parameters: bool) -> None:
        self.group, self.world_size = group, group.size()
        self.find_unused_parameters = find_unused_parameters
        self._named, self._cap_bytes = list(named_params), cap_bytes
        self._assign(range(len(self._named) - 1, -1, -1))
        self._ready_order: list[int] | None = []  # None once the buckets are rebuilt
        self._handles = [p.register_post_accumulate_grad_hook(self._on_grad_ready)
                         for _, p in self._named]
        self.armed, self._next, self._callback_queued = False, 0, False
        self.launched_early, self.exposed_seconds = 0, 0.0

    def prepare_for_backward(self, unused: Sequence[Parameter] = ()) -> None:
        for b in self.buckets:
            b.pending, b.work = len(b.params), None
        self.armed, self._next, self._callback_queued = True, 0, False
        self._ready_ids = {id(p) for p in unused}
        for p in unused:
            self._bucket_of[id(p)].pending -= 1

    def _on_grad_ready(self, param: Parameter) -> None:
        if not self.armed:
            return
        if not self._callback_queued:
            queue_callback(self._finish)
            self._callback_queued = True
        if self._ready_order is not None:
            self._ready_order.append(self._index[id(param)])
        self._ready_ids.add(id(param))
        self._bucket_of[id(param)].pending -= 1
        self._launch_ready()
        for b in self.buckets[:self._next]:  # let MPI move the ones in flight along
            b.work.is_completed()

    def _launch_ready(self) -> None:
        while self._next < len(self.buckets) and self.buckets[self._next].pending == 0:
            self._launch(self.buckets[self._next])
            self.launched_early += 1

    def _launch(self, bucket: Bucket) -> None:
        bucket.pack(self.world_size)
        bucket.work = dist.all_reduce(bucket.buffer, group=self.group, async_op=True)
        self._next += 1

    def _finish(self) -> None:
        """End of the backward pass: start what is left, wait for everything, write back."""
        start = time.perf_counter()
        self.armed = False
        names = [n for n, p in self._named if id(p) not in self._ready_ids]
        if names and not self.find_unused_parameters:
            raise RuntimeError(
                "DistributedDataParallel: these parameters received no gradient in this backward "
                f"pass: {', '.join(names[:10])}{' ...' if len(names) > 10 else ''}. Pass "
                "find_unused_parameters=True if some parameters are not used in every forward, "
                "and make sure the loss depends on every output of the forward.")
        for bucket in self.buckets[self._next:]:
            self._launch(bucket)
        for bucket in self.buckets:
            bucket.work.wait()
            bucket.unpack()
        self.exposed_seconds += time.perf_counter() - start
        if self._ready_order is not None:
            self._rebuild_buckets()

    def _assign(self, order) -> None:
        self.buckets = assign_buckets([self._named[i] for i in order], self._cap_bytes)
        self._bucket_of = {id(p): b for b in self.buckets for p in b.params}
        self._index = {id(p): i for i, (_, p) in enumerate(self._named)}

    def _rebuild_buckets(self) -> None:
        """Buckets in the order rank 0's gradients became final in this first pass (those that
        got none last), so each bucket is complete as early as the backward pass allows."""
        seen = set(self._ready_order)
        order = self._ready_order + [i for i in range(len(self._named) - 1, -1, -1)
                                     if i not in seen]
        shared = [order]
        dist.broadcast_object_list(shared, src=0, group=self.group)
        self._ready_order = None
        self._assign(shared[0])

    def remove_hooks(self) -> None:
        for handle in self._handles:
            handle.remove()
