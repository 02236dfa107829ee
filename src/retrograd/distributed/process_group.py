"""The process group: which process this is (rank), how many there are (world size), over MPI.

``init_process_group(backend="mpi")`` takes rank and size from the MPI launcher (``mpiexec -n 4
python train.py``); it is the only entry into MPI, through mpi4py, imported on first use so that
``retrograd.distributed`` imports without it.
"""
from __future__ import annotations

import os
import sys
import time
import traceback
from contextlib import contextmanager
from typing import Any, Iterator

_NOT_INITIALIZED = ("Default process group has not been initialized, please make sure to call "
                    "init_process_group.")


class ProcessGroup:
    """A set of ranks that run collectives together: a wrapper over an MPI communicator."""

    def __init__(self, comm: Any) -> None:
        self.comm = comm

    def rank(self) -> int:
        return self.comm.Get_rank()

    def size(self) -> int:
        return self.comm.Get_size()

    def duplicate(self) -> "ProcessGroup":
        """The same ranks on a communicator of their own (a collective on this group)."""
        return ProcessGroup(self.comm.Dup())

    def __repr__(self) -> str:
        return f"ProcessGroup(backend='mpi', rank={self.rank()}, size={self.size()})"


class _State:
    world: ProcessGroup | None = None


def _mpi():
    """The ``mpi4py.MPI`` module (initialises MPI on first import)."""
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise RuntimeError("retrograd.distributed needs mpi4py and an MPI library: "
                           "pip install 'retrograd[distributed]' (mpi4py and MPICH)") from e
    return MPI


def is_available() -> bool:
    """True when mpi4py can be imported (it is not imported here)."""
    import importlib.util

    return importlib.util.find_spec("mpi4py") is not None


def is_initialized() -> bool:
    return _State.world is not None


def is_mpi_available() -> bool:
    return is_available()


def init_process_group(backend: str | None = "mpi", init_method: str | None = None,
                       timeout=None, world_size: int = -1, rank: int = -1, store=None,
                       group_name: str = "", pg_options=None, device_id=None) -> None:
    """Join the default process group; rank and world size come from the MPI launcher.

    ``world_size`` and ``rank``, when given, must agree with the launcher's (they are checked,
    not used). Started without ``mpiexec``, the process is a group of one.
    """
    if backend not in (None, "mpi"):
        raise ValueError(f"init_process_group: backend {backend!r} is not available; "
                         "retrograd runs collectives over MPI (backend='mpi')")
    if init_method not in (None, "env://") or store is not None:
        raise ValueError("init_process_group: the MPI launcher (mpiexec) starts and connects the "
                         "processes; init_method and store are not used")
    if _State.world is not None:
        raise RuntimeError("trying to initialize the default process group twice!")
    comm = _mpi().COMM_WORLD
    for name, given, actual in (("world_size", world_size, comm.Get_size()),
                                ("rank", rank, comm.Get_rank())):
        if given not in (-1, None) and given != actual:
            raise ValueError(f"init_process_group: {name}={given} but the MPI launcher started "
                             f"this process with {name} {actual}")
    _State.world = ProcessGroup(comm).duplicate()


def new_group(ranks=None, timeout=None, backend=None, pg_options=None) -> ProcessGroup | None:
    """A new group of ``ranks`` (default: all) of the default group, with its own communicator
    (its collectives never mix with other groups'). Every rank of the default group calls it;
    ranks outside ``ranks`` get None."""
    world = _world()
    if ranks is None:
        return world.duplicate()
    ranks = sorted(set(int(r) for r in ranks))
    for r in ranks:
        if not 0 <= r < world.size():
            raise ValueError(f"new_group: rank {r} is not in the default group of "
                             f"{world.size()} ranks")
    member = world.rank() in ranks
    comm = world.comm.Split(0 if member else _mpi().UNDEFINED, key=world.rank())
    return ProcessGroup(comm) if member else None


def destroy_process_group(group: ProcessGroup | None = None) -> None:
    """Leave the default process group (MPI itself stays initialised until exit)."""
    world = _world()
    if group is None or group is world:
        world.comm.Free()
        _State.world = None


def _world() -> ProcessGroup:
    if _State.world is None:
        raise ValueError(_NOT_INITIALIZED)
    return _State.world


def group_of(group: ProcessGroup | None) -> ProcessGroup:
    """``group``, or the default group when None."""
    return _world() if group is None else group


def get_rank(group: ProcessGroup | None = None) -> int:
    return group_of(group).rank()


def get_world_size(group: ProcessGroup | None = None) -> int:
    return group_of(group).size()


def get_backend(group: ProcessGroup | None = None) -> str:
    group_of(group)
    return "mpi"


def barrier(group: ProcessGroup | None = None, async_op: bool = False, device_ids=None):
    """Wait until every rank of the group gets here."""
    from .collectives import Work

    work = Work(group_of(group).comm.Ibarrier())
    if async_op:
        return work
    work.wait()
    return None


def local_world_size() -> int:
    """How many ranks of the default group run on this machine (share memory with this one).
    A collective: every rank of the default group calls it."""
    world = _world()
    local = world.comm.Split_type(_mpi().COMM_TYPE_SHARED)
    try:
        return local.Get_size()
    finally:
        local.Free()


def cores_per_rank() -> int:
    """This machine's cores shared out among its ranks (at least 1): the default thread count
    of a rank. ``OMP_NUM_THREADS``, when set, wins; otherwise, in a process group, a collective
    (every rank calls it)."""
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    total = os.cpu_count() or 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = total
    if cores == total and _State.world is not None:  # not pinned by the launcher: share them
        cores //= local_world_size()
    return max(1, cores)


@contextmanager
def abort_on_error(brief: tuple[type, ...] = ()) -> Iterator[None]:
    """Run a block so that an exception (or Ctrl-C) in any rank ends the whole MPI job at once.

    The failing rank prints its rank and traceback (just the message for exception types in
    ``brief``) to stderr, then calls ``MPI_Abort``, which stops every rank, including those
    waiting in a collective (which would otherwise hang). Outside a multi-process job the
    exception propagates as usual.
    """
    try:
        yield
    except BaseException as e:  # noqa: B902 - KeyboardInterrupt too
        if isinstance(e, SystemExit) and e.code in (0, None):
            raise
        MPI = sys.modules.get("mpi4py.MPI")
        if MPI is None or not MPI.Is_initialized() or MPI.Is_finalized() \
                or MPI.COMM_WORLD.Get_size() == 1:
            raise
        rank = MPI.COMM_WORLD.Get_rank()
        if isinstance(e, KeyboardInterrupt):
            text = "interrupted\n"
        elif isinstance(e, brief):
            text = f"{e}\n"
        else:
            text = "".join(traceback.format_exception(type(e), e, e.__traceback__))
        sys.stderr.write(f"retrograd.distributed: rank {rank} failed, aborting the job: {text}")
        sys.stderr.flush()
        time.sleep(0.2)  # let the launcher forward the message before it tears the job down
        MPI.COMM_WORLD.Abort(1 if not isinstance(e, SystemExit) or not isinstance(e.code, int)
                             else e.code)
