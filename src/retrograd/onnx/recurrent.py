"""ONNX converters for nn.RNN (tanh or relu), nn.LSTM and nn.GRU: one ONNX RNN / LSTM / GRU node
per layer (both directions in the same node), layers chained through their outputs.

PyTorch stacks the gates as LSTM i, f, g, o and GRU r, z, n; ONNX as LSTM i, o, f, c and GRU
z, r, h, so the weights are written reordered (W, R (num_directions, gates*hidden, in), B
(num_directions, 2*gates*hidden) = [b_ih, b_hh]); GRU uses ``linear_before_reset=1`` (PyTorch
keeps b_hn inside the reset product). ONNX's Y (seq, num_directions, batch, hidden) becomes
PyTorch's (seq, batch, num_directions*hidden) (batch first with ``batch_first``); each layer's
Y_h / Y_c are concatenated to (num_layers*num_directions, batch, hidden). Without initial
states ONNX starts from zeros, as PyTorch does.
"""
from __future__ import annotations

import numpy as np

from .. import nn
from ..nn.utils.rnn import PackedSequence
from .export import Call, register_module
from .graph import ExportError, GraphBuilder

_ONNX_OP = {"RNN_TANH": "RNN", "RNN_RELU": "RNN", "LSTM": "LSTM", "GRU": "GRU"}
_GATE_ORDER = {"RNN_TANH": [0], "RNN_RELU": [0], "LSTM": [0, 3, 1, 2], "GRU": [1, 0, 2]}
"""PyTorch's gate blocks in ONNX's order: LSTM (i, f, g, o) -> (i, o, f, c), GRU (r, z, n) ->
(z, r, h)."""


def _reordered(p, mode: str, hidden: int) -> np.ndarray:
    """A stacked weight or bias (gates*hidden, ...) with its gate blocks in ONNX's order."""
    a = p.detach().numpy()
    return np.concatenate([a[k * hidden:(k + 1) * hidden] for k in _GATE_ORDER[mode]])


def _layer_weights(g: GraphBuilder, call: Call, layer: int) -> list[str]:
    """The W, R (and B) initializers of one layer, directions stacked."""
    m = call.module
    suffixes = [f"_l{layer}"] + ([f"_l{layer}_reverse"] if m.bidirectional else [])
    get = lambda stem: [_reordered(getattr(m, stem + s), m.mode, m.hidden_size)  # noqa: E731
                        for s in suffixes]
    names = [g.weight(f"{call.name}.W_l{layer}", np.stack(get("weight_ih"))),
             g.weight(f"{call.name}.R_l{layer}", np.stack(get("weight_hh")))]
    if m.bias:
        biases = [np.concatenate(pair) for pair in zip(get("bias_ih"), get("bias_hh"))]
        names.append(g.weight(f"{call.name}.B_l{layer}", np.stack(biases)))
    else:
        names.append("")
    return names


def _check(call: Call):
    """The input Tensor of the call; refuses what ONNX's recurrent nodes cannot express."""
    m, (args, kwargs) = call.module, call.given
    x = args[0] if args else kwargs.get("input")
    if isinstance(x, PackedSequence):
        raise ExportError(f"onnx export: {call.name} ({type(m).__name__}) got a PackedSequence; "
                          f"export takes padded tensors (seq, batch, features)")
    if m.proj_size:
        raise ExportError(f"onnx export: {call.name}: proj_size={m.proj_size} is not "
                          f"expressible (ONNX's LSTM has no projection)")
    return x


@register_module(nn.RNN, nn.LSTM, nn.GRU)
def _recurrent(g: GraphBuilder, call: Call) -> list[str]:
    """Returns the names of output, h_n (and c_n for LSTM), as the module returns them."""
    m, x = call.module, _check(call)
    lstm, D, L = m.mode == "LSTM", 2 if m.bidirectional else 1, m.num_layers
    batched = x.ndim == 3
    seq, states = call.inputs[0], list(call.inputs[1:])
    if not batched:  # (seq, features): a batch of one
        seq = g.node("Unsqueeze", [seq, g.ints([1], "axes")])
        states = [g.node("Unsqueeze", [s, g.ints([1], "axes")]) for s in states]
    elif m.batch_first:
        seq = g.node("Transpose", [seq], perm=[1, 0, 2])
    finals: list[list[str]] = [[], []]  # Y_h and Y_c of each layer
    for layer in range(L):
        initial = [s if L == 1 else g.node("Slice", [s, g.ints([layer * D], "starts"),
                                                     g.ints([(layer + 1) * D], "ends"),
                                                     g.ints([0], "axes")])
                   for s in states]
        inputs = [seq] + _layer_weights(g, call, layer) + [""] + initial
        while inputs[-1] == "":
            inputs.pop()
        outs = g.node(_ONNX_OP[m.mode], inputs, hint=f"{call.name}.l{layer}",
                      outputs=3 if lstm else 2, hidden_size=m.hidden_size,
                      direction="bidirectional" if D == 2 else "forward",
                      linear_before_reset=1 if m.mode == "GRU" else None,
                      activations=["Relu"] * D if m.mode == "RNN_RELU" else None)
        # Y (seq, D, batch, hidden) -> (seq, batch, D*hidden)
        seq = g.node("Reshape", [g.node("Transpose", [outs[0]], perm=[0, 2, 1, 3]),
                                 g.ints([0, 0, -1])])
        for kept, state in zip(finals, outs[1:]):
            kept.append(state)
    results = [seq] + [parts[0] if L == 1 else g.node("Concat", parts, axis=0)
                       for parts in finals[:1 + lstm]]
    if not batched:
        return [g.node("Squeeze", [r, g.ints([1], "axes")]) for r in results]
    if m.batch_first:
        results[0] = g.node("Transpose", [results[0]], perm=[1, 0, 2])
    return results
