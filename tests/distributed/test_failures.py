"""A rank that fails ends the whole MPI job (non-zero exit, the failing rank named), never a
hang in a collective: the subprocess timeout turns a hang into a failure."""
import pytest


@pytest.mark.parametrize("how", ["guarded", "mpi4py runner"])
def test_a_failing_rank_ends_the_job(mpi_run, how):
    if how == "guarded":
        result = mpi_run(3, "jobs/failing_rank_job.py", "guarded", timeout=60, check=False)
    else:
        result = mpi_run(3, "jobs/failing_rank_job.py", "plain", timeout=60, check=False,
                         python_args=("-m", "mpi4py"))
    assert result.returncode != 0
    assert "ZeroDivisionError: rank one cannot go on" in result.stderr
    if how == "guarded":
        assert "rank 1 failed, aborting the job" in result.stderr
