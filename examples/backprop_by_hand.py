"""Backpropagation by hand, checked against autograd: one step of gradient descent on a tiny net.

    python examples/backprop_by_hand.py

The network has 3 layers of 2 neurons with a sigmoid after every layer. Weights follow PyTorch:
W_l has shape (out, in) and z_l = W_l a_{l-1} + b_l, a_l = sigmoid(z_l), a_0 = x.

    W1 = [[0.1, 0.2], [0.3, 0.4]]  b1 = [0.1, 0.2]
    W2 = [[0.5, 0.6], [0.7, 0.8]]  b2 = [0.5, 0.6]
    W3 = [[0.9, 1.0], [1.1, 1.2]]  b3 = [0.9, 1.0]
    x = [1, 2], y = [3, 4], L = 1/2 * sum((y - y_hat)^2), learning rate 0.1

Backpropagation, with delta_l = dL/dz_l (sigmoid'(z) = a * (1 - a)):

    delta_3 = (y_hat - y) * a_3 * (1 - a_3)                  the output layer
    delta_l = (W_{l+1}^T delta_{l+1}) * a_l * (1 - a_l)       the layers below it
    dL/dW_l = delta_l a_{l-1}^T (an outer product),  dL/db_l = delta_l
    W_l <- W_l - 0.1 * dL/dW_l,  b_l <- b_l - 0.1 * dL/db_l

Measured figures (float64; the NumPy and the autograd columns agree exactly, |diff| = 0):
z1 = [0.6, 1.3], a1 = [0.645656, 0.785835], a2 = [0.784879, 0.842988],
y_hat = a3 = [0.920516, 0.946594], L = 6.82377 before the step and 6.81191 after it;
delta3 = [-0.152148, -0.154361], delta2 = [-0.0517895, -0.0446556],
delta1 = [-0.0130759, -0.011242];
dL/dW3 = [[-0.119418, -0.128259], [-0.121154, -0.130124]],
dL/dW1 = [[-0.0130759, -0.0261517], [-0.011242, -0.022484]];
W3 after the step = [[0.911942, 1.01283], [1.11212, 1.21301]], b3 = [0.915215, 1.01544].
Runs in about 0.3 s.
"""
from __future__ import annotations

import argparse

import numpy as np

import retrograd as rg
from retrograd import nn, optim

WEIGHTS = [np.array([[0.1, 0.2], [0.3, 0.4]]), np.array([[0.5, 0.6], [0.7, 0.8]]),
           np.array([[0.9, 1.0], [1.1, 1.2]])]
BIASES = [np.array([0.1, 0.2]), np.array([0.5, 0.6]), np.array([0.9, 1.0])]
X, Y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
LR = 0.1
TOLERANCE = 1e-6


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def by_hand():
    """Forward pass, deltas, gradients and the update, written out in NumPy."""
    # Python lists count from 0: WEIGHTS[i], zs[i], deltas[i] belong to layer i + 1, while
    # a[i] is a_i with a[0] = x (so a[3] = y_hat).
    # forward: keep every a_l, because the backward pass needs them
    a = [X]
    zs = []
    for W, b in zip(WEIGHTS, BIASES):
        zs.append(W @ a[-1] + b)
        a.append(sigmoid(zs[-1]))
    y_hat = a[-1]
    loss = 0.5 * np.sum((Y - y_hat) ** 2)

    # backward: delta_l = dL/dz_l, from the output layer down
    deltas = [None, None, None]
    deltas[2] = (y_hat - Y) * a[3] * (1 - a[3])  # dL/dy_hat * sigmoid'(z_3)
    for i in (1, 0):  # layers 2, then 1
        deltas[i] = (WEIGHTS[i + 1].T @ deltas[i + 1]) * a[i + 1] * (1 - a[i + 1])
    grads_W = [np.outer(deltas[i], a[i]) for i in range(3)]  # dL/dW_l = delta_l a_{l-1}^T
    grads_b = [deltas[i].copy() for i in range(3)]  # dL/db_l = delta_l

    # gradient descent
    new_W = [W - LR * g for W, g in zip(WEIGHTS, grads_W)]
    new_b = [b - LR * g for b, g in zip(BIASES, grads_b)]
    new_loss = 0.5 * np.sum((Y - forward_numpy(new_W, new_b)) ** 2)
    return {"z": zs, "a": a[1:], "loss": loss, "delta": deltas, "dW": grads_W, "db": grads_b,
            "W": new_W, "b": new_b, "new_loss": new_loss}


def forward_numpy(weights, biases):
    a = X
    for W, b in zip(weights, biases):
        a = sigmoid(W @ a + b)
    return a


def by_autograd():
    """The same network as retrograd modules; autograd finds the gradients, SGD updates."""
    layers = []
    for W, b in zip(WEIGHTS, BIASES):
        linear = nn.Linear(2, 2).double()  # float64, like the NumPy arrays
        with rg.no_grad():
            linear.weight.copy_(W)
            linear.bias.copy_(b)
        layers += [linear, nn.Sigmoid()]
    model = nn.Sequential(*layers)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    x, y = rg.tensor(X, dtype=rg.float64), rg.tensor(Y, dtype=rg.float64)

    # forward, keeping each layer's z and a so they can be printed beside the hand-written ones;
    # retain_grad() asks autograd to keep dL/dz_l, which is exactly delta_l
    zs, acts, h = [], [], x
    for linear in linears:
        z = linear(h)
        z.retain_grad()
        h = z.sigmoid()
        zs.append(z)
        acts.append(h)
    loss = 0.5 * ((y - h) ** 2).sum()
    # the loop above is exactly the model's forward pass:
    assert np.allclose(model(x).detach().numpy(), h.detach().numpy())

    opt = optim.SGD(model.parameters(), lr=LR)
    opt.zero_grad()
    loss.backward()
    record = {"z": [z.detach().numpy() for z in zs], "a": [a.detach().numpy() for a in acts],
              "loss": loss.item(), "delta": [z.grad.numpy() for z in zs],  # delta_l = dL/dz_l
              "dW": [m.weight.grad.numpy().copy() for m in linears],
              "db": [m.bias.grad.numpy().copy() for m in linears]}
    opt.step()
    record["W"] = [m.weight.detach().numpy().copy() for m in linears]
    record["b"] = [m.bias.detach().numpy().copy() for m in linears]
    with rg.no_grad():
        record["new_loss"] = (0.5 * ((y - model(x)) ** 2).sum()).item()
    return record


def fmt(value) -> str:
    """Six significant digits, nested lists for arrays."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        return f"{float(arr):.6g}"
    return "[" + ", ".join(fmt(v) for v in arr) + "]"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=None, help="unused: this example writes no files")
    parser.add_argument("--quick", action="store_true", help="no effect: the example is instant")
    parser.parse_args(argv)
    rg.manual_seed(0)  # nothing is random (the weights are given); seeded out of habit

    hand, auto = by_hand(), by_autograd()
    rows = [("loss L", "loss", None)]  # (label, key, list index i = layer - 1)
    for i in range(3):
        rows += [(f"z{i + 1}", "z", i), (f"a{i + 1}", "a", i)]
    for i in (2, 1, 0):
        rows.append((f"delta{i + 1} = dL/dz{i + 1}", "delta", i))
    for i in (2, 1, 0):
        rows += [(f"dL/dW{i + 1}", "dW", i), (f"dL/db{i + 1}", "db", i)]
    for i in range(3):
        rows += [(f"W{i + 1} after step", "W", i), (f"b{i + 1} after step", "b", i)]
    rows.append(("loss after step", "new_loss", None))

    table = []
    for label, key, i in rows:
        h = hand[key] if i is None else hand[key][i]
        a = auto[key] if i is None else auto[key][i]
        table.append((label, h, a, float(np.max(np.abs(np.asarray(h) - np.asarray(a))))))
    width = max(len(fmt(h)) for _, h, _, _ in table) + 2
    print(f"{'quantity':<22}{'by hand (NumPy)':<{width}}{'retrograd autograd':<{width}}"
          f"{'|diff|':>8}")
    for label, h, a, diff in table:
        print(f"{label:<22}{fmt(h):<{width}}{fmt(a):<{width}}{diff:8.1e}")
    worst = max(diff for *_, diff in table)
    assert worst < TOLERANCE, f"hand-written backprop and autograd differ by {worst:.3g}"
    print(f"agreement: max |hand - autograd| = {worst:.3g} < {TOLERANCE:g}  OK")


if __name__ == "__main__":
    main()
