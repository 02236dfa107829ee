"""Processes training together over MPI (PyTorch's ``torch.distributed`` names): the process
group, collectives on Tensors, and failure handling. The only package that talks MPI.

Run under an MPI launcher, one process per rank::

    # mpiexec -n 2 python script.py
    import retrograd as rg
    import retrograd.distributed as dist

    dist.init_process_group("mpi")
    t = rg.tensor([float(dist.get_rank())])
    dist.all_reduce(t, op=dist.ReduceOp.SUM)   # t == [0 + 1] on both ranks
"""
from .collectives import (ReduceOp, Work, all_gather, all_gather_object, all_reduce,
                          broadcast, broadcast_object_list, gather, reduce, scatter)
from .process_group import (ProcessGroup, abort_on_error, barrier, cores_per_rank,
                            destroy_process_group, get_backend, get_rank, get_world_size,
                            init_process_group, is_available, is_initialized, is_mpi_available,
                            local_world_size, new_group)

__all__ = [
    "ProcessGroup", "ReduceOp", "Work", "abort_on_error", "all_gather", "all_gather_object",
    "all_reduce", "barrier", "broadcast", "broadcast_object_list", "cores_per_rank",
    "destroy_process_group", "gather", "get_backend", "get_rank", "get_world_size",
    "init_process_group", "is_available", "is_initialized", "is_mpi_available",
    "local_world_size", "new_group", "reduce", "scatter",
]
