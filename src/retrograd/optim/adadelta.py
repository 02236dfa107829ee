"""Adadelta: step sizes from the ratio of running RMS of past updates to running RMS of
gradients (Zeiler 2012), so the units of the update match the parameter's."""
from __future__ import annotations

from ..backend import array_module
from ..backends import kernels_for
from .optimizer import Optimizer, ParamsT, _check_nonneg


class Adadelta(Optimizer):
    """``Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
    maximize=False)``, PyTorch's update::

        g = grad + weight_decay * p
        v = rho * v + (1 - rho) * g * g
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        p -= lr * delta
    """

    def __init__(self, params: ParamsT, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False):
        _check_nonneg("Adadelta", lr=lr, eps=eps, weight_decay=weight_decay)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Adadelta: invalid rho: {rho} (expected 0 <= rho <= 1)")
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize))

    def _update(self, param, grad, state, group):
        kernels = kernels_for(param)
        xp = array_module(param)
        rho, eps = group["rho"], group["eps"]
        state["step"] = state.get("step", 0) + 1
        square_avg = self._buffer(state, "square_avg", param)
        acc_delta = self._buffer(state, "acc_delta", param)
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param
        kernels.scale_(square_avg, rho)
        square_avg += (1 - rho) * grad * grad
        delta = xp.sqrt(acc_delta + eps)
        delta /= xp.sqrt(square_avg + eps)
        delta *= grad
        kernels.scale_(acc_delta, rho)
        acc_delta += (1 - rho) * delta * delta
        kernels.add_scaled_(param, delta, -group["lr"])
