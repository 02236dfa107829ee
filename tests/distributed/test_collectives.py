"""Collectives over MPI, each checked against NumPy inside an mpiexec job."""
import pytest

import retrograd.distributed as dist


@pytest.mark.parametrize("n", [2, 3])
def test_collectives_match_numpy(mpi_run, n):
    out = mpi_run(n, "jobs/collectives_job.py")
    for r in range(n):
        assert f"rank {r} of {n}: ok" in out


def test_uninitialized_group_is_an_error():
    assert not dist.is_initialized()
    with pytest.raises(ValueError, match="init_process_group"):
        dist.get_rank()
    with pytest.raises(ValueError, match="init_process_group"):
        dist.all_reduce(None)


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="nccl"):
        dist.init_process_group("nccl")
