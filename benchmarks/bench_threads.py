"""How well intra-op threads share a convolution on this machine: the same kernel, on two halves of
a batch, run one after the other, in two Python threads (as ``split_run`` does), and in two
processes (no shared interpreter lock). Also the cost of handing work to a pool thread.

    python benchmarks/bench_threads.py [--repeats 50]

If two processes halve the time and two threads do not, the threads are waiting on each other
(the interpreter lock between NumPy calls, and the wake-up of the thread that waits for it), not
on the cores or memory. The README of this folder has the figures measured.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import threading
import time

import numpy as np

from retrograd.backends.cpu import im2col
from retrograd.backends.geometry import ConvGeometry

# (name, batch, in channels, out channels, size, kernel, padding): LeNet-5's first convolution
# and a ResNet-8 stage-1 convolution
LAYERS = [("LeNet-5 conv1", 128, 1, 6, 28, 5, 2), ("ResNet-8 16->16", 64, 16, 16, 32, 3, 1)]


def _layer(n, c, o, hw, k, pad, seed=0):
    geo = ConvGeometry(n, c, hw, hw, o, k, k, 1, 1, pad, pad, pad, pad, 1, 1, 1)
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, c, hw, hw)).astype(np.float32),
            rng.standard_normal((o, c, k, k)).astype(np.float32), geo)


def _forward(args) -> None:
    x, w, geo = args
    im2col.conv_forward(x, w, geo)


def _median_ms(fn, repeats: int) -> float:
    for _ in range(5):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def _process_loop(spec, calls: int, start, out) -> None:
    args = _layer(*spec)
    for _ in range(5):
        _forward(args)
    start.wait()
    t0 = time.perf_counter()
    for _ in range(calls):
        _forward(args)
    out.put((time.perf_counter() - t0) / calls * 1e3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=50)
    repeats = parser.parse_args().repeats
    from threadpoolctl import threadpool_limits

    im2col.SPLIT_MIN_SAMPLE_MACS = 1 << 62  # the halves are split here, by hand
    with threadpool_limits(1, user_api="blas"):
        go, done = threading.Event(), threading.Event()
        work: dict = {}

        def worker():
            while True:
                go.wait()
                go.clear()
                work["fn"]()
                done.set()

        threading.Thread(target=worker, daemon=True).start()

        def handoff():
            work["fn"] = lambda: None
            go.set()
            done.wait()
            done.clear()

        print(f"handing a no-op to a waiting thread and back: {_median_ms(handoff, 2000) * 1e3:.0f} us")
        for name, n, c, o, hw, k, pad in LAYERS:
            whole = _layer(n, c, o, hw, k, pad)
            halves = [_layer(n // 2, c, o, hw, k, pad, seed) for seed in (1, 2)]
            serial = _median_ms(lambda: _forward(whole), repeats)

            def two_threads():
                work["fn"] = lambda: _forward(halves[1])
                go.set()
                _forward(halves[0])
                done.wait()
                done.clear()

            threads = _median_ms(two_threads, repeats)
            ctx = mp.get_context("fork")
            start, out = ctx.Event(), ctx.Queue()
            procs = [ctx.Process(target=_process_loop, args=((n // 2, c, o, hw, k, pad), repeats * 4, start, out))
                     for _ in range(2)]
            for p in procs:
                p.start()
            time.sleep(0.5)
            start.set()
            per_half = max(out.get() for _ in procs)
            for p in procs:
                p.join()
            print(f"{name} forward, batch {n}: one thread {serial:.2f} ms; halves in two threads "
                  f"{threads:.2f} ms ({serial / threads:.2f}x); halves in two processes "
                  f"{per_half:.2f} ms ({serial / per_half:.2f}x)")


if __name__ == "__main__":
    main()
