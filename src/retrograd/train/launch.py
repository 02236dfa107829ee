"""How ``retrograd train`` runs: in one process, or data-parallel when an MPI launcher started it
(``mpiexec -n 4 retrograd train ...``, no other flag). ``current_job()`` tells which; the command
asks the job for its loaders, model wrapper, trainer and learning rate, and writes files only
where ``job.is_writer``.
"""
from __future__ import annotations

import math
import os
from contextlib import contextmanager, nullcontext
from typing import Any, ContextManager, Iterator

# How MPI launchers tell a process the job's size: MPICH's Hydra (and Intel MPI, Slurm's srun
# with PMI), Open MPI, MVAPICH.
_LAUNCHER_SIZE_VARIABLES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MV2_COMM_WORLD_SIZE")


def launched_world_size() -> int:
    """How many processes an MPI launcher started in this job (1 when not launched by one),
    read from the environment without starting MPI."""
    for name in _LAUNCHER_SIZE_VARIABLES:
        value = os.environ.get(name, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    return 1


def scaled_lr(lr: float, world_size: int, optimizer: str) -> tuple[float, str]:
    """The learning rate for a global batch ``world_size`` times the per-process one, and the
    rule used: linear for SGD (Goyal et al., 2017), square root for adaptive optimizers."""
    if world_size == 1:
        return lr, "none (one process)"
    if optimizer == "sgd":
        return lr * world_size, f"linear, {lr:g} x {world_size}"
    return lr * math.sqrt(world_size), f"square root, {lr:g} x sqrt({world_size})"


class Job:
    """One process: the loaders, model and Trainer of plain training."""

    rank, world_size, is_writer = 0, 1, True

    def failures(self) -> ContextManager:
        """Where the command runs: errors propagate as usual."""
        return nullcontext()

    def train_loader(self, dataset: Any, batch_size: int, seed: int):
        from ..data import DataLoader

        return DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=seed)

    def test_loader(self, dataset: Any, batch_size: int):
        from ..data import DataLoader

        return DataLoader(dataset, batch_size=batch_size)

    def wrap(self, model):
        return model

    def trainer(self, model, optimizer, loss_fn, seed: int, **kwargs):
        from .trainer import Trainer

        return Trainer(model, optimizer, loss_fn, **kwargs)


class MPIJob(Job):
    """Data-parallel over the ranks of an MPI job: each rank takes its share of every epoch's
    training batches and of the test set; rank 0's initial weights; per-rank seeds; each rank
    uses its share of the machine's cores; an error in any rank aborts the whole job."""

    def __init__(self, brief_errors: tuple[type, ...] = ()) -> None:
        from .. import distributed as dist
        from ..backends.cpu import set_num_threads

        self._brief_errors = brief_errors
        with self.failures():
            dist.init_process_group("mpi")
            self.rank, self.world_size = dist.get_rank(), dist.get_world_size()
            self.is_writer = self.rank == 0
            self.threads = dist.cores_per_rank()
            set_num_threads(self.threads)

    @contextmanager
    def failures(self) -> Iterator[None]:
        from .. import distributed as dist

        with dist.abort_on_error(brief=self._brief_errors):
            yield

    def train_loader(self, dataset: Any, batch_size: int, seed: int):
        from ..data import DataLoader, DistributedSampler

        sampler = DistributedSampler(dataset, self.world_size, self.rank, shuffle=True, seed=seed)
        return DataLoader(dataset, batch_size=batch_size, sampler=sampler)

    def test_loader(self, dataset: Any, batch_size: int):
        from .distributed import shard_loader

        return shard_loader(dataset, batch_size, self.rank, self.world_size)

    def wrap(self, model):
        from ..nn.parallel import DistributedDataParallel

        return DistributedDataParallel(model)

    def trainer(self, model, optimizer, loss_fn, seed: int, **kwargs):
        from .distributed import DistributedTrainer

        if not self.is_writer:
            kwargs["verbose"] = 0
        return DistributedTrainer(model, optimizer, loss_fn, seed=seed, **kwargs)


def current_job(brief_errors: tuple[type, ...] = ()) -> Job:
    """An ``MPIJob`` when an MPI launcher started more than one process, else a ``Job``."""
    return MPIJob(brief_errors) if launched_world_size() > 1 else Job()
