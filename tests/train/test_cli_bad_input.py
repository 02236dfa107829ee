"""Bad input to `retrograd`: exit status 2 and one line naming what is wrong, never a traceback;
the output folder checked before training; resume cases; predict's inputs."""
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import retrograd as rg
from retrograd.cli import main
from retrograd.models.registry import build_model
from retrograd.train.model_file import save_model_file

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "security"))
import malformed  # noqa: E402

SPEC = {"name": "mlp", "num_classes": 10, "in_channels": 1, "image_size": 28,
        "kwargs": {"hidden": [8]}, "dataset": "mnist-sample"}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A small model file, a corrupt one, one whose description disagrees with its weights,
    bad inputs for predict, a CIFAR folder holding a code-running pickle, a plain file."""
    from PIL import Image

    d = tmp_path_factory.mktemp("bad")
    rg.manual_seed(0)
    save_model_file(build_model("mlp", 10, 1, 28, hidden=[8]), str(d / "model.safetensors"), SPEC)
    save_model_file(build_model("mlp", 10, 1, 28, hidden=[8]), str(d / "liar.safetensors"),
                    {**SPEC, "kwargs": {"hidden": [9]}})
    (d / "corrupt.safetensors").write_bytes(b"\x10" + b"\x00" * 7 + b"{not json}......")
    np.save(d / "empty.npy", np.zeros((0, 28, 28), np.float32))
    (d / "text.npy").write_text("1 2 3\n")
    np.save(d / "strings.npy", np.array(["a", "b"]))
    Image.new("L", (2, 2)).save(d / "tiny.png")
    data = bytearray((d / "tiny.png").read_bytes())
    data[16:24] = (30000).to_bytes(4, "big") * 2  # IHDR declares 30000 x 30000 (CRC now wrong)
    (d / "bomb.png").write_bytes(bytes(data))
    (d / "large.png").write_bytes(malformed.png_declaring(10000, 10000))  # Pillow only warns
    cifar = d / "cifar" / "cifar-10-batches-py"
    cifar.mkdir(parents=True)
    evil = pickle.dumps({b"data": Exec(f"open({str(d / 'PWNED')!r}, 'w')"), b"labels": [0]})
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        (cifar / name).write_bytes(evil)
    (d / "plain-file").write_text("x")
    return d


class Exec:
    def __init__(self, code):
        self.code = code

    def __reduce__(self):
        return exec, (self.code,)


BAD_LINES = [
    ("train --seed -1", "--seed"),
    ("train --seed 99999999999", "--seed"),
    ("train --lr inf", "--lr"),
    ("train --lr nan", "--lr"),
    ("train --lr 0", "--lr"),
    ("train --lr abc", "--lr"),
    ("train --epochs 0", "--epochs"),
    ("train --batch-size -5", "--batch-size"),
    ("train --momentum -1", "--momentum"),
    ("train --weight-decay inf", "--weight-decay"),
    ("train --optimizer nosuch", "--optimizer"),
    ("train --model nosuchnet --out {d}/o1", "unknown model"),
    ("train --dataset nosuchdata --out {d}/o2", "unknown dataset"),
    ("train --out {d}/plain-file", "not a folder"),
    ("train --out /proc/self/no/such", "not writable"),
    ("train --resume {d}/missing.safetensors --out {d}/o3", "no checkpoint"),
    ("train --out {d}/{{bogus}}", "--out"),
    ("train --dataset {d}/cifar --out {d}/o4", "refusing"),
    ("evaluate {d}/missing.safetensors", "not found"),
    ("evaluate {d}/corrupt.safetensors", "corrupt.safetensors"),
    ("evaluate {d}/liar.safetensors", "disagree"),
    ("evaluate {d}/model.safetensors --batch-size 0", "--batch-size"),
    ("predict {d}/model.safetensors {d}/empty.npy", "empty"),
    ("predict {d}/model.safetensors {d}/text.npy", "text.npy"),
    ("predict {d}/model.safetensors {d}/strings.npy", "expected numbers"),
    ("predict {d}/model.safetensors {d}/bomb.png", "bomb.png"),
    ("predict {d}/model.safetensors {d}/large.png", "too large"),
    ("predict {d}/model.safetensors {d}/nothere.png", "not found"),
    ("predict {d}/model.safetensors {d}/tiny.png --top 0", "--top"),
    ("predict {d}/liar.safetensors {d}/tiny.png", "disagree"),
    ("explain --target inf", "--target"),
    ("explain --loss cross-entropy --target inf", "--target"),
    ("explain --input nan,1", "--input"),
    ("explain --lr inf", "--lr"),
    ("nosuchcommand", "invalid choice"),
    ("", "required"),
]


@pytest.mark.parametrize("line,needle", BAD_LINES, ids=[b[0][:40] for b in BAD_LINES])
def test_bad_command_line_is_one_line_and_exit_2(files, capsys, line, needle):
    argv = line.format(d=files).split()
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse's own errors
        code = stop.code
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and needle in err[0], err
    assert not (files / "PWNED").exists()


def test_a_bad_line_in_a_real_process_prints_no_traceback_or_warning(files):
    result = subprocess.run([sys.executable, "-m", "retrograd.cli", "train", "--model", "mlp",
                             "--epochs", "1", "--lr", "1e6", "--out", str(files / "diverge"),
                             "--no-plots", "-q"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # no RuntimeWarning from NumPy either
    assert "diverged" in lines[0] and "epoch 1" in lines[0] and "try 100000" in lines[0]


def test_run_folder_finished_unfinished_force_and_stale_temp_files(tmp_path, capsys):
    from retrograd.train.run_folder import RunFolderError, prepare_run_folder

    out = str(tmp_path / "run")
    assert prepare_run_folder(out, "auto", False) is None  # a resubmitted job's first run
    assert "starting a fresh run" in capsys.readouterr().err
    stale = tmp_path / "run" / ".checkpoint.safetensors.0123456789ab.tmp"
    stale.write_bytes(b"half a checkpoint")
    (tmp_path / "run" / "checkpoint.safetensors").write_bytes(b"x")
    with pytest.raises(RunFolderError, match="unfinished run.*--resume"):
        prepare_run_folder(out, None, False)
    assert not stale.exists()
    assert prepare_run_folder(out, "auto", False).endswith("checkpoint.safetensors")
    (tmp_path / "run" / "model.safetensors").write_bytes(b"x")
    with pytest.raises(RunFolderError, match="finished run.*--force"):
        prepare_run_folder(out, None, False)
    assert prepare_run_folder(out, None, True) is None
    keep = tmp_path / "run" / ".notes.tmp"  # not a name atomic_write makes: kept
    keep.write_text("mine")
    prepare_run_folder(out, None, True)
    assert keep.exists()


def _checkpoint(path, optimizer_name, opt_cls):
    from retrograd import nn
    from retrograd.train import Trainer

    model = build_model("mlp", 10, 1, 28)
    trainer = Trainer(model, opt_cls(model.parameters(), lr=0.01), nn.CrossEntropyLoss())
    trainer.checkpoint_extra = {"model": "mlp", "dataset": "mnist-sample", "epochs": 1,
                                "optimizer": optimizer_name}
    trainer.save_checkpoint(str(path))


def test_resume_with_another_optimizer_is_refused_naming_both(tmp_path, capsys):
    from retrograd import optim

    (tmp_path / "run").mkdir()
    _checkpoint(tmp_path / "run" / "checkpoint.safetensors", "sgd", optim.SGD)
    code = main(["train", "--model", "mlp", "--epochs", "1", "--optimizer", "adam", "--out",
                 str(tmp_path / "run"), "--resume", "-q"])
    err = capsys.readouterr().err
    assert code == 2 and "sgd" in err and "adam" in err


def test_checkpoint_of_another_optimizer_class_is_refused(tmp_path):
    from retrograd import nn, optim
    from retrograd.io import load_checkpoint, save_checkpoint

    model = nn.Linear(2, 1)
    save_checkpoint(tmp_path / "c.safetensors", model, optim.SGD(model.parameters(), lr=0.1))
    with pytest.raises(ValueError, match="SGD.*Adam"):
        load_checkpoint(tmp_path / "c.safetensors", model, optim.Adam(model.parameters()))


def test_predict_inverts_a_light_background_and_says_so(files, tmp_path, capsys):
    from PIL import Image

    drawn = np.full((28, 28), 255, np.uint8)  # black strokes on white, as people draw
    drawn[5:23, 13:15] = 0
    Image.fromarray(drawn).save(tmp_path / "drawn.png")
    Image.fromarray(255 - drawn).save(tmp_path / "mnist-like.png")
    model = str(files / "model.safetensors")
    assert main(["predict", model, str(tmp_path / "drawn.png"),
                 str(tmp_path / "mnist-like.png")]) == 0
    drawn_line, mnist_line = capsys.readouterr().out.strip().splitlines()
    assert "inverted" in drawn_line and "inverted" not in mnist_line
    assert drawn_line.split("(")[1].split(")")[0] == mnist_line.split("(")[1].split(")")[0]
    assert main(["predict", model, str(tmp_path / "drawn.png"), "--no-invert"]) == 0
    assert "inverted" not in capsys.readouterr().out


def test_model_file_stores_the_dataset_folder_resolved(tmp_path, monkeypatch):
    from retrograd.cli_train import _dataset_id

    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path)
    assert _dataset_id("data") == str(tmp_path / "data")
    assert os.path.isabs(_dataset_id("./data/"))
    assert _dataset_id("Fashion_MNIST") == "fashion-mnist"
