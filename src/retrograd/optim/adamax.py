"""Adamax: Adam with the infinity norm in place of the second moment (Kingma & Ba 2015, 7.1)."""
from __future__ import annotations

from ..backend import array_module
from ..backends import kernels_for
from .optimizer import Optimizer, ParamsT, _check_betas, _check_nonneg


class Adamax(Optimizer):
    """``Adamax(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
    maximize=False)``, PyTorch's update::

        g = grad + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        u = max(beta2 * u, |g| + eps)
        p -= lr / (1 - beta1**t) * m / u
    """

    def __init__(self, params: ParamsT, lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False):
        _check_nonneg("Adamax", lr=lr, eps=eps, weight_decay=weight_decay)
        super().__init__(params, dict(lr=lr, betas=_check_betas("Adamax", betas), eps=eps,
                                      weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize))

    def _update(self, param, grad, state, group):
        kernels = kernels_for(param)
        xp = array_module(param)
        beta1, beta2 = group["betas"]
        step = state["step"] = state.get("step", 0) + 1
        exp_avg = self._buffer(state, "exp_avg", param)
        exp_inf = self._buffer(state, "exp_inf", param)
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param
        kernels.scale_(exp_avg, beta1)
        kernels.add_scaled_(exp_avg, grad, 1 - beta1)
        kernels.scale_(exp_inf, beta2)
        xp.maximum(exp_inf, xp.abs(grad) + group["eps"], out=exp_inf)
        param -= (group["lr"] / (1 - beta1 ** step)) * exp_avg / exp_inf
