"""Training outputs a mutation run of retrograd.train found unchecked: the numbers on the
verbose epoch line (elapsed time and ETA, also after a resume), History.to_csv, CSVLogger's rows
and append rules, the callbacks' defaults, and evaluate's plain values."""
import csv

import numpy as np
import pytest
from test_callbacks import FakeTrainer, drive

import retrograd as rg
import retrograd.train.trainer as trainer_module
from retrograd import nn, optim
from retrograd.metrics import ConfusionMatrix
from retrograd.optim import lr_scheduler
from retrograd.train import CSVLogger, EarlyStopping, History, ModelCheckpoint, Trainer
from retrograd.train.callbacks import LRSchedulerCallback


def _trainer():
    model = nn.Linear(3, 2)
    return Trainer(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), verbose=1)


def test_epoch_line_shows_the_figures_elapsed_time_and_eta(monkeypatch, capsys):
    trainer = _trainer()
    monkeypatch.setattr(trainer_module.time, "perf_counter", lambda: 100.0)
    logs = {"loss": 0.123456, "accuracy": 0.5, "lr": 0.1, "samples_per_s": 1234.56,
            "per_class": np.array([1.0, 2.0]), "note": "x"}
    trainer._fit_started, trainer._fit_first_epoch = 80.0, 0  # 20 s for 2 epochs of 5
    trainer._print_epoch(1, 5, logs)
    trainer._fit_first_epoch = 1  # resumed at epoch 1: 20 s for 1 epoch, 3 to go
    trainer._print_epoch(1, 5, logs)
    trainer._fit_started = None
    trainer._print_epoch(4, 5, {"loss": 2.0})
    assert capsys.readouterr().out.splitlines() == [
        "epoch 2/5  loss 0.1235  accuracy 0.5000  lr 0.1000  samples_per_s 1235  note x"
        "  elapsed 0:20  eta 0:30",
        "epoch 2/5  loss 0.1235  accuracy 0.5000  lr 0.1000  samples_per_s 1235  note x"
        "  elapsed 0:20  eta 1:00",
        "epoch 5/5  loss 2.0000"]


def test_history_csv_and_lookup(tmp_path):
    history = History()
    history.append(0, {"loss": 0.5, "accuracy": 0.25})
    history.append(1, {"loss": 0.25, "val_loss": 0.75})
    path = tmp_path / "history.csv"
    history.to_csv(str(path))
    with open(path, newline="") as f:
        assert list(csv.reader(f)) == [["epoch", "loss", "accuracy", "val_loss"],
                                       ["1", "0.5", "0.25", ""], ["2", "0.25", "", "0.75"]]
    assert "val_loss" in history and "lr" not in history and len(history) == 2
    assert repr(history) == "History(epochs=2, keys=['loss', 'accuracy', 'val_loss'])"


def test_csv_logger_rows_and_append(tmp_path):
    path = tmp_path / "logs" / "train.csv"
    logger = CSVLogger(str(path))
    logger.on_train_begin(None)
    logger.on_epoch_end(None, 0, {"loss": 1 / 3, "lr": 0.1, "val_loss": float("nan"), "n": 7})
    logger.on_epoch_end(None, 1, {"loss": 0.25, "lr": 0.1, "val_loss": 0.5, "n": 7})
    rows = list(csv.reader(open(path, newline="")))
    assert rows == [["epoch", "loss", "lr", "val_loss", "n"], ["1", "0.333333", "0.1", "nan", "7"],
                    ["2", "0.25", "0.1", "0.5", "7"]]
    again = CSVLogger(str(path), append=True)  # a resumed run keeps the earlier rows
    again.on_train_begin(None)
    again.on_epoch_end(None, 2, {"loss": 0.125, "lr": 0.1, "val_loss": 0.5, "n": 7})
    assert len(list(csv.reader(open(path, newline="")))) == 4
    fresh = CSVLogger(str(path))  # append=False by default: a new run starts a new file
    fresh.on_train_begin(None)
    assert not path.exists()
    fresh.on_epoch_end(None, 0, {"loss": 0.5})
    fresh.on_epoch_end(None, 1, {"loss": 0.5, "accuracy": 0.75})  # new columns: a new header
    assert list(csv.reader(open(path, newline=""))) == [["epoch", "loss", "accuracy"],
                                                        ["2", "0.5", "0.75"]]


def test_callback_defaults():
    stopper = EarlyStopping()  # val_loss, patience 5, keeps the last weights
    trainer = FakeTrainer()
    w0 = trainer.model.weight.array.copy()
    stopper.on_train_begin(trainer)
    stopper.on_epoch_end(trainer, 0, {"val_loss": 1.0})
    trainer.model.weight.array[...] = 7.0
    for epoch in range(1, 6):
        stopper.on_epoch_end(trainer, epoch, {"val_loss": 2.0, "loss": 0.0})
        assert trainer.stop_training == (epoch == 5)
    assert stopper.stopped_epoch == 5 and not np.array_equal(trainer.model.weight.array, w0)
    assert drive(EarlyStopping(monitor="val_error", patience=1), "val_error", [0.5, 0.4, 0.45]) == 2
    assert drive(EarlyStopping(monitor="val_f1", patience=1), "val_f1", [0.5, 0.6, 0.55]) == 2
    saver, trainer = ModelCheckpoint("m{epoch}.ckpt", save_best_only=True), FakeTrainer()
    for epoch, value in enumerate([1.0, 0.5, 0.75]):
        saver.on_epoch_end(trainer, epoch, {"val_loss": value, "loss": 2.0 - epoch})
    assert trainer.saved == [("m1.ckpt", 1), ("m2.ckpt", 2)]


def test_plateau_callback_watches_val_loss_then_loss():
    model = nn.Linear(2, 1)
    opt = optim.SGD(model.parameters(), lr=1.0)
    callback = LRSchedulerCallback(lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5))
    for epoch, logs in enumerate([{"val_loss": 1.0, "loss": 9.0}, {"val_loss": 1.0, "loss": 1.0},
                                  {"loss": 0.5}, {"loss": 0.5}]):
        callback.on_epoch_end(None, epoch, logs)
    # val_loss did not improve at epoch 1 (halved); then 'loss' 0.5 improves on 1.0, 0.5 does not
    assert opt.param_groups[0]["lr"] == 0.25


def test_evaluate_returns_plain_values():
    rg.manual_seed(0)
    model = nn.Linear(3, 2)
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(),
                      verbose=0)
    x, y = rg.randn(6, 3), rg.tensor(np.array([0, 1, 0, 1, 1, 0]))
    logs = trainer.evaluate((x.array, y.array), metrics=["accuracy", ConfusionMatrix(num_classes=2)])
    assert isinstance(logs["accuracy"], float) and type(logs["loss"]) is float
    assert isinstance(logs["confusion_matrix"], list) and np.sum(logs["confusion_matrix"]) == 6
    assert trainer_module._plain(np.float32(0.5)) == 0.5 and trainer_module._plain(np.array(2.0)) == 2.0
    assert trainer_module._plain(np.array([1, 2])) == [1, 2] and trainer_module._plain("x") == "x"
