"""Regression metrics: mean squared error, mean absolute error, R².

Targets are (N,) or (N, D) for D outputs; ``multioutput`` combines the per-output values:
'uniform_average' (mean, a float), 'raw_values' (a (D,) array) or a (D,) array of weights.

>>> mean_squared_error([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])
1.3333333333333333
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._utils import UndefinedMetricWarning, _pair, _warn

MultiOutput = Any  # 'uniform_average' | 'raw_values' | array-like of (D,) weights


def _outputs(metric: str, y_true: Any, y_pred: Any,
             names: tuple[str, str] = ("y_true", "y_pred")) -> tuple[np.ndarray, np.ndarray]:
    """Both targets as float64 (N, D); (N,) and (N, 1) are the same single output."""
    t, p = _pair(metric, y_true, y_pred, names)
    t = t.reshape(t.shape[0], -1).astype(np.float64)
    p = p.reshape(p.shape[0], -1).astype(np.float64)
    if t.shape != p.shape:
        raise ValueError(f"{metric}: {names[0]} and {names[1]} have a different number of "
                         f"outputs, got {names[0]} shape {t.shape} and {names[1]} shape {p.shape}")
    return t, p


def _combine(values: np.ndarray, multioutput: MultiOutput, metric: str,
             weights: np.ndarray | None = None) -> float | np.ndarray:
    """Reduce per-output (D,) values according to ``multioutput``."""
    if isinstance(multioutput, str):
        if multioutput == "raw_values":
            return values
        if multioutput == "uniform_average":
            return float(values.mean())
        if multioutput == "variance_weighted" and weights is not None:
            return float(np.average(values, weights=weights))
        extra = ", 'variance_weighted'" if weights is not None else ""
        raise ValueError(f"{metric}: multioutput must be 'raw_values', 'uniform_average'{extra} "
                         f"or an array of weights, got {multioutput!r}")
    w = np.asarray(multioutput, dtype=np.float64)
    if w.shape != values.shape:
        raise ValueError(f"{metric}: multioutput weights must have shape {values.shape}, "
                         f"got {w.shape}")
    return float(np.average(values, weights=w))


def mean_squared_error(y_true: Any, y_pred: Any,
                       multioutput: MultiOutput = "uniform_average") -> float | np.ndarray:
    """Mean of (y_true - y_pred)², per output. y_true, y_pred: (N,) or (N, D)."""
    t, p = _outputs("mean_squared_error", y_true, y_pred)
    return _combine(np.mean((t - p) ** 2, axis=0), multioutput, "mean_squared_error")


def mean_absolute_error(y_true: Any, y_pred: Any,
                        multioutput: MultiOutput = "uniform_average") -> float | np.ndarray:
    """Mean of |y_true - y_pred|, per output. y_true, y_pred: (N,) or (N, D)."""
    t, p = _outputs("mean_absolute_error", y_true, y_pred)
    return _combine(np.mean(np.abs(t - p), axis=0), multioutput, "mean_absolute_error")


def _r2_from_sums(ss_res: np.ndarray, ss_tot: np.ndarray, n: int, multioutput: MultiOutput,
                  force_finite: bool) -> float | np.ndarray:
    """R² = 1 - ss_res / ss_tot per output, with sklearn's handling of constant targets."""
    if n < 2:
        _warn("r2_score: R^2 is not well-defined with fewer than two samples.",
              UndefinedMetricWarning)
        return float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = 1.0 - ss_res / ss_tot
    if force_finite:
        constant = ss_tot == 0  # perfect predictions of a constant score 1, others 0
        scores = np.where(constant, np.where(ss_res == 0, 1.0, 0.0), scores)
    if isinstance(multioutput, str) and multioutput == "variance_weighted":
        if not (ss_tot != 0).any():  # every output constant: fall back to a uniform mean
            return float(scores.mean())
    return _combine(scores, multioutput, "r2_score", weights=ss_tot)


def r2_score(y_true: Any, y_pred: Any, multioutput: MultiOutput = "uniform_average",
             force_finite: bool = True) -> float | np.ndarray:
    """Coefficient of determination 1 - Σ(y - ŷ)² / Σ(y - ȳ)², per output.

    y_true, y_pred: (N,) or (N, D). ``multioutput`` also accepts 'variance_weighted'. With
    ``force_finite`` a constant y_true scores 1.0 when predicted exactly, else 0.0 (not nan/-inf).
    """
    t, p = _outputs("r2_score", y_true, y_pred)
    ss_res = np.sum((t - p) ** 2, axis=0)
    ss_tot = np.sum((t - t.mean(axis=0)) ** 2, axis=0)
    return _r2_from_sums(ss_res, ss_tot, t.shape[0], multioutput, force_finite)
