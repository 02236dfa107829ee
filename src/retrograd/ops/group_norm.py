"""Group norm and instance norm of (N, C, *) input: statistics per sample over groups of
channels (group norm) or per sample and channel (instance norm, group norm with C groups), then a
per-channel weight and bias. The normalisation is ``ops.norm.Normalize`` (closed-form gradient,
exact second order) on the input viewed as (N, groups, rest)."""
from __future__ import annotations

import math

from ..autograd.function import ShapeError
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from .norm import Normalize, _check_param, batch_stats


def _affine(y: Tensor, weight: Tensor | None, bias: Tensor | None) -> Tensor:
    shape = (1, y.shape[1]) + (1,) * (y.ndim - 2)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def _grouped_stats(input: Tensor, num_groups: int, eps: float):
    """(normalised input, per-group mean, per-group biased variance), stats of shape (N, G, 1)."""
    n = input.shape[0]
    grouped = input.reshape(n, num_groups, -1)
    mean, var, centred = batch_stats(grouped.array, (2,))
    y = Normalize.apply(grouped, None, None, mean=mean, var=var, axes=(2,), eps=eps,
                        param_shape=(), centred=centred)
    return y.reshape(input.shape), mean, var


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise (N, C, *) over each sample's groups of C / num_groups channels (and all their
    positions), then scale and shift per channel by weight, bias (C,)."""
    if input.ndim < 2:
        raise ShapeError(f"group_norm: expected input (N, C, *), got shape {tuple(input.shape)}")
    c = input.shape[1]
    if num_groups < 1 or c % num_groups:
        raise RuntimeError(f"group_norm: expected number of channels in input ({c}) to be "
                           f"divisible by num_groups ({num_groups}); input shape {tuple(input.shape)}")
    _check_param(weight, (c,), "weight", "group_norm")
    _check_param(bias, (c,), "bias", "group_norm")
    if input.shape[0] == 0:
        return _affine(input, weight, bias)
    return _affine(_grouped_stats(input, num_groups, eps)[0], weight, bias)


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise (N, C, *) per sample and channel over the positions *, then weight/bias (C,).

    With ``use_input_stats`` the running statistics (if given) move toward the batch's average of
    the per-instance mean and unbiased variance; without it they normalise instead."""
    if input.ndim < 3:
        raise ShapeError(f"instance_norm: expected input (N, C, *) with spatial dims, got shape "
                         f"{tuple(input.shape)}")
    n, c = input.shape[:2]
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        _check_param(t, (c,), name, "instance_norm")
    _check_param(weight, (c,), "weight", "instance_norm")
    _check_param(bias, (c,), "bias", "instance_norm")
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise ValueError("instance_norm: expected running_mean and running_var when "
                             "use_input_stats=False")
        from ..nn.functional import batch_norm

        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    count = math.prod(input.shape[2:])
    if n == 0 and count > 1:
        return _affine(input, weight, bias)  # an empty batch: nothing to normalise or track
    if count <= 1:
        raise ValueError(f"instance_norm: expected more than 1 spatial element when training, "
                         f"got input of shape {tuple(input.shape)}")
    y, mean, var = _grouped_stats(input, c, eps)
    with no_grad():
        if running_mean is not None:
            running_mean.array *= 1 - momentum
            running_mean.array += momentum * mean.reshape(n, c).mean(0).astype(running_mean.dtype)
        if running_var is not None:
            unbiased = var.reshape(n, c).mean(0) * (count / (count - 1))
            running_var.array *= 1 - momentum
            running_var.array += momentum * unbiased.astype(running_var.dtype)
    return _affine(y, weight, bias)


def instance_norm_aten(input: Tensor, weight: Tensor | None = None,  # noqa: A002
                       bias: Tensor | None = None, running_mean: Tensor | None = None,
                       running_var: Tensor | None = None, use_input_stats: bool = True,
                       momentum: float = 0.1, eps: float = 1e-5,
                       cudnn_enabled: bool = False) -> Tensor:
    """``torch.instance_norm``: PyTorch's top-level form, weight and bias before the running
    statistics (PyTorch requires them all; ``cudnn_enabled`` is ignored). ``F.instance_norm``
    is the everyday one."""
    return instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                         momentum, eps)


__all__ = ["group_norm", "instance_norm", "instance_norm_aten"]
