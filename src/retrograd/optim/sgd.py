"""Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay."""
from __future__ import annotations

from ..backends import kernels_for
from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, _check_nonneg


class SGD(Optimizer):
    """``SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
    maximize=False)``, PyTorch's update::

        g = grad + weight_decay * p
        b = g (first step) or momentum * b + (1 - dampening) * g
        p -= lr * (g + momentum * b if nesterov else b)   # b = g without momentum

    >>> import retrograd as rg
    >>> w = rg.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> opt.zero_grad(); (w * w).sum().backward(); opt.step()
    >>> [round(v, 4) for v in w.tolist()]
    [0.8, -1.6]
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False):
        _check_nonneg("SGD", lr=lr, momentum=momentum, weight_decay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize))

    def _update(self, param, grad, state, group):
        kernels = kernels_for(param)
        lr, momentum, weight_decay = group["lr"], group["momentum"], group["weight_decay"]
        if weight_decay != 0:
            grad = grad + weight_decay * param
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:  # the first step starts the buffer at the gradient itself
                buf = state["momentum_buffer"] = Tensor(grad.copy())
                buf = buf.array
            else:
                buf = buf.array
                kernels.scale_(buf, momentum)
                kernels.add_scaled_(buf, grad, 1 - group["dampening"])
            grad = grad + momentum * buf if group["nesterov"] else buf
        kernels.add_scaled_(param, grad, -lr)
