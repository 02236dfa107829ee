"""Training throughput beside PyTorch CPU (same thread count, same run), float32:
forward + cross-entropy + backward + SGD-momentum step.

    python benchmarks/bench_train.py [mlp lenet5 resnet8 resnet20 lstm] [--repeats 7] [--threads 2]

Models: MLP 784-512-256-10 ReLU (batch 128), LeNet-5 on 1x28x28 (batch 128), ResNet-8 on
3x32x32 (three stages of one basic block, widths 16/32/64, BatchNorm; batch 64), ResNet-20
(three blocks per stage; batch 128), LSTM on 28 steps of 28 inputs (hidden 128, the last step's
output into Linear(128, 10); batch 64).
Each (framework, model) runs in its own subprocess so that peak memory is its own: 'peak MB'
is the growth of the process's maximum resident set over its size after building the model.
The two processes take turns: one timed block of ours, then one of PyTorch's, for --repeats
rounds, so that a shared machine's changing load falls on both alike; the ratio printed is the
median of the rounds' ratios.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time

CASES = {"mlp": ((1, 28, 28), 128), "lenet5": ((1, 28, 28), 128), "resnet8": ((3, 32, 32), 64),
         "resnet20": ((3, 32, 32), 128), "lstm": ((28, 28), 64)}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _train_step(lib, model, shape, batch):
    """One forward + cross-entropy + backward + SGD-momentum step on a fixed random batch; ``lib``
    is retrograd or torch (the same API)."""
    import numpy as np

    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = lib.nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((batch, *shape)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, batch))

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return step


def recurrent_classifier(lib, kind: str = "LSTM", steps: int = 28, hidden: int = 128):
    """``kind`` (LSTM, GRU or RNN) with ``steps`` inputs per step over a batch-first
    (N, steps, steps) input, its last output into Linear(hidden, 10); ``lib`` is retrograd or
    torch. The defaults are the LSTM workload here; bench_rnn.py varies them."""

    class Classifier(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = getattr(lib.nn, kind)(steps, hidden, batch_first=True)
            self.head = lib.nn.Linear(hidden, 10)

        def forward(self, x):
            return self.head(self.rnn(x)[0][:, -1])
    return Classifier()


def _retrograd_step(name, shape, batch):
    import retrograd as rg
    from retrograd.models.registry import build_model

    rg.manual_seed(0)
    if name == "lstm":
        return _train_step(rg, recurrent_classifier(rg), shape, batch)
    model = (build_model("mlp", 10, 1, 28, hidden=(512, 256)) if name == "mlp" else
             build_model(name, 10, shape[0], shape[1]))
    return _train_step(rg, model, shape, batch)


def _torch_step(name, shape, batch):
    import torch
    from torch import nn

    torch.manual_seed(0)
    if name == "mlp":
        model = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256),
                              nn.ReLU(), nn.Linear(256, 10))
    elif name == "lstm":
        model = recurrent_classifier(torch)
    elif name == "lenet5":
        model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                              nn.Linear(84, 10))
    else:
        model = _torch_cifar_resnet(torch, nn, int(name[len("resnet"):]))
    return _train_step(torch, model, shape, batch)


def _torch_cifar_resnet(torch, nn, depth):
    """The same architecture as retrograd.models.resnet8/resnet20 (option-A shortcuts)."""
    F = torch.nn.functional

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.pad, self.stride = cout - cin, stride

        def forward(self, x):
            out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
            if self.pad:
                half = self.pad // 2
                x = F.pad(x[:, :, ::self.stride, ::self.stride], (0, 0, 0, 0, half, self.pad - half))
            return F.relu(out + x)

    blocks, cin = [], 16
    for cout in (16, 32, 64):
        for i in range((depth - 2) // 6):
            blocks.append(Block(cin, cout, 2 if i == 0 and cout != 16 else 1))
            cin = cout
    return nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
                         *blocks, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def _child(framework, name, threads):
    """Build the model, warm up, then time one block per line read from stdin (the block's
    length in steps; 0 sizes a block to last about 0.5 s) and answer with samples/s; on EOF
    print the peak-memory growth."""
    import os

    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    shape, batch = CASES[name]
    if framework == "torch":
        import torch

        torch.set_num_threads(threads)
        step = _torch_step(name, shape, batch)
    else:
        step = _retrograd_step(name, shape, batch)
    base = _rss_mb()
    for _ in range(3):
        step()
    for line in sys.stdin:
        calls = int(line)
        if calls == 0:  # size a block
            calls, took = 1, 0.0
            while took < 0.5:
                calls *= 2
                t0 = time.perf_counter()
                for _ in range(calls):
                    step()
                took = time.perf_counter() - t0
            print(calls, flush=True)
            continue
        t0 = time.perf_counter()
        for _ in range(calls):
            step()
        print(calls * batch / (time.perf_counter() - t0), flush=True)
    print(_rss_mb() - base, flush=True)


class _Runner:
    """One framework and model in its own process (so that peak memory is its own)."""

    def __init__(self, framework, name, threads):
        self.proc = subprocess.Popen([sys.executable, __file__, "--child", framework, name,
                                      "--threads", str(threads)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.calls = int(self._ask(0))

    def _ask(self, calls):
        self.proc.stdin.write(f"{calls}\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            err = self.proc.stderr.read().strip().splitlines()
            raise RuntimeError(err[-1] if err else "failed")
        return float(line)

    def block(self):
        time.sleep(0.3)  # the other process's idle threads (BLAS, OpenMP) stop spinning first
        return self._ask(self.calls)

    def peak_mb(self):
        self.proc.stdin.close()
        out = float(self.proc.stdout.readline())
        self.proc.wait()
        return out


def _compare(name, repeats, threads):
    """Blocks of ours and PyTorch's alternate, so both see the same machine load; the ratio is
    the median of the per-round ratios."""
    ours = _Runner("retrograd", name, threads)
    try:
        theirs = _Runner("torch", name, threads)
    except (RuntimeError, OSError) as e:
        rates = [ours.block() for _ in range(repeats)]
        print(f"{name:8s} {statistics.median(rates):12.0f} {'n/a':>10s} {'':>6s} {'':>10s} "
              f"{ours.peak_mb():13.0f}   (PyTorch: {e})")
        return
    pairs = [(ours.block(), theirs.block()) for _ in range(repeats)]
    mine, other = (statistics.median(p[k] for p in pairs) for k in (0, 1))
    ratios = sorted(a / b for a, b in pairs)
    print(f"{name:8s} {mine:12.0f} {other:10.0f} {statistics.median(ratios):5.2f}x "
          f"{ratios[0]:5.2f}-{ratios[-1]:.2f} {ours.peak_mb():13.0f} {theirs.peak_mb():14.0f}")


def main():
    import os

    parser = argparse.ArgumentParser()
    parser.add_argument("models", nargs="*", default=list(CASES))
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", os.cpu_count() or 1)))
    parser.add_argument("--child", nargs=2, metavar=("FRAMEWORK", "MODEL"))
    args = parser.parse_args()
    if args.child:
        _child(*args.child, args.threads)
        return
    print(f"training throughput, float32, {args.threads} thread(s), {args.repeats} rounds of "
          "alternating timed blocks (about 0.5 s each); medians, and the range of the per-round "
          "ratios")
    print(f"{'model':8s} {'retrograd/s':>12s} {'PyTorch/s':>10s} {'ratio':>6s} {'rounds':>10s} "
          f"{'peak MB ours':>13s} {'peak MB torch':>14s}")
    for name in args.models:
        try:
            _compare(name, args.repeats, args.threads)
        except RuntimeError as e:
            print(f"{name:8s} retrograd failed: {e}")


if __name__ == "__main__":
    main()
