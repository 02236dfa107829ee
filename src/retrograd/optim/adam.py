"""Adam and AdamW: bias-corrected running moments of the gradient (AMSGrad optional); AdamW
decays the weights directly instead of adding L2 to the gradient."""
from __future__ import annotations

import math

from ..backend import array_module
from ..backends import kernels_for
from .optimizer import Optimizer, ParamsT, _check_betas, _check_nonneg


def update_moments(param, grad, state: dict, group: dict):
    """The steps Adam, NAdam and RAdam share, in place: count the step, apply weight decay (L2
    into the gradient, or ``decoupled_weight_decay`` on the weights), update the running
    moments ``exp_avg`` and ``exp_avg_sq``. Returns ``(step, grad, exp_avg, exp_avg_sq)``."""
    kernels = kernels_for(param)
    lr, (beta1, beta2), weight_decay = group["lr"], group["betas"], group["weight_decay"]
    step = state["step"] = state.get("step", 0) + 1
    exp_avg = Optimizer._buffer(state, "exp_avg", param)
    exp_avg_sq = Optimizer._buffer(state, "exp_avg_sq", param)
    if weight_decay != 0:
        if group["decoupled_weight_decay"]:
            kernels.scale_(param, 1 - lr * weight_decay)
        else:
            grad = grad + weight_decay * param
    kernels.scale_(exp_avg, beta1)
    kernels.add_scaled_(exp_avg, grad, 1 - beta1)
    kernels.scale_(exp_avg_sq, beta2)
    exp_avg_sq += (1 - beta2) * grad * grad
    return step, grad, exp_avg, exp_avg_sq


class Adam(Optimizer):
    """``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
    maximize=False, decoupled_weight_decay=False)``, PyTorch's update::

        g = grad + weight_decay * p            # or p *= 1 - lr * weight_decay (decoupled)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g    # amsgrad: v_max = max(v_max, v), used below
        p -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 maximize: bool = False, decoupled_weight_decay: bool = False):
        name = type(self).__name__
        _check_nonneg(name, lr=lr, eps=eps, weight_decay=weight_decay)
        super().__init__(params, dict(lr=lr, betas=_check_betas(name, betas), eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _update(self, param, grad, state, group):
        xp = array_module(param)
        lr, (beta1, beta2) = group["lr"], group["betas"]
        step, grad, exp_avg, exp_avg_sq = update_moments(param, grad, state, group)
        second = exp_avg_sq
        if group["amsgrad"]:
            second = self._buffer(state, "max_exp_avg_sq", param)
            xp.maximum(second, exp_avg_sq, out=second)
        denom = xp.sqrt(second)
        denom /= math.sqrt(1 - beta2 ** step)
        denom += group["eps"]
        param -= (lr / (1 - beta1 ** step)) * exp_avg / denom


class AdamW(Adam):
    """``AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
    amsgrad=False, *, maximize=False)``: Adam with decoupled weight decay,
    ``p *= 1 - lr * weight_decay`` before the Adam step."""

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)
