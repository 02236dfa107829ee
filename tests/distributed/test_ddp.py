"""DistributedDataParallel: identical weights on every rank, equal (float64, 1e-10) to one
process training on the union of the ranks' batches; no_sync; unused parameters; mismatches."""
import pytest

from retrograd import nn


def test_ddp_equals_single_process_training_on_the_union(mpi_run):
    out = mpi_run(2, "jobs/ddp_job.py")
    assert "rank 0: ok" in out and "rank 1: ok" in out


def test_ddp_needs_a_process_group():
    with pytest.raises(ValueError, match="init_process_group"):
        nn.parallel.DistributedDataParallel(nn.Linear(2, 2))


def test_data_parallel_example(mpi_run, tmp_path):
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "examples" / "data_parallel.py"
    out = mpi_run(2, "", str(example), "--quick", cwd=tmp_path)
    accuracy = float(out.split("test accuracy ")[1].split()[0])
    assert accuracy > 0.8, out
    assert "over 2000 digits (2 processes)" in out
    assert "replicas identical after training: True" in out
