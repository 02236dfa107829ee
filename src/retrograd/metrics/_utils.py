"""Input handling shared by the metrics: conversion to NumPy, shape checks, label extraction."""
from __future__ import annotations

import os
import sys
import warnings
from typing import Any

import numpy as np

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class UndefinedMetricWarning(UserWarning):
    """Warned when a metric is ill-defined (a zero division) and replaced by ``zero_division``."""


def _warn(message: str, category: type[Warning] = UserWarning) -> None:
    """Warn, attributing the warning to the first caller outside this package."""
    frame, level = sys._getframe(1), 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def _to_numpy(x: Any) -> np.ndarray:
    """Return ``x`` as an ndarray: Tensors (anything with ``.numpy()``), arrays, lists, scalars.

    Tensors are converted lazily through their ``numpy()`` method, so this module never needs to
    import ``retrograd.tensor``.
    """
    if isinstance(x, np.ndarray):
        return x
    numpy_method = getattr(x, "numpy", None)
    if callable(numpy_method):
        return np.asarray(numpy_method())
    return np.asarray(x)


def _column(x: np.ndarray, metric: str, arg: str) -> np.ndarray:
    """Flatten an (N,) or (N, 1) array of labels to (N,); refuse anything else."""
    if x.ndim == 2 and x.shape[1] == 1:
        return x[:, 0]
    if x.ndim != 1:
        raise ValueError(f"{metric}: {arg} must be 1-D labels of shape (N,), got shape {x.shape}")
    return x


def _pair(metric: str, y_true: Any, y_pred: Any, names: tuple[str, str] = ("y_true", "y_pred"),
          ) -> tuple[np.ndarray, np.ndarray]:
    """Convert both inputs to arrays; refuse empty inputs and differing sample counts.

    Errors name the metric and both shapes, e.g. ``accuracy: y_true and y_pred must have the
    same number of samples, got y_true shape (5,) and y_pred shape (4, 3)``.
    """
    a, b = _to_numpy(y_true), _to_numpy(y_pred)
    a_name, b_name = names
    if a.ndim == 0 or b.ndim == 0 or a.shape[0] != b.shape[0]:
        raise ValueError(
            f"{metric}: {a_name} and {b_name} must have the same number of samples, "
            f"got {a_name} shape {a.shape} and {b_name} shape {b.shape}"
        )
    if a.shape[0] == 0:
        raise ValueError(f"{metric}: got empty inputs ({a_name} shape {a.shape})")
    return a, b


def _as_labels(y_pred: np.ndarray, metric: str, arg: str = "y_pred") -> np.ndarray:
    """Labels from predictions: (N,) labels are kept, (N, C) scores/logits give their argmax."""
    if y_pred.ndim == 2 and y_pred.shape[1] > 1:
        return np.argmax(y_pred, axis=1)
    if y_pred.ndim == 2 and y_pred.shape[1] == 1 and y_pred.dtype.kind == "f":
        raise ValueError(
            f"{metric}: {arg} has shape {y_pred.shape}: a single score column is ambiguous "
            "(probability or logit?). Threshold it to 0/1 labels first, or pass (N, 2) scores."
        )
    return _column(y_pred, metric, arg)


def _class_indices(y: np.ndarray, metric: str, arg: str = "y_true") -> np.ndarray:
    """Check that ``y`` holds non-negative integer class indices and return it as int64."""
    if y.size == 0:
        return y.astype(np.int64)
    if y.dtype.kind == "b":
        return y.astype(np.int64)
    if y.dtype.kind not in "iuf":
        raise ValueError(f"{metric}: {arg} must hold integer class indices, got dtype {y.dtype}")
    as_int = y.astype(np.int64)
    if y.dtype.kind == "f" and not np.array_equal(as_int, y):
        raise ValueError(f"{metric}: {arg} must hold integer class indices, got non-integer values")
    if as_int.min() < 0:
        raise ValueError(f"{metric}: {arg} must hold class indices >= 0, got {as_int.min()}")
    return as_int


def _check_zero_division(zero_division: Any, metric: str) -> None:
    if isinstance(zero_division, str):
        if zero_division != "warn":
            raise ValueError(f"{metric}: zero_division must be 'warn', 0, 1 or np.nan, "
                             f"got {zero_division!r}")
        return
    if not (zero_division in (0, 1) or np.isnan(zero_division)):
        raise ValueError(f"{metric}: zero_division must be 'warn', 0, 1 or np.nan, "
                         f"got {zero_division!r}")
