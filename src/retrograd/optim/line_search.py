"""The strong-Wolfe line search behind ``LBFGS(line_search_fn="strong_wolfe")``: bracket a step
along ``d`` that lowers the loss enough (Armijo) and flattens the slope enough (curvature), then
zoom into the bracket by safeguarded cubic interpolation (Nocedal & Wright, algorithms 3.5-3.6;
the same steps and constants as PyTorch's, so trajectories match)."""
from __future__ import annotations

from typing import Callable

import numpy as np

#: evaluates the loss and flat gradient at ``x + t * d``: ``(x, t, d) -> (loss, grad)``
Objective = Callable[[list, float, np.ndarray], tuple[float, np.ndarray]]


def cubic_minimum(x1: float, f1: float, g1: float, x2: float, f2: float, g2: float,
                  bounds: tuple[float, float] | None = None) -> float:
    """Minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clipped to
    ``bounds`` (default: the interval between x1 and x2); the midpoint if it has none."""
    lo, hi = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square < 0:
        return (lo + hi) / 2.0
    d2 = float(np.sqrt(d2_square))
    if x1 <= x2:
        at = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        at = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(at, lo), hi)


class _Point:
    """A trial step ``t`` with its loss, flat gradient and slope along the search direction."""

    __slots__ = ("t", "f", "g", "gtd")

    def __init__(self, t: float, f: float, g: np.ndarray, gtd: float):
        self.t, self.f, self.g, self.gtd = t, f, g, gtd


def strong_wolfe(objective: Objective, x: list, t: float, d: np.ndarray, f: float,
                 g: np.ndarray, gtd: float, c1: float = 1e-4, c2: float = 0.9,
                 tolerance_change: float = 1e-9, max_ls: int = 25
                 ) -> tuple[float, np.ndarray, float, int]:
    """Search along ``d`` from parameters ``x`` (loss ``f``, gradient ``g``, slope ``gtd``)
    starting with step ``t``. Returns ``(loss, grad, step, evaluations)``."""
    d_norm = float(abs(d).max())
    start = _Point(0, f, g.copy(), gtd)

    def evaluate(step: float) -> _Point:
        f_new, g_new = objective(x, step, d)
        return _Point(step, f_new, g_new, float(g_new.dot(d)))

    new, evals, iters = evaluate(t), 1, 0
    prev = start
    bracket: list[_Point] | None = None
    done = False
    while iters < max_ls:  # phase 1: find an interval holding an acceptable step
        if new.f > f + c1 * new.t * gtd or (iters > 1 and new.f >= prev.f):
            bracket = [prev, new]
            break
        if abs(new.gtd) <= -c2 * gtd:
            bracket, done = [new], True
            break
        if new.gtd >= 0:
            bracket = [prev, new]
            break
        step = cubic_minimum(prev.t, prev.f, prev.gtd, new.t, new.f, new.gtd,
                             bounds=(new.t + 0.01 * (new.t - prev.t), new.t * 10))
        prev, new = new, evaluate(step)
        evals += 1
        iters += 1
    if iters == max_ls:
        bracket = [start, new]
    assert bracket is not None
    if done:
        return bracket[0].f, bracket[0].g, bracket[0].t, evals

    low, high = (0, 1) if bracket[0].f <= bracket[-1].f else (1, 0)
    insufficient = False
    while iters < max_ls:  # phase 2: zoom into the bracket
        a, b = bracket[0], bracket[1]
        if abs(b.t - a.t) * d_norm < tolerance_change:
            break
        step = cubic_minimum(a.t, a.f, a.gtd, b.t, b.f, b.gtd)
        top, bottom = max(a.t, b.t), min(a.t, b.t)
        eps = 0.1 * (top - bottom)
        if min(top - step, step - bottom) < eps:  # too close to an end: move it inwards
            if insufficient or step >= top or step <= bottom:
                step = top - eps if abs(step - top) < abs(step - bottom) else bottom + eps
                insufficient = False
            else:
                insufficient = True
        else:
            insufficient = False
        new = evaluate(step)
        evals += 1
        iters += 1
        if new.f > f + c1 * new.t * gtd or new.f >= bracket[low].f:
            bracket[high] = new
            low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
        else:
            if abs(new.gtd) <= -c2 * gtd:
                done = True
            elif new.gtd * (bracket[high].t - bracket[low].t) >= 0:
                bracket[high] = bracket[low]
            bracket[low] = new
        if done:
            break
    best = bracket[low]
    return best.f, best.g, best.t, evals
