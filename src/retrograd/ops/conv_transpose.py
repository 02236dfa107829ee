"""conv_transpose1d (conv_transpose2d on a height-1 view) and ``output_padding_for``: the
output_padding that makes a transposed convolution produce a requested ``output_size``, with
PyTorch's range check (ConvTranspose*d.forward(input, output_size))."""
from __future__ import annotations

from ..autograd.function import ShapeError
from ..tensor import Tensor
from .conv import _tuple, conv_transpose2d


def output_padding_for(input_shape, output_size, nd: int, stride, padding, kernel_size,
                       dilation) -> tuple[int, ...]:
    """output_size (the spatial sizes, or the full shape) -> output_padding per spatial dim."""
    size = tuple(output_size)
    if len(size) == len(input_shape):  # given with batch/channel dims: keep the spatial ones
        size = size[len(input_shape) - nd:]
    if len(size) != nd:
        raise ValueError(f"ConvTranspose{nd}d: output_size must have {nd} or {len(input_shape)} "
                         f"elements (got {len(output_size)})")
    spatial = input_shape[len(input_shape) - nd:]
    smallest = [(i - 1) * s - 2 * p + d * (k - 1) + 1
                for i, s, p, d, k in zip(spatial, stride, padding, dilation, kernel_size)]
    largest = [m + s - 1 for m, s in zip(smallest, stride)]
    if any(not lo <= want <= hi for want, lo, hi in zip(size, smallest, largest)):
        raise ValueError(f"requested an output size of {list(size)}, but valid sizes range from "
                         f"{smallest} to {largest} (for an input of {list(spatial)})")
    return tuple(want - lo for want, lo in zip(size, smallest))


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """Transposed 1-D convolution: input (N, C_in, L) or (C_in, L), weight
    (C_in, C_out/groups, k) -> (N, C_out, (L - 1)s - 2p + d(k - 1) + output_padding + 1)."""
    op = "conv_transpose1d"
    if input.ndim not in (2, 3) or weight.ndim != 3:
        raise ShapeError(f"{op}: expected input (N, C, L) or (C, L) and weight (C_in, C_out/groups, "
                         f"k), got shapes {tuple(input.shape)} and {tuple(weight.shape)}")
    (s,), (p,) = _tuple(stride, 1, "stride", op, 1), _tuple(padding, 1, "padding", op, 0)
    (o,) = _tuple(output_padding, 1, "output_padding", op, 0)
    (d,) = _tuple(dilation, 1, "dilation", op, 1)
    out = conv_transpose2d(input.unsqueeze(-2), weight.unsqueeze(2), bias, (1, s), (0, p), (0, o),
                           groups, (1, d))
    return out.squeeze(-2)


__all__ = ["conv_transpose1d"]
