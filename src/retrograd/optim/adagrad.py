"""Adagrad: per-coordinate learning rates from the running sum of squared gradients."""
from __future__ import annotations

from ..backend import array_module
from .optimizer import Optimizer, ParamsT, _check_nonneg


class Adagrad(Optimizer):
    """``Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
    eps=1e-10, *, maximize=False)``, PyTorch's update::

        g = grad + weight_decay * p
        sum += g * g
        p -= lr / (1 + (step - 1) * lr_decay) * g / (sqrt(sum) + eps)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, *, maximize: bool = False):
        _check_nonneg("Adagrad", lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                      initial_accumulator_value=initial_accumulator_value, eps=eps)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      maximize=maximize))

    def _update(self, param, grad, state, group):
        xp = array_module(param)
        step = state["step"] = state.get("step", 0) + 1
        total = self._buffer(state, "sum", param, group["initial_accumulator_value"])
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        total += grad * grad
        std = xp.sqrt(total)
        std += group["eps"]
        param -= clr * grad / std
