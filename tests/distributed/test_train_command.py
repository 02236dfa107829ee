"""`mpiexec -n 2 retrograd train`: data-parallel without another flag; rank 0 alone writes; the
printed test figures cover the whole test set; --resume continues exactly; a usage error aborts
every rank."""
import csv

import numpy as np
from safetensors.numpy import load_file

from retrograd.cli import main

TRAIN = ("-m", "retrograd.cli")
ARGS = ["train", "--model", "mlp", "--schedule", "none", "--no-plots"]


def test_train_under_mpiexec_writes_once_and_resumes_exactly(mpi_run, tmp_path, capsys):
    whole, part = tmp_path / "whole", tmp_path / "part"
    out = mpi_run(2, "", *ARGS, "--epochs", "2", "--out", str(whole), python_args=TRAIN)
    assert out.count("data-parallel over 2 processes") == 1  # rank 0 prints, once
    assert "global batch 128 (64 per process), lr 0.1 (scaling rule: linear, 0.05 x 2)" in out
    assert out.count("test accuracy") == 1
    with open(whole / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["1", "2"]

    # The printed accuracy is over the whole test set: one process evaluating the model agrees.
    printed = float(out.split("test accuracy ")[1].split()[0])
    assert main(["evaluate", str(whole / "model.safetensors")]) == 0
    assert f"accuracy   {printed:.4f}" in capsys.readouterr().out

    mpi_run(2, "", *ARGS, "--epochs", "1", "--out", str(part), "-q", python_args=TRAIN)
    out = mpi_run(2, "", *ARGS, "--epochs", "2", "--out", str(part), "-q", "--resume",
                  python_args=TRAIN)
    assert out.count("resumed from") == 1
    a, b = load_file(whole / "model.safetensors"), load_file(part / "model.safetensors")
    assert sorted(a) == sorted(b) and not any(k.startswith("module.") for k in a)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_usage_error_in_every_rank_aborts_with_one_line(mpi_run, tmp_path):
    result = mpi_run(2, "", "train", "--epochs", "0", "--out", str(tmp_path), check=False,
                     python_args=TRAIN)
    assert result.returncode != 0
    assert "argument --epochs: must be at least 1, got 0" in result.stderr
    assert "Traceback" not in result.stderr
