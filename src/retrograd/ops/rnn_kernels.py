"""The recurrences of RNN, LSTM and GRU on arrays: forward over all time steps and backward
through time, for one layer and direction. ``ops/rnn.py`` wraps them in a Function.

Shapes (T steps, B sequences, H hidden units, P = proj_size or H, G gates: 1, 4 or 3):
- the input x (T, I, B); an RNN's and LSTM's steps read it stacked under h, ``Z`` (T+1,
  P+I[+1], B) = [h; x_t; 1], so that one product with [W_hh | W_ih | b] gives a step's gates;
  the GRU, whose W_hn h stays apart, projects all steps first (``xws`` (T, G*H, B));
- the states ``S`` (T+1, P, B) in processing order, S[0] the initial state and S[k+1] the state
  after k+1 steps; the LSTM's holds h over c, (T+1, P+H, B);
- ``batch_sizes`` (T,) for packed sequences sorted by decreasing length: at time t only the first
  batch_sizes[t] sequences step, the others keep their state (None: all step every time).
Inside, features run down the rows and sequences along the columns (gates^T = W_hh h^T), so that
every gate and state is a contiguous block: NumPy runs one loop per op, not one per row
(benchmarks/README.md has the figures).
Each step costs one product of G*H rows by B columns, which BLAS runs on its threads as set
(holding it to one thread was slower: benchmarks/README.md); the weight gradient of all steps is
one product after the loop. Arrays kept for backward are indexed by processing step k, not time t.
Gate rows are in the kernel's order (``rnn_arrays.row_blocks``: an LSTM's i, f, o, g).
"""
from __future__ import annotations

from ..backend import array_module
from .rnn_arrays import (GATES, Buffers, project, row_blocks, rows_inside, sigmoid_of_tanh_,
                         weight_products)

__all__ = ["GATES", "RecurrenceKernel"]


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
    def forward(self, x, w_ih, h0, c0, w_hh, b_ih, b_hh, w_hr):
        """The states S (T+1, P[+H], B) from the input x (T, I, B) and the layer's weights."""
        T, _, B = x.shape
        GH = w_hh.shape[0]
        P, H = h0.shape[-1], GH // GATES[self.mode]
        buffers = Buffers(x, zeroed=self.batch_sizes is not None)
        S = buffers.empty((T + 1, P + H if self.mode == "LSTM" else P, B))
        S[0, :P] = h0.T
        if c0 is not None:
            S[0, P:] = c0.T
        self.G = buffers.alloc((T, GH, B))  # gate activations (an RNN keeps only its products)
        blocks = row_blocks(self.mode, H, scaled=True)
        if self.mode == "GRU":
            self._forward_gru(x, w_ih, w_hh, b_ih, b_hh, S, blocks, buffers)
        else:
            self._forward_stacked(x, w_ih, w_hh, b_ih, b_hh, w_hr, S, blocks, buffers)
        return S

    def _forward_stacked(self, x, w_ih, w_hh, b_ih, b_hh, w_hr, S, blocks, buffers):
        """RNN and LSTM: each step's gates come from one product of [W_hh | W_ih | b] and the
        step's stacked input Z[k] = [h; x_t; 1], so no projection of all steps is made first."""
        xp = array_module(x, w_hh)
        T, I, B = x.shape
        P, H = w_hh.shape[1], self.G.shape[1] // GATES[self.mode]
        bias = b_hh if b_ih is None else (b_ih if b_hh is None else b_ih + b_hh)
        w_cat = rows_inside(xp.concatenate([w_hh, w_ih], axis=1), blocks, buffers, bias=bias)
        Z = buffers.alloc((T + 1, w_cat.shape[1], B))  # h over x_t over a row of ones
        Z[0, :P] = S[0, :P]
        Z[:T, P:P + I] = x[::-1] if self.reverse else x
        if bias is not None:
            Z[:T, P + I] = 1
        if self.mode == "LSTM":
            self.TC = buffers.alloc((T, H, B))  # tanh(c_t)
            tmp = buffers.empty((H, B))
        for k, t, n in _schedule(T, self.reverse, self.batch_sizes, B):
            g, h = self.G[k, :, :n], Z[k + 1, :P, :n]
            if n < B:  # resting sequences keep their state
                Z[k + 1, :P, n:] = Z[k, :P, n:]
                S[k + 1, P:, n:] = S[k, P:, n:]
            xp.matmul(w_cat, Z[k, :, :n], out=g)
            if self.mode == "RNN_RELU":  # an RNN's backward reads h, not g: straight into h
                xp.maximum(g, 0, out=h)
                continue
            if self.mode == "RNN_TANH":
                xp.tanh(g, out=h)
                continue
            xp.tanh(g, out=g)
            sigmoid_of_tanh_(g[:3 * H])  # gates i, f, o, g
            c, tc, m = S[k + 1, P:, :n], self.TC[k, :, :n], tmp[:, :n]
            xp.multiply(g[H:2 * H], S[k, P:, :n], out=c)  # c = f c_prev + i g
            xp.multiply(g[:H], g[3 * H:], out=m)
            c += m
            xp.tanh(c, out=tc)
            if w_hr is None:
                xp.multiply(g[2 * H:3 * H], tc, out=h)  # h = o tanh(c)
            else:
                xp.multiply(g[2 * H:3 * H], tc, out=m)
                xp.matmul(w_hr, m, out=h)
        S[1:, :P] = Z[1:, :P]

    def _forward_gru(self, x, w_ih, w_hh, b_ih, b_hh, S, blocks, buffers):
        """The GRU: W_hn h + b_hn stays apart (r scales it), so the input projections of all
        steps are one product first and each step adds its own."""
        xp = array_module(x, w_hh)
        T, GH, B = self.G.shape
        H = GH // 3
        w_scaled = rows_inside(w_hh, blocks, buffers)
        xws = project(rows_inside(w_ih, blocks, buffers, bias=b_ih), x, buffers)
        self.GHN = buffers.alloc((T, H, B))  # W_hn h + b_hn
        gh = buffers.empty((GH, B))
        b_scaled = None if b_hh is None else rows_inside(b_hh[:, None], blocks, buffers)
        for k, t, n in _schedule(T, self.reverse, self.batch_sizes, B):
            prev, new = S[k, :, :n], S[k + 1, :, :n]
            if n < B:
                S[k + 1, :, n:] = S[k, :, n:]
            xp.matmul(w_scaled, prev, out=gh[:, :n])
            if b_scaled is not None:
                gh[:, :n] += b_scaled
            self._gru_step(xp, xws[t, :, :n], prev, new, self.G[k, :, :n], gh[:, :n],
                           self.GHN[k, :, :n], H)

    @staticmethod
    def _gru_step(xp, xws, prev, new, g, gh, ghn, H):
        """r, z = sigmoid(x_rz + W_rz h + b_rz); n = tanh(x_n + r (W_hn h + b_hn));
        h = n + z (h_prev - n). ``xws`` and ``gh`` come with the r, z rows halved."""
        rz = g[:2 * H]
        xp.add(xws[:2 * H], gh[:2 * H], out=rz)
        xp.tanh(rz, out=rz)
        sigmoid_of_tanh_(rz)
        ghn[...] = gh[2 * H:]
        n = g[2 * H:]
        xp.multiply(g[:H], ghn, out=n)
        n += xws[2 * H:]
        xp.tanh(n, out=n)
        xp.subtract(prev, n, out=new)
        new *= g[H:2 * H]
        new += n

    # ----- backward through time --------------------------------------------------------------
    def backward(self, dS, S, x, w_ih, w_hh, b_ih, b_hh, w_hr, needs):
        """Gradients of the inputs (x, w_ih, h0, c0, w_hh, b_ih, b_hh, w_hr) from dS, the
        gradient of S; ``needs`` says which of them want one (the others get None)."""
        xp = array_module(dS, S, w_hh)
        T, GH, B = self.G.shape
        P, H = w_hh.shape[1], GH // GATES[self.mode]
        buffers = Buffers(dS, zeroed=self.batch_sizes is not None)
        blocks = row_blocks(self.mode, H, scaled=False)
        carry = dS[T].copy()  # gradient of the current state
        DXW = buffers.alloc((T, GH, B))  # gradient of the gates' pre-activations
        DGH = DXW if self.mode != "GRU" else buffers.alloc((T, GH, B))  # of W_hh h + b_hh
        DH = None
        if w_hr is not None:
            DH = buffers.alloc((T, P, B))  # each step writes its active columns
        w_hh_t = rows_inside(w_hh, blocks, buffers, transposed=True)
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
        x_k = x[::-1] if self.reverse else x  # by processing step, as DXW
        parts = [(DXW, "w_ih", x_k, needs[1]), (DXW, "b_ih", None, b_ih is not None and needs[5]),
                 (DGH, "w_hh", S[:T, :P], needs[4]),
                 (DGH, "b_hh", None, b_hh is not None and needs[6])]
        grads = {}
        for left in (DXW,) if DGH is DXW else (DXW, DGH):
            chosen = [(name, right) for side, name, right, need in parts if side is left and need]
            if chosen:
                products = weight_products(left, [r for _, r in chosen], buffers, blocks)
                grads.update((name, product) for (name, _), product in zip(chosen, products))
        if w_hr is not None and needs[7]:
            h_part = xp.multiply(self.G[:, 2 * H:3 * H], self.TC, out=buffers.empty(self.TC.shape))
            grads["w_hr"], = weight_products(DH, [h_part], buffers)
        d_x = None
        if needs[0]:
            d_xw = DXW[::-1] if self.reverse else DXW  # by time
            w_ih_t = rows_inside(w_ih, blocks, buffers, transposed=True)
            d_x = xp.matmul(w_ih_t, d_xw, out=buffers.empty(x.shape))
        d_h0 = carry[:P].T if needs[2] else None
        d_c0 = carry[P:].T if self.mode == "LSTM" and needs[3] else None
        return (d_x, grads.get("w_ih"), d_h0, d_c0, grads.get("w_hh"), grads.get("b_ih"),
                grads.get("b_hh"), grads.get("w_hr"))

    def _lstm_backward(self, xp, w_hr, DH, P, H, B, buffers):
        """One LSTM step backward, as a function: ``active`` holds [dh; dc] of the new state and
        keeps dc of the previous one; the gates' gradients go to ``d``. The activations'
        derivatives are made per step from the gates, while they are in cache."""
        G, TC = self.G, self.TC
        slope, scratch = buffers.empty((4 * H, B)), buffers.empty((H, B))

        def step(active, prev, d, k, n):
            g, tc, tmp, e = G[k, :, :n], TC[k, :, :n], scratch[:, :n], slope[:, :n]
            dh, dc = active[:P], active[P:]
            if w_hr is not None:
                DH[k, :, :n] = dh
                dh = w_hr.T @ dh
            xp.multiply(dh, tc, out=d[2 * H:3 * H])  # do
            xp.multiply(tc, tc, out=tmp)
            xp.subtract(1, tmp, out=tmp)  # tanh'(c) = 1 - tanh(c)^2
            tmp *= dh
            tmp *= g[2 * H:3 * H]
            dc += tmp  # dc: from c's own path and through h = o tanh(c)
            xp.multiply(dc, g[3 * H:], out=d[:H])  # di
            xp.multiply(dc, prev[P:], out=d[H:2 * H])  # df
            xp.multiply(dc, g[:H], out=d[3 * H:])  # dg
            xp.multiply(g, g, out=e)
            xp.subtract(g[:3 * H], e[:3 * H], out=e[:3 * H])  # sigmoid' = s - s^2
            xp.subtract(1, e[3 * H:], out=e[3 * H:])  # tanh' = 1 - t^2
            d *= e
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
