"""One time step as a module: RNNCell, LSTMCell, GRUCell (PyTorch's names, shapes and init),
composed of differentiable ops (``ops.rnn_cells``). Input (B, input_size) or unbatched
(input_size,); the state defaults to zeros."""
from __future__ import annotations

import math

from ... import backend
from ...backend import array_module, device_module
from ...ops.linalg import linear
from ...ops.rnn_cells import gru_step, lstm_step, rnn_step
from ...tensor import Tensor
from .. import init
from ..module import Module
from ..parameter import Parameter


class RNNCellBase(Module):
    """weight_ih (G*H, input_size), weight_hh (G*H, H), bias_ih/bias_hh (G*H,), all
    U(-1/sqrt(H), 1/sqrt(H))."""

    gates = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None):
        xp = device_module(device)
        super().__init__()
        dtype = backend.get_default_dtype() if dtype is None else xp.dtype(dtype)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        rows = self.gates * hidden_size
        self.weight_ih = Parameter(xp.empty((rows, input_size), dtype=dtype))
        self.weight_hh = Parameter(xp.empty((rows, hidden_size), dtype=dtype))
        if bias:
            self.bias_ih = Parameter(xp.empty((rows,), dtype=dtype))
            self.bias_hh = Parameter(xp.empty((rows,), dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _prepare(self, input, states):
        """Batch the input and states (zeros when None); returns (xw, states, batched)."""
        xp = array_module(input.array)
        name = type(self).__name__
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"{name}: input has inconsistent input_size: got {input.shape[-1]} "
                               f"expected {self.input_size}")
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        out = []
        for s in states:
            if s is None:
                s = Tensor(xp.zeros((x.shape[0], self.hidden_size), dtype=x.dtype))
            else:
                if s.ndim != input.ndim:
                    raise ValueError(f"{name}: Expected hidden to be {input.ndim}D for "
                                     f"{input.ndim}D input, got {s.ndim}D instead")
                s = s if batched else s.unsqueeze(0)
                if tuple(s.shape) != (x.shape[0], self.hidden_size):
                    raise RuntimeError(f"{name}: hidden state of shape {tuple(s.shape)} does not "
                                       f"fit ({x.shape[0]}, {self.hidden_size})")
            out.append(s)
        return linear(x, self.weight_ih, self.bias_ih), out, batched

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNNCell(RNNCellBase):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu): (B, in), (B, H) -> (B, H).

    >>> import retrograd as rg
    >>> rg.nn.RNNCell(10, 20)(rg.randn(3, 10)).shape
    (3, 20)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        xw, (h,), batched = self._prepare(input, [hx])
        h = rnn_step(xw, h, self.weight_hh, self.bias_hh, self.nonlinearity)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """(h', c') from x (B, in) and (h, c) (B, H) each; gates i, f, g, o.

    >>> import retrograd as rg
    >>> h, c = rg.nn.LSTMCell(10, 20)(rg.randn(3, 10))
    >>> h.shape, c.shape
    ((3, 20), (3, 20))
    """

    gates = 4

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple[Tensor, Tensor]:
        xw, (h, c), batched = self._prepare(input, [None, None] if hx is None else list(hx))
        h, c = lstm_step(xw, h, c, self.weight_hh, self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """h' from x (B, in) and h (B, H); gates r, z, n with b_hn inside the reset product.

    >>> import retrograd as rg
    >>> rg.nn.GRUCell(10, 20)(rg.randn(3, 10)).shape
    (3, 20)
    """

    gates = 3

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        xw, (h,), batched = self._prepare(input, [hx])
        h = gru_step(xw, h, self.weight_hh, self.bias_hh)
        return h if batched else h.squeeze(0)
