"""The recurrences of RNN, LSTM and GRU on arrays: forward over all time steps and backward
through time, for one layer and direction. ``ops/rnn.py`` wraps them in a Function.

Layout shared by all three (T steps, B sequences, H hidden units, P = proj_size or H):
- ``xw`` (T, B, G*H): the input projections x_t W_ih^T + b of all steps (G = 1, 4 or 3 gates);
- the states ``S`` (T+1, B, P) in processing order (S[0] the initial state, S[k+1] the state
  after k+1 steps; the LSTM's S holds [h, c] side by side, (T+1, B, P+H));
- ``batch_sizes`` (T,) for packed sequences sorted by decreasing length: at time t only the first
  batch_sizes[t] rows step, the others keep their state (None: all rows step every time).
Each step costs one (n, P) x (P, G*H) product; the weight gradient of all steps is one product
after the loop.
"""
from __future__ import annotations

from ..backend import array_module


def _sigmoid_(x, xp):
    """In place, through tanh (no overflow): sigmoid(x) = (1 + tanh(x / 2)) / 2."""
    x *= 0.5
    xp.tanh(x, out=x)
    x *= 0.5
    x += 0.5
    return x


def _schedule(T, reverse, batch_sizes, B):
    """(processing index k, time t, active rows n) for each step."""
    for k in range(T):
        t = T - 1 - k if reverse else k
        yield k, t, (B if batch_sizes is None else int(batch_sizes[t]))


class RecurrenceKernel:
    """Forward and backward of one recurrence; ``forward`` keeps what ``backward`` needs."""

    def __init__(self, mode: str, reverse: bool, batch_sizes):
        self.mode, self.reverse, self.batch_sizes = mode, reverse, batch_sizes

    # ----- forward ---------------------------------------------------------------------------
    def forward(self, xw, h0, c0, w_hh, b_hh, w_hr):
        xp = array_module(xw, h0, w_hh)
        T, B, GH = xw.shape
        P = h0.shape[-1]
        H = w_hh.shape[0] // {"LSTM": 4, "GRU": 3}.get(self.mode, 1)
        width = P + H if self.mode == "LSTM" else P
        S = xp.empty((T + 1, B, width), dtype=xw.dtype)
        S[0, :, :P] = h0
        if c0 is not None:
            S[0, :, P:] = c0
        alloc = xp.empty if self.batch_sizes is None else xp.zeros  # rows that rest stay 0
        self.G = alloc((T, B, GH), dtype=xw.dtype)  # gate activations
        w_hh_t = xp.ascontiguousarray(w_hh.T)
        if self.mode == "LSTM":
            self.TC = alloc((T, B, H), dtype=xw.dtype)  # tanh(c_t)
            w_hr_t = None if w_hr is None else xp.ascontiguousarray(w_hr.T)
        if self.mode == "GRU":
            self.GHN = xp.empty((T, B, H), dtype=xw.dtype)  # W_hn h + b_hn
            gh = xp.empty((B, GH), dtype=xw.dtype)
        for k, t, n in _schedule(T, self.reverse, self.batch_sizes, B):
            prev, new, g = S[k], S[k + 1], self.G[t, :n]
            if n < B:
                new[n:] = prev[n:]
            if self.mode == "GRU":
                self._gru_step(xp, xw[t, :n], prev[:n], new[:n], g, gh[:n], w_hh_t, b_hh, t, H)
                continue
            xp.matmul(prev[:n, :P], w_hh_t, out=g)
            g += xw[t, :n]
            if b_hh is not None:
                g += b_hh
            if self.mode == "LSTM":
                self._lstm_step(xp, prev[:n], new[:n], g, w_hr_t, t, P, H)
            elif self.mode == "RNN_TANH":
                xp.tanh(g, out=g)
                new[:n] = g
            else:
                xp.maximum(g, 0, out=g)
                new[:n] = g
        return S

    def _lstm_step(self, xp, prev, new, g, w_hr_t, t, P, H):
        _sigmoid_(g[:, :2 * H], xp)
        xp.tanh(g[:, 2 * H:3 * H], out=g[:, 2 * H:3 * H])
        _sigmoid_(g[:, 3 * H:], xp)
        i, f, gg, o = g[:, :H], g[:, H:2 * H], g[:, 2 * H:3 * H], g[:, 3 * H:]
        c = new[:, P:]
        xp.multiply(f, prev[:, P:], out=c)
        c += i * gg
        tc = self.TC[t, :len(g)]
        xp.tanh(c, out=tc)
        if w_hr_t is None:
            xp.multiply(o, tc, out=new[:, :P])
        else:
            new[:, :P] = (o * tc) @ w_hr_t

    def _gru_step(self, xp, xw_t, prev, new, g, gh, w_hh_t, b_hh, t, H):
        xp.matmul(prev, w_hh_t, out=gh)
        if b_hh is not None:
            gh += b_hh
        xp.add(xw_t[:, :2 * H], gh[:, :2 * H], out=g[:, :2 * H])
        _sigmoid_(g[:, :2 * H], xp)
        ghn = self.GHN[t, :len(g)]
        ghn[...] = gh[:, 2 * H:]
        nn = g[:, 2 * H:]
        xp.multiply(g[:, :H], ghn, out=nn)
        nn += xw_t[:, 2 * H:]
        xp.tanh(nn, out=nn)
        z = g[:, H:2 * H]
        xp.subtract(prev, nn, out=new)  # h = n + z * (h_prev - n)
        new *= z
        new += nn

    # ----- backward through time --------------------------------------------------------------
    def backward(self, dS, S, w_hh, b_hh, w_hr, needs):
        """Gradients (xw, h0, c0, w_hh, b_hh, w_hr) from dS, the gradient of the states."""
        xp = array_module(dS, S, w_hh)
        T, B, GH = self.G.shape
        P = w_hh.shape[1]
        H = GH // {"LSTM": 4, "GRU": 3}.get(self.mode, 1)
        carry = dS[T].copy()  # gradient of the current state, [h] or [h, c]
        DXW = xp.zeros((T, B, GH), dtype=dS.dtype) if self.batch_sizes is not None else \
            xp.empty((T, B, GH), dtype=dS.dtype)
        DGH = DXW if self.mode != "GRU" else xp.zeros_like(DXW)  # gradient of h W_hh^T + b_hh
        DH = xp.zeros((T, B, P), dtype=dS.dtype) if w_hr is not None else None
        for k, t, n in reversed(list(_schedule(T, self.reverse, self.batch_sizes, B))):
            prev, active = S[k], carry[:n]
            if self.mode == "LSTM":
                dh_new = self._lstm_back(xp, active, prev[:n], DXW[t, :n], w_hr, DH, t, P, H)
            elif self.mode == "GRU":
                dh_new = self._gru_back(xp, active, prev[:n], DXW[t, :n], DGH[t, :n], t, H)
            else:
                d = DXW[t, :n]
                if self.mode == "RNN_TANH":
                    h = S[k + 1, :n]
                    xp.multiply(active, 1 - h * h, out=d)
                else:
                    xp.multiply(active, S[k + 1, :n] > 0, out=d)
                dh_new = 0
            dh = active[:, :P]
            xp.matmul(DGH[t, :n], w_hh, out=dh)
            dh += dh_new
            carry += dS[k]
        prevs = _processing_to_time(S[:T, :, :P], self.reverse, xp).reshape(T * B, P)
        flat = DGH.reshape(T * B, GH)
        d_w_hh = flat.T @ prevs if needs[3] else None
        d_b_hh = flat.sum(0) if b_hh is not None and needs[4] else None
        d_w_hr = None
        if w_hr is not None and needs[5]:
            o = self.G[..., 3 * H:]
            d_w_hr = DH.reshape(T * B, P).T @ (o * self.TC).reshape(T * B, H)
        d_h0 = carry[:, :P] if needs[1] else None
        d_c0 = carry[:, P:] if self.mode == "LSTM" and needs[2] else None
        return DXW, d_h0, d_c0, d_w_hh, d_b_hh, d_w_hr

    def _lstm_back(self, xp, active, prev, dxw, w_hr, DH, t, P, H):
        """One LSTM step backward: ``active`` holds [dh, dc] of the new state and becomes
        [-, dc] of the previous one; writes the gate gradients into ``dxw``."""
        g, tc = self.G[t, :len(prev)], self.TC[t, :len(prev)]
        i, f, gg, o = g[:, :H], g[:, H:2 * H], g[:, 2 * H:3 * H], g[:, 3 * H:]
        dh, dc = active[:, :P], active[:, P:]
        if w_hr is not None:
            DH[t, :len(prev)] = dh
            dh = dh @ w_hr
        dxw[:, 3 * H:] = dh * tc * o * (1 - o)
        dc += dh * o * (1 - tc * tc)
        dxw[:, :H] = dc * gg * i * (1 - i)
        dxw[:, H:2 * H] = dc * prev[:, P:] * f * (1 - f)
        dxw[:, 2 * H:3 * H] = dc * i * (1 - gg * gg)
        dc *= f
        return 0

    def _gru_back(self, xp, active, prev, dxw, dgh, t, H):
        g, ghn = self.G[t, :len(prev)], self.GHN[t, :len(prev)]
        r, z, nn = g[:, :H], g[:, H:2 * H], g[:, 2 * H:]
        dh = active
        dn = dh * (1 - z) * (1 - nn * nn)
        dxw[:, 2 * H:] = dn
        dgh[:, 2 * H:] = dn * r
        dxw[:, :H] = dn * ghn * r * (1 - r)
        dxw[:, H:2 * H] = dh * (prev - nn) * z * (1 - z)
        dgh[:, :2 * H] = dxw[:, :2 * H]
        return dh * z


def _processing_to_time(states, reverse, xp):
    """States before each step (processing order) rearranged by time step."""
    return states[::-1] if reverse else states
