"""Trainer callbacks: early stopping, checkpoints, learning-rate schedules, CSV logs.

A callback overrides any of the hooks below; ``logs`` is the dict of the epoch's figures
('loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr', ...)."""
from __future__ import annotations

import csv
import math
import os
from typing import Any


class Callback:
    """Base class: override the hooks you need; each gets the Trainer (and the epoch's logs)."""

    def on_train_begin(self, trainer, logs: dict | None = None) -> None: ...

    def on_epoch_begin(self, trainer, epoch: int, logs: dict | None = None) -> None: ...

    def on_train_batch_end(self, trainer, batch: int, logs: dict | None = None) -> None: ...

    def on_epoch_end(self, trainer, epoch: int, logs: dict | None = None) -> None: ...

    def on_train_end(self, trainer, logs: dict | None = None) -> None: ...


def _improved(mode: str, value: float, best: float, min_delta: float) -> bool:
    return value < best - min_delta if mode == "min" else value > best + min_delta


def _mode_for(monitor: str, mode: str) -> str:
    if mode != "auto":
        return mode
    return "min" if "loss" in monitor or "error" in monitor else "max"


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs;
    optionally put back the best epoch's weights."""

    def __init__(self, monitor: str = "val_loss", patience: int = 5, min_delta: float = 0.0,
                 mode: str = "auto", restore_best_weights: bool = False):
        self.monitor, self.patience, self.min_delta = monitor, patience, min_delta
        self.mode = _mode_for(monitor, mode)
        self.restore_best_weights = restore_best_weights
        self.best, self.wait, self.best_state, self.stopped_epoch = None, 0, None, None

    def on_train_begin(self, trainer, logs=None):
        self.best, self.wait, self.best_state, self.stopped_epoch = None, 0, None, None

    def on_epoch_end(self, trainer, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None:
            raise KeyError(f"EarlyStopping: '{self.monitor}' is not among the logged figures "
                           f"{sorted(logs or {})}; pass validation data or monitor another one")
        if self.best is None or _improved(self.mode, value, self.best, self.min_delta):
            self.best, self.wait = value, 0
            if self.restore_best_weights:
                self.best_state = {k: v.array.copy() for k, v in trainer.model.state_dict().items()}
            return
        self.wait += 1
        if self.wait >= self.patience:
            trainer.stop_training = True
            self.stopped_epoch = epoch
            if self.restore_best_weights and self.best_state is not None:
                trainer.model.load_state_dict(self.best_state)


class ModelCheckpoint(Callback):
    """Save a full checkpoint (model, optimizer, scheduler, epoch, RNG) after each epoch, or only
    when ``monitor`` improves. ``path`` may contain ``{epoch}``. Writes are atomic."""

    def __init__(self, path: str, monitor: str = "val_loss", save_best_only: bool = False,
                 mode: str = "auto"):
        self.path, self.monitor, self.save_best_only = path, monitor, save_best_only
        self.mode = _mode_for(monitor, mode)
        self.best = None

    def on_epoch_end(self, trainer, epoch, logs=None):
        logs = logs or {}
        if self.save_best_only:
            value = logs.get(self.monitor)
            if value is None or (self.best is not None and
                                 not _improved(self.mode, value, self.best, 0.0)):
                return
            self.best = value
        trainer.save_checkpoint(self.path.format(epoch=epoch + 1), epoch=epoch + 1)


class LRSchedulerCallback(Callback):
    """Step a learning-rate scheduler once per epoch (or per batch with ``per_batch``);
    ReduceLROnPlateau is given ``monitor``'s value."""

    def __init__(self, scheduler, per_batch: bool = False, monitor: str = "val_loss"):
        self.scheduler, self.per_batch, self.monitor = scheduler, per_batch, monitor

    def on_train_batch_end(self, trainer, batch, logs=None):
        if self.per_batch:
            self.scheduler.step()

    def on_epoch_end(self, trainer, epoch, logs=None):
        if self.per_batch:
            return
        if type(self.scheduler).__name__ == "ReduceLROnPlateau":
            logs = logs or {}
            value = logs.get(self.monitor, logs.get("loss"))
            self.scheduler.step(value)
        else:
            self.scheduler.step()


class CSVLogger(Callback):
    """Append one row per epoch to a CSV file (header written once)."""

    def __init__(self, path: str, append: bool = False):
        self.path, self.append = path, append

    def on_train_begin(self, trainer, logs=None):
        if not self.append and os.path.exists(self.path):
            os.remove(self.path)

    def on_epoch_end(self, trainer, epoch, logs=None):
        row: dict[str, Any] = {"epoch": epoch + 1, **(logs or {})}
        new = not os.path.exists(self.path)
        if not new:
            with open(self.path, newline="") as f:
                header = next(csv.reader(f), None)
            if header != list(row):
                new = True
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        with open(self.path, "w" if new else "a", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(row))
            if new:
                writer.writeheader()
            writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) and math.isfinite(v) else v)
                             for k, v in row.items()})
