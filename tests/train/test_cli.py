"""The `retrograd` command: train, evaluate, predict; bad input gets one line and exit 2."""
import os
import subprocess
import sys

import numpy as np
import pytest

from retrograd.cli import main


def _run(*args):
    return subprocess.run([sys.executable, "-m", "retrograd.cli", *args], capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    code = main(["train", "--model", "mlp", "--epochs", "1", "--out", str(out), "--quiet"])
    assert code == 0
    return out


def test_train_writes_model_checkpoint_history_and_plots(trained):
    for name in ("model.safetensors", "checkpoint.safetensors", "history.csv", "curves.png",
                 "confusion_matrix.png", "roc.png"):
        assert (trained / name).is_file(), name
    lines = (trained / "history.csv").read_text().splitlines()
    assert lines[0].startswith("epoch,") and len(lines) == 2


def test_evaluate_prints_metrics_and_confusion_matrix(trained, capsys):
    assert main(["evaluate", str(trained / "model.safetensors")]) == 0
    out = capsys.readouterr().out
    accuracy = float(out.split("accuracy")[1].split()[0])
    assert accuracy > 0.85
    assert "confusion matrix" in out


def test_predict_on_npy_and_png(trained, tmp_path, capsys):
    from retrograd.data import mnist_sample

    test = mnist_sample(train=False)
    np.save(tmp_path / "digits.npy", test.data[:3])
    from PIL import Image

    Image.fromarray(test.data[0]).save(tmp_path / "digit.png")
    assert main(["predict", str(trained / "model.safetensors"), str(tmp_path / "digits.npy"),
                 str(tmp_path / "digit.png")]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 4
    assert out[0].split("class ")[1].split()[0] == str(test.targets[0])


def test_interrupted_training_resumes_to_the_same_model(tmp_path, monkeypatch):
    """A run stopped after epoch 1 of 2 and resumed ends with the same weights, bit for bit, as
    the run that was never interrupted."""
    from retrograd.io import load
    from retrograd.train import Trainer

    common = ["train", "--model", "mlp", "--epochs", "2", "--quiet", "--no-plots"]
    assert main(common + ["--out", str(tmp_path / "whole")]) == 0

    original = Trainer._train_epoch

    def crash_in_second_epoch(self, loader, epoch, epochs):
        if epoch == 1:
            raise KeyboardInterrupt
        return original(self, loader, epoch, epochs)

    monkeypatch.setattr(Trainer, "_train_epoch", crash_in_second_epoch)
    assert main(common + ["--out", str(tmp_path / "cut")]) == 130
    assert not (tmp_path / "cut" / "model.safetensors").exists()
    monkeypatch.setattr(Trainer, "_train_epoch", original)
    assert main(common + ["--out", str(tmp_path / "cut"), "--resume"]) == 0

    whole, resumed = load(tmp_path / "whole" / "model.safetensors"), load(tmp_path / "cut" / "model.safetensors")
    assert list(whole) == list(resumed)
    for key in whole:
        np.testing.assert_array_equal(whole[key].array, resumed[key].array, err_msg=key)
    assert len((tmp_path / "cut" / "history.csv").read_text().splitlines()) == 3


def test_resume_with_another_plan_is_refused(trained, tmp_path):
    out = tmp_path / "copy"
    out.mkdir()
    (out / "checkpoint.safetensors").write_bytes((trained / "checkpoint.safetensors").read_bytes())
    result = _run("train", "--model", "mlp", "--epochs", "3", "--out", str(out), "--resume")
    assert result.returncode == 2 and "--epochs 1" in result.stderr


@pytest.mark.parametrize("args,needle", [
    (["train", "--model", "nosuchnet"], "unknown model"),
    (["train", "--dataset", "nosuchdata"], "unknown dataset"),
    (["evaluate", "missing.safetensors"], "not found"),
    (["train", "--resume", "nowhere.safetensors", "--out", "{tmp}"], "no checkpoint"),
])
def test_bad_input_is_one_line_and_exit_2(args, needle, tmp_path):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = _run(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in result.stderr


def test_predict_wrong_shape_is_rejected(trained, tmp_path):
    np.save(tmp_path / "bad.npy", np.zeros((5, 5), dtype=np.float32))
    result = _run("predict", str(trained / "model.safetensors"), str(tmp_path / "bad.npy"))
    assert result.returncode == 2 and "does not fit" in result.stderr


def test_corrupt_model_file_is_rejected(tmp_path):
    bad = tmp_path / "model.safetensors"
    bad.write_bytes(b"not a model at all")
    result = _run("evaluate", str(bad))
    assert result.returncode == 2 and str(bad) in result.stderr
    assert os.path.getsize(bad) == len(b"not a model at all")  # nothing was overwritten


def test_resume_before_the_first_checkpoint_starts_fresh_and_clears_temp_files(
        trained, tmp_path, monkeypatch, capsys):
    """A job killed in its first epoch (no checkpoint yet, a half-written temp file left) and
    resubmitted with --resume starts afresh, says so, and ends as the uninterrupted run."""
    from retrograd.io import load
    from retrograd.train import Trainer

    def crash(self, loader, epoch, epochs):
        raise KeyboardInterrupt

    cut = tmp_path / "cut"
    common = ["train", "--model", "mlp", "--epochs", "1", "--quiet", "--out", str(cut)]
    with monkeypatch.context() as patch:
        patch.setattr(Trainer, "_train_epoch", crash)
        assert main(common) == 130
    stale = cut / ".checkpoint.safetensors.a1b2c3d4e5f6.tmp"
    stale.write_bytes(b"half")
    assert main(common + ["--resume", "--no-plots"]) == 0
    assert "no checkpoint" in capsys.readouterr().err and not stale.exists()
    whole, resumed = load(trained / "model.safetensors"), load(cut / "model.safetensors")
    for key in whole:
        np.testing.assert_array_equal(whole[key].array, resumed[key].array, err_msg=key)
