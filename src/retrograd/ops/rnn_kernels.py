"""The recurrences of RNN, LSTM and GRU on arrays: forward over all time steps and backward
through time, for one layer and direction. ``ops/rnn.py`` wraps them in a Function.

Shapes (T steps, B sequences, H hidden units, P = proj_size or H, G gates: 1, 4 or 3):
- ``xw`` (T, G*H, B): the input projections W_ih x_t^T of all steps (``project``: one batched
  product of W_ih and the input x (T, I, B));
- the states ``S`` (T+1, P, B) in processing order, S[0] the initial state and S[k+1] the state
  after k+1 steps; the LSTM's holds h over c, (T+1, P+H, B);
- ``batch_sizes`` (T,) for packed sequences sorted by decreasing length: at time t only the first
  batch_sizes[t] sequences step, the others keep their state (None: all step every time).
Inside, features run down the rows and sequences along the columns (gates^T = W_hh h^T), so that
every gate and state is a contiguous block: NumPy runs one loop per op, not one per row
(benchmarks/README.md has the figures).
Each step costs one (G*H, P) x (P, B) product, which BLAS runs on its threads as set (holding
it to one thread was slower: benchmarks/README.md); the weight gradient of all steps is one
product after the loop. Arrays kept for backward are indexed by processing step k, not time t.
"""
from __future__ import annotations

from ..backend import array_module
from ..backends import kernels_for

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _sigmoid_of_tanh_(y):
    """In place: tanh(a / 2) -> sigmoid(a) = (1 + tanh(a / 2)) / 2 (never overflows)."""
    y *= 0.5
    y += 0.5


class _Buffers:
    """The large arrays of a pass come from the backend's pool (``kernels.empty``): a step
    allocates the same ones every time, and fresh pages cost page faults (benchmarks/README.md)."""

    def __init__(self, like, zeroed: bool):
        self.kernels, self.dtype, self.zeroed = kernels_for(like), like.dtype, zeroed

    def empty(self, shape):
        return self.kernels.empty(shape, self.dtype)

    def alloc(self, shape):
        """Zeroed when sequences rest (packed): their columns must stay 0."""
        out = self.kernels.empty(shape, self.dtype)
        if self.zeroed:
            out.fill(0)
        return out


def _contract_steps_and_columns(a, b, xp, buffers):
    """sum over k, n of a[k, :, n] b[k, :, n]^T for a (T, R, B), b (T, C, B): one product of
    (R, T*B) by (T*B, C), both laid out by two copies into pooled buffers."""
    T, R, B = a.shape
    C = b.shape[1]
    left = buffers.empty((R, T, B))
    xp.copyto(left, a.transpose(1, 0, 2))
    right = buffers.empty((T, B, C))
    xp.copyto(right, b.transpose(0, 2, 1))
    return xp.matmul(left.reshape(R, T * B), right.reshape(T * B, C))


def project(w_ih, x):
    """The input projections of all steps, W_ih x_t^T: (G*H, I) by x (T, I, B) -> (T, G*H, B),
    one batched product into a pooled array."""
    xp = array_module(x, w_ih)
    T, _, B = x.shape
    out = kernels_for(x).empty((T, w_ih.shape[0], B), x.dtype)
    return xp.matmul(w_ih, x, out=out)


def project_backward(d_xw, w_ih, x, need_x: bool, need_w: bool):
    """(dL/dx (T, I, B), dL/dW_ih) from dL/dxw (T, G*H, B)."""
    xp = array_module(d_xw, w_ih)
    buffers = _Buffers(d_xw, zeroed=False)
    d_x = None
    if need_x:
        d_x = xp.matmul(w_ih.T, d_xw, out=buffers.empty(x.shape))
    d_w = _contract_steps_and_columns(d_xw, x, xp, buffers) if need_w else None
    return d_x, d_w


def _schedule(T, reverse, batch_sizes, B):
    """(processing index k, time t, active sequences n) for each step."""
    for k in range(T):
        t = T - 1 - k if reverse else k
        yield k, t, (B if batch_sizes is None else int(batch_sizes[t]))


class RecurrenceKernel:
    """Forward and backward of one recurrence; ``forward`` keeps what ``backward`` needs."""

    def __init__(self, mode: str, reverse: bool, batch_sizes):
        self.mode, self.reverse, self.batch_sizes = mode, reverse, batch_sizes

    # ----- forward ---------------------------------------------------------------------------
    def forward(self, xw, h0, c0, w_hh, b_ih, b_hh, w_hr):
        xp = array_module(xw, h0, w_hh)
        T, GH, B = xw.shape
        P, H = h0.shape[-1], GH // GATES[self.mode]
        buffers = _Buffers(xw, zeroed=self.batch_sizes is not None)
        S = buffers.empty((T + 1, P + H if self.mode == "LSTM" else P, B))
        S[0, :P] = h0.T
        if c0 is not None:
            S[0, P:] = c0.T
        self.G = buffers.alloc((T, GH, B))  # gate activations
        # The sigmoid gates' rows are halved once here, so that one tanh per step serves all
        # gates: sigmoid(a) = (1 + tanh(a / 2)) / 2.
        half = {"LSTM": [(0, 2 * H), (3 * H, 4 * H)], "GRU": [(0, 2 * H)]}.get(self.mode, [])
        scale = xp.ones((GH, 1), dtype=xw.dtype)
        for a, b in half:
            scale[a:b] = 0.5
        w_scaled = w_hh * scale
        xws = xp.multiply(xw, scale, out=buffers.empty((T, GH, B)))
        b_scaled = None if b_hh is None else b_hh[:, None] * scale  # GRU: inside r * (...)
        b_input = b_ih if self.mode == "GRU" or b_hh is None else (
            b_hh if b_ih is None else b_ih + b_hh)
        if b_input is not None:
            xws += b_input[:, None] * scale
        if self.mode == "LSTM":
            self.TC = buffers.alloc((T, H, B))  # tanh(c_t)
            tmp = xp.empty((H, B), dtype=xw.dtype)
        if self.mode == "GRU":
            self.GHN = buffers.alloc((T, H, B))  # W_hn h + b_hn
            gh = xp.empty((GH, B), dtype=xw.dtype)
        for k, t, n in _schedule(T, self.reverse, self.batch_sizes, B):
            prev, new, g = S[k, :, :n], S[k + 1, :, :n], self.G[k, :, :n]
            if n < B:
                S[k + 1, :, n:] = S[k, :, n:]
            if self.mode == "GRU":
                xp.matmul(w_scaled, prev, out=gh[:, :n])
                if b_scaled is not None:
                    gh[:, :n] += b_scaled
                self._gru_step(xp, xws[t, :, :n], prev, new, g, gh[:, :n],
                               self.GHN[k, :, :n], H)
                continue
            xp.matmul(w_scaled, prev[:P], out=g)
            g += xws[t, :, :n]
            if self.mode == "RNN_RELU":
                xp.maximum(g, 0, out=g)
                new[...] = g
                continue
            xp.tanh(g, out=g)
            if self.mode == "RNN_TANH":
                new[...] = g
                continue
            _sigmoid_of_tanh_(g[:2 * H])
            _sigmoid_of_tanh_(g[3 * H:])
            c, tc, m = new[P:], self.TC[k, :, :n], tmp[:, :n]
            xp.multiply(g[H:2 * H], prev[P:], out=c)  # c = f c_prev + i g
            xp.multiply(g[:H], g[2 * H:3 * H], out=m)
            c += m
            xp.tanh(c, out=tc)
            if w_hr is None:
                xp.multiply(g[3 * H:], tc, out=new[:P])  # h = o tanh(c)
            else:
                xp.multiply(g[3 * H:], tc, out=m)
                xp.matmul(w_hr, m, out=new[:P])
        return S

    @staticmethod
    def _gru_step(xp, xws, prev, new, g, gh, ghn, H):
        """r, z = sigmoid(x_rz + W_rz h + b_rz); n = tanh(x_n + r (W_hn h + b_hn));
        h = n + z (h_prev - n). ``xws`` and ``gh`` come with the r, z rows halved."""
        rz = g[:2 * H]
        xp.add(xws[:2 * H], gh[:2 * H], out=rz)
        xp.tanh(rz, out=rz)
        _sigmoid_of_tanh_(rz)
        ghn[...] = gh[2 * H:]
        n = g[2 * H:]
        xp.multiply(g[:H], ghn, out=n)
        n += xws[2 * H:]
        xp.tanh(n, out=n)
        xp.subtract(prev, n, out=new)
        new *= g[H:2 * H]
        new += n

    # ----- backward through time --------------------------------------------------------------
    def backward(self, dS, S, w_hh, b_ih, b_hh, w_hr, needs):
        """Gradients (xw by time, h0, c0, w_hh, b_ih, b_hh, w_hr) from dS, the gradient of S;
        ``needs`` says which of (h0, c0, w_hh, b_ih, b_hh, w_hr) want one."""
        xp = array_module(dS, S, w_hh)
        T, GH, B = self.G.shape
        P, H = w_hh.shape[1], GH // GATES[self.mode]
        buffers = _Buffers(dS, zeroed=self.batch_sizes is not None)
        carry = dS[T].copy()  # gradient of the current state
        DXW = buffers.alloc((T, GH, B))  # gradient of the gates' pre-activations
        DGH = DXW if self.mode != "GRU" else buffers.alloc((T, GH, B))  # of W_hh h + b_hh
        DH = xp.zeros((T, P, B), dtype=dS.dtype) if w_hr is not None else None
        w_hh_t = xp.ascontiguousarray(w_hh.T)
        if self.mode == "LSTM":
            step = self._lstm_backward(xp, w_hr, DH, P, H, B, buffers)
        for k, t, n in reversed(list(_schedule(T, self.reverse, self.batch_sizes, B))):
            active, prev, d = carry[:, :n], S[k, :, :n], DXW[k, :, :n]
            if self.mode == "LSTM":
                step(active, prev, d, k, n)
            elif self.mode == "GRU":
                z_part = self._gru_backward(xp, active, prev, d, DGH[k, :, :n], k, n, H)
            elif self.mode == "RNN_TANH":
                h = S[k + 1, :, :n]
                xp.multiply(active, 1 - h * h, out=d)
            else:
                xp.multiply(active, S[k + 1, :, :n] > 0, out=d)
            xp.matmul(w_hh_t, DGH[k, :, :n], out=active[:P])
            if self.mode == "GRU":
                active += z_part
            carry += dS[k]
        d_w_hh = _contract_steps_and_columns(DGH, S[:T, :P], xp, buffers) if needs[2] else None
        d_b_ih = _sum_steps_and_columns(DXW) if b_ih is not None and needs[3] else None
        d_b_hh = None
        if b_hh is not None and needs[4]:
            d_b_hh = d_b_ih if DGH is DXW and d_b_ih is not None else _sum_steps_and_columns(DGH)
        d_w_hr = None
        if w_hr is not None and needs[5]:
            d_w_hr = _contract_steps_and_columns(DH, self.G[:, 3 * H:] * self.TC, xp, buffers)
        d_xw = DXW[::-1] if self.reverse else DXW  # by time
        d_h0 = carry[:P].T if needs[0] else None
        d_c0 = carry[P:].T if self.mode == "LSTM" and needs[1] else None
        return d_xw, d_h0, d_c0, d_w_hh, d_b_ih, d_b_hh, d_w_hr

    def _lstm_backward(self, xp, w_hr, DH, P, H, B, buffers):
        """One LSTM step backward, as a function: ``active`` holds [dh; dc] of the new state and
        keeps dc of the previous one; the gates' gradients go to ``d``. The activations'
        derivatives of all steps are computed first, over whole arrays."""
        G, TC = self.G, self.TC
        D = xp.subtract(1, G, out=buffers.empty(G.shape))
        D *= G  # sigmoid' = s (1 - s)
        D[:, 2 * H:3 * H] = 1 - G[:, 2 * H:3 * H] ** 2  # tanh' = 1 - t^2
        DTC = xp.multiply(TC, TC, out=buffers.empty(TC.shape))
        xp.subtract(1, DTC, out=DTC)
        scratch = xp.empty((H, B), dtype=G.dtype)

        def step(active, prev, d, k, n):
            g, tc, tmp = G[k, :, :n], TC[k, :, :n], scratch[:, :n]
            dh, dc = active[:P], active[P:]
            if w_hr is not None:
                DH[k, :, :n] = dh
                dh = w_hr.T @ dh
            xp.multiply(dh, tc, out=d[3 * H:])  # do
            xp.multiply(dh, g[3 * H:], out=tmp)
            tmp *= DTC[k, :, :n]
            dc += tmp  # dc: from c's own path and through h = o tanh(c)
            xp.multiply(dc, g[2 * H:3 * H], out=d[:H])  # di
            xp.multiply(dc, prev[P:], out=d[H:2 * H])  # df
            xp.multiply(dc, g[:H], out=d[2 * H:3 * H])  # dg
            d *= D[k, :, :n]
            dc *= g[H:2 * H]
        return step

    def _gru_backward(self, xp, dh, prev, d, dgh, k, n, H):
        """One GRU step backward: gate gradients into ``d`` (input side) and ``dgh`` (recurrent
        side, r scales its n rows); returns dh z, the direct path to the previous state."""
        g, ghn = self.G[k, :, :n], self.GHN[k, :, :n]
        r, z, nn = g[:H], g[H:2 * H], g[2 * H:]
        dn = dh * (1 - z) * (1 - nn * nn)
        d[2 * H:] = dn
        xp.multiply(dn, r, out=dgh[2 * H:])
        d[:H] = dn * ghn * r * (1 - r)
        d[H:2 * H] = dh * (prev - nn) * z * (1 - z)
        dgh[:2 * H] = d[:2 * H]
        return dh * z


def _sum_steps_and_columns(a):
    """(T, R, B) -> (R,): over steps first (whole contiguous blocks), then over the columns
    (NumPy's sum over (0, 2) at once walks rows of B, several times slower)."""
    return a.sum(0).sum(1)
