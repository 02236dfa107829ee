"""Convolution and pooling throughput beside PyTorch (CPU): forward + backward, printed as
milliseconds per call and as a ratio (PyTorch time / ours; >= 1 means we are faster).

    python benchmarks/bench_conv.py [--threads 2] [--repeat 20] [--models] [--profile]

Cases: LeNet-sized (batch 128, 1x28x28, conv 6@5x5 -> pool -> conv 16@5x5 -> pool) and a
ResNet-sized trunk (batch 64, 3x3 convs, 16/32/64 channels at 32x32/16x16/8x8, stride-2 between
stages), each layer alone and the whole stack. Timings are the best of interleaved runs.
"""
from __future__ import annotations

import argparse
import os
import sys
import time


def _parse():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--profile", action="store_true", help="cProfile our two whole stacks")
    p.add_argument("--models", action="store_true",
                   help="also time whole models (LeNet-5, a small ResNet) with a loss")
    return p.parse_args()


ARGS = _parse() if __name__ == "__main__" else None
if ARGS is not None:  # thread counts must be set before NumPy/PyTorch load their BLAS
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(ARGS.threads))
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # no spinning threads between calls

import numpy as np

import retrograd as rg
import retrograd.nn.functional as F

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


def _stack_step(lib, F, layers, x, ws, bs, input_grad):
    """Forward + backward of the conv (+ ReLU, + 2x2 max pool) stack; ``lib``/``F`` are
    retrograd and retrograd.nn.functional or torch and torch.nn.functional (the same API)."""
    X = lib.tensor(x, requires_grad=input_grad)
    W = [lib.tensor(w, requires_grad=True) for w in ws]
    B = [lib.tensor(b, requires_grad=True) for b in bs]

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


def _ours(layers, x, ws, bs, input_grad):
    return _stack_step(rg, F, layers, x, ws, bs, input_grad)


def _theirs(torch, layers, x, ws, bs, input_grad):
    return _stack_step(torch, torch.nn.functional, layers, x, ws, bs, input_grad)


def _models(nn, F, batchnorm, tensor, labels):
    """LeNet-5 (b128, 1x28x28) and a small ResNet (b64, 3x32x32; one basic block per stage of
    16/32/64 channels), built from either library's ``nn``; returns (name, model, x, y)."""

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = batchnorm(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = batchnorm(cout)
            self.short = None
            if stride != 1 or cin != cout:
                self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                           batchnorm(cout))

        def forward(self, x):
            h = F.relu(self.bn1(self.conv1(x)))
            h = self.bn2(self.conv2(h))
            return F.relu(h + (x if self.short is None else self.short(x)))

    lenet = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5),
                          nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 120), nn.ReLU(),
                          nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    resnet = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), batchnorm(16), nn.ReLU(),
                           Block(16, 16, 1), Block(16, 32, 2), Block(32, 64, 2),
                           nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))
    rng = np.random.default_rng(0)
    return [("LeNet-5 b128", lenet, tensor(rng.standard_normal((128, 1, 28, 28)).astype(np.float32)),
             labels(rng.integers(0, 10, 128))),
            ("ResNet-small b64", resnet,
             tensor(rng.standard_normal((64, 3, 32, 32)).astype(np.float32)),
             labels(rng.integers(0, 10, 64)))]


def _model_step(model, F, x, y):
    def step():
        for p in model.parameters():
            p.grad = None
        F.cross_entropy(model(x), y).backward()
    return step


def _time_models(args, torch) -> None:
    import retrograd.nn as rnn

    ours = _models(rnn, F, rnn.BatchNorm2d, rg.tensor, lambda a: rg.tensor(a.astype(np.int64)))
    theirs = [None] * len(ours)
    if torch is not None:
        tnn = torch.nn
        theirs = _models(tnn, tnn.functional, tnn.BatchNorm2d, torch.from_numpy,
                         lambda a: torch.from_numpy(a.astype(np.int64)))
    print(f"{'model (forward + loss + backward)':<34}{'ours ms':>9}{'torch ms':>10}{'ratio':>8}")
    for (name, model, x, y), other in zip(ours, theirs):
        fns = {"ours": _model_step(model, F, x, y)}
        if other is not None:
            fns["torch"] = _model_step(other[1], torch.nn.functional, other[2], other[3])
        t = _time(fns, args.repeat)
        theirs_ms = t.get("torch")
        ratio = f"{theirs_ms / t['ours']:.2f}x" if theirs_ms else "-"
        print(f"{name:<34}{t['ours']:>9.2f}{theirs_ms or float('nan'):>10.2f}{ratio:>8}")


def _time(fns: dict, repeat: int) -> dict:
    for f in fns.values():
        f(), f()
    times = {k: [] for k in fns}
    for _ in range(repeat):
        for k, f in fns.items():
            t = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t)
    return {k: min(v) * 1e3 for k, v in times.items()}  # best of N: least disturbed by other load


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
    if args.models:
        _time_models(args, torch)
    sys.stdout.flush()


if __name__ == "__main__":
    main(ARGS)
