"""Linear regression by gradient descent: fit y = w*x + b to five points of y = x^2.

    python examples/linear_regression.py

The data x = [0, 1, 2, 3, 4], y = [0, 1, 4, 9, 16] is not a line, so no w, b fits it exactly;
gradient descent on the mean squared error L(w, b) = mean((w*x + b - y)^2) finds the line
closest in least squares, the same one np.linalg.lstsq solves for in closed form: w = 4, b = -2,
residuals y - (4x - 2) = [2, -1, -2, -1, 2], so the smallest possible loss is 14 / 5 = 2.8.

The gradients dL/dw = mean(2 (w*x + b - y) x) and dL/db = mean(2 (w*x + b - y)) come from
autograd; optim.SGD (plain, lr 0.1) takes the steps. The loss is a bowl whose curvatures differ
by a factor of 22 (Hessian eigenvalues 13.4 and 0.60): lr must stay below 2 / 13.4 = 0.149 or
the steps overshoot and diverge, and the flat direction shrinks by only 1 - 0.1 * 0.60 = 0.94 per
step, which is why it takes a few hundred steps.

Measured figures (float32, w = b = 0 at the start): the loss falls 70.8 -> 13.04 (step 1)
-> 3.699 (step 10) -> 2.8065 (step 50) -> 2.80001 (step 100) -> 2.80000 (step 200, the
minimum); after 500 steps w = 4.000000, b = -1.999999 (float32 rounding), least squares gives
w = 4, b = -2 exactly, and they agree to 1e-4 (asserted). With --lr 0.16 the loss diverges.
Runs in about 0.5 s (--quick: 200 steps, w = 3.999995, b = -1.999986, still within 1e-4).
`--check` (with or without --quick) compares the run with these figures, to the digits shown,
and exits 1 if one differs.
"""
from __future__ import annotations

import argparse

import numpy as np

import retrograd as rg
from retrograd import optim

TOLERANCE = 1e-4
# the docstring's figures (--check compares, to the digits shown): the loss at a few steps, and
# w, b at the end (500 steps; 200 with --quick)
STATED = {"loss at step 0": "70.8", "loss at step 1": "13.04", "loss at step 10": "3.699",
          "loss at step 50": "2.8065", "loss at step 100": "2.80001",
          "loss at step 200": "2.80000", "final w": "4.000000", "final b": "-1.999999"}
STATED_QUICK = {"final w": "3.999995", "final b": "-1.999986"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500, help="gradient-descent steps")
    parser.add_argument("--lr", type=float, default=0.1,
                        help="learning rate (diverges above ~0.149)")
    parser.add_argument("--quick", action="store_true", help="200 steps instead of 500")
    parser.add_argument("--out", default=None, help="unused: this example writes no files")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 unless the figures are those the docstring states")
    args = parser.parse_args(argv)
    steps = 200 if args.quick else args.steps
    rg.manual_seed(0)  # nothing here is random; seeded out of habit

    x = rg.tensor([0.0, 1.0, 2.0, 3.0, 4.0])
    y = rg.tensor([0.0, 1.0, 4.0, 9.0, 16.0])
    w = rg.tensor(0.0, requires_grad=True)  # the two parameters, starting at zero
    b = rg.tensor(0.0, requires_grad=True)
    optimizer = optim.SGD([w, b], lr=args.lr)

    print(f"{'step':>5}  {'loss':>10}  {'w':>9}  {'b':>9}")
    measured = {}
    for step in range(steps + 1):
        prediction = w * x + b  # forward
        loss = ((prediction - y) ** 2).mean()  # mean squared error
        measured[f"loss at step {step}"] = loss.item()
        if step in (0, 1, 2, 5, 10, 20, 50, 100, 200, 300, 400, 500) or step == steps:
            print(f"{step:5d}  {loss.item():10.5f}  {w.item():9.6f}  {b.item():9.6f}")
        if not np.isfinite(loss.item()):
            raise SystemExit(f"diverged at step {step}: lower --lr (below 0.149)")
        if step == steps:
            break
        optimizer.zero_grad()
        loss.backward()  # dL/dw and dL/db into w.grad and b.grad
        optimizer.step()  # w -= lr * w.grad, b -= lr * b.grad

    # the closed-form least-squares solution: minimise ||A [w, b] - y|| with A = [x, 1]
    xs, ys = x.numpy().astype(np.float64), y.numpy().astype(np.float64)
    A = np.stack([xs, np.ones_like(xs)], axis=1)
    (w_ls, b_ls), *_ = np.linalg.lstsq(A, ys, rcond=None)

    print(f"gradient descent: w = {w.item():.6f}, b = {b.item():.6f}, loss = {loss.item():.6f}")
    print(f"least squares:    w = {w_ls:.6f}, b = {b_ls:.6f}, "
          f"loss = {np.mean((A @ [w_ls, b_ls] - ys) ** 2):.6f}")
    assert abs(w.item() - w_ls) < TOLERANCE and abs(b.item() - b_ls) < TOLERANCE, \
        "gradient descent did not reach the least-squares solution; try more --steps"
    assert abs(w_ls - 4) < 1e-9 and abs(b_ls + 2) < 1e-9
    print(f"agreement: |w - w_ls|, |b - b_ls| < {TOLERANCE:g}  OK")
    if args.check:
        from _check import check

        measured.update({"final w": w.item(), "final b": b.item()})
        stated = STATED_QUICK if args.quick else STATED
        digits = {k: len(v.split(".")[1]) for k, v in stated.items()}
        return check(measured, stated, {k: 0.5 * 10.0 ** -d for k, d in digits.items()}, __doc__)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
