"""DataLoader throughput: one epoch over a map-style dataset whose samples cost Python work
(a random crop and flip of a 3x32x32 image, then per-channel normalisation: ~ what a
torchvision-style per-sample transform costs), in retrograd and in PyTorch's DataLoader, with
0 and 2 worker processes; and the built-in MNIST sample through the batched fast path.

    python benchmarks/bench_dataloader.py [--samples 4096] [--repeats 3]

Prints samples/s and ours / PyTorch. Workers pay off when a sample costs more than sending it
back (pickling the batch through a pipe); on a machine shared with other jobs they cannot beat
the cores that are really free.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from common import try_torch


class Augmented:
    """``n`` random images; ``[i]`` crops, flips and normalises one (float32 (3, 28, 28), int)."""

    def __init__(self, n: int):
        self.images = np.random.default_rng(0).random((n, 3, 32, 32), dtype=np.float32)
        self.mean = np.array([0.5, 0.5, 0.5], np.float32)[:, None, None]

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        rng = np.random.default_rng(i)
        top, left = rng.integers(0, 5, size=2)
        image = self.images[i][:, top:top + 28, left:left + 28]
        if rng.random() < 0.5:
            image = image[:, :, ::-1]
        return np.ascontiguousarray((image - self.mean) / 0.25), i % 10


def epoch_rate(make_loader, n: int, repeats: int) -> float:
    loader = make_loader()
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in loader:
            pass
        rates.append(n / (time.perf_counter() - t0))
    return statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=4096)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    import retrograd as rg

    torch = try_torch()
    data = Augmented(args.samples)
    print(f"{'case':<34}{'retrograd':>12}{'PyTorch':>12}{'ratio':>8}")
    for workers in (0, 2):
        ours = epoch_rate(lambda: rg.data.DataLoader(data, batch_size=64, shuffle=True,
                                                     num_workers=workers,
                                                     persistent_workers=workers > 0),
                          args.samples, args.repeats)
        theirs = (epoch_rate(lambda: torch.utils.data.DataLoader(
            data, batch_size=64, shuffle=True, num_workers=workers,
            persistent_workers=workers > 0), args.samples, args.repeats) if torch else None)
        _row(f"per-sample, num_workers={workers}", ours, theirs)
    sample = rg.data.mnist_sample(train=True)
    ours = epoch_rate(lambda: rg.data.DataLoader(sample, batch_size=64, shuffle=True),
                      len(sample), args.repeats)
    _row("MNIST sample, batched fast path", ours, None)


def _row(name: str, ours: float, theirs: float | None) -> None:
    ratio = f"{ours / theirs:.2f}x" if theirs else "-"
    theirs_text = f"{theirs:,.0f}" if theirs else "-"
    print(f"{name:<34}{ours:>12,.0f}{theirs_text:>12}{ratio:>8}")


if __name__ == "__main__":
    main()
