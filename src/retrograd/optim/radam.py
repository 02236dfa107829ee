"""RAdam: Adam whose adaptive step is switched on, and rectified, only once the variance of
the second-moment estimate is tractable (Liu et al. 2020)."""
from __future__ import annotations

import math

from ..backend import array_module
from ..backends import kernels_for
from .adam import update_moments
from .optimizer import Optimizer, ParamsT, _check_betas, _check_nonneg


class RAdam(Optimizer):
    """``RAdam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    decoupled_weight_decay=False, *, foreach=None, maximize=False)``, PyTorch's update::

        g = grad + weight_decay * p              # or p *= 1 - lr * weight_decay (decoupled)
        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
        rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t)
        m_hat = m / (1 - beta1**t)
        p -= lr * m_hat * r_t * sqrt(1 - beta2**t) / (sqrt(v) + eps)   if rho_t > 5
        p -= lr * m_hat                                                otherwise
    with ``r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))``.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False):
        _check_nonneg("RAdam", lr=lr, eps=eps, weight_decay=weight_decay)
        super().__init__(params, dict(lr=lr, betas=_check_betas("RAdam", betas), eps=eps,
                                      weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      foreach=foreach, maximize=maximize))

    def _update(self, param, grad, state, group):
        kernels = kernels_for(param)
        xp = array_module(param)
        lr, (beta1, beta2) = group["lr"], group["betas"]
        step, grad, exp_avg, exp_avg_sq = update_moments(param, grad, state, group)
        bias_correction1, bias_correction2 = 1 - beta1 ** step, 1 - beta2 ** step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * beta2 ** step / bias_correction2
        if rho_t <= 5.0:  # variance not tractable yet: plain momentum SGD
            kernels.add_scaled_(param, exp_avg, -lr / bias_correction1)
            return
        rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                         / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        denom = xp.sqrt(exp_avg_sq)
        denom += group["eps"]
        param -= (lr * rect * math.sqrt(bias_correction2) / bias_correction1) * exp_avg / denom
