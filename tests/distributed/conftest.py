"""Launch MPI jobs from pytest: ``mpi_run(n, "jobs/x.py", *args)`` runs ``mpiexec -n n python
jobs/x.py args`` (with ``job=""``, only ``python_args``, e.g. ``-m retrograd.cli``) under a
timeout and returns its stdout after checking that it exited 0 (with ``check=False``, the
finished process). Tests skip, saying why, where mpi4py or mpiexec is missing."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def find_mpiexec() -> str | None:
    """The mpiexec beside this Python (the mpich wheel's), else the one on PATH."""
    beside = Path(sys.executable).parent / "mpiexec"
    return str(beside) if beside.exists() else shutil.which("mpiexec")


def _skip_reason() -> str | None:
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return "mpi4py is not installed (pip install -e '.[distributed]')"
    if find_mpiexec() is None:
        return "no mpiexec found beside Python or on PATH (pip install mpich)"
    return None


@pytest.fixture
def mpi_command():
    """``mpi_command(n, job, *args, python_args=())``: the mpiexec command line of a job."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)

    def command(n: int, job: str, *args: str, python_args: tuple = ()) -> list[str]:
        line = [find_mpiexec(), "-n", str(n), sys.executable, *python_args]
        return line + ([str(HERE / job)] if job else []) + list(args)

    return command


@pytest.fixture
def mpi_run(mpi_command):
    def run(n: int, job: str, *args: str, timeout: float = 90, cwd=None, env=None,
            python_args: tuple = (), check: bool = True):
        full_env = {**os.environ, "OMP_NUM_THREADS": "1", **(env or {})}
        result = subprocess.run(mpi_command(n, job, *args, python_args=python_args),
                                capture_output=True, text=True, timeout=timeout, cwd=cwd,
                                env=full_env)
        if not check:
            return result
        assert result.returncode == 0, \
            f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
        return result.stdout

    return run
