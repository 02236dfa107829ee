"""Activation functions, their derivatives (by autograd), and why deep sigmoid nets stop learning.

    python examples/activations.py [--out examples_out/activations.png]

Part 1 plots sigmoid, tanh, ReLU, leaky ReLU (slope 0.1 below zero, to make it visible; PyTorch's
default is 0.01), ELU and GELU on [-5, 5], with their derivatives. The derivatives are not
written by hand: y = f(x) is computed on a tensor x with requires_grad, and y.sum().backward()
leaves f'(x_i) in x.grad[i] (each y_i depends only on x_i). The printed table checks a few values
against the textbook formulas, e.g. sigmoid'(0) = 1/4, tanh'(0) = 1, GELU'(0) = 1/2.

Part 2 shows saturation. Backpropagation multiplies, layer after layer, by W^T and by f'(z);
sigmoid' is at most 1/4, so in a deep sigmoid net the gradient shrinks geometrically on its way
back to the first layers (the vanishing gradient). One forward and backward pass of cross-entropy
on 256 MNIST digits through three 10-layer MLPs (784, nine hidden layers of 256, 10) prints the
norm of dL/dW for every layer:
    sigmoid, default init (PyTorch's U(-1/sqrt(fan_in), 1/sqrt(fan_in)))
    ReLU, default init (the same, which is too small for ReLU: it halves the signal's variance)
    ReLU, He init (kaiming_normal_: std = sqrt(2 / fan_in), biases 0)

Measured figures: sigmoid'(0) = 0.25, tanh'(0) = 1, ReLU'(2) = 1, leaky'(-2) = 0.1,
ELU'(-2) = e^-2 = 0.135335, GELU'(0) = 0.5 (autograd agrees with the formulas to 1e-6; at x = 0
ReLU' is taken as 0, leaky ReLU' as 0.1 and ELU' as 1, PyTorch's conventions).
|dL/dW| of layer 1 (next to the input) vs layer 10 (the output layer), batch of 256:
    sigmoid, default init  2.70e-08 vs 5.68e-01: x0.154 per layer on the way back, seven
                           orders of magnitude: the first layers barely learn
    ReLU, default init     3.58e-04 vs 2.46e-02: x0.625 per layer, and even the output layer's
                           gradient is small, because the forward signal has faded too
    ReLU, He init          7.74e-01 vs 5.23e-01: about the same size in every layer
Runs in about 1.5 s (--quick: a batch of 64 instead of 256; the same picture, e.g. sigmoid's
ratio 4.1e-08).
`--check` (with or without --quick) compares the norms with these figures, to the digits shown,
and exits 1 if one differs.
"""
from __future__ import annotations

import argparse
import math
import os

import numpy as np

import retrograd as rg
import retrograd.nn.functional as F
from retrograd import nn
from retrograd.data import mnist_sample
from retrograd.models import MLP
from retrograd.train.plots import pyplot, save_figure

ACTIVATIONS = {
    "sigmoid": F.sigmoid,
    "tanh": F.tanh,
    "ReLU": F.relu,
    "leaky ReLU (0.1)": lambda x: F.leaky_relu(x, 0.1),
    "ELU": F.elu,
    "GELU": F.gelu,
}
# f'(x) at a few points, from the formulas, to check autograd's answers
EXPECTED = {
    ("sigmoid", 0.0): 0.25, ("tanh", 0.0): 1.0, ("ReLU", 2.0): 1.0, ("ReLU", -2.0): 0.0,
    ("leaky ReLU (0.1)", -2.0): 0.1, ("ELU", -2.0): math.exp(-2.0), ("GELU", 0.0): 0.5,
}
DEPTH, WIDTH = 10, 256
# the docstring's figures (--check compares): |dL/dW| of layers 1 and 10, the factor per layer;
# with --quick, the sigmoid net's ratio of the two
STATED = {
    "sigmoid, default init layer 1": "2.70e-08", "sigmoid, default init layer 10": "5.68e-01",
    "sigmoid, default init per layer": "0.154", "ReLU, default init layer 1": "3.58e-04",
    "ReLU, default init layer 10": "2.46e-02", "ReLU, default init per layer": "0.625",
    "ReLU, He init layer 1": "7.74e-01", "ReLU, He init layer 10": "5.23e-01"}
STATED_QUICK = {"sigmoid, default init ratio": "4.1e-08"}


def derivatives(x_values: np.ndarray):
    """{name: (f(x), f'(x))} with f' from autograd."""
    out = {}
    for name, f in ACTIVATIONS.items():
        x = rg.tensor(x_values, dtype=rg.float64, requires_grad=True)
        y = f(x)
        y.sum().backward()  # d(sum_i f(x_i)) / dx_i = f'(x_i)
        out[name] = (y.detach().numpy(), x.grad.numpy())
    return out


def deep_mlp(kind: str):
    rg.manual_seed(0)
    activation = "sigmoid" if kind.startswith("sigmoid") else "relu"
    model = MLP([784] + [WIDTH] * (DEPTH - 1) + [10], activation=activation)
    if "He init" in kind:
        for m in model.modules():
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)
    return model


def layer_gradient_norms(model, images, labels):
    model.zero_grad()
    F.cross_entropy(model(images), labels).backward()
    return [float(np.linalg.norm(m.weight.grad.numpy()))
            for m in model.modules() if isinstance(m, nn.Linear)]


def plot(curves, x_values, norms, path):
    try:
        plt = pyplot()
    except ImportError:
        print("matplotlib is not installed (pip install matplotlib): no plot written")
        return
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(16, 4.8))
    for name, (y, dy) in curves.items():
        ax1.plot(x_values, y, label=name)
        ax2.plot(x_values, dy, label=name)
    ax1.set_title("activation f(x)")
    ax1.set_ylim(-1.5, 5)
    ax2.set_title("derivative f'(x), by autograd")
    for ax in (ax1, ax2):
        ax.axhline(0, color="gray", lw=0.5)
        ax.axvline(0, color="gray", lw=0.5)
        ax.set_xlabel("x")
        ax.legend(fontsize=8)
    for kind, values in norms.items():
        ax3.plot(range(1, len(values) + 1), values, marker="o", label=kind)
    ax3.set_yscale("log")
    ax3.set_xlabel("layer (1 = next to the input)")
    ax3.set_ylabel("|dL/dW| of the layer")
    ax3.set_title(f"gradients in a {DEPTH}-layer MLP, one batch")
    ax3.legend(fontsize=8)
    fig.tight_layout()
    print(f"wrote {save_figure(fig, path, dpi=100)}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join("examples_out", "activations.png"),
                        help="PNG file for the plots")
    parser.add_argument("--quick", action="store_true", help="a batch of 64 digits, not 256")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 unless the figures are those the docstring states")
    args = parser.parse_args(argv)
    rg.manual_seed(0)

    # ----- part 1: the functions and their derivatives -----
    x_values = np.linspace(-5, 5, 401)
    curves = derivatives(x_values)
    points = sorted({p for _, p in EXPECTED})
    checks = derivatives(np.array(points))
    print("f'(x) by autograd" + "".join(f"{f'x = {p:g}':>11}" for p in points))
    for name, (_, dy) in checks.items():
        print(f"{name:<17}" + "".join(f"{v:11.6f}" for v in dy))
    for (name, p), expected in EXPECTED.items():
        got = checks[name][1][points.index(p)]
        assert abs(got - expected) < 1e-6, f"{name}'({p}) = {got}, expected {expected}"
    print("autograd derivatives match the formulas at the points checked  OK")

    # ----- part 2: vanishing gradients in a deep net -----
    images, labels = mnist_sample(train=True).arrays()
    batch = 64 if args.quick else 256
    images, labels = rg.tensor(images[:batch]), rg.tensor(labels[:batch])
    norms = {}
    for kind in ("sigmoid, default init", "ReLU, default init", "ReLU, He init"):
        norms[kind] = layer_gradient_norms(deep_mlp(kind), images, labels)
    print(f"\n|dL/dW| per layer, {DEPTH}-layer MLP, one batch of {batch} digits")
    print(f"{'layer':>5}" + "".join(f"{kind:>24}" for kind in norms))
    for i in range(DEPTH):
        print(f"{i + 1:>5}" + "".join(f"{values[i]:>24.2e}" for values in norms.values()))
    measured = {}
    for kind, values in norms.items():
        ratio = values[0] / values[-1]  # first layer over last layer
        measured.update({f"{kind} layer 1": values[0], f"{kind} layer {DEPTH}": values[-1],
                         f"{kind} per layer": ratio ** (1 / (DEPTH - 1)), f"{kind} ratio": ratio})
        print(f"{kind:<22} |dL/dW1| / |dL/dW{DEPTH}| = {ratio:.3g}  "
              f"(x{ratio ** (1 / (DEPTH - 1)):.3f} per layer on the way back)")

    plot(curves, x_values, norms, args.out)
    if args.check:
        from _check import check

        stated = STATED_QUICK if args.quick else STATED
        # to the digits shown: 3 significant digits (2 for the --quick ratio)
        tolerance = {k: 0.5 * 10 ** (math.floor(math.log10(float(v))) - (1 if args.quick else 2))
                     for k, v in stated.items()}
        return check(measured, stated, tolerance, __doc__)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
