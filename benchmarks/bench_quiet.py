"""The cost of switching NumPy's error state to "ignore" around each op's forward
(retrograd/autograd/quiet.py): training steps with it and with the switch replaced by no-ops,
in one process, in alternating blocks.

    python benchmarks/bench_quiet.py
"""
from __future__ import annotations

import statistics
import time

import numpy as np

import retrograd as rg
import retrograd.autograd.function as function
from bench_engine import retrograd_step
from retrograd import nn, optim
from retrograd.models import LeNet5

REAL = function._quiet.enter, function._quiet.leave
NO_OPS = (lambda: None), (lambda token: None)


def lenet_step():
    rg.manual_seed(0)
    model = LeNet5()
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = rg.randn(64, 1, 28, 28), rg.tensor(np.random.default_rng(0).integers(0, 10, 64))
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return step


def compare(name: str, step, n: int, blocks: int) -> None:
    rates = {"with": [], "without": []}
    for _ in range(blocks):
        for label, pair in (("with", REAL), ("without", NO_OPS)):
            function._quiet.enter, function._quiet.leave = pair
            t0 = time.perf_counter()
            for _ in range(n):
                step()
            rates[label].append(n / (time.perf_counter() - t0))
    function._quiet.enter, function._quiet.leave = REAL
    on, off = statistics.median(rates["with"]), statistics.median(rates["without"])
    print(f"{name}: {on:.1f} steps/s with the switch, {off:.1f} without, ratio {on / off:.3f}")


if __name__ == "__main__":
    compare("2-16-16-1 MLP, batch 4", retrograd_step(), n=300, blocks=25)
    compare("LeNet-5, batch 64", lenet_step(), n=10, blocks=15)
