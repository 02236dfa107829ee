"""Array helpers of the recurrence kernels (``rnn_kernels``): pooled buffers, the gate rows in
the order and scale the kernels keep them, the input projections of all steps as one batched
product, and the weight gradients of all steps as one product.

Every array a pass makes of more than a few rows comes from the backend's pool: a training step
makes the same ones every time, and arrays from NumPy of 128 KiB and more are fresh pages that
the kernel zero-fills on first touch (benchmarks/README.md has the figures).
"""
from __future__ import annotations

from ..backend import array_module
from ..backends import kernels_for

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def sigmoid_of_tanh_(y):
    """In place: tanh(a / 2) -> sigmoid(a) = (1 + tanh(a / 2)) / 2 (never overflows)."""
    y *= 0.5
    y += 0.5


class Buffers:
    """Arrays of one dtype from the pool of ``like``'s backend (``kernels.empty``)."""

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


def row_blocks(mode: str, H: int, scaled: bool):
    """(kernel rows, layer rows, factor) per block of gates. An LSTM's gates (i, f, g, o) are
    kept as (i, f, o, g): the sigmoid gates together, turned by one pass a step. ``scaled``
    halves the sigmoid gates' rows, so that one tanh serves all gates: sigmoid(a) =
    (1 + tanh(a / 2)) / 2. The GRU's r, z come first already; an RNN's one gate is as it is."""
    half = 0.5 if scaled else 1.0
    if mode == "LSTM":
        return ((slice(0, 2 * H), slice(0, 2 * H), half),
                (slice(2 * H, 3 * H), slice(3 * H, 4 * H), half),
                (slice(3 * H, 4 * H), slice(2 * H, 3 * H), 1.0))
    if mode == "GRU":
        return (slice(0, 2 * H), slice(0, 2 * H), half), (slice(2 * H, None),) * 2 + (1.0,)
    return ((slice(None), slice(None), 1.0),)


def rows_inside(w, blocks, buffers, bias=None, transposed: bool = False):
    """w (G*H, C) in the kernel's row order and scale, a pooled (G*H, C) array, or (C, G*H)
    when ``transposed``; a ``bias`` (G*H,) joins as a last column, (G*H, C+1)."""
    xp = array_module(w)
    C, extra = w.shape[1], bias is not None
    out = buffers.empty((C + extra, w.shape[0]) if transposed else (w.shape[0], C + extra))
    view = out.T if transposed else out
    for inside, outside, factor in blocks:
        if factor == 1:  # NumPy's multiply into a transposed view is slower than a copy's
            xp.copyto(view[inside, :C], w[outside])  # (176 against 40 us for (512, 128))
        else:
            xp.multiply(w[outside], factor, out=view[inside, :C])
        if extra:
            xp.multiply(bias[outside], factor, out=view[inside, C])
    return out


def project(w_in, x, buffers):
    """The input projections of all steps, W x_t^T (+ b): (G*H, I) by x (T, I, B) ->
    (T, G*H, B), one batched product. A (G*H, I+1) ``w_in`` carries the bias in its last column,
    which meets a row of ones laid under x."""
    xp = array_module(x, w_in)
    T, I, B = x.shape
    if w_in.shape[1] > I:
        ones_under = buffers.empty((T, I + 1, B))
        ones_under[:, :I] = x
        ones_under[:, I] = 1
        x = ones_under
    return xp.matmul(w_in, x, out=buffers.empty((T, w_in.shape[0], B)))


def weight_products(left, rights, buffers, blocks=None):
    """For ``left`` (T, R, B) and each of ``rights``, an array (T, C, B) or None: the sum over k
    and n of left[k, :, n] r[k, :, n]^T (R, C), or for None the sum of left over k and n (R,), a
    bias's gradient. All from one product of (R, T*B) by (T*B, sum of C), its two sides laid out
    by copies into pooled buffers, so the weights and biases of one side share one pass. Rows
    come back in the layer's order (``blocks`` as ``row_blocks`` gives; None: as they are)."""
    xp = array_module(left)
    T, R, B = left.shape
    widths = [1 if r is None else r.shape[1] for r in rights]
    lhs = buffers.empty((R, T, B))
    xp.copyto(lhs, left.transpose(1, 0, 2))
    rhs = buffers.empty((T, B, sum(widths)))
    start = 0
    for r, width in zip(rights, widths):
        if r is None:
            rhs[:, :, start] = 1
        else:
            xp.copyto(rhs[:, :, start:start + width], r.transpose(0, 2, 1))
        start += width
    product = xp.matmul(lhs.reshape(R, T * B), rhs.reshape(T * B, start),
                        out=buffers.empty((R, start)))
    out, start = [], 0
    for r, width in zip(rights, widths):
        columns = product[:, start] if r is None else product[:, start:start + width]
        grad = buffers.empty(columns.shape)
        for inside, outside, _ in blocks or ((slice(None), slice(None), 1.0),):
            grad[outside] = columns[inside]
        out.append(grad)
        start += width
    return out
