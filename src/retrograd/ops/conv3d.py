"""conv3d and conv_transpose3d, each one call of the 2-D convolution: the depth dim is folded
into the batch and the kD depth taps into the channels. conv3d gathers, for every output plane,
its kD input planes as extra input channels (weight (O, C/g, kD, kH, kW) read as
(O, kD * C/g, kH, kW)); conv_transpose3d makes every input plane's kD output planes as extra
output channels, then sums them into their depths (a scatter-add along depth). Gradients of every
order follow from the 2-D ops' and the gathers'."""
from __future__ import annotations

from ..autograd.function import ShapeError
from ..backend import array_module
from ..tensor import Tensor
from .axis_index import index_add_along_dim, take_along_dim
from .conv import _tuple, conv2d, conv_transpose2d
from .padding import pad


def _check(op: str, input: Tensor, weight: Tensor, bias, groups, in_channels: int, out_channels: int):
    if weight.ndim != 5:
        raise ShapeError(f"{op}: expected a 5-D weight, got shape {tuple(weight.shape)}")
    if not isinstance(groups, int) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    if input.shape[1] != in_channels:
        raise ShapeError(f"{op}: input of shape {tuple(input.shape)} has {input.shape[1]} channels, "
                         f"but weight of shape {tuple(weight.shape)} with groups={groups} expects "
                         f"{in_channels}")
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise ShapeError(f"{op}: bias of shape {tuple(bias.shape)} does not fit; expected "
                         f"({out_channels},)")


def _depth_pads(padding, kernel, dilation, stride, op):
    """((before, after) of depth, the padding to pass on to the 2-D op)."""
    if isinstance(padding, str):
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{op}: padding='same' is not supported for strided convolutions")
            total = dilation[0] * (kernel[0] - 1)
            return (total // 2, total - total // 2), "same"
        if padding == "valid":
            return (0, 0), "valid"
        raise ValueError(f"{op}: padding must be an int, a tuple of 3 ints, 'valid' or 'same', "
                         f"got {padding!r}")
    p = _tuple(padding, 3, "padding", op, 0)
    return (p[0], p[0]), p[1:]


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """3-D cross-correlation: input (N, C, D, H, W) or (C, D, H, W), weight
    (O, C/groups, kD, kH, kW), bias (O,) -> (N, O, OD, OH, OW)."""
    op = "conv3d"
    if input.ndim == 4:
        return conv3d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups)[0]
    if input.ndim != 5:
        raise ShapeError(f"{op}: expected a 5-D input (N, C, D, H, W) or 4-D (C, D, H, W), got "
                         f"shape {tuple(input.shape)}")
    _check(op, input, weight, bias, groups, weight.shape[1] * groups, weight.shape[0])
    stride, dilation = _tuple(stride, 3, "stride", op, 1), _tuple(dilation, 3, "dilation", op, 1)
    kernel = weight.shape[2:]
    (before, after), hw_padding = _depth_pads(padding, kernel, dilation, stride, op)
    x = pad(input, (0, 0, 0, 0, before, after)) if before or after else input
    n, c, depth = x.shape[:3]
    out_depth = (depth - dilation[0] * (kernel[0] - 1) - 1) // stride[0] + 1
    if out_depth < 1:
        raise ShapeError(f"{op}: kernel depth {kernel[0]} (dilation {dilation[0]}) is larger than "
                         f"the padded input depth {depth} (input shape {tuple(input.shape)})")
    taps, per_group = kernel[0], c // groups
    xp = array_module(x.array)
    planes = (xp.arange(out_depth)[:, None] * stride[0] + xp.arange(taps)[None, :] * dilation[0])
    x = take_along_dim(x, 2, planes.reshape(-1))  # (N, C, OD * kD, H, W)
    # the kD taps become input channels, within each group: (group, tap, channel)
    x = x.reshape(n, groups, per_group, out_depth, taps, *x.shape[3:]).permute(0, 3, 1, 4, 2, 5, 6)
    x = x.reshape(n * out_depth, groups * taps * per_group, *x.shape[5:])
    w = weight.permute(0, 2, 1, 3, 4).reshape(weight.shape[0], taps * per_group, *kernel[1:])
    y = conv2d(x, w, None, stride[1:], hw_padding, dilation[1:], groups)  # (N * OD, O, OH, OW)
    out = y.reshape(n, out_depth, *y.shape[1:]).permute(0, 2, 1, 3, 4)
    return out if bias is None else out + bias.reshape(-1, 1, 1, 1)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """Transposed 3-D convolution (conv3d's input gradient as a layer): input (N, C_in, D, H, W),
    weight (C_in, C_out/groups, kD, kH, kW) -> (N, C_out, (D - 1)sD - 2pD + dD(kD - 1) +
    output_padding + 1, ...)."""
    op = "conv_transpose3d"
    if input.ndim == 4:
        return conv_transpose3d(input.unsqueeze(0), weight, bias, stride, padding, output_padding,
                                groups, dilation)[0]
    if input.ndim != 5:
        raise ShapeError(f"{op}: expected a 5-D input (N, C, D, H, W) or 4-D (C, D, H, W), got "
                         f"shape {tuple(input.shape)}")
    _check(op, input, weight, bias, groups, weight.shape[0], weight.shape[1] * groups)
    stride, dilation = _tuple(stride, 3, "stride", op, 1), _tuple(dilation, 3, "dilation", op, 1)
    padding = _tuple(padding, 3, "padding", op, 0)
    extra = _tuple(output_padding, 3, "output_padding", op, 0)
    if any(o >= max(s, d) for o, s, d in zip(extra, stride, dilation)):
        raise ValueError(f"{op}: output_padding {extra} must be smaller than stride {stride} or "
                         f"dilation {dilation}")
    n, c, depth = input.shape[:3]
    kernel = weight.shape[2:]
    taps, per_group = kernel[0], weight.shape[1]
    full = (depth - 1) * stride[0] + dilation[0] * (taps - 1) + 1
    planes = input.permute(0, 2, 1, 3, 4).reshape(n * depth, c, *input.shape[3:])
    # the kD taps become output channels, within each group: (group, tap, channel)
    w = weight.permute(0, 2, 1, 3, 4).reshape(c, taps * per_group, *kernel[1:])
    y = conv_transpose2d(planes, w, None, stride[1:], padding[1:], extra[1:], groups, dilation[1:])
    y = y.reshape(n, depth, groups, taps, per_group, *y.shape[2:]).permute(0, 1, 3, 2, 4, 5, 6)
    y = y.reshape(n, depth * taps, groups * per_group, *y.shape[5:])
    xp = array_module(input.array)
    target = xp.arange(depth)[:, None] * stride[0] + xp.arange(taps)[None, :] * dilation[0]
    total = index_add_along_dim(y, 1, target.reshape(-1), full)  # (N, full depth, C_out, OH, OW)
    total = pad(total, (0, 0, 0, 0, 0, 0, -padding[0], extra[0] - padding[0]))
    if total.shape[1] < 1:
        raise ShapeError(f"{op}: input {tuple(input.shape)} with kernel {tuple(kernel)} gives an "
                         "empty output")
    out = total.permute(0, 2, 1, 3, 4)
    return out if bias is None else out + bias.reshape(-1, 1, 1, 1)


__all__ = ["conv3d", "conv_transpose3d"]
