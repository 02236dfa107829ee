"""Data-parallel training with the Trainer: what ``retrograd train`` does under ``mpiexec``.

``DistributedTrainer`` trains a ``DistributedDataParallel`` model on each rank's share of the
data (a ``DistributedSampler``), reports training figures over all ranks, evaluates over the
whole test set (each rank predicts its share; the predictions are gathered), and lets only
rank 0 write checkpoints, which hold the plain model (no ``module.`` prefix), so they load in
one process too.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import numpy as np

from .. import distributed as dist
from ..autograd import no_grad
from ..backend import manual_seed
from ..tensor import Tensor
from .trainer import Trainer, _plain

def rank_seed(seed: int, rank: int, epoch: int) -> int:
    """The random seed of a rank in an epoch: different per rank (dropout, augmentation) and
    reproducible, so a resumed run draws what the uninterrupted one would have."""
    return int(np.random.SeedSequence([seed, rank, epoch]).generate_state(1)[0])


def _gather_rows(array: np.ndarray, group) -> np.ndarray:
    """Each rank's rows, rank r's holding samples r, r + R, ...: all rows in sample order."""
    parts = [None] * group.size()
    dist.all_gather_object(parts, array, group=group)
    total = sum(len(p) for p in parts)
    out = np.empty((total,) + parts[0].shape[1:], dtype=parts[0].dtype)
    for rank, part in enumerate(parts):
        out[rank::group.size()] = part
    return out


class DistributedTrainer(Trainer):
    """A Trainer whose ``model`` is a ``DistributedDataParallel``; see the module docstring.

    Evaluation and prediction loaders must hold rank r's samples r, r + R, ... in order
    (``DistributedSampler(shuffle=False)`` does not: it pads; use ``shard_loader``).
    """

    def __init__(self, model, optimizer, loss_fn, seed: int = 0, **kwargs) -> None:
        super().__init__(model, optimizer, loss_fn, **kwargs)
        self.group = model.process_group
        self.rank, self.seed = self.group.rank(), seed

    @contextmanager
    def _plain_model(self) -> Iterator[None]:
        ddp, self.model = self.model, self.model.module
        try:
            yield
        finally:
            self.model = ddp

    def _train_epoch(self, loader, epoch: int, epochs: int) -> dict:
        sampler = getattr(loader, "sampler", None)
        if hasattr(sampler, "set_epoch"):
            sampler.set_epoch(epoch)
        manual_seed(rank_seed(self.seed, self.rank, epoch))
        logs = super()._train_epoch(loader, epoch, epochs)
        count = float(len(sampler) if sampler is not None else len(loader.dataset))
        rate = logs.pop("samples_per_s")
        keys = sorted(k for k, v in logs.items() if isinstance(v, float))
        totals = Tensor(np.array([count, rate] + [logs[k] * count for k in keys]))
        dist.all_reduce(totals, group=self.group)
        count, rate, *sums = totals.tolist()
        logs.update({k: s / count for k, s in zip(keys, sums)})
        logs["samples_per_s"] = rate
        return logs

    def _outputs(self, data) -> tuple[Tensor, Tensor | None]:
        """The model's outputs (and the targets, where batches have them) for the whole data
        set in sample order: each rank's share, gathered."""
        was_training = self.model.training
        self.model.eval()
        outs, targets = [], []
        for batch in data:
            x = batch[0] if isinstance(batch, (tuple, list)) else batch
            outs.append(self.model.module(x).array)
            if isinstance(batch, (tuple, list)) and len(batch) > 1:
                targets.append(np.asarray(batch[1].array))
        self.model.train(was_training)
        gathered = Tensor(_gather_rows(np.concatenate(outs), self.group))
        return gathered, Tensor(_gather_rows(np.concatenate(targets), self.group)) if targets else None

    @no_grad()
    def evaluate(self, data, metrics=None) -> dict:
        """Loss and metrics over the whole data set, the same on every rank."""
        from ..metrics import Mean, get_metric

        outputs, targets = self._outputs(data)
        metric_objs = ([get_metric(m) if isinstance(m, str) else m for m in metrics]
                       if metrics is not None else self.make_metrics())
        loss = Mean("loss")
        loss.update(self.loss_fn(outputs, targets).item(), weight=len(targets))
        for m in metric_objs:
            m.update(outputs, targets)
        return {"loss": float(loss.compute()), **{m.name: _plain(m.compute()) for m in metric_objs}}

    @no_grad()
    def predict(self, data) -> Tensor:
        """The outputs for the whole data set, in sample order, on every rank."""
        return self._outputs(data)[0]

    def save_checkpoint(self, path: str, epoch: int | None = None) -> None:
        """Rank 0 writes the checkpoint (of the plain model); the others wait for it."""
        if self.rank == 0:
            with self._plain_model():
                super().save_checkpoint(path, epoch)
        dist.barrier(group=self.group)

    def load_checkpoint(self, path: str, loader=None) -> int:
        with self._plain_model():
            return super().load_checkpoint(path, loader)


def shard_loader(dataset, batch_size: int, rank: int, world_size: int):
    """A loader over samples ``rank, rank + world_size, ...`` of ``dataset`` in order (no
    padding, so gathered predictions cover every sample exactly once)."""
    from ..data import DataLoader, Subset

    return DataLoader(Subset(dataset, range(rank, len(dataset), world_size)),
                      batch_size=batch_size)
