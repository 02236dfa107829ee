"""Convolution and pooling throughput beside PyTorch (CPU): forward + backward, printed as
milliseconds per call and as a ratio (PyTorch time / ours; >= 1 means we are faster).

    python benchmarks/bench_conv.py [--threads 2] [--repeat 20]

Cases: LeNet-sized (batch 128, 1x28x28, conv 6@5x5 -> pool -> conv 16@5x5 -> pool) and a
ResNet-sized trunk (batch 64, 3x3 convs, 16/32/64 channels at 32x32/16x16/8x8, stride-2 between
stages), each layer alone and the whole stack. Timings are the median of interleaved runs.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np


def _parse():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--profile", action="store_true", help="cProfile our two whole stacks")
    return p.parse_args()


ARGS = _parse() if __name__ == "__main__" else None
if ARGS is not None:  # thread counts must be set before NumPy/PyTorch load their BLAS
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(ARGS.threads))
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # no spinning threads between calls

import retrograd as rg  # noqa: E402
import retrograd.nn.functional as F  # noqa: E402

LENET = [  # (name, in, out, kernel, stride, padding, pool after)
    ("conv1 1->6 5x5 28px", 1, 6, 5, 1, 0, True),
    ("conv2 6->16 5x5 12px", 6, 16, 5, 1, 0, True),
]
RESNET = [
    ("stem 3->16 3x3 32px", 3, 16, 3, 1, 1, False),
    ("16->16 3x3 32px", 16, 16, 3, 1, 1, False),
    ("16->32 3x3 s2 ->16px", 16, 32, 3, 2, 1, False),
    ("32->32 3x3 16px", 32, 32, 3, 1, 1, False),
    ("32->64 3x3 s2 ->8px", 32, 64, 3, 2, 1, False),
    ("64->64 3x3 8px", 64, 64, 3, 1, 1, False),
]


def _stack(layers, batch, size, rng):
    """Inputs and weights (float32) for a chain of conv(+relu)(+maxpool) layers."""
    x = rng.standard_normal((batch, layers[0][1], size, size)).astype(np.float32)
    ws = [(rng.standard_normal((o, i, k, k)) / np.sqrt(i * k * k)).astype(np.float32)
          for _, i, o, k, *_ in layers]
    bs = [np.zeros(o, np.float32) for _, _, o, *_ in layers]
    return x, ws, bs


def _ours(layers, x, ws, bs, input_grad):
    X = rg.tensor(x, requires_grad=input_grad)
    W = [rg.tensor(w, requires_grad=True) for w in ws]
    B = [rg.tensor(b, requires_grad=True) for b in bs]

    def step():
        h = X
        for (_, _, _, _, s, p, pool), w, b in zip(layers, W, B):
            h = F.conv2d(h, w, b, stride=s, padding=p).relu()
            if pool:
                h = F.max_pool2d(h, 2)
        h.sum().backward()
        for t in (*W, *B):
            t.grad = None
    return step


def _theirs(torch, layers, x, ws, bs, input_grad):
    tf = torch.nn.functional
    X = torch.tensor(x, requires_grad=input_grad)
    W = [torch.tensor(w, requires_grad=True) for w in ws]
    B = [torch.tensor(b, requires_grad=True) for b in bs]

    def step():
        h = X
        for (_, _, _, _, s, p, pool), w, b in zip(layers, W, B):
            h = tf.conv2d(h, w, b, stride=s, padding=p).relu()
            if pool:
                h = tf.max_pool2d(h, 2)
        h.sum().backward()
        for t in (*W, *B):
            t.grad = None
    return step


def _time(fns: dict, repeat: int) -> dict:
    for f in fns.values():
        f(), f()
    times = {k: [] for k in fns}
    for _ in range(repeat):
        for k, f in fns.items():
            t = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t)
    return {k: float(np.median(v)) * 1e3 for k, v in times.items()}


def _profile(args) -> None:
    import cProfile
    import pstats

    rng = np.random.default_rng(0)
    for title, layers, batch, size in (("LeNet", LENET, 128, 28), ("ResNet", RESNET, 64, 32)):
        step = _ours(layers, *_stack(layers, batch, size, rng), False)
        step()
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(args.repeat):
            step()
        prof.disable()
        print(f"----- {title}: {args.repeat} steps")
        pstats.Stats(prof).sort_stats("tottime").print_stats(14)


def main(args) -> None:
    if args.profile:
        return _profile(args)
    try:
        import torch
        torch.set_num_threads(args.threads)
    except ImportError:
        torch = None
    rng = np.random.default_rng(0)
    print(f"threads={args.threads}  numpy {np.__version__}  torch "
          f"{torch.__version__ if torch else '(not installed)'}")
    print(f"{'case (forward + backward)':<34}{'ours ms':>9}{'torch ms':>10}{'ratio':>8}")
    for title, layers, batch, size in (("LeNet b128", LENET, 128, 28),
                                       ("ResNet b64", RESNET, 64, 32)):
        rows = []
        h = size
        for i, layer in enumerate(layers):  # each layer alone (input grad except the first)
            x, ws, bs = _stack([layer], batch, h, rng)
            rows.append((f"{title} {layer[0]}", [layer], x, ws, bs, i > 0))
            h = (h + 2 * layer[5] - layer[3]) // layer[4] + 1
            h = h // 2 if layer[6] else h
        x, ws, bs = _stack(layers, batch, size, rng)
        rows.append((f"{title} whole stack", layers, x, ws, bs, False))
        for name, ls, x, ws, bs, ig in rows:
            fns = {"ours": _ours(ls, x, ws, bs, ig)}
            if torch is not None:
                fns["torch"] = _theirs(torch, ls, x, ws, bs, ig)
            t = _time(fns, args.repeat)
            theirs = t.get("torch")
            ratio = f"{theirs / t['ours']:.2f}x" if theirs else "-"
            print(f"{name:<34}{t['ours']:>9.2f}{theirs or float('nan'):>10.2f}{ratio:>8}")
    sys.stdout.flush()


if __name__ == "__main__":
    main(ARGS)
