"""Data-parallel training over processes: ``DistributedDataParallel`` (needs mpi4py at use)."""
from .distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
