"""An independent NumPy forward/backward pass for fully connected networks, used as the oracle
in the explain tests (it shares no code with retrograd)."""
from __future__ import annotations

import numpy as np

ACT = {
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z, a: a * (1 - a)),
    "tanh": (np.tanh, lambda z, a: 1 - a * a),
    "relu": (lambda z: np.maximum(z, 0), lambda z, a: (z > 0).astype(z.dtype)),
    "none": (lambda z: z, lambda z, a: np.ones_like(z)),
}


def softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def losses(out, y, loss):
    """(L, dL/d out) for 'half_sse' (1/2 sum), 'mse_mean' (mean) or 'ce' (softmax, sum)."""
    if loss == "half_sse":
        return 0.5 * np.sum((y - out) ** 2), out - y
    if loss == "mse_mean":
        return np.mean((out - y) ** 2), 2 * (out - y) / out.size
    if loss == "ce":
        p = softmax(out)
        return -np.sum(y * np.log(p)), p * y.sum(-1, keepdims=True) - y
    raise ValueError(loss)


def forward(layers, x, acts):
    """Per layer (a_prev, z, a) for layers [(W, b)] with W (out, in), z = a W^T + b."""
    out, a = [], x
    for (w, b), act in zip(layers, acts):
        z = a @ w.T + (b if b is not None else 0)
        a_new = ACT[act][0](z)
        out.append((a, z, a_new))
        a = a_new
    return out


def backprop(layers, x, y, acts, loss="half_sse", lr=0.1):
    """Everything one gradient-descent step computes, by hand."""
    fw = forward(layers, x, acts)
    L, g = losses(fw[-1][2], y, loss)
    res = [None] * len(layers)
    for l in range(len(layers) - 1, -1, -1):
        a_prev, z, a = fw[l]
        delta = g * ACT[acts[l]][1](z, a)
        w, b = layers[l]
        dw, db = delta.T @ a_prev, delta.sum(0)
        res[l] = {"a_prev": a_prev, "z": z, "a": a, "delta": delta, "dW": dw, "db": db,
                      "W_after": w - lr * dw, "b_after": None if b is None else b - lr * db}
        g = delta @ w
    new_layers = [(r["W_after"], r["b_after"]) for r in res]
    L_after, _ = losses(forward(new_layers, x, acts)[-1][2], y, loss)
    return res, L, L_after
