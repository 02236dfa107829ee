"""A rank that fails ends the whole MPI job (non-zero exit, the failing rank named), never a
hang in a collective: the subprocess timeout turns a hang into a failure."""
import os
import signal
import subprocess
import time

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


def test_ctrl_c_in_one_rank_ends_the_job(mpi_command, tmp_path):
    pid_file = tmp_path / "rank1.pid"
    job = subprocess.Popen(mpi_command(2, "jobs/failing_rank_job.py", "interrupt", str(pid_file)),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(600):
            if pid_file.exists() or job.poll() is not None:
                break
            time.sleep(0.05)
        os.kill(int(pid_file.read_text()), signal.SIGINT)
        _, err = job.communicate(timeout=30)
    finally:
        job.kill()
    assert job.returncode != 0, err
    assert "rank 1 failed, aborting the job: interrupted" in err, err
