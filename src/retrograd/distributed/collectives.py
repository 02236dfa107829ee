"""Collectives on Tensors, in place, with PyTorch's signatures: all_reduce, reduce, broadcast,
all_gather, gather, scatter (and the pickled-object versions).

Each runs as a non-blocking MPI collective; ``async_op=True`` returns its ``Work`` handle
(``wait()``), otherwise the call waits. Every rank of the group must call the same collectives
in the same order.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..tensor import Tensor
from .process_group import ProcessGroup, _mpi, group_of


class ReduceOp:
    """How ``all_reduce``/``reduce`` combine the ranks' tensors (``ReduceOp.SUM``, ...)."""

    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"


def _mpi_op(op: str):
    MPI = _mpi()
    table = {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
             ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX}
    if op not in table:
        raise ValueError(f"unknown reduce op {op!r}; use a ReduceOp (SUM, AVG, PRODUCT, MIN, MAX)")
    return table[op]


class Work:
    """The handle of a collective in flight: ``wait()`` blocks until it is done (and the result
    is in the tensors), ``is_completed()`` asks without blocking."""

    def __init__(self, request: Any, finish: Callable[[], None] | None = None) -> None:
        self._request, self._finish, self._done = request, finish, False

    def _complete(self) -> None:
        self._done = True
        if self._finish is not None:
            self._finish()

    def wait(self, timeout=None) -> bool:
        if not self._done:
            self._request.Wait()
            self._complete()
        return True

    def is_completed(self) -> bool:
        if not self._done and self._request.Test():
            self._complete()
        return self._done


def _run(request: Any, finish: Callable[[], None] | None, async_op: bool) -> Work | None:
    work = Work(request, finish)
    if async_op:
        return work
    work.wait()
    return None


def _buffer(tensor: Tensor, what: str) -> np.ndarray:
    """The tensor's array to communicate through (it must own contiguous memory)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{what}: expected a Tensor, got {type(tensor).__name__}")
    array = tensor.array
    if not array.flags.c_contiguous:
        raise ValueError(f"{what}: tensors must be contiguous; call .contiguous() first "
                         f"(got shape {tuple(array.shape)} with strides {array.strides})")
    return array


def _check_like(tensors: list, like: np.ndarray, what: str, count: int) -> None:
    if len(tensors) != count:
        raise ValueError(f"{what}: expected a list of {count} tensors (one per rank), "
                         f"got {len(tensors)}")
    for i, t in enumerate(tensors):
        a = _buffer(t, what)
        if a.shape != like.shape or a.dtype != like.dtype:
            raise ValueError(f"{what}: tensor {i} has shape {tuple(a.shape)} and dtype {a.dtype}; "
                             f"expected {tuple(like.shape)} and {like.dtype} as the input")


def _check_rank(rank: int, group: ProcessGroup, what: str) -> None:
    if not 0 <= rank < group.size():
        raise ValueError(f"{what}: rank {rank} is not in the group of {group.size()} ranks")


def _averaging(op: str, array: np.ndarray, group: ProcessGroup, what: str):
    """For ReduceOp.AVG, what turns the sum into the mean once it has arrived; else None."""
    if op != ReduceOp.AVG:
        return None
    if array.dtype.kind not in "fc":
        raise TypeError(f"{what}: ReduceOp.AVG needs a floating-point tensor, got {array.dtype}")
    return lambda: np.divide(array, group.size(), out=array)


def _check_root_list(tensors, like, root: int, group: ProcessGroup, what: str, name: str,
                     role: str) -> bool:
    """Check the list of one tensor per rank that only the root rank passes; True on the root."""
    _check_rank(root, group, what)
    if group.rank() != root:
        if tensors:
            raise ValueError(f"{what}: {name} must be None (or empty) on ranks other than {role}")
        return False
    if tensors is None:
        raise ValueError(f"{what}: {name} is required on rank {role}={root}")
    _check_like(tensors, like, what, group.size())
    return True


def all_reduce(tensor: Tensor, op: str = ReduceOp.SUM, group: ProcessGroup | None = None,
               async_op: bool = False) -> Work | None:
    """Combine ``tensor`` over all ranks with ``op``; every rank gets the result in place."""
    pg = group_of(group)
    array = _buffer(tensor, "all_reduce")
    finish = _averaging(op, array, pg, "all_reduce")
    request = pg.comm.Iallreduce(_mpi().IN_PLACE, array, op=_mpi_op(op))
    return _run(request, finish, async_op)


def reduce(tensor: Tensor, dst: int = 0, op: str = ReduceOp.SUM,
           group: ProcessGroup | None = None, async_op: bool = False) -> Work | None:
    """Combine ``tensor`` over all ranks into rank ``dst``'s tensor (others keep theirs)."""
    pg = group_of(group)
    _check_rank(dst, pg, "reduce")
    array = _buffer(tensor, "reduce")
    finish = _averaging(op, array, pg, "reduce")
    mpi_op, root = _mpi_op(op), pg.rank() == dst
    if root:
        request = pg.comm.Ireduce(_mpi().IN_PLACE, array, op=mpi_op, root=dst)
    else:
        request, finish = pg.comm.Ireduce(array, None, op=mpi_op, root=dst), None
    return _run(request, finish, async_op)


def broadcast(tensor: Tensor, src: int = 0, group: ProcessGroup | None = None,
              async_op: bool = False) -> Work | None:
    """Copy rank ``src``'s tensor into every rank's tensor."""
    pg = group_of(group)
    _check_rank(src, pg, "broadcast")
    return _run(pg.comm.Ibcast(_buffer(tensor, "broadcast"), root=src), None, async_op)


def all_gather(tensor_list: list[Tensor], tensor: Tensor, group: ProcessGroup | None = None,
               async_op: bool = False) -> Work | None:
    """Every rank's ``tensor`` into ``tensor_list[rank]``, on every rank."""
    pg = group_of(group)
    array = _buffer(tensor, "all_gather")
    _check_like(tensor_list, array, "all_gather", pg.size())
    received = np.empty((pg.size(),) + array.shape, dtype=array.dtype)
    request = pg.comm.Iallgather(array, received)

    def finish():
        for t, part in zip(tensor_list, received):
            t.array[...] = part
    return _run(request, finish, async_op)


def gather(tensor: Tensor, gather_list: list[Tensor] | None = None, dst: int = 0,
           group: ProcessGroup | None = None, async_op: bool = False) -> Work | None:
    """Every rank's ``tensor`` into ``gather_list[rank]`` on rank ``dst`` (None elsewhere)."""
    pg = group_of(group)
    array = _buffer(tensor, "gather")
    root = _check_root_list(gather_list, array, dst, pg, "gather", "gather_list", "dst")
    received = np.empty((pg.size(),) + array.shape, dtype=array.dtype) if root else None
    request = pg.comm.Igather(array, received, root=dst)

    def finish():
        if root:
            for t, part in zip(gather_list, received):
                t.array[...] = part
    return _run(request, finish, async_op)


def scatter(tensor: Tensor, scatter_list: list[Tensor] | None = None, src: int = 0,
            group: ProcessGroup | None = None, async_op: bool = False) -> Work | None:
    """``scatter_list[rank]`` of rank ``src`` into each rank's ``tensor``."""
    pg = group_of(group)
    array = _buffer(tensor, "scatter")
    root = _check_root_list(scatter_list, array, src, pg, "scatter", "scatter_list", "src")
    send = np.stack([t.array for t in scatter_list]) if root else None
    return _run(pg.comm.Iscatter(send, array, root=src), None, async_op)


def all_gather_object(object_list: list, obj: Any, group: ProcessGroup | None = None) -> None:
    """Every rank's picklable ``obj`` into ``object_list[rank]`` (the list has world-size slots).

    Objects travel pickled between the job's own processes; use it for trusted data only."""
    pg = group_of(group)
    if len(object_list) != pg.size():
        raise ValueError(f"all_gather_object: object_list needs {pg.size()} slots (one per rank), "
                         f"got {len(object_list)}")
    object_list[:] = pg.comm.allgather(obj)


def broadcast_object_list(object_list: list, src: int = 0, group: ProcessGroup | None = None,
                          device=None) -> None:
    """Rank ``src``'s picklable objects into every rank's ``object_list`` (same length)."""
    pg = group_of(group)
    _check_rank(src, pg, "broadcast_object_list")
    received = pg.comm.bcast(list(object_list) if pg.rank() == src else len(object_list), root=src)
    if len(received) != len(object_list):
        raise ValueError(f"broadcast_object_list: rank {src} sends {len(received)} objects but "
                         f"this rank's list has {len(object_list)} slots")
    object_list[:] = received
