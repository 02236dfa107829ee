"""ONNX converters for layers: each call of Conv1d/2d, ConvTranspose2d, AdaptiveAvgPool,
BatchNorm, LayerNorm, Dropout and Embedding becomes the matching ONNX node (weights as initializers under
their state_dict names). Layers without a converter here are exported op by op (``ops.py``).
RNN, LSTM and GRU have theirs in ``recurrent.py`` (ONNX's RNN, LSTM and GRU nodes)."""
from __future__ import annotations

import numpy as np

from .. import nn
from .export import Call, register_module
from .graph import ExportError, GraphBuilder
from .ops import reduce


def _tuple(value, n: int) -> list[int]:
    return [int(v) for v in value] if isinstance(value, (tuple, list)) else [int(value)] * n


def _pads(padding, n: int) -> list[int]:
    """ONNX pads: every dim's begin, then every dim's end."""
    p = _tuple(padding, n)
    return p + p


def _spatial(call: Call) -> int:
    """Spatial dims of a conv/pool call (1 or 2); the input must have a batch dim."""
    n = 1 if isinstance(call.module, (nn.Conv1d, nn.AdaptiveAvgPool1d)) else 2
    if call.args[0].ndim != n + 2:
        raise ExportError(f"onnx export: {call.name} ({type(call.module).__name__}) got input of "
                          f"shape {tuple(call.args[0].shape)}; export needs a batch dim "
                          f"(N, C, {'L' if n == 1 else 'H, W'})")
    return n


_PAD_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _conv_padding(g: GraphBuilder, call: Call, x: str, n: int):
    """(input, ONNX pads): 'same'/'valid' resolved; reflect/replicate/circular as a Pad node."""
    m = call.module
    if m.padding == "valid":
        return x, [0] * 2 * n
    if m.padding == "same":
        totals = [d * (k - 1) for d, k in zip(m.dilation, m.kernel_size)]
        pads = [t // 2 for t in totals] + [t - t // 2 for t in totals]
    else:
        pads = _pads(m.padding, n)
    if m.padding_mode == "zeros" or not any(pads):
        return x, pads
    if m.padding_mode == "circular" and g.opset < 19:
        raise ExportError(f"onnx export: {call.name}: padding_mode='circular' needs "
                          f"opset_version >= 19")
    full = [0, 0] + pads[:n] + [0, 0] + pads[n:]
    return g.node("Pad", [x, g.ints(full, "pads")], mode=_PAD_MODES[m.padding_mode]), [0] * 2 * n


@register_module(nn.Conv1d, nn.Conv2d)
def _conv(g: GraphBuilder, call: Call) -> str:
    m, n = call.module, _spatial(call)
    x, pads = _conv_padding(g, call, call.inputs[0], n)
    inputs = [x, g.tensor(m.weight)] + ([g.tensor(m.bias)] if m.bias is not None else [])
    return g.node("Conv", inputs, hint=call.name, kernel_shape=list(m.kernel_size),
                  strides=list(m.stride), pads=pads, dilations=list(m.dilation), group=m.groups)


@register_module(nn.ConvTranspose2d)
def _conv_transpose(g: GraphBuilder, call: Call) -> str:
    m, n = call.module, _spatial(call)
    inputs = [call.inputs[0], g.tensor(m.weight)] + ([g.tensor(m.bias)] if m.bias is not None else [])
    return g.node("ConvTranspose", inputs, hint=call.name, kernel_shape=list(m.kernel_size),
                  strides=list(m.stride), pads=_pads(m.padding, n), dilations=list(m.dilation),
                  output_padding=list(m.output_padding), group=m.groups)


@register_module(nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d)
def _adaptive_avg_pool(g: GraphBuilder, call: Call) -> str:
    """Global average pooling, or a plain average pool when the sizes divide evenly."""
    n = _spatial(call)
    sizes = call.args[0].shape[2:]
    wanted = [s if o is None else o for o, s in zip(_tuple(call.module.output_size, n), sizes)]
    if all(o == 1 for o in wanted):
        return g.node("GlobalAveragePool", call.inputs, hint=call.name)
    if all(s % o == 0 for s, o in zip(sizes, wanted)):
        kernel = [s // o for s, o in zip(sizes, wanted)]
        return g.node("AveragePool", call.inputs, hint=call.name, kernel_shape=kernel, strides=kernel)
    y, dtype = call.inputs[0], call.output.dtype  # uneven windows: averaging matrices
    if wanted[-1] != sizes[-1]:
        y = g.node("MatMul", [y, g.constant(_averaging(sizes[-1], wanted[-1]).T, dtype)])
    if n == 2 and wanted[0] != sizes[0]:
        y = g.node("MatMul", [g.constant(_averaging(sizes[0], wanted[0]), dtype), y])
    return y


def _averaging(size: int, out: int) -> np.ndarray:
    """(out, size): row i averages the inputs floor(i size / out) .. ceil((i + 1) size / out)
    (PyTorch's adaptive windows)."""
    i = np.arange(out)
    start, end = (i * size) // out, -((-(i + 1) * size) // out)
    pos = np.arange(size)
    return ((pos >= start[:, None]) & (pos < end[:, None])) / (end - start)[:, None]


def _scale_and_shift(g: GraphBuilder, m, shape, dtype) -> tuple[str, str]:
    weight = g.tensor(m.weight) if m.weight is not None else g.constant(np.ones(shape), dtype, "ones")
    bias = g.tensor(m.bias) if m.bias is not None else g.constant(np.zeros(shape), dtype, "zeros")
    return weight, bias


@register_module(nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)
def _batch_norm(g: GraphBuilder, call: Call) -> str:
    """Eval mode: normalise with the running statistics."""
    m = call.module
    if m.running_mean is None:
        raise ExportError(f"onnx export: {call.name}: BatchNorm with track_running_stats=False "
                          f"normalises with batch statistics even in eval mode; ONNX export "
                          f"needs running statistics")
    weight, bias = _scale_and_shift(g, m, (m.num_features,), call.output.dtype)
    return g.node("BatchNormalization", [call.inputs[0], weight, bias, g.tensor(m.running_mean),
                                         g.tensor(m.running_var)],
                  hint=call.name, epsilon=float(m.eps))


@register_module(nn.LayerNorm)
def _layer_norm(g: GraphBuilder, call: Call) -> str:
    """LayerNormalization from opset 17; before it, mean and variance spelled out."""
    m, x = call.module, call.inputs[0]
    k, shape, dt = len(m.normalized_shape), call.args[0].shape, call.output.dtype
    weight, bias = _scale_and_shift(g, m, m.normalized_shape, dt)
    if g.opset >= 17:
        return g.node("LayerNormalization", [x, weight, bias], hint=call.name, axis=-k,
                      epsilon=float(m.eps))
    axes = list(range(len(shape) - k, len(shape)))
    kept = [1 if i in axes else s for i, s in enumerate(shape)]
    centred = g.node("Sub", [x, reduce(g, "ReduceMean", x, axes, shape, kept)])
    var = reduce(g, "ReduceMean", g.node("Mul", [centred, centred]), axes, shape, kept)
    std = g.node("Sqrt", [g.node("Add", [var, g.constant(m.eps, dt)])])
    return g.node("Add", [g.node("Mul", [g.node("Div", [centred, std]), weight]), bias],
                  hint=call.name)


@register_module(nn.Dropout, nn.Dropout2d)
def _dropout(g: GraphBuilder, call: Call) -> str:
    """Identity (export runs in eval mode)."""
    return g.node("Identity", call.inputs, hint=call.name)


@register_module(nn.Embedding)
def _embedding(g: GraphBuilder, call: Call) -> str:
    return g.node("Gather", [g.tensor(call.module.weight), call.inputs[0]], hint=call.name, axis=0)
