"""The 2-D tasks: points in the square [-1, 1]^2 with a class (0/1) or a target value.

>>> x, y = make_task("circle", 400, noise=0.1, seed=0)   # x (400, 2) float32, y (400,) int64
"""
from __future__ import annotations

import numpy as np

EXTENT = 1.0  # the input plane shown is [-EXTENT, EXTENT]^2


def _circle(rng, n, noise):
    r = np.concatenate([rng.uniform(0, 0.45, n // 2), rng.uniform(0.6, 0.95, n - n // 2)])
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([r * np.cos(angle), r * np.sin(angle)], 1)
    return x + rng.normal(0, 0.25 * noise, x.shape), (r < 0.5).astype(np.int64)


def _xor(rng, n, noise):
    x = rng.uniform(-0.95, 0.95, (n, 2))
    x += np.sign(x) * 0.05  # a small margin around the axes
    label = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    return x + rng.normal(0, 0.25 * noise, x.shape), label


def _spirals(rng, n, noise):
    label = np.arange(n) % 2
    t = rng.uniform(0, 1, n)
    angle = 1.75 * 2 * np.pi * t + np.pi * label
    r = 0.9 * t + 0.05
    x = np.stack([r * np.cos(angle), r * np.sin(angle)], 1)
    return x + rng.normal(0, 0.15 * noise, x.shape), label.astype(np.int64)


def _gaussian(rng, n, noise):
    label = np.arange(n) % 2
    centres = np.where(label[:, None] == 1, 0.45, -0.45)
    return rng.normal(centres, 0.15 + 0.35 * noise, (n, 2)), label.astype(np.int64)


def surface(x: np.ndarray) -> np.ndarray:
    """The regression task's target over the plane, in [-1, 1]."""
    return np.sin(2.5 * x[..., 0]) * np.cos(2.0 * x[..., 1])


def _regression(rng, n, noise):
    x = rng.uniform(-1, 1, (n, 2))
    return x, surface(x) + rng.normal(0, 0.3 * noise, n)


_MAKERS = {"circle": _circle, "xor": _xor, "spirals": _spirals, "gaussian": _gaussian,
           "regression": _regression}


def make_task(name: str, n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points of task ``name``, shuffled: x (n, 2) float32 and y (n,) (int64 classes, or
    float32 targets for "regression")."""
    if name not in _MAKERS:
        raise ValueError(f"unknown task {name!r}; choose from {', '.join(_MAKERS)}")
    rng = np.random.default_rng(seed)
    x, y = _MAKERS[name](rng, n, noise)
    order = rng.permutation(n)
    x = np.clip(x[order], -EXTENT, EXTENT).astype(np.float32)
    y = y[order].astype(np.float32 if name == "regression" else np.int64)
    return x, y


def grid(size: int) -> np.ndarray:
    """(size * size, 2) float32 points covering the plane row by row, top row (y = +1) first."""
    ticks = np.linspace(-EXTENT, EXTENT, size, dtype=np.float32)
    gx, gy = np.meshgrid(ticks, ticks[::-1])
    return np.stack([gx.ravel(), gy.ravel()], 1)
