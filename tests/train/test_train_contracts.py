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
    assert type(trainer_module._plain(np.float32(0.5))) is float
    assert trainer_module._plain(np.array(2.0)) == 2.0
    assert trainer_module._plain(np.array([1, 2])) == [1, 2] and trainer_module._plain("x") == "x"


class Recorder:
    """A callback that writes down what the Trainer tells it."""

    def __init__(self, opt=None):
        self.opt, self.calls = opt, []

    def __getattr__(self, hook):
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        def record(trainer, *args):
            lr = self.opt.param_groups[0]["lr"] if self.opt is not None else None
            self.calls.append((hook, *args[:1], lr, args[1] if len(args) > 1 else None))
        return record


def _data(n=100):
    rg.manual_seed(1)
    return rg.randn(n, 3).array, np.arange(n) % 2


def test_fit_defaults_batches_and_batch_logs(monkeypatch):
    rg.manual_seed(0)
    model = nn.Linear(3, 2)
    opt = optim.SGD(model.parameters(), lr=0.1)
    recorder = Recorder()
    trainer = Trainer(model, opt, nn.CrossEntropyLoss(), callbacks=[recorder], verbose=0)
    assert trainer.checkpoint_extra == {} and trainer.epoch == 0
    clock = iter(range(0, 1000, 4))
    monkeypatch.setattr(trainer_module.time, "perf_counter", lambda: float(next(clock)))
    history = trainer.fit(_data())  # one epoch, batches of 64
    batches = [c for c in recorder.calls if c[0] == "on_train_batch_end"]
    assert [c[1] for c in batches] == [0, 1] and len(history) == 1
    assert all(set(c[3]) == {"loss"} for c in batches)
    assert history["loss"][0] == pytest.approx((64 * batches[0][3]["loss"] + 36 * batches[1][3]["loss"]) / 100)
    assert history["samples_per_s"][0] == 25.0  # 100 samples between two clock ticks 4 s apart
    assert [c[0] for c in recorder.calls if c[0] != "on_train_batch_end"] == [
        "on_train_begin", "on_epoch_begin", "on_epoch_end", "on_train_end"]
    assert [c[1] for c in recorder.calls if c[0] == "on_epoch_begin"] == [0]


def test_fit_resumes_at_initial_epoch_and_shuffles_by_default():
    seen = []

    class Probe(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(1, 2)

        def forward(self, x):
            seen.append(x.array[:, 0].copy())
            return self.lin(x)

    model = Probe()
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.0), nn.CrossEntropyLoss(),
                      metrics=(), verbose=0, batch_size=50)
    x, y = np.arange(50.0)[:, None].astype(np.float32), np.zeros(50, dtype=np.int64)
    history = trainer.fit((x, y), epochs=3, initial_epoch=2)
    assert history.epochs == [2] and trainer.epoch == 3
    assert not np.array_equal(seen[0], np.arange(50.0))  # shuffled
    seen.clear()
    trainer.fit((x, y), epochs=4, shuffle=False)
    np.testing.assert_array_equal(seen[0], np.arange(50.0))


def test_scheduler_steps_before_user_callbacks_and_per_batch():
    rg.manual_seed(0)
    model = nn.Linear(3, 2)
    opt = optim.SGD(model.parameters(), lr=1.0)
    recorder = Recorder(opt)
    trainer = Trainer(model, opt, nn.CrossEntropyLoss(), verbose=0, callbacks=[recorder],
                      scheduler=lr_scheduler.StepLR(opt, step_size=1, gamma=0.5))
    trainer.fit(_data(), epochs=2)
    assert [c[2] for c in recorder.calls if c[0] == "on_epoch_end"] == [0.5, 0.25]
    assert trainer.history["lr"] == [1.0, 0.5]  # the lr the epoch trained with
    opt = optim.SGD(model.parameters(), lr=1.0)
    trainer = Trainer(model, opt, nn.CrossEntropyLoss(), verbose=0, schedule_per_batch=True,
                      scheduler=lr_scheduler.ExponentialLR(opt, gamma=0.5))
    trainer.fit(_data(), epochs=1)  # two batches
    assert opt.param_groups[0]["lr"] == 0.25


def test_progress_bar_description_and_figures(monkeypatch):
    made = []

    class Bar:
        def __init__(self, loader, **kwargs):
            self.loader, self.kwargs, self.postfix = loader, kwargs, []
            made.append(self)

        def __iter__(self):
            return iter(self.loader)

        def set_postfix(self, **kwargs):
            self.postfix.append(kwargs)

    monkeypatch.setattr(trainer_module, "interactive", lambda: True)
    monkeypatch.setattr(trainer_module, "progress_bar", Bar)
    clock = iter(np.arange(0, 10000, 0.5))
    monkeypatch.setattr(trainer_module.time, "perf_counter", lambda: float(next(clock)))
    trainer = _trainer()
    trainer.fit(_data(), epochs=2)
    assert [b.kwargs["desc"] for b in made] == ["epoch 1/2", "epoch 2/2"]
    first, second = made[0].postfix
    assert set(first) == {"loss", "accuracy", "samples_s"}
    assert first["samples_s"] == "128" and second["samples_s"] == "100"  # 64 / 0.5 s, 100 / 1 s
    assert float(second["loss"]) == pytest.approx(trainer.history["loss"][0], abs=5e-5)


def test_checkpoint_round_trip_restores_history_extra_and_scheduler(tmp_path):
    def make():
        rg.manual_seed(0)
        model = nn.Linear(3, 2)
        opt = optim.SGD(model.parameters(), lr=1.0)
        return Trainer(model, opt, nn.CrossEntropyLoss(), verbose=0,
                       scheduler=lr_scheduler.StepLR(opt, step_size=1, gamma=0.5))

    trainer = make()
    trainer.checkpoint_extra = {"note": "run 1"}
    trainer.fit(_data(), epochs=2)
    path = str(tmp_path / "run.ckpt")
    trainer.save_checkpoint(path)
    trainer.save_checkpoint(str(tmp_path / "early.ckpt"), epoch=1)
    again = make()
    assert again.load_checkpoint(path) == 2 and again.epoch == 2
    assert again.history.history == trainer.history.history and again.history.epochs == [0, 1]
    assert again.checkpoint_extra == {"note": "run 1"}
    assert again.optimizer.param_groups[0]["lr"] == 0.25 and again.scheduler.last_epoch == 2
    assert make().load_checkpoint(str(tmp_path / "early.ckpt")) == 1


def test_a_dataset_of_two_samples_is_not_an_input_target_pair():
    from retrograd.data import TensorDataset

    rg.manual_seed(0)
    model = nn.Linear(3, 2)
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(),
                      verbose=0)
    x, y = rg.randn(2, 3), rg.tensor(np.array([0, 1]))
    assert trainer.evaluate(TensorDataset(x, y))["loss"] == pytest.approx(
        trainer.evaluate((x.array, y.array))["loss"])


def test_loading_a_checkpoint_not_written_by_trainer_and_with_a_loader(tmp_path):
    from retrograd.data import DataLoader, TensorDataset
    from retrograd.io import save_checkpoint

    def make():
        rg.manual_seed(0)
        model = nn.Linear(3, 2)
        return Trainer(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(),
                       verbose=0)

    trainer = make()
    path = str(tmp_path / "plain.ckpt")
    save_checkpoint(path, trainer.model, trainer.optimizer, epoch=3)  # no Trainer extras
    again = make()
    assert again.load_checkpoint(path) == 3 and len(again.history) == 0
    assert again.checkpoint_extra == {}

    def loader():
        x, y = _data(20)
        return DataLoader(TensorDataset(rg.tensor(x), rg.tensor(y)), batch_size=20, shuffle=True,
                          generator=np.random.default_rng(5))

    first = loader()
    list(first)  # one epoch drawn: the generator has moved on
    trainer.train_loader = first
    trainer.save_checkpoint(str(tmp_path / "run.ckpt"))
    expected = list(first)[0][1].array  # the second epoch's order
    resumed, fresh = make(), loader()
    resumed.load_checkpoint(str(tmp_path / "run.ckpt"), loader=fresh)
    np.testing.assert_array_equal(list(fresh)[0][1].array, expected)
    assert not np.array_equal(list(loader())[0][1].array, expected)  # a fresh loader differs
    resumed, fresh = make(), loader()
    resumed.train_loader = fresh  # no loader given: the trainer's own is restored
    resumed.load_checkpoint(str(tmp_path / "run.ckpt"))
    np.testing.assert_array_equal(list(fresh)[0][1].array, expected)
