"""RMSprop: gradients scaled by a running root-mean-square, optionally centred and with
momentum."""
from __future__ import annotations

from ..backend import array_module
from .optimizer import Optimizer, ParamsT, _check_nonneg


class RMSprop(Optimizer):
    """``RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
    centered=False, *, maximize=False)``, PyTorch's update::

        g = grad + weight_decay * p
        v = alpha * v + (1 - alpha) * g * g
        avg = sqrt(v - mean_g ** 2) if centered else sqrt(v)   # mean_g: running mean of g
        b = momentum * b + g / (avg + eps);  p -= lr * b        # without momentum:
                                                               # p -= lr * g / (avg + eps)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False, *,
                 maximize: bool = False):
        _check_nonneg("RMSprop", lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                      momentum=momentum)
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps,
                                      centered=centered, weight_decay=weight_decay,
                                      maximize=maximize))

    def _update(self, param, grad, state, group):
        xp = array_module(param)
        alpha, momentum = group["alpha"], group["momentum"]
        state["step"] = state.get("step", 0) + 1
        square_avg = self._buffer(state, "square_avg", param)
        if momentum > 0:
            buf = self._buffer(state, "momentum_buffer", param)
        if group["centered"]:
            grad_avg = self._buffer(state, "grad_avg", param)
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param
        square_avg *= alpha
        square_avg += (1 - alpha) * grad * grad
        if group["centered"]:
            grad_avg *= alpha
            grad_avg += (1 - alpha) * grad
            avg = square_avg - grad_avg * grad_avg
            xp.sqrt(avg, out=avg)
        else:
            avg = xp.sqrt(square_avg)
        avg += group["eps"]
        if momentum > 0:
            buf *= momentum
            buf += grad / avg
            param -= group["lr"] * buf
        else:
            param -= group["lr"] * grad / avg
