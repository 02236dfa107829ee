"""One step of RNN, LSTM and GRU composed of differentiable ops (PyTorch's gate order: LSTM i, f,
g, o; GRU r, z, n with b_hn inside the reset product). They serve the cells (``nn.LSTMCell``...)
and the recurrence when a higher-order gradient is asked for (``create_graph=True``): the graph
they record can be differentiated again.

``xw`` is a step's input projection x W_ih^T + b_ih, (B, G*H); ``h``/``c`` the state (B, H)."""
from __future__ import annotations

from .activation import relu, sigmoid, tanh
from .linalg import linear, matmul
from .shape import cat, stack


def rnn_step(xw, h, w_hh, b_hh=None, nonlinearity: str = "tanh"):
    """h' = act(xw + h W_hh^T + b_hh)."""
    pre = xw + linear(h, w_hh, b_hh)
    return tanh(pre) if nonlinearity == "tanh" else relu(pre)


def lstm_step(xw, h, c, w_hh, b_hh=None, w_hr=None):
    """(h', c'): c' = f c + i g, h' = o tanh(c') (times W_hr^T with a projection)."""
    gates = xw + linear(h, w_hh, b_hh)
    H = c.shape[-1]
    i, f = sigmoid(gates[..., :H]), sigmoid(gates[..., H:2 * H])
    g, o = tanh(gates[..., 2 * H:3 * H]), sigmoid(gates[..., 3 * H:])
    c = f * c + i * g
    h = o * tanh(c)
    return (h if w_hr is None else linear(h, w_hr)), c


def gru_step(xw, h, w_hh, b_hh=None):
    """h' = n + z (h - n), n = tanh(xw_n + r (h W_hn^T + b_hn))."""
    gh = linear(h, w_hh, b_hh)
    H = h.shape[-1]
    r = sigmoid(xw[..., :H] + gh[..., :H])
    z = sigmoid(xw[..., H:2 * H] + gh[..., H:2 * H])
    n = tanh(xw[..., 2 * H:] + r * gh[..., 2 * H:])
    return n + z * (h - n)


def composed_recurrence(x, w_ih, h0, c0, w_hh, b_ih, b_hh, w_hr, mode: str, reverse: bool,
                        batch_sizes):
    """The states S (T+1, P[+H], B) of ``ops.rnn.recurrence`` from x (T, I, B), built of
    differentiable steps."""
    xw = matmul(w_ih, x)  # (T, G*H, B)
    T, B = xw.shape[0], xw.shape[2]
    P = h0.shape[-1]
    state = h0 if c0 is None else cat([h0, c0], -1)
    states = [state]
    for k in range(T):
        t = T - 1 - k if reverse else k
        n = B if batch_sizes is None else int(batch_sizes[t])
        x_t, h = xw[t, :, :n].transpose(0, 1), state[:n, :P]
        if b_ih is not None:
            x_t = x_t + b_ih
        if mode == "LSTM":
            new = cat(list(lstm_step(x_t, h, state[:n, P:], w_hh, b_hh, w_hr)), -1)
        elif mode == "GRU":
            new = gru_step(x_t, h, w_hh, b_hh)
        else:
            new = rnn_step(x_t, h, w_hh, b_hh, "tanh" if mode == "RNN_TANH" else "relu")
        state = new if n == B else cat([new, state[n:]], 0)
        states.append(state)
    return stack(states, 0).permute(0, 2, 1)
