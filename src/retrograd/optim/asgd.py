"""ASGD: averaged stochastic gradient descent (Polyak & Juditsky 1992) with a decaying step
size; the running average of the iterates is kept in ``state['ax']``."""
from __future__ import annotations

from ..backends import kernels_for
from .optimizer import Optimizer, ParamsT, _check_nonneg


class ASGD(Optimizer):
    """``ASGD(params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
    maximize=False)``, PyTorch's update (``eta`` starts at ``lr``, ``mu`` at 1)::

        g = grad + weight_decay * p
        p = p * (1 - lambd * eta) - eta * g
        ax = p if mu == 1 else ax + mu * (p - ax)
        eta = lr / (1 + lambd * lr * t) ** alpha;  mu = 1 / max(1, t - t0)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, lambd: float = 1e-4,
                 alpha: float = 0.75, t0: float = 1e6, weight_decay: float = 0,
                 foreach: bool | None = None, maximize: bool = False):
        _check_nonneg("ASGD", lr=lr, weight_decay=weight_decay)
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0,
                                      weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize))

    def _update(self, param, grad, state, group):
        kernels = kernels_for(param)
        lr, lambd = group["lr"], group["lambd"]
        step = state["step"] = state.get("step", 0) + 1
        eta, mu = float(state.get("eta", lr)), float(state.get("mu", 1.0))
        ax = self._buffer(state, "ax", param)
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param
        kernels.scale_(param, 1 - lambd * eta)
        kernels.add_scaled_(param, grad, -eta)
        if mu != 1:
            kernels.add_scaled_(ax, param - ax, mu)
        else:
            ax[...] = param
        state["eta"] = lr / (1 + lambd * lr * step) ** group["alpha"]
        state["mu"] = 1 / max(1, step - group["t0"])
