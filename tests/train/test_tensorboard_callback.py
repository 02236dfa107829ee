"""The TensorBoard callback's figures, written to a recording writer (holes a mutation run of
retrograd.train found; the file-based test checks that the tags exist): per-batch loss every
n steps, epoch scalars split into train and val, the mean of per-batch gradient norms per
layer, histograms only when asked."""
import math

import numpy as np
import pytest

import retrograd as rg
from retrograd import nn, optim
from retrograd.train.tensorboard import TensorBoard


class Writer:
    def __init__(self):
        self.scalars, self.histograms, self.flushes = [], [], 0

    def add_scalar(self, tag, value, step):
        self.scalars.append((tag, value, step))

    def add_histogram(self, tag, values, step):
        self.histograms.append((tag, np.array(values), step))

    def flush(self):
        self.flushes += 1


class Run:  # what the callback reads from the Trainer
    def __init__(self):
        rg.manual_seed(0)
        self.model = nn.Sequential(nn.Sequential(nn.Linear(2, 3)), nn.Linear(3, 1))


def set_grads(model, scale):
    for p in model.parameters():
        p.grad = rg.tensor(np.full(p.shape, scale, dtype=np.float32))


def test_figures_written_per_batch_and_per_epoch():
    writer, run = Writer(), Run()
    board = TensorBoard(writer=writer, log_every_n_steps=2)
    board.on_epoch_begin(run, 0)
    for batch, scale in enumerate([1.0, 2.0, 4.0]):
        set_grads(run.model, scale)
        if batch == 2:
            run.model[1].bias.grad = None  # a parameter without a gradient is skipped
        board.on_train_batch_end(run, batch, {"loss": 10.0 + batch})
    board.on_epoch_end(run, 0, {"per_class": np.array([1, 2]), "name": "x", "loss": 0.5,
                                "val_loss": 0.75, "accuracy": 0.25, "lr": 0.1,
                                "samples_per_s": 99.0})  # non-scalars first: skipped, not the end
    scalars = {tag: (value, step) for tag, value, step in writer.scalars}
    assert [s for s in writer.scalars if s[0] == "batch/loss"] == [("batch/loss", 11.0, 2)]
    assert scalars["loss/train"] == (0.5, 1) and scalars["loss/val"] == (0.75, 1)
    assert scalars["accuracy/train"] == (0.25, 1) and scalars["lr"] == (0.1, 1)
    assert scalars["samples_per_s"] == (99.0, 1) and "per_class/train" not in scalars
    # layer '0.0' has 2*3 + 3 = 9 gradient entries, layer '1' 3 + 1 = 4: norms scale * sqrt(n)
    assert scalars["grad_norm/0.0"][0] == pytest.approx(math.sqrt(9) * 7 / 3)
    assert scalars["grad_norm/1"][0] == pytest.approx((2 + 4 + 4 * math.sqrt(3)) / 3)
    assert set(t for t, _, _ in writer.scalars if t.startswith("grad_norm")) == {
        "grad_norm/0.0", "grad_norm/1"}
    assert writer.histograms == [] and writer.flushes == 1
    board.on_epoch_begin(run, 1)  # a new epoch starts its averages afresh
    set_grads(run.model, 1.0)
    board.on_train_batch_end(run, 0, {"loss": 1.0})
    board.on_epoch_end(run, 1, {})
    assert writer.scalars[-2:] == [("grad_norm/0.0", pytest.approx(3.0), 2),
                                   ("grad_norm/1", pytest.approx(2.0), 2)]
    assert board.global_step == 4


def test_histograms_and_default_interval():
    writer, run = Writer(), Run()
    board = TensorBoard(writer=writer, histograms=True)
    board.on_epoch_begin(run, 0)
    for batch in range(20):
        board.on_train_batch_end(run, batch, {"loss": float(batch)})
    board.on_epoch_end(run, 2, {})
    assert [(s[1], s[2]) for s in writer.scalars if s[0] == "batch/loss"] == [(9.0, 10), (19.0, 20)]
    names = [name for name, _ in run.model.named_parameters()]
    assert [(t, step) for t, _, step in writer.histograms] == [(f"weights/{n}", 3) for n in names]
    np.testing.assert_array_equal(writer.histograms[0][1], run.model[0][0].weight.array)
    board.on_train_end(run)
    assert writer.flushes == 2
    board = TensorBoard(writer=Writer())
    assert board.log_every_n_steps == 10 and board.histograms is False
