"""Engine overhead: forward + backward + SGD update of a 2-16-16-1 tanh MLP on a batch of 4,
in retrograd, in bare NumPy (the same arithmetic by hand), and in PyTorch when installed.

    python benchmarks/bench_engine.py

On a workload this small the time is all per-op overhead (Python, graph bookkeeping), not
arithmetic: steps/s measures the engine itself.
"""
from __future__ import annotations

import numpy as np

import retrograd as rg
from common import rate, threads, try_torch

rng = np.random.default_rng(0)
X = rng.standard_normal((4, 2)).astype(np.float32)
Y = rng.standard_normal((4, 1)).astype(np.float32)
INIT = [rng.standard_normal(s).astype(np.float32) * 0.5 for s in [(16, 2), (16,), (16, 16), (16,), (1, 16), (1,)]]
LR = 0.01


def retrograd_step():
    params = [rg.tensor(a, requires_grad=True) for a in INIT]
    x, y = rg.tensor(X), rg.tensor(Y)
    linear = rg.ops.linalg.linear

    def step():
        w1, b1, w2, b2, w3, b3 = params
        h = linear(x, w1, b1).tanh()
        h = linear(h, w2, b2).tanh()
        loss = ((linear(h, w3, b3) - y) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        for p in params:
            p.array -= LR * p.grad.array
    return step


def numpy_step():
    w1, b1, w2, b2, w3, b3 = [a.copy() for a in INIT]

    def step():
        nonlocal w1, b1, w2, b2, w3, b3
        z1 = X @ w1.T + b1
        h1 = np.tanh(z1)
        z2 = h1 @ w2.T + b2
        h2 = np.tanh(z2)
        out = h2 @ w3.T + b3
        d = 2 * (out - Y) / out.size
        gw3, gb3 = d.T @ h2, d.sum(0)
        d2 = (d @ w3) * (1 - h2 * h2)
        gw2, gb2 = d2.T @ h1, d2.sum(0)
        d1 = (d2 @ w2) * (1 - h1 * h1)
        gw1, gb1 = d1.T @ X, d1.sum(0)
        for p, g in ((w1, gw1), (b1, gb1), (w2, gw2), (b2, gb2), (w3, gw3), (b3, gb3)):
            p -= LR * g
    return step


def torch_step(torch):
    params = [torch.tensor(a, requires_grad=True) for a in INIT]
    x, y = torch.tensor(X), torch.tensor(Y)
    F = torch.nn.functional

    def step():
        w1, b1, w2, b2, w3, b3 = params
        h = F.linear(x, w1, b1).tanh()
        h = F.linear(h, w2, b2).tanh()
        loss = ((F.linear(h, w3, b3) - y) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad
    return step


def main():
    print(f"2-16-16-1 MLP, batch 4, forward+backward+SGD, float32, {threads()} thread(s); "
          "median of 7 repeats")
    ours = rate(retrograd_step(), 1)
    bare = rate(numpy_step(), 1)
    print(f"  retrograd   {ours:10.0f} steps/s")
    print(f"  bare NumPy  {bare:10.0f} steps/s   retrograd/NumPy = {ours / bare:.2f}x")
    torch = try_torch()
    if torch is None:
        print("  PyTorch     not installed (pip install torch==2.13.0 to compare)")
        return
    theirs = rate(torch_step(torch), 1)
    print(f"  PyTorch     {theirs:10.0f} steps/s   retrograd/PyTorch = {ours / theirs:.2f}x")


if __name__ == "__main__":
    main()
