"""Recurrent layers RNN (tanh or relu), LSTM and GRU with PyTorch's signature, parameter names,
gate order and initialisation, so state dicts load both ways and equal weights give equal numbers.

Per layer and direction, the recurrence is one graph node (``ops.rnn.recurrence``) that
backpropagates through time on arrays. Accepts padded tensors and ``PackedSequence``.
"""
from __future__ import annotations

import math
import warnings

from ... import backend
from ...backend import array_module, device_module
from ...ops.rnn import GATES, recurrence
from ...ops.shape import cat, stack
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter
from ..utils.rnn import PackedSequence, packed_positions, padded_from_packed


class RNNBase(Module):
    """The shared machinery of RNN, LSTM and GRU; ``mode`` is RNN_TANH, RNN_RELU, LSTM or GRU."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None, dtype=None):
        xp = device_module(device)
        super().__init__()
        name = type(self).__name__
        if (not isinstance(dropout, (int, float)) or isinstance(dropout, bool)
                or not 0 <= dropout <= 1):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=3)
        for arg, value in (("hidden_size", hidden_size), ("num_layers", num_layers),
                           ("input_size", input_size)):
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"{arg} should be of type int, got: {type(value).__name__}")
            if value <= 0 and arg != "input_size":
                raise ValueError(f"{arg} must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, proj_size
        dtype = backend.get_default_dtype() if dtype is None else xp.dtype(dtype)
        gates = GATES[mode] * hidden_size
        real_hidden = proj_size or hidden_size
        directions = 2 if bidirectional else 1
        self._flat_weights_names = []
        for layer in range(num_layers):
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                in_size = input_size if layer == 0 else real_hidden * directions
                shapes = [("weight_ih", (gates, in_size)), ("weight_hh", (gates, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gates,)), ("bias_hh", (gates,))]
                if proj_size:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                for stem, shape in shapes:
                    setattr(self, stem + suffix, Parameter(xp.empty(shape, dtype=dtype)))
                    self._flat_weights_names.append(stem + suffix)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as PyTorch."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def flatten_parameters(self) -> None:
        """Kept for PyTorch compatibility (cuDNN's weight layout); nothing to do here."""

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """Per layer and direction: [w_ih, w_hh, (b_ih, b_hh), (w_hr)]."""
        per = len(self._flat_weights_names) // (self.num_layers * (2 if self.bidirectional else 1))
        names = self._flat_weights_names
        return [[getattr(self, n) for n in names[i:i + per]] for i in range(0, len(names), per)]

    def _weights(self, layer: int, direction: int):
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        get = lambda stem: getattr(self, stem + suffix, None)  # noqa: E731
        return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh"), get("weight_hr")

    # ----- forward ----------------------------------------------------------------------------
    def forward(self, input, hx=None):
        """input (T, B, input_size) ((B, T, ...) with batch_first; (T, input_size) unbatched) or a
        PackedSequence -> (output (T, B, D*P), h_n (num_layers*D, B, P)); LSTM's state is (h, c)."""
        packed = isinstance(input, PackedSequence)
        batch_sizes = None
        if packed:
            batch_sizes = input.batch_sizes.array
            x = padded_from_packed(input.data, batch_sizes)
            batched = True
        else:
            if input.ndim not in (2, 3):
                raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, got "
                                 f"{input.ndim}D tensor instead")
            batched = input.ndim == 3
            x = input if not batched else (input.transpose(0, 1) if self.batch_first else input)
            if not batched:
                x = x.unsqueeze(1)
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {x.shape[-1]}")
        h0, c0 = self._initial_states(x, hx, batched, input if packed else None)
        x, h_n, c_n = self._run_layers(x, h0, c0, batch_sizes)
        if packed:
            t, b = packed_positions(batch_sizes)
            output = PackedSequence(x[t, b], input.batch_sizes, input.sorted_indices,
                                    input.unsorted_indices)
            if input.unsorted_indices is not None:
                order = input.unsorted_indices.array
                h_n = h_n[:, order]
                c_n = None if c_n is None else c_n[:, order]
        else:
            output = x.transpose(0, 1) if batched and self.batch_first else x
            if not batched:
                output, h_n = output.squeeze(1), h_n.squeeze(1)
                c_n = None if c_n is None else c_n.squeeze(1)
        return output, (h_n if c_n is None else (h_n, c_n))

    def _initial_states(self, x, hx, batched, packed):
        xp = array_module(x.array)
        B = x.shape[1]
        count = self.num_layers * (2 if self.bidirectional else 1)
        shapes = [(count, B, self.proj_size or self.hidden_size)]
        if self.mode == "LSTM":
            shapes.append((count, B, self.hidden_size))
        if hx is None:
            zeros = tuple(Tensor(xp.zeros(s, dtype=x.dtype)) for s in shapes)
            return zeros + (None,) * (2 - len(zeros))
        if self.mode == "LSTM" and (not isinstance(hx, tuple) or len(hx) != 2):
            raise TypeError("LSTM: hx must be a tuple (h_0, c_0)")
        states = tuple(hx) if self.mode == "LSTM" else (hx,)
        for name, s, shape in zip(("h_0", "c_0"), states, shapes):
            want = shape if batched else (shape[0], shape[2])
            if s.ndim != len(want):
                raise RuntimeError(f"For {'batched 3' if batched else 'unbatched 2'}-D input, "
                                   f"{name} should also be {len(want)}-D but got {s.ndim}-D tensor")
            if tuple(s.shape) != want:
                raise RuntimeError(f"Expected hidden size {want}, got {list(s.shape)}")
        if not batched:
            states = tuple(s.unsqueeze(1) for s in states)
        if packed is not None and packed.sorted_indices is not None:
            order = packed.sorted_indices.array
            states = tuple(s[:, order] for s in states)
        return states + (None,) * (2 - len(states))

    def _run_layers(self, x, h0, c0, batch_sizes):
        """All layers and directions on x (T, B, in): (output (T, B, D*P), h_n, c_n or None).
        Between layers the activations stay as the recurrence leaves them, (T, features, B)."""
        h_last, c_last = [], []
        directions = 2 if self.bidirectional else 1
        P = self.proj_size or self.hidden_size
        x = x.permute(0, 2, 1)
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                w_ih, w_hh, b_ih, b_hh, w_hr = self._weights(layer, direction)
                S = recurrence(x, w_ih, h0[index], None if c0 is None else c0[index], w_hh,
                               b_ih, b_hh, w_hr, mode=self.mode, reverse=bool(direction),
                               batch_sizes=batch_sizes)
                # S (T+1, P[+H], B): states in processing order, features down the rows
                outputs.append(S[:0:-1, :P] if direction else S[1:, :P])
                h_last.append(S[-1, :P].transpose(0, 1))
                if c0 is not None:
                    c_last.append(S[-1, P:].transpose(0, 1))
            x = outputs[0] if directions == 1 else cat(outputs, 1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        return x.permute(0, 2, 1), stack(h_last, 0), (stack(c_last, 0) if c_last else None)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.mode == "RNN_RELU":
            s += ", nonlinearity='relu'"
        for key, default in (("bias", True), ("batch_first", False), ("dropout", 0.0),
                             ("bidirectional", False)):
            if getattr(self, key) != default:
                s += f", {key}={getattr(self, key)}"
        return s


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu).

    >>> import retrograd as rg
    >>> out, h_n = rg.nn.RNN(10, 20, num_layers=2)(rg.randn(5, 3, 10))
    >>> out.shape, h_n.shape
    ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)


class LSTM(RNNBase):
    """Long short-term memory; gates i, f, g, o stacked in that order in weight_ih/weight_hh.
    With ``proj_size`` > 0, h_t = W_hr (o_t * tanh(c_t)) has proj_size features.

    >>> import retrograd as rg
    >>> out, (h_n, c_n) = rg.nn.LSTM(10, 20)(rg.randn(5, 3, 10))
    >>> out.shape, h_n.shape, c_n.shape
    ((5, 3, 20), (1, 3, 20), (1, 3, 20))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device, dtype)


class GRU(RNNBase):
    """Gated recurrent unit; gates r, z, n in that order, b_hn inside the reset product:
    n_t = tanh(W_in x_t + b_in + r_t (W_hn h_{t-1} + b_hn)), h_t = (1 - z_t) n_t + z_t h_{t-1}.

    >>> import retrograd as rg
    >>> out, h_n = rg.nn.GRU(10, 20, bidirectional=True)(rg.randn(5, 3, 10))
    >>> out.shape, h_n.shape
    ((5, 3, 40), (2, 3, 20))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)
