"""Convolution: conv2d, conv1d and conv_transpose2d over NCHW arrays, as strided windows
(im2col) and matrix multiplication, with the kernels of the inputs' backend
(``backends/cpu/im2col.py`` for NumPy arrays).

Three ops, each the others' gradient, so derivatives of any order exist:

* ``Convolution``      (x, w[, b]) -> y          y = W @ im2col(x) + b
* ``ConvGradInput``    (g, w)      -> dL/dx      col2im(W^T @ g), or, for stride 1, the same
                                                 sum split into rows and columns
* ``ConvGradWeight``   (x, g)      -> dL/dw      sum_n im2col(x)[n] @ g[n]^T
"""
from __future__ import annotations

from ..autograd.function import Function, ShapeError
from ..backend import array_module
from ..tensor import Tensor
from ..backends import ConvGeometry, kernels_for

__all__ = ["conv1d", "conv2d", "conv_transpose2d"]


class Convolution(Function):
    """y = conv(x, w) + b, NCHW. Saves only its inputs: columns are rebuilt in backward."""
    saves_output = False

    def forward(self, x, w, b=None, geometry=None):
        self.geo = geometry
        return kernels_for(x).conv_forward(x, w, geometry, b)

    def backward(self, g):
        x, w = self.inputs[:2]
        gx = ConvGradInput.apply(g, w, geometry=self.geo) if x.requires_grad else None
        gw = ConvGradWeight.apply(x, g, geometry=self.geo) if w.requires_grad else None
        gb = None
        if len(self.inputs) == 3 and self.inputs[2].requires_grad:
            gb = g.sum((0, 2, 3))
        return gx, gw, gb


class ConvGradInput(Function):
    """(g, w) -> the gradient of conv(x, w) with respect to x (a transposed convolution)."""
    saves_output = False

    def forward(self, g, w, geometry=None):
        self.geo = geometry
        return kernels_for(g).conv_grad_input(g, w, geometry)

    def backward(self, gg):
        g, w = self.inputs
        dg = Convolution.apply(gg, w, geometry=self.geo) if g.requires_grad else None
        dw = ConvGradWeight.apply(gg, g, geometry=self.geo) if w.requires_grad else None
        return dg, dw


class ConvGradWeight(Function):
    """(x, g) -> the gradient of conv(x, w) with respect to w."""
    saves_output = False

    def forward(self, x, g, geometry=None):
        self.geo = geometry
        if x.shape[0] == 0:  # an empty batch: no sample contributes (as in PyTorch)
            geo = geometry
            shape = (geo.o, geo.c // geo.groups, geo.kh, geo.kw)
            return array_module(x).zeros(shape, dtype=x.dtype)
        return kernels_for(x).conv_grad_weight(x, g, geometry)

    def backward(self, gw):
        x, g = self.inputs
        dx = ConvGradInput.apply(g, gw, geometry=self.geo) if x.requires_grad else None
        dg = Convolution.apply(x, gw, geometry=self.geo) if g.requires_grad else None
        return dx, dg


# ----- argument checks --------------------------------------------------------------------------
_DIMS = {1: ("L",), 2: ("H", "W")}


def _tuple(value, nd: int, name: str, op: str, minimum: int):
    vals = (value,) * nd if isinstance(value, int) else tuple(value)
    if len(vals) != nd or not all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
        raise ValueError(f"{op}: {name} must be an int or a tuple of {nd} ints, got {value!r}")
    if any(v < minimum for v in vals):
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {value!r}")
    return vals


def _check_input(op: str, x, nd: int):
    dims = ", ".join(_DIMS[nd])
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor input, got {type(x).__name__}")
    if x.ndim not in (nd + 1, nd + 2):
        raise ShapeError(f"{op}: expected a {nd + 2}-D input (N, C, {dims}) or a {nd + 1}-D "
                         f"unbatched input (C, {dims}), got shape {tuple(x.shape)}")


def _geometry(op: str, nd: int, x_shape, w_shape, b, stride, padding, dilation, groups,
              allow_same: bool = True):
    """Check a conv's arguments against each other; returns a ConvGeometry over (H, W) (1-D
    convs get height 1)."""
    dims = ", ".join(_DIMS[nd])
    kdims = ", ".join("k" + d for d in _DIMS[nd])
    if len(w_shape) != nd + 2:
        raise ShapeError(f"{op}: expected a {nd + 2}-D weight (out_channels, in_channels/groups, "
                         f"{kdims}), got shape {tuple(w_shape)}")
    if not isinstance(groups, int) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    n, c, spatial = x_shape[0], x_shape[1], tuple(x_shape[2:])
    o, kernel = w_shape[0], tuple(w_shape[2:])
    if c != w_shape[1] * groups:
        raise ShapeError(f"{op}: input of shape {tuple(x_shape)} has {c} channels, but weight of "
                         f"shape {tuple(w_shape)} with groups={groups} expects "
                         f"{w_shape[1] * groups} (weight.shape[1] * groups)")
    if o % groups:
        raise ShapeError(f"{op}: out_channels (weight.shape[0] = {o}) must be divisible by "
                         f"groups={groups}")
    if b is not None and tuple(b.shape) != (o,):
        raise ShapeError(f"{op}: bias of shape {tuple(b.shape)} does not fit weight of shape "
                         f"{tuple(w_shape)}; expected ({o},)")
    stride = _tuple(stride, nd, "stride", op, 1)
    dilation = _tuple(dilation, nd, "dilation", op, 1)
    span = tuple(d * (k - 1) for d, k in zip(dilation, kernel))
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same" and allow_same:
            if any(s != 1 for s in stride):
                raise ValueError(f"{op}: padding='same' is not supported for strided "
                                 f"convolutions (stride={stride})")
            pads = tuple((t // 2, t - t // 2) for t in span)  # extra on the right, as PyTorch
        else:
            raise ValueError(f"{op}: padding must be an int, a tuple of {nd} ints, 'valid' or "
                             f"'same', got {padding!r}")
    else:
        pads = tuple((p, p) for p in _tuple(padding, nd, "padding", op, 0))
    padded = tuple(s + a + b_ for s, (a, b_) in zip(spatial, pads))
    if any(p < e + 1 for p, e in zip(padded, span)):
        raise ShapeError(f"{op}: kernel of size ({', '.join(map(str, kernel))}) (dilated "
                         f"extent {tuple(e + 1 for e in span)}) is larger than the padded input "
                         f"({', '.join(map(str, padded))}) (input ({dims}) = {spatial}, "
                         f"padding {tuple(pads)})")
    if nd == 1:
        return ConvGeometry(n, c, 1, spatial[0], o, 1, kernel[0], 1, stride[0], 0, 0, *pads[0],
                            1, dilation[0], groups)
    return ConvGeometry(n, c, *spatial, o, *kernel, *stride, *pads[0], *pads[1], *dilation,
                        groups)


def _check_dtypes(op: str, *tensors):
    dtypes = {t.dtype for t in tensors if t is not None}
    if len(dtypes) > 1:
        raise TypeError(f"{op}: input, weight and bias must have one dtype, got "
                        f"{', '.join(str(t.dtype) for t in tensors if t is not None)}")


# ----- functional wrappers ----------------------------------------------------------------------
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation, PyTorch's ``F.conv2d``.

    input (N, C, H, W) or unbatched (C, H, W); weight (O, C/groups, kH, kW); bias (O,).
    padding: int, (pH, pW), 'valid' or 'same' (stride 1; an odd total puts the extra on the
    bottom/right). Output (N, O, OH, OW), OH = (H + 2pH - dH(kH - 1) - 1) // sH + 1.

    >>> conv2d(retrograd.randn(8, 3, 32, 32), retrograd.randn(16, 3, 3, 3), padding=1).shape
    (8, 16, 32, 32)
    """
    _check_input("conv2d", input, 2)
    if input.ndim == 3:
        return conv2d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups)[0]
    geo = _geometry("conv2d", 2, input.shape, weight.shape, bias, stride, padding, dilation, groups)
    _check_dtypes("conv2d", input, weight, bias)
    args = (input, weight) if bias is None else (input, weight, bias)
    return Convolution.apply(*args, geometry=geo)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D cross-correlation, PyTorch's ``F.conv1d``: input (N, C, L) or (C, L), weight
    (O, C/groups, k) -> (N, O, OL). Runs as conv2d on a height-1 view.

    >>> conv1d(retrograd.randn(4, 2, 10), retrograd.randn(5, 2, 3)).shape
    (4, 5, 8)
    """
    _check_input("conv1d", input, 1)
    if input.ndim == 2:
        return conv1d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups)[0]
    geo = _geometry("conv1d", 1, input.shape, weight.shape, bias, stride, padding, dilation, groups)
    _check_dtypes("conv1d", input, weight, bias)
    x4 = input.unsqueeze(2)
    w4 = weight.unsqueeze(2)
    args = (x4, w4) if bias is None else (x4, w4, bias)
    return Convolution.apply(*args, geometry=geo).squeeze(2)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """The gradient of conv2d with respect to its input, as a layer (PyTorch's
    ``F.conv_transpose2d``): input (N, C_in, H, W), weight (C_in, C_out/groups, kH, kW) ->
    (N, C_out, (H - 1)sH - 2pH + dH(kH - 1) + output_padding + 1, ...).

    >>> conv_transpose2d(retrograd.randn(2, 4, 5, 5), retrograd.randn(4, 3, 3, 3), stride=2).shape
    (2, 3, 11, 11)
    """
    op = "conv_transpose2d"
    _check_input(op, input, 2)
    if input.ndim == 3:
        return conv_transpose2d(input.unsqueeze(0), weight, bias, stride, padding, output_padding,
                                groups, dilation)[0]
    if weight.ndim != 4:
        raise ShapeError(f"{op}: expected a 4-D weight (in_channels, out_channels/groups, kH, kW), "
                         f"got shape {tuple(weight.shape)}")
    if not isinstance(groups, int) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    n, c_in, h, w = input.shape
    if c_in != weight.shape[0]:
        raise ShapeError(f"{op}: input of shape {tuple(input.shape)} has {c_in} channels, but "
                         f"weight of shape {tuple(weight.shape)} expects {weight.shape[0]} "
                         "(weight.shape[0])")
    s = _tuple(stride, 2, "stride", op, 1)
    p = _tuple(padding, 2, "padding", op, 0)
    d = _tuple(dilation, 2, "dilation", op, 1)
    op_ = _tuple(output_padding, 2, "output_padding", op, 0)
    if any(a >= max(b, c) for a, b, c in zip(op_, s, d)):
        raise ValueError(f"{op}: output_padding {op_} must be smaller than stride {s} or "
                         f"dilation {d}")
    c_out = weight.shape[1] * groups
    k = weight.shape[2:]
    out_hw = tuple((i - 1) * s_ - 2 * p_ + d_ * (k_ - 1) + o_ + 1
                   for i, s_, p_, d_, k_, o_ in zip((h, w), s, p, d, k, op_))
    if min(out_hw) < 1:
        raise ShapeError(f"{op}: input {tuple(input.shape)} with kernel {tuple(k)} gives an empty "
                         f"output {out_hw}")
    # the conv2d whose input gradient this is: input (n, c_out, *out_hw) -> output (n, c_in, h, w)
    geo = _geometry(op, 2, (n, c_out, *out_hw), weight.shape, None, s, p, d, groups)
    if (geo.oh, geo.ow) != (h, w):
        raise ShapeError(f"{op}: sizes do not fit: input {(h, w)}, output {out_hw}")
    if bias is not None and tuple(bias.shape) != (c_out,):
        raise ShapeError(f"{op}: bias of shape {tuple(bias.shape)} does not fit; expected "
                         f"({c_out},)")
    _check_dtypes(op, input, weight, bias)
    out = ConvGradInput.apply(input, weight, geometry=geo)
    return out if bias is None else out + bias.reshape(c_out, 1, 1)
