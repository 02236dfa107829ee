"""Gradient diagnostics: per-layer gradient norms over training, and their plot.

``GradientNormRecorder(model)`` registers a hook on every parameter, so it sees each gradient as
``backward()`` computes it (even if the training loop clears ``.grad`` right after the step);
``record()`` turns what was seen since the last call into one norm per layer
(sqrt of the sum of squares over the layer's parameters). It is also a Trainer callback:
``on_train_batch_end`` calls ``record()``
(``Trainer(..., callbacks=[GradientNormRecorder(model)])``).

>>> rec = GradientNormRecorder(model)
>>> for xb, yb in loader:
...     opt.zero_grad(); loss_fn(model(xb), yb).backward(); opt.step(); rec.record()
>>> plot_gradient_norms(rec.history, "grad_norms.png")
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..train.callbacks import Callback
from ..train.plots import save_figure


class GradientNormRecorder(Callback):
    """Per-layer (``per="layer"``, named by module, e.g. ``'0'``) or per-parameter
    (``per="parameter"``, e.g. ``'0.weight'``) gradient L2 norms; ``history`` maps each name to a
    list with one norm per ``record()`` call."""

    def __init__(self, model, per: str = "layer", use_hooks: bool = True):
        if per not in ("layer", "parameter"):
            raise ValueError(f"per must be 'layer' or 'parameter', got {per!r}")
        self.per = per
        self.params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        self.history: dict[str, list[float]] = {self._key(n): [] for n, _ in self.params}
        self._pending: dict[str, np.ndarray] = {}
        self._handles = [p.register_hook(self._hook(n)) for n, p in self.params] if use_hooks else []

    def _key(self, name: str) -> str:
        return (name.rpartition(".")[0] or name) if self.per == "layer" else name

    def _hook(self, name: str):
        def hook(grad):
            prev = self._pending.get(name)
            self._pending[name] = np.array(grad.array, copy=True) if prev is None else prev + grad.array
        return hook

    def record(self) -> dict[str, float]:
        """Append one norm per layer: from the gradients the hooks saw since the last call, or,
        when none (no hooks, or no backward since), from the parameters' ``.grad``. Returns them."""
        grads = self._pending or {n: p.grad.array for n, p in self.params if p.grad is not None}
        sq: dict[str, float] = {}
        for name, _ in self.params:
            g = grads.get(name)
            key = self._key(name)
            sq[key] = sq.get(key, 0.0) + (float(np.sum(np.square(g, dtype=np.float64)))
                                          if g is not None else 0.0)
        self._pending = {}
        norms = {k: math.sqrt(v) for k, v in sq.items()}
        for k, v in norms.items():
            self.history[k].append(v)
        return norms

    def remove(self) -> None:
        """Unregister the parameter hooks."""
        for h in self._handles:
            h.remove()
        self._handles = []

    def on_train_batch_end(self, trainer: Any = None, batch: Any = None, logs: Any = None) -> None:
        """Trainer callback: one ``record()`` per training batch."""
        self.record()


def plot_gradient_norms(history: dict[str, list[float]], path: str | None = None,
                        title: str = "Gradient norm per layer", logy: bool = True):
    """Plot each layer's gradient norm against the step (log scale); save to ``path`` when given.
    Returns the matplotlib Figure. Needs matplotlib (``pip install 'retrograd[plot]'``)."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plot_gradient_norms needs matplotlib: pip install matplotlib "
                          "(or pip install 'retrograd[plot]')") from None
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, values in history.items():
        ax.plot(range(1, len(values) + 1), values, label=name or "model")
    if logy and any(v > 0 for vs in history.values() for v in vs):
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("gradient L2 norm")
    ax.set_title(title)
    ax.legend(title="layer", fontsize="small")
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path, dpi=100)
    return fig
