"""SummaryWriter and the TensorBoard callback: event files read back with the tensorboard
package's own reader (EventAccumulator)."""
from __future__ import annotations

import os

import numpy as np
import pytest

import retrograd as rg

pytest.importorskip("tensorboard", reason="needs the tensorboard extra: pip install 'retrograd[tensorboard]'")

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402

from retrograd.utils.tensorboard import SummaryWriter  # noqa: E402


def _read(folder):
    return EventAccumulator(str(folder), size_guidance={"images": 0, "histograms": 0,
                                                        "scalars": 0, "tensors": 0}).Reload()


def test_scalars_histograms_and_text_round_trip(tmp_path):
    values = rg.randn(500)
    with SummaryWriter(str(tmp_path)) as w:
        for step in range(3):
            w.add_scalar("loss/train", rg.tensor(1.0 / (step + 1)), step)
        w.add_scalars("acc", {"train": 0.75, "val": 0.5}, global_step=4)
        w.add_histogram("weights", values, 7)
        w.add_histogram("ten_bins", np.arange(100.0), 7, bins=10)
        w.add_text("note", "hello", 0)
    events = _read(tmp_path)
    assert [(e.step, round(e.value, 6)) for e in events.Scalars("loss/train")] == \
        [(0, 1.0), (1, 0.5), (2, round(1 / 3, 6))]
    histo = events.Histograms("weights")[0]
    assert histo.step == 7 and histo.histogram_value.num == 500
    assert sum(histo.histogram_value.bucket) == 500
    assert histo.histogram_value.min == pytest.approx(float(values.array.min()))
    ten = events.Histograms("ten_bins")[0].histogram_value
    assert list(ten.bucket) == [10.0] * 10 and ten.bucket_limit[-1] == 99.0
    assert events.Tensors("note")[0].tensor_proto.string_val == [b"hello"]
    for tag, value in (("train", 0.75), ("val", 0.5)):  # PyTorch's layout: one run per curve
        sub = _read(tmp_path / f"acc_{tag}")
        assert [(e.step, e.value) for e in sub.Scalars("acc")] == [(4, value)]


def test_images_and_figures(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = plt.figure(figsize=(2, 1), dpi=50)
    plt.plot([0, 1])
    with SummaryWriter(str(tmp_path)) as w:
        w.add_image("chw", np.random.rand(3, 6, 5), 1)
        w.add_image("hw", np.zeros((4, 9), dtype=np.uint8), 1, dataformats="HW")
        w.add_images("batch", np.random.rand(3, 1, 4, 4), 1)
        w.add_figure("figure", figure, 2)
        with pytest.raises(ValueError, match="dataformats"):
            w.add_image("bad", np.zeros((3, 4)), 1)
    events = _read(tmp_path)
    chw = events.Images("chw")[0]
    assert (chw.height, chw.width) == (6, 5) and chw.encoded_image_string[:4] == b"\x89PNG"
    assert (events.Images("hw")[0].height, events.Images("hw")[0].width) == (4, 9)
    fig = events.Images("figure")[0]
    assert (fig.step, fig.width, fig.height) == (2, 100, 50)


def test_hparams_and_graph(tmp_path):
    from tensorboard.plugins.hparams import plugin_data_pb2

    from retrograd.models import LeNet5

    with SummaryWriter(str(tmp_path)) as w:
        w.add_hparams({"lr": 0.1, "optimizer": "sgd", "nesterov": True}, {"hparam/accuracy": 0.9},
                      run_name="trial")
        w.add_graph(LeNet5(), rg.randn(1, 1, 28, 28))
    graph = _read(tmp_path).Graph()
    names = [n.name for n in graph.node]
    assert names[0] == "input/input.0" and names[-1] == "output/output.0"
    assert "LeNet5/features/0/Conv2d" in names and "LeNet5/classifier/5/Linear" in names
    conv = next(n for n in graph.node if n.name == "LeNet5/features/3/Conv2d")
    assert list(conv.input) == ["LeNet5/features/2/MaxPool2d"]
    trial = _read(tmp_path / "trial")
    assert trial.Scalars("hparam/accuracy")[0].value == pytest.approx(0.9)
    meta = trial.SummaryMetadata("_hparams_/session_start_info").plugin_data
    start = plugin_data_pb2.HParamsPluginData.FromString(meta.content).session_start_info
    assert start.hparams["lr"].number_value == 0.1 and start.hparams["optimizer"].string_value == "sgd"


def test_trainer_callback_logs_losses_metrics_lr_and_gradient_norms(tmp_path):
    from retrograd import nn, optim
    from retrograd.train import TensorBoard, Trainer

    rg.manual_seed(0)
    x, y = rg.randn(64, 4), rg.tensor(np.arange(64) % 3)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    board = TensorBoard(str(tmp_path), log_every_n_steps=2)
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(),
                      callbacks=[board], verbose=0, batch_size=16)
    trainer.fit((x, y), epochs=2, validation=(x, y))
    board.writer.close()
    events = _read(tmp_path)
    tags = set(events.Tags()["scalars"])
    assert {"loss/train", "loss/val", "accuracy/train", "accuracy/val", "lr", "samples_per_s",
            "grad_norm/0", "grad_norm/2", "batch/loss"} <= tags
    assert [e.step for e in events.Scalars("batch/loss")] == [2, 4, 6, 8]  # 4 batches x 2 epochs
    assert [e.step for e in events.Scalars("loss/train")] == [1, 2]
    assert events.Scalars("loss/val")[-1].value == pytest.approx(trainer.history.history["val_loss"][-1])
    assert all(e.value > 0 for e in events.Scalars("grad_norm/0"))


def test_cli_train_tensorboard_writes_under_out(tmp_path):
    from retrograd.cli import main

    out = tmp_path / "run"
    assert main(["train", "--model", "mlp", "--epochs", "1", "--out", str(out), "--quiet",
                 "--no-plots", "--tensorboard"]) == 0
    events = _read(out / "tensorboard")
    assert {"loss/train", "accuracy/val", "lr"} <= set(events.Tags()["scalars"])
    assert os.path.isdir(out / "tensorboard" / "hparams")
