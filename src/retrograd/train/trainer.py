"""Trainer: fit / evaluate / predict with metrics, callbacks, a progress bar and checkpoints.

One training step, read top to bottom in ``_train_epoch``:
zero_grad -> forward -> loss -> backward -> optimizer.step -> metrics.update.
"""
from __future__ import annotations

import time
from typing import Callable, Iterable, Sequence

import numpy as np

from ..autograd import no_grad
from ..nn.utils.clip_grad import clip_grad_norm_
from ..progress import format_seconds, interactive, progress_bar
from ..tensor import Tensor
from .callbacks import Callback, LRSchedulerCallback
from .history import History


def _as_loader(data, batch_size: int, shuffle: bool, generator=None):
    """A DataLoader from a DataLoader, a Dataset, or an (inputs, targets) pair of arrays."""
    from ..data import DataLoader, TensorDataset

    if data is None or hasattr(data, "__iter__") and hasattr(data, "batch_size"):
        return data
    if isinstance(data, tuple) and len(data) == 2:
        data = TensorDataset(*data)
    return DataLoader(data, batch_size=batch_size, shuffle=shuffle, generator=generator)


class Trainer:
    """Train ``model`` with ``optimizer`` on ``loss_fn``, tracking ``metrics`` (names or metric
    objects from ``retrograd.metrics``).

    >>> trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss())
    >>> history = trainer.fit(train_loader, epochs=3, validation=test_loader)
    """

    def __init__(self, model, optimizer, loss_fn: Callable, metrics: Sequence = ("accuracy",),
                 scheduler=None, callbacks: Iterable[Callback] = (), verbose: int = 1,
                 schedule_per_batch: bool = False, batch_size: int = 64,
                 clip_grad_norm: float | None = None):
        from ..metrics import get_metric

        self.model, self.optimizer, self.loss_fn = model, optimizer, loss_fn
        self.metric_factories = list(metrics)
        self.make_metrics = lambda: [get_metric(m) if isinstance(m, str) else m for m in self.metric_factories]
        self.scheduler = scheduler
        self.callbacks = list(callbacks)
        if scheduler is not None:
            self.callbacks.insert(0, LRSchedulerCallback(scheduler, per_batch=schedule_per_batch))
        self.verbose, self.batch_size = verbose, batch_size
        self.stop_training = False
        self.epoch = 0
        self.history = History()
        self.train_loader = None
        self.checkpoint_extra: dict = {}  # anything else to keep in checkpoints (JSON-able)
        self.clip_grad_norm = clip_grad_norm  # rescale gradients to at most this total norm
        self._fit_started: float | None = None  # for the ETA of the epoch lines
        self._fit_first_epoch = 0

    # ----- training -------------------------------------------------------------------------
    def fit(self, train, epochs: int = 1, validation=None, initial_epoch: int | None = None,
            shuffle: bool = True) -> History:
        """Train for ``epochs`` epochs (continuing from ``initial_epoch``, e.g. after a resume)."""
        loader = _as_loader(train, self.batch_size, shuffle)
        self.train_loader = loader
        val_loader = _as_loader(validation, self.batch_size, False)
        start = self.epoch if initial_epoch is None else initial_epoch
        self.stop_training = False
        self._fit_started, self._fit_first_epoch = time.perf_counter(), start
        self._call("on_train_begin")
        for epoch in range(start, epochs):
            self._call("on_epoch_begin", epoch)
            logs = self._train_epoch(loader, epoch, epochs)
            if val_loader is not None:
                logs.update({f"val_{k}": v for k, v in self.evaluate(val_loader).items()})
            logs["lr"] = self.optimizer.param_groups[0]["lr"]
            self.epoch = epoch + 1
            self.history.append(epoch, logs)
            self._call("on_epoch_end", epoch, logs)
            if self.verbose:
                self._print_epoch(epoch, epochs, logs)
            if self.stop_training:
                break
        self._call("on_train_end")
        return self.history

    def _train_epoch(self, loader, epoch: int, epochs: int) -> dict:
        from ..metrics import Mean

        self.model.train()
        metrics, loss_mean = self.make_metrics(), Mean("loss")
        bar = self._progress(loader, f"epoch {epoch + 1}/{epochs}")
        seen, t0 = 0, time.perf_counter()
        for batch, (x, y) in enumerate(bar):
            self.optimizer.zero_grad()
            output = self.model(x)
            loss = self.loss_fn(output, y)
            loss.backward()
            if self.clip_grad_norm:
                clip_grad_norm_(self.model.parameters(), self.clip_grad_norm)
            self.optimizer.step()

            value = loss.item()
            if not np.isfinite(value):
                raise FloatingPointError(f"training diverged: the loss became {value} at epoch "
                                         f"{epoch + 1}, batch {batch + 1}; lower the learning rate")
            loss_mean.update(value, weight=len(x))
            out = output.detach()
            for m in metrics:
                m.update(out, y)
            seen += len(x)
            self._call("on_train_batch_end", batch, {"loss": value})
            if hasattr(bar, "set_postfix"):
                rate = seen / max(time.perf_counter() - t0, 1e-9)
                bar.set_postfix(loss=f"{loss_mean.compute():.4f}", **{
                    m.name: f"{m.compute():.4f}" for m in metrics}, samples_s=f"{rate:.0f}")
        logs = {"loss": float(loss_mean.compute())}
        logs.update({m.name: float(m.compute()) for m in metrics})
        logs["samples_per_s"] = seen / max(time.perf_counter() - t0, 1e-9)
        return logs

    # ----- evaluation -----------------------------------------------------------------------
    @no_grad()
    def evaluate(self, data, metrics: Sequence | None = None) -> dict:
        """Mean loss and metrics over ``data`` in eval mode (no graph recorded)."""
        from ..metrics import Mean, get_metric

        loader = _as_loader(data, self.batch_size, False)
        was_training = self.model.training
        self.model.eval()
        metric_objs = ([get_metric(m) if isinstance(m, str) else m for m in metrics]
                       if metrics is not None else self.make_metrics())
        loss_mean = Mean("loss")
        for x, y in loader:
            out = self.model(x)
            loss_mean.update(self.loss_fn(out, y).item(), weight=len(x))
            for m in metric_objs:
                m.update(out, y)
        self.model.train(was_training)
        logs = {"loss": float(loss_mean.compute())}
        logs.update({m.name: _plain(m.compute()) for m in metric_objs})
        return logs

    @no_grad()
    def predict(self, data) -> Tensor:
        """The model's outputs for every input in ``data``, concatenated (eval mode)."""
        loader = _as_loader(data, self.batch_size, False)
        was_training = self.model.training
        self.model.eval()
        outs = []
        for batch in loader:
            x = batch[0] if isinstance(batch, (tuple, list)) else batch
            outs.append(self.model(x).array)
        self.model.train(was_training)
        return Tensor(np.concatenate(outs))

    # ----- checkpoints ----------------------------------------------------------------------
    def save_checkpoint(self, path: str, epoch: int | None = None) -> None:
        from ..io import save_checkpoint

        save_checkpoint(path, self.model, self.optimizer, self.scheduler,
                        epoch=self.epoch if epoch is None else epoch,
                        extra={"history": self.history.history, "history_epochs": self.history.epochs,
                               "user": self.checkpoint_extra},
                        loader=self.train_loader)

    def load_checkpoint(self, path: str, loader=None) -> int:
        """Restore model, optimizer, scheduler, RNG and history; returns the epoch to resume at."""
        from ..io import load_checkpoint

        from ..io import CorruptFileError

        state = load_checkpoint(path, self.model, self.optimizer, self.scheduler,
                                loader=loader if loader is not None else self.train_loader)
        extra = state.get("extra") or {}
        history = History()
        try:
            history.history = {k: list(v) for k, v in extra.get("history", {}).items()}
            history.epochs = list(extra.get("history_epochs", []))
            user = dict(extra.get("user") or {})
        except (AttributeError, TypeError, ValueError) as exc:
            raise CorruptFileError(f"'{path}' is not a checkpoint written by Trainer: its "
                                   f"history is malformed ({exc})") from None
        self.history, self.checkpoint_extra = history, user
        self.epoch = int(state.get("epoch", 0))
        return self.epoch

    # ----- plumbing -------------------------------------------------------------------------
    def _call(self, hook: str, *args) -> None:
        for cb in self.callbacks:
            getattr(cb, hook)(self, *args)

    def _progress(self, loader, desc: str):
        """A tqdm bar (terminal or notebook, via tqdm.auto); the bare loader in a log file."""
        if self.verbose < 1 or not interactive():
            return loader
        return progress_bar(loader, desc=desc, leave=False, unit="batch", dynamic_ncols=True)

    def _print_epoch(self, epoch: int, epochs: int, logs: dict) -> None:
        """One line per epoch: loss, metrics, learning rate, samples/s, elapsed time and ETA."""
        shown = "  ".join(f"{k} {v:.4f}" if isinstance(v, float) and k != "samples_per_s"
                          else f"{k} {v:.0f}" if k == "samples_per_s" else f"{k} {v}"
                          for k, v in logs.items() if np.isscalar(v))
        if self._fit_started is not None:
            elapsed = time.perf_counter() - self._fit_started
            done = epoch + 1 - self._fit_first_epoch
            eta = elapsed / max(done, 1) * (epochs - epoch - 1)
            shown += f"  elapsed {format_seconds(elapsed)}  eta {format_seconds(eta)}"
        print(f"epoch {epoch + 1}/{epochs}  {shown}", flush=True)


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist() if value.ndim else float(value)
    return float(value) if isinstance(value, (np.floating, float, int)) else value
