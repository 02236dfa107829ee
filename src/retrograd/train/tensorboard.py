"""TensorBoard callback for the Trainer: per-batch loss, per-epoch losses, metrics, learning
rate, throughput and per-layer gradient norms, written by ``retrograd.utils.tensorboard``."""
from __future__ import annotations

import math

import numpy as np

from .callbacks import Callback


def _layer(name: str) -> str:
    """'features.0.weight' -> 'features.0' (a parameter's module)."""
    return name.rsplit(".", 1)[0] if "." in name else name


class TensorBoard(Callback):
    """Log training to ``log_dir`` (or to ``writer``, a SummaryWriter):

    - ``batch/loss`` every ``log_every_n_steps`` optimizer steps (global step = batches seen);
    - per epoch: ``loss/train``, ``loss/val`` (and every metric the same way), ``lr``,
      ``samples_per_s``, and ``grad_norm/<layer>``, the L2 norm of each layer's gradient
      averaged over the epoch's batches (read after ``backward``, before the next zero_grad);
    - ``histograms=True`` adds a histogram of every parameter per epoch.
    """

    def __init__(self, log_dir: str | None = None, writer=None, log_every_n_steps: int = 10,
                 histograms: bool = False):
        if writer is None:
            from ..utils.tensorboard import SummaryWriter

            writer = SummaryWriter(log_dir)
        self.writer, self.log_every_n_steps, self.histograms = writer, log_every_n_steps, histograms
        self.global_step = 0
        self._norm_sums: dict[str, float] = {}
        self._norm_batches = 0

    def on_epoch_begin(self, trainer, epoch, logs=None):
        self._norm_sums, self._norm_batches = {}, 0

    def on_train_batch_end(self, trainer, batch, logs=None):
        self.global_step += 1
        if logs and "loss" in logs and self.global_step % self.log_every_n_steps == 0:
            self.writer.add_scalar("batch/loss", logs["loss"], self.global_step)
        squares: dict[str, float] = {}
        for name, p in trainer.model.named_parameters():
            if p.grad is not None:
                g = p.grad.array.ravel()
                squares[_layer(name)] = squares.get(_layer(name), 0.0) + float(np.dot(g, g))
        for layer, sq in squares.items():
            self._norm_sums[layer] = self._norm_sums.get(layer, 0.0) + math.sqrt(sq)
        self._norm_batches += 1

    def on_epoch_end(self, trainer, epoch, logs=None):
        step = epoch + 1
        for key, value in (logs or {}).items():
            if not np.isscalar(value) or isinstance(value, str):
                continue
            if key in ("lr", "samples_per_s"):
                self.writer.add_scalar(key, value, step)
            elif key.startswith("val_"):
                self.writer.add_scalar(f"{key[4:]}/val", value, step)
            else:
                self.writer.add_scalar(f"{key}/train", value, step)
        for layer, total in self._norm_sums.items():
            self.writer.add_scalar(f"grad_norm/{layer}", total / max(self._norm_batches, 1), step)
        if self.histograms:
            for name, p in trainer.model.named_parameters():
                self.writer.add_histogram(f"weights/{name}", p.array, step)
        self.writer.flush()

    def on_train_end(self, trainer, logs=None):
        self.writer.flush()
