"""ONNX converters for autograd Functions: the glue between layers (arithmetic, residual
additions, reshape/flatten, permute, cat, slicing, padding, reductions, matmul, activations
called as functions). Each takes (graph, node, operand names, output Tensor) and returns the
name of the output value."""
from __future__ import annotations

import numpy as np

from ..ops import activation as A
from ..ops import conv as C
from ..ops import elementwise as E
from ..ops import index as I
from ..ops import linalg as L
from ..ops import max_pool as MP
from ..ops import pool as P
from ..ops import reduce as R
from ..ops import shape as S
from ..ops.cast import Cast
from .export import register_op
from .graph import INT64_MAX, ExportError, GraphBuilder, onnx_dtype

_SAME_NAME = {E.Add: "Add", E.Sub: "Sub", E.Mul: "Mul", E.Div: "Div", E.Pow: "Pow", E.Neg: "Neg",
              E.Exp: "Exp", E.Log: "Log", E.Sqrt: "Sqrt", E.Abs: "Abs", E.Sin: "Sin",
              E.Cos: "Cos", E.Maximum: "Max", E.Minimum: "Min", E.Where: "Where",
              A.ReLU: "Relu", A.Sigmoid: "Sigmoid", A.Tanh: "Tanh", L.MatMul: "MatMul"}


@register_op(*_SAME_NAME)
def _one_node(g: GraphBuilder, fn, inputs, out):
    return g.node(_SAME_NAME[type(fn)], inputs)


@register_op(A.LeakyReLU)
def _leaky_relu(g, fn, inputs, out):
    return g.node("LeakyRelu", inputs[:1], alpha=float(fn.slope))


@register_op(A.ELU)
def _elu(g, fn, inputs, out):
    return g.node("Elu", inputs[:1], alpha=float(fn.alpha))


@register_op(A.GELU)
def _gelu(g, fn, inputs, out):
    """0.5 x (1 + erf(x / sqrt 2)), or the tanh form (ONNX's Gelu op needs opset 20)."""
    x, dt = inputs[0], out.dtype
    if fn.approximate == "tanh":
        cube = g.node("Mul", [g.node("Mul", [x, x]), x])
        inner = g.node("Add", [x, g.node("Mul", [cube, g.constant(0.044715, dt)])])
        t = g.node("Tanh", [g.node("Mul", [inner, g.constant(np.sqrt(2 / np.pi), dt)])])
    else:
        t = g.node("Erf", [g.node("Div", [x, g.constant(np.sqrt(2.0), dt)])])
    half_x = g.node("Mul", [x, g.constant(0.5, dt)])
    return g.node("Mul", [half_x, g.node("Add", [t, g.constant(1.0, dt)])], hint="Gelu")


@register_op(A.Softplus)
def _softplus(g, fn, inputs, out):
    """softplus(beta x) / beta (ONNX's Softplus has no beta; above PyTorch's threshold the
    two differ by under 1e-8)."""
    x, dt = inputs[0], out.dtype
    if fn.beta == 1.0:
        return g.node("Softplus", [x])
    scaled = g.node("Softplus", [g.node("Mul", [x, g.constant(fn.beta, dt)])])
    return g.node("Div", [scaled, g.constant(fn.beta, dt)])


@register_op(A.Softmax, A.LogSoftmax)
def _softmax(g, fn, inputs, out):
    op = "Softmax" if isinstance(fn, A.Softmax) else "LogSoftmax"
    return g.node(op, inputs[:1], axis=int(fn.dim))


@register_op(E.Clamp)
def _clamp(g, fn, inputs, out):
    bounds = [g.constant(b, out.dtype) if b is not None else "" for b in fn.bounds]
    return g.node("Clip", inputs[:1] + bounds)


@register_op(Cast)
def _cast(g, fn, inputs, out):
    return g.node("Cast", inputs[:1], to=onnx_dtype(out.dtype))


@register_op(L.Linear)
def _linear(g, fn, inputs, out):
    """x W^T + b: Gemm for 2-D x, else MatMul with W^T (and Add)."""
    x = fn.inputs[0]
    if x.ndim == 2:
        return g.node("Gemm", inputs, transB=1, hint="Gemm")
    y = g.node("MatMul", [inputs[0], g.node("Transpose", [inputs[1]], perm=[1, 0])])
    return g.node("Add", [y, inputs[2]]) if len(inputs) == 3 else y


def reshape_to(g: GraphBuilder, value: str, in_shape, out_shape) -> str:
    """Reshape to ``out_shape``; a leading dim equal to the input's is copied (0), so a
    dynamic batch size flows through."""
    dims = list(out_shape)
    if dims and in_shape and dims[0] == in_shape[0]:
        dims[0] = 0
    return g.node("Reshape", [value, g.ints(dims)])


@register_op(S.Reshape)
def _reshape(g, fn, inputs, out):
    return reshape_to(g, inputs[0], fn.in_shape, out.shape)


@register_op(S.Permute)
def _permute(g, fn, inputs, out):
    return g.node("Transpose", inputs, perm=list(fn.dims))


@register_op(S.Cat)
def _cat(g, fn, inputs, out):
    return g.node("Concat", inputs, axis=int(fn.dim))


@register_op(S.Pad)
def _pad(g, fn, inputs, out):
    """Constant padding: ONNX lists all begins, then all ends."""
    begins = [s.start for s in fn.index]
    ends = [o - s.stop for o, s in zip(out.shape, fn.index)]
    value = g.constant(fn.inputs[1] if len(fn.inputs) > 1 else 0.0, out.dtype)
    return g.node("Pad", [inputs[0], g.ints(begins + ends, "pads"), value], mode="constant")


@register_op(R.Expand)
def _expand(g, fn, inputs, out):
    """Broadcast; dims the input already has keep 1 (ONNX Expand broadcasts both ways)."""
    lead = len(out.shape) - len(fn.in_shape)
    dims = [1 if i >= lead and fn.in_shape[i - lead] == s else s for i, s in enumerate(out.shape)]
    return g.node("Expand", [inputs[0], g.ints(dims)])


def _reduced_axes(in_shape, kept) -> list[int]:
    return [i for i, (a, b) in enumerate(zip(in_shape, kept)) if b == 1 and a != 1]


def reduce(g: GraphBuilder, op: str, value: str, axes: list[int], in_shape, out_shape) -> str:
    """A keepdims reduction over ``axes`` (attribute before opset 18, input from 18 and for
    ReduceSum from 13), then a reshape when the reduced dims are dropped."""
    if g.opset >= 18 or op == "ReduceSum":
        y = g.node(op, [value, g.ints(axes, "axes")], keepdims=1)
    else:
        y = g.node(op, [value], axes=axes, keepdims=1)
    kept = [1 if i in axes else s for i, s in enumerate(in_shape)]
    return y if list(out_shape) == kept else reshape_to(g, y, kept, out_shape)


@register_op(R.Sum)
def _sum(g, fn, inputs, out):
    return reduce(g, "ReduceSum", inputs[0], _reduced_axes(fn.in_shape, fn.kept), fn.in_shape, out.shape)


@register_op(R.Amax)
def _amax(g, fn, inputs, out):
    x = fn.inputs[0]
    op = "ReduceMin" if fn.smallest else "ReduceMax"
    return reduce(g, op, inputs[0], _reduced_axes(x.shape, fn.kept), x.shape, out.shape)


def _index_items(key, ndim: int) -> list:
    items = list(key) if isinstance(key, tuple) else [key]
    arrays = [k for k in items if isinstance(k, np.ndarray)]
    if arrays and (len(arrays) > 1 or arrays[0].dtype.kind == "b"
                   or any(k != slice(None) for k in items if not isinstance(k, np.ndarray))):
        raise ExportError("onnx export: the op 'GetItem' with masks or several integer arrays "
                          "is not supported; one integer array after full slices (index_select, "
                          "embedding lookups) is")
    if any(k is Ellipsis for k in items):
        at = next(i for i, k in enumerate(items) if k is Ellipsis)
        used = sum(1 for k in items if k is not None and k is not Ellipsis)
        items[at:at + 1] = [slice(None)] * (ndim - used)
    return items


@register_op(I.GetItem)
def _getitem(g, fn, inputs, out):
    """Basic indexing: slices (with steps) become Slice, ints Gather, None Unsqueeze; one
    integer array becomes Gather (a graph input's values when the array is that input's, else
    a constant: indices computed from the input are frozen at their traced values)."""
    shape = fn.in_shape
    items = _index_items(fn.key, len(shape))
    starts, ends, axes, steps, picks, news = [], [], [], [], [], []
    dim = pos = 0  # the input dim an item indexes, the output dim it makes
    for k in items:
        if k is None:
            news.append(pos)
            pos += 1
            continue
        if isinstance(k, slice):
            if k != slice(None):
                start, stop, step = k.indices(shape[dim])
                if step < 0 and k.stop is None:
                    stop = -INT64_MAX
                elif k.stop is None:
                    stop = INT64_MAX
                starts.append(start), ends.append(stop), axes.append(dim), steps.append(step)
            pos += 1
        elif isinstance(k, np.ndarray):  # index_select, w[indices]: Gather
            index = g.input_arrays.get(id(k)) or g.constant(k, np.int64, "index")
            return g.node("Gather", [inputs[0], index], axis=dim)
        else:
            picks.append((dim, int(k) % shape[dim]))
        dim += 1
    value = inputs[0]
    if axes:
        value = g.node("Slice", [value, g.ints(starts, "starts"), g.ints(ends, "ends"),
                                 g.ints(axes, "axes"), g.ints(steps, "steps")])
    for d, i in reversed(picks):
        value = g.node("Gather", [value, g.constant(i, np.int64, "index")], axis=d)
    if news:
        value = g.node("Unsqueeze", [value, g.ints(news, "axes")])
    return value if value != inputs[0] else g.node("Identity", [value])



@register_op(I.Gather)
def _gather(g, fn, inputs, out):
    return g.node("GatherElements", [inputs[0], g.constant(fn.index, np.int64, "index")],
                  axis=int(fn.dim))


@register_op(C.Convolution)
def _convolution(g, fn, inputs, out):
    """F.conv2d (and F.conv1d, run as a 2-D convolution between reshapes) called directly."""
    geo = fn.geo
    return g.node("Conv", inputs, kernel_shape=[geo.kh, geo.kw], strides=[geo.sh, geo.sw],
                  pads=[geo.pt, geo.pl, geo.pb, geo.pr], dilations=[geo.dh, geo.dw],
                  group=geo.groups)


def _pool_attributes(fn, out) -> dict:
    """Kernel, strides, pads and ceil_mode of a pooling node (from its geometry)."""
    geo = fn.geo
    if out.ndim != 4:
        raise ExportError(f"onnx export: the op {fn.name!r} needs a batch dim; got an unbatched input")
    floor = [(size + 2 * p - d * (k - 1) - 1) // s + 1 for size, p, d, k, s in
             ((geo.h, geo.ph, geo.dh, geo.kh, geo.sh), (geo.w, geo.pw, geo.dw, geo.kw, geo.sw))]
    return dict(kernel_shape=[geo.kh, geo.kw], strides=[geo.sh, geo.sw],
                pads=[geo.ph, geo.pw, geo.ph, geo.pw], ceil_mode=int(floor != [geo.oh, geo.ow]))


@register_op(MP.MaxPool)
def _max_pool(g, fn, inputs, out):
    """max_pool1d/2d (a 1-D pool runs as a 2-D one between reshapes)."""
    return g.node("MaxPool", inputs, dilations=[fn.geo.dh, fn.geo.dw], **_pool_attributes(fn, out))


@register_op(P.AvgPool)
def _avg_pool(g, fn, inputs, out):
    """avg_pool1d/2d: the window sum (AveragePool counting padding, times the kernel size)
    times each output's 1 / divisor (count_include_pad=False and divisor_override included)."""
    attributes = _pool_attributes(fn, out)
    if attributes["ceil_mode"]:
        raise ExportError("onnx export: the op 'AvgPool' with ceil_mode windows past the input "
                          "is not supported")
    y = g.node("AveragePool", inputs, count_include_pad=1, **attributes)
    factor = np.asarray(fn.scale, dtype=np.float64) * fn.geo.kh * fn.geo.kw
    return y if np.allclose(factor, 1.0) else g.node("Mul", [y, g.constant(factor, out.dtype)])
