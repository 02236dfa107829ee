"""Log loss (cross-entropy) of predicted class probabilities.

>>> round(log_loss([0, 1, 1], [[0.9, 0.1], [0.2, 0.8], [0.3, 0.7]]), 4)
0.2284
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ._utils import _class_indices, _column, _pair, _warn


def _true_columns(t: np.ndarray, n_cols: int, labels: Sequence | None, binary: bool,
                  metric: str) -> np.ndarray:
    """(N,) int64: the probability column of each sample's true class."""
    if labels is not None:
        classes = np.unique(np.asarray(labels))
        if classes.size != n_cols:
            raise ValueError(f"{metric}: {classes.size} labels given but y_pred has {n_cols} "
                             "probability columns")
        idx = np.clip(np.searchsorted(classes, t), 0, classes.size - 1)
        unknown = classes[idx] != t
        if unknown.any():
            raise ValueError(f"{metric}: y_true holds labels {np.unique(t[unknown]).tolist()} "
                             f"that are not in labels={classes.tolist()}")
        return idx
    if binary and not np.isin(t, (0, 1)).all():
        classes = np.unique(t)
        if classes.size != 2:
            raise ValueError(f"{metric}: y_pred is 1-D (binary) but y_true holds labels "
                             f"{classes.tolist()}; pass labels=[negative, positive].")
        return (t == classes[1]).astype(np.int64)
    idx = _class_indices(t, metric)
    if idx.max() >= n_cols:
        raise ValueError(f"{metric}: y_true holds class {idx.max()} but y_pred has only "
                         f"{n_cols} probability columns")
    return idx


def log_loss(y_true: Any, y_pred: Any, *, eps: float | str = "auto", normalize: bool = True,
             labels: Sequence | None = None) -> float:
    """Mean (or, with ``normalize=False``, summed) negative log-likelihood of the true class.

    y_true: (N,) labels. y_pred: (N, C) probabilities whose column k belongs to class k (or to
    the k-th smallest of ``labels``), or (N,) probabilities of the positive class (binary, labels
    0/1 or the two labels of y_true). Probabilities are clipped to ``[eps, 1 - eps]``; 'auto'
    uses the machine epsilon of y_pred's dtype, as scikit-learn does.
    """
    metric = "log_loss"
    t, p = _pair(metric, y_true, y_pred)
    t = _column(t, metric, "y_true")
    if p.dtype.kind != "f":
        p = p.astype(np.float64)
    binary = p.ndim == 1 or (p.ndim == 2 and p.shape[1] == 1)
    if binary:
        p = p.reshape(-1)
        p = np.stack([1 - p, p], axis=1)
    elif p.ndim != 2:
        raise ValueError(f"{metric}: y_pred must have shape (N,) or (N, C), got {p.shape}")
    if p.min() < 0 or p.max() > 1:
        raise ValueError(f"{metric}: y_pred must hold probabilities in [0, 1], got values in "
                         f"[{p.min()}, {p.max()}] (apply softmax/sigmoid to logits first)")
    idx = _true_columns(t, p.shape[1], labels, binary, metric)
    eps = np.finfo(p.dtype).eps if eps == "auto" else float(eps)
    if not np.allclose(p.sum(axis=1), 1.0, rtol=np.sqrt(np.finfo(p.dtype).eps), atol=0):
        _warn(f"{metric}: the y_pred rows do not sum to one. Make sure to pass probabilities.")
    loss = -np.log(np.clip(p[np.arange(p.shape[0]), idx], eps, 1 - eps))
    return float(loss.mean() if normalize else loss.sum())
