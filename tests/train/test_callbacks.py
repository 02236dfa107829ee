"""Callbacks driven by scripted epoch figures (no training): when EarlyStopping stops and what
it restores, when ModelCheckpoint saves, what LRSchedulerCallback steps (mutants that survived
in train/callbacks.py)."""
import numpy as np
import pytest

import retrograd as rg
from retrograd import nn, optim
from retrograd.optim import lr_scheduler
from retrograd.train import EarlyStopping, ModelCheckpoint
from retrograd.train.callbacks import LRSchedulerCallback


class FakeTrainer:
    def __init__(self):
        rg.manual_seed(0)
        self.model = nn.Linear(2, 1)
        self.stop_training = False
        self.saved = []

    def save_checkpoint(self, path, epoch=None):
        self.saved.append((path, epoch))


def drive(callback, monitor, values, trainer=None):
    """Epoch figures one by one; returns the epoch at which training was told to stop (or None)."""
    trainer = trainer or FakeTrainer()
    callback.on_train_begin(trainer)
    for epoch, value in enumerate(values):
        callback.on_epoch_end(trainer, epoch, {monitor: value})
        if trainer.stop_training:
            return epoch
    return None


@pytest.mark.parametrize("monitor,values,kw,stop", [
    # min mode (a loss): better means lower by more than min_delta
    ("val_loss", [1.0, 0.95, 0.85, 0.8, 0.79], dict(patience=2, min_delta=0.1), 4),
    ("val_loss", [1.0, 0.9, 0.8, 0.7, 0.6], dict(patience=1, min_delta=0.1), 1),  # 0.9 is not < 0.9
    ("val_loss", [1.0, 0.9, 0.8, 0.7, 0.6], dict(patience=1, min_delta=0.05), None),
    ("val_loss", [1.0, 1.0, 1.0], dict(patience=2), 2),  # equal is no improvement
    # max mode (an accuracy), chosen automatically from the name
    ("val_accuracy", [0.5, 0.6, 0.6, 0.6], dict(patience=2), 3),
    ("val_accuracy", [0.5, 0.6, 0.65, 0.7], dict(patience=1, min_delta=0.04), None),
    ("val_accuracy", [0.5, 0.6, 0.63], dict(patience=1, min_delta=0.04), 2),
    ("val_loss", [0.5, 0.6, 0.7], dict(patience=1, mode="max"), None),  # mode given explicitly
])
def test_early_stopping_stops_when_and_only_when_patience_runs_out(monitor, values, kw, stop):
    callback = EarlyStopping(monitor=monitor, **kw)
    assert drive(callback, monitor, values) == stop
    assert callback.stopped_epoch == stop
    # a second fit starts afresh
    assert drive(callback, monitor, values) == stop


def test_early_stopping_restores_the_best_weights_only_when_asked():
    for restore in (True, False):
        trainer = FakeTrainer()
        callback = EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=restore)
        callback.on_train_begin(trainer)
        best = trainer.model.weight.array.copy()
        callback.on_epoch_end(trainer, 0, {"val_loss": 0.5})
        with rg.no_grad():
            trainer.model.weight.add_(1.0)
        changed = trainer.model.weight.array.copy()
        callback.on_epoch_end(trainer, 1, {"val_loss": 0.7})
        assert trainer.stop_training
        np.testing.assert_array_equal(trainer.model.weight.array, best if restore else changed)
    with pytest.raises(KeyError, match="val_loss"):
        EarlyStopping().on_epoch_end(FakeTrainer(), 0, {"loss": 1.0})


@pytest.mark.parametrize("monitor,values,saved", [
    ("val_loss", [1.0, 0.5, 0.7, 0.5, 0.4], [1, 2, 5]),
    ("val_accuracy", [0.5, 0.4, 0.6, 0.6], [1, 3]),
])
def test_checkpoint_saves_only_improvements_with_save_best_only(monitor, values, saved):
    trainer = FakeTrainer()
    callback = ModelCheckpoint("ckpt-{epoch}.safetensors", monitor=monitor, save_best_only=True)
    for epoch, value in enumerate(values):
        callback.on_epoch_end(trainer, epoch, {monitor: value})
    assert trainer.saved == [(f"ckpt-{e}.safetensors", e) for e in saved]
    every = FakeTrainer()
    for epoch in range(3):
        ModelCheckpoint("c.safetensors").on_epoch_end(every, epoch, {})
    assert [e for _, e in every.saved] == [1, 2, 3]
    missing = FakeTrainer()
    ModelCheckpoint("c.safetensors", save_best_only=True).on_epoch_end(missing, 0, {"loss": 1.0})
    assert missing.saved == []


def test_scheduler_callback_steps_per_epoch_per_batch_and_on_plateau():
    def opt():
        return optim.SGD([nn.Parameter(rg.zeros(1))], lr=1.0)

    per_epoch = lr_scheduler.StepLR(opt(), step_size=1, gamma=0.5)
    callback = LRSchedulerCallback(per_epoch)
    callback.on_train_batch_end(None, 0)
    assert per_epoch.get_last_lr() == [1.0]
    callback.on_epoch_end(None, 0, {})
    assert per_epoch.get_last_lr() == [0.5]

    per_batch = lr_scheduler.StepLR(opt(), step_size=1, gamma=0.5)
    callback = LRSchedulerCallback(per_batch, per_batch=True)
    callback.on_train_batch_end(None, 0)
    callback.on_epoch_end(None, 0, {})
    assert per_batch.get_last_lr() == [0.5]

    plateau = lr_scheduler.ReduceLROnPlateau(opt(), patience=0, factor=0.1)
    callback = LRSchedulerCallback(plateau, monitor="val_loss")
    for value in (1.0, 2.0):  # the second epoch is worse: the lr drops
        callback.on_epoch_end(None, 0, {"val_loss": value, "loss": 0.0})
    assert plateau.optimizer.param_groups[0]["lr"] == pytest.approx(0.1)
