"""The gradient-descent family on one problem: GD, SGD, mini-batch, momentum, Nesterov, Adagrad,
RMSprop, Adam, and Adam with a learning-rate warm-up.

    python examples/gradient_descent_family.py [--out examples_out/gd_family.png]

The problem: a 2-16-16-2 tanh MLP classifies "two moons" (N points, two interleaved half
circles with Gaussian noise, fixed by a seed) with cross-entropy. Every run starts from the same
initial weights and sees the data the same number of times (epochs); what differs is how the
gradient is estimated and how the step is taken:

    full-batch GD     one step per epoch on the gradient of the whole data set
    SGD (batch 1)     one step per sample: N noisy steps per epoch
    mini-batch SGD    one step per batch of 16: the usual compromise
    momentum          v = 0.9 v + g; p -= lr v        (a heavy ball: speeds along valleys)
    Nesterov          the same, but the step looks ahead: p -= lr (g + 0.9 v)
    Adagrad           each weight's lr divided by sqrt(sum of its squared gradients so far)
    RMSprop           ... divided by sqrt(a running mean of squared gradients) instead
    Adam              momentum + RMSprop, with bias correction
    Adam + warm-up    the lr rises linearly from 10% over 5 epochs (LinearLR), then decays
                      along a cosine to 0 (CosineAnnealingLR), chained by SequentialLR

All runs are plotted as the loss on the whole training set after each epoch (log scale).
Learning rates (in RUNS below) are typical ones for each method, not tuned.

Measured figures (N = 200, 60 epochs; training loss after the last epoch / training accuracy;
every run starts at loss 0.7634):
  full-batch GD 0.3117 / 0.880    SGD (batch 1) 0.0813 / 0.965   mini-batch SGD 0.1870 / 0.950
  momentum      0.0488 / 0.985    Nesterov      0.0502 / 0.985   Adagrad        0.0803 / 0.965
  RMSprop       0.0716 / 0.965    Adam          0.0748 / 0.975   Adam + warm-up 0.0865 / 0.965
All runs first fall to a plateau near 0.32, where the two moons are split by a nearly straight
line. Full-batch GD (60 steps in all) is still on it at the end; plain mini-batch SGD gets
below 0.25 only at epoch 50; batch-1 SGD, momentum, Nesterov and the adaptive methods at epochs
8-12 (Adam + warm-up at 18, its first steps being small). After that the constant-lr runs
bounce, often by a factor of 2 from one epoch to the next (the plot shows it; RMSprop's spikes
reach 0.5), so their order at the last epoch is partly luck; the warm-up + cosine run is
the smooth one, because its lr decays to zero.
Runs in about 6 s on 2 cores (batch-1 SGD takes half of it); --quick (100 points, 15 epochs)
about 2 s, from loss 0.7665 to
  full-batch GD 0.2519 / 0.860    SGD (batch 1) 0.1748 / 0.920   mini-batch SGD 0.2497 / 0.860
  momentum      0.1204 / 0.970    Nesterov      0.0946 / 0.970   Adagrad        0.1379 / 0.970
  RMSprop       0.1295 / 0.970    Adam          0.2141 / 0.940   Adam + warm-up 0.2456 / 0.900
`--check` (with or without --quick) compares the run with these figures and exits 1 if one
differs (losses by over 3%, accuracies by over 0.01).
"""
from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np

import retrograd as rg
import retrograd.nn.functional as F
from retrograd import nn, optim
from retrograd.data import DataLoader, TensorDataset
from retrograd.optim import lr_scheduler
from retrograd.train.plots import pyplot, save_figure


def two_moons(n: int, noise: float = 0.15, seed: int = 0):
    """n points on two interleaved half circles, labels 0 and 1, float32 inputs."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, math.pi, n)
    label = np.arange(n) % 2
    x = np.where(label == 0, np.cos(t), 1 - np.cos(t))
    y = np.where(label == 0, np.sin(t), 0.5 - np.sin(t))
    points = np.stack([x, y], axis=1) + rng.normal(0, noise, (n, 2))
    points = (points - points.mean(0)) / points.std(0)  # standardise the inputs
    return points.astype(np.float32), label.astype(np.int64)


def make_model():
    rg.manual_seed(0)  # the same initial weights for every run
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(),
                         nn.Linear(16, 2))


# name -> (batch size or None for the whole set, optimizer factory, warm-up?)
RUNS = {
    "full-batch GD": (None, lambda p: optim.SGD(p, lr=0.5), False),
    "SGD (batch 1)": (1, lambda p: optim.SGD(p, lr=0.05), False),
    "mini-batch SGD": (16, lambda p: optim.SGD(p, lr=0.1), False),
    "momentum": (16, lambda p: optim.SGD(p, lr=0.1, momentum=0.9), False),
    "Nesterov": (16, lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True), False),
    "Adagrad": (16, lambda p: optim.Adagrad(p, lr=0.1), False),
    "RMSprop": (16, lambda p: optim.RMSprop(p, lr=0.01), False),
    "Adam": (16, lambda p: optim.Adam(p, lr=0.01), False),
    "Adam + warm-up": (16, lambda p: optim.Adam(p, lr=0.01), True),
}
WARMUP_EPOCHS = 5
# final loss / accuracy as the docstring states them (--check compares; --quick --check: the
# 100-point, 15-epoch run)
STATED = {"first loss": "0.7634",
          "full-batch GD": ("0.3117", "0.880"), "SGD (batch 1)": ("0.0813", "0.965"),
          "mini-batch SGD": ("0.1870", "0.950"), "momentum": ("0.0488", "0.985"),
          "Nesterov": ("0.0502", "0.985"), "Adagrad": ("0.0803", "0.965"),
          "RMSprop": ("0.0716", "0.965"), "Adam": ("0.0748", "0.975"),
          "Adam + warm-up": ("0.0865", "0.965")}
STATED_QUICK = {"first loss": "0.7665",
                "full-batch GD": ("0.2519", "0.860"), "SGD (batch 1)": ("0.1748", "0.920"),
                "mini-batch SGD": ("0.2497", "0.860"), "momentum": ("0.1204", "0.970"),
                "Nesterov": ("0.0946", "0.970"), "Adagrad": ("0.1379", "0.970"),
                "RMSprop": ("0.1295", "0.970"), "Adam": ("0.2141", "0.940"),
                "Adam + warm-up": ("0.2456", "0.900")}


def flat(stated):
    """{"Adam": (loss, acc)} -> {"Adam loss": loss, "Adam acc": acc}."""
    out = {}
    for name, value in stated.items():
        if isinstance(value, tuple):
            out[f"{name} loss"], out[f"{name} acc"] = value
        else:
            out[name] = value
    return out


def train(name, x, y, epochs):
    batch_size, make_optimizer, warmup = RUNS[name]
    model = make_model()
    optimizer = make_optimizer(model.parameters())
    scheduler = None
    if warmup:
        scheduler = lr_scheduler.SequentialLR(optimizer, [
            lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=WARMUP_EPOCHS),
            lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs - WARMUP_EPOCHS),
        ], milestones=[WARMUP_EPOCHS])
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size or len(x), shuffle=True,
                        generator=0)  # the same shuffling for every run
    inputs, targets = rg.tensor(x), rg.tensor(y)

    def full_loss():
        with rg.no_grad():
            logits = model(inputs)
            accuracy = float((logits.argmax(1).numpy() == y).mean())
            return F.cross_entropy(logits, targets).item(), accuracy

    losses, lrs = [full_loss()[0]], []
    for _ in range(epochs):
        lrs.append(optimizer.param_groups[0]["lr"])
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
        if scheduler is not None:
            scheduler.step()  # once per epoch
        losses.append(full_loss()[0])
    return losses, full_loss()[1], lrs


def plot(curves, path):
    try:
        plt = pyplot()
    except ImportError:
        print("matplotlib is not installed (pip install matplotlib): no plot written")
        return
    fig, ax = plt.subplots(figsize=(8, 5))
    for name, losses in curves.items():
        ax.plot(range(len(losses)), losses, label=name, linestyle="--" if "warm" in name else "-")
    ax.set_yscale("log")
    ax.set_xlabel("epoch (passes over the training set)")
    ax.set_ylabel("training loss (cross-entropy, whole set)")
    ax.set_title("The gradient-descent family on two moons, 2-16-16-2 tanh MLP")
    ax.legend(ncol=3, fontsize=8, loc="lower left")
    fig.tight_layout()
    print(f"wrote {save_figure(fig, path, dpi=100)}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join("examples_out", "gd_family.png"),
                        help="PNG file for the loss curves")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="100 points, 15 epochs")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 unless the figures are those the docstring states")
    args = parser.parse_args(argv)
    epochs, n = (15, 100) if args.quick else (args.epochs, args.samples)
    if epochs <= WARMUP_EPOCHS:
        parser.error(f"--epochs must exceed the {WARMUP_EPOCHS} warm-up epochs")

    x, y = two_moons(n)
    curves, table, measured = {}, [], {}
    print(f"{'method':<16}{'steps/epoch':>12}{'first loss':>12}{'final loss':>12}"
          f"{'train acc':>10}{'time s':>8}")
    for name in RUNS:
        t0 = time.perf_counter()
        losses, accuracy, lrs = train(name, x, y, epochs)
        seconds = time.perf_counter() - t0
        steps = -(-n // (RUNS[name][0] or n))
        curves[name] = losses
        table.append((name, losses[-1], accuracy))
        measured.update({"first loss": losses[0], f"{name} loss": losses[-1],
                         f"{name} acc": accuracy})
        print(f"{name:<16}{steps:>12}{losses[0]:>12.4f}{losses[-1]:>12.4f}{accuracy:>10.3f}"
              f"{seconds:>8.2f}", flush=True)
        if lrs and RUNS[name][2]:
            shown = ", ".join(f"{lr:.4f}" for lr in lrs[:WARMUP_EPOCHS + 2])
            print(f"{'':<16}lr by epoch: {shown}, ..., {lrs[-1]:.5f}")
    best = min(table, key=lambda row: row[1])
    print(f"lowest final loss: {best[0]} ({best[1]:.4f})")
    plot(curves, args.out)
    if args.check:
        from _check import check

        stated = flat(STATED_QUICK if args.quick else STATED)
        # losses to 3% (they bounce from epoch to epoch), accuracies to a point
        tolerance = {k: 0.03 * float(v) if "acc" not in k else 0.01 for k, v in stated.items()}
        return check(measured, stated, tolerance, __doc__)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
