"""ChainedScheduler: several schedulers stepped together, their effects multiplied (each
recursive scheduler updates the lr the previous one left)."""
from __future__ import annotations

from typing import Sequence

from .lr_scheduler import LRScheduler, SequentialLR, _check_composable
from .optimizer import Optimizer


class ChainedScheduler(LRScheduler):
    """``ChainedScheduler(schedulers, optimizer=None)``: ``step()`` calls every scheduler's
    ``step()`` in order.

    >>> import retrograd as rg
    >>> from retrograd.optim import SGD
    >>> from retrograd.optim.lr_scheduler import ExponentialLR, LinearLR
    >>> opt = SGD([rg.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = ChainedScheduler([LinearLR(opt, start_factor=0.5, total_iters=2),
    ...                           ExponentialLR(opt, gamma=0.9)])
    >>> [round(lr, 4) for lr in sched.get_last_lr()]
    [0.5]
    >>> opt.step(); sched.step(); [round(lr, 4) for lr in sched.get_last_lr()]
    [0.675]
    """

    def __init__(self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None):
        if not schedulers:
            raise ValueError("ChainedScheduler: expected at least one scheduler")
        optimizer = optimizer or schedulers[0].optimizer
        _check_composable("ChainedScheduler", schedulers, optimizer)
        self._schedulers = list(schedulers)
        self.optimizer = optimizer
        self._last_lr = self._current()

    def step(self) -> None:  # type: ignore[override]
        for s in self._schedulers:
            s.step()
        self._last_lr = self._current()

    # the schedulers' own states nested under '_schedulers', as SequentialLR saves them
    state_dict = SequentialLR.state_dict
    load_state_dict = SequentialLR.load_state_dict
