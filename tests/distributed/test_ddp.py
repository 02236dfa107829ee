"""DistributedDataParallel: identical weights on every rank, equal (float64, 1e-10) to one
process training on the union of the ranks' batches; no_sync; unused parameters; mismatches."""
import pytest

import retrograd as rg
import retrograd.distributed as dist
from retrograd import nn


def test_ddp_equals_single_process_training_on_the_union(mpi_run):
    out = mpi_run(2, "jobs/ddp_job.py")
    assert "rank 0: ok" in out and "rank 1: ok" in out


def test_ddp_needs_a_process_group():
    with pytest.raises(ValueError, match="init_process_group"):
        nn.parallel.DistributedDataParallel(nn.Linear(2, 2))
