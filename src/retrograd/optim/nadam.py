"""NAdam: Adam with Nesterov momentum and a warming momentum schedule (Dozat 2016)."""
from __future__ import annotations

from ..backend import array_module
from .adam import update_moments
from .optimizer import Optimizer, ParamsT, _check_betas, _check_nonneg


class NAdam(Optimizer):
    """``NAdam(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None, maximize=False)``,
    PyTorch's update::

        g = grad + weight_decay * p              # or p *= 1 - lr * weight_decay (decoupled)
        mu_t = beta1 * (1 - 0.96 ** (t * momentum_decay) / 2);  prod *= mu_t
        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
        denom = sqrt(v / (1 - beta2**t)) + eps
        p -= lr * ((1 - mu_t) / (1 - prod) * g + mu_{t+1} / (1 - prod * mu_{t+1}) * m) / denom
    """

    def __init__(self, params: ParamsT, lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False):
        _check_nonneg("NAdam", lr=lr, eps=eps, weight_decay=weight_decay,
                      momentum_decay=momentum_decay)
        super().__init__(params, dict(lr=lr, betas=_check_betas("NAdam", betas), eps=eps,
                                      weight_decay=weight_decay, momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      foreach=foreach, maximize=maximize))

    def _update(self, param, grad, state, group):
        xp = array_module(param)
        lr, (beta1, beta2), decay = group["lr"], group["betas"], group["momentum_decay"]
        step, grad, exp_avg, exp_avg_sq = update_moments(param, grad, state, group)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * decay))
        mu_product = state["mu_product"] = float(state.get("mu_product", 1.0)) * mu
        denom = xp.sqrt(exp_avg_sq / (1 - beta2 ** step))
        denom += group["eps"]
        param -= (lr * (1 - mu) / (1 - mu_product)) * grad / denom
        param -= (lr * mu_next / (1 - mu_product * mu_next)) * exp_avg / denom
