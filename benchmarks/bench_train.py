"""Training throughput beside PyTorch CPU (same thread count, same run), float32:
forward + cross-entropy + backward + SGD-momentum step.

    python benchmarks/bench_train.py [mlp lenet5 resnet8] [--repeats 5]

Models: MLP 784-512-256-10 ReLU (batch 128), LeNet-5 on 1x28x28 (batch 128), ResNet-8 on
3x32x32 (three stages of one basic block, widths 16/32/64, BatchNorm; batch 64).
Each (framework, model) runs in its own subprocess so that peak memory is its own: 'peak MB'
is the growth of the process's maximum resident set over its size after building the model.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys

CASES = {"mlp": ((1, 28, 28), 128), "lenet5": ((1, 28, 28), 128), "resnet8": ((3, 32, 32), 64)}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _retrograd_step(name, shape, batch):
    import numpy as np

    import retrograd as rg
    from retrograd import nn, optim
    from retrograd.models.registry import build_model

    rg.manual_seed(0)
    model = (build_model("mlp", 10, 1, 28, hidden=(512, 256)) if name == "mlp" else
             build_model(name, 10, shape[0], shape[1]))
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    x = rg.tensor(rng.standard_normal((batch, *shape)).astype(np.float32))
    y = rg.tensor(rng.integers(0, 10, batch))

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return step


def _torch_step(name, shape, batch):
    import numpy as np
    import torch
    from torch import nn

    torch.manual_seed(0)
    if name == "mlp":
        model = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256),
                              nn.ReLU(), nn.Linear(256, 10))
    elif name == "lenet5":
        model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                              nn.Linear(84, 10))
    else:
        model = _torch_resnet8(torch, nn)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.standard_normal((batch, *shape)).astype(np.float32))
    y = torch.tensor(rng.integers(0, 10, batch))

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return step


def _torch_resnet8(torch, nn):
    """The same architecture as retrograd.models.resnet8 (option-A shortcuts)."""
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

    return nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
                         Block(16, 16, 1), Block(16, 32, 2), Block(32, 64, 2),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def _child(framework, name, repeats, threads):
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    import os

    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    from common import rate

    shape, batch = CASES[name]
    if framework == "torch":
        import torch

        torch.set_num_threads(threads)
        step = _torch_step(name, shape, batch)
    else:
        step = _retrograd_step(name, shape, batch)
    base = _rss_mb()
    samples = rate(step, batch, repeats=repeats, min_time=0.5)
    print(json.dumps({"samples_per_s": samples, "peak_mb": _rss_mb() - base}))


def _run(framework, name, repeats, threads):
    out = subprocess.run([sys.executable, __file__, "--child", framework, name, "--repeats",
                          str(repeats), "--threads", str(threads)], capture_output=True, text=True)
    if out.returncode:
        return None, out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"
    return json.loads(out.stdout.strip().splitlines()[-1]), None


def main():
    import os

    parser = argparse.ArgumentParser()
    parser.add_argument("models", nargs="*", default=list(CASES))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", os.cpu_count() or 1)))
    parser.add_argument("--child", nargs=2, metavar=("FRAMEWORK", "MODEL"))
    args = parser.parse_args()
    if args.child:
        _child(*args.child, args.repeats, args.threads)
        return
    print(f"training throughput, float32, {args.threads} thread(s), median of {args.repeats} repeats")
    print(f"{'model':8s} {'retrograd/s':>12s} {'PyTorch/s':>10s} {'ratio':>6s} {'peak MB ours':>13s} {'peak MB torch':>14s}")
    for name in args.models:
        ours, err = _run("retrograd", name, args.repeats, args.threads)
        if ours is None:
            print(f"{name:8s} retrograd failed: {err}")
            continue
        theirs, terr = _run("torch", name, args.repeats, args.threads)
        if theirs is None:
            print(f"{name:8s} {ours['samples_per_s']:12.0f} {'n/a':>10s} {'':>6s} {ours['peak_mb']:13.0f}   (PyTorch: {terr})")
            continue
        ratio = ours["samples_per_s"] / theirs["samples_per_s"]
        print(f"{name:8s} {ours['samples_per_s']:12.0f} {theirs['samples_per_s']:10.0f} {ratio:5.2f}x "
              f"{ours['peak_mb']:13.0f} {theirs['peak_mb']:14.0f}")


if __name__ == "__main__":
    main()
