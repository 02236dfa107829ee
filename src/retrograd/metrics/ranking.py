"""Score-based metrics: the ROC curve and the area under it (binary and one-vs-rest multiclass).

>>> roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
0.75
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._utils import UndefinedMetricWarning, _class_indices, _column, _pair, _warn

_ONE_CLASS = "Only one class present in y_true. ROC AUC score is not defined in that case."


def _binary_clf_curve(y_pos: np.ndarray, y_score: np.ndarray):
    """False/true positive counts at each distinct score, highest score first.

    y_pos: (N,) bool, y_score: (N,) float. Returns fps, tps, thresholds, each (T,), where T is
    the number of distinct scores; ``score >= thresholds[i]`` predicts positive.
    """
    order = np.argsort(y_score, kind="stable")[::-1]
    score, pos = y_score[order], y_pos[order]
    ends = np.r_[np.flatnonzero(np.diff(score)), pos.size - 1]  # last index of each tie group
    tps = np.cumsum(pos, dtype=np.float64)[ends]
    fps = 1.0 + ends - tps
    return fps, tps, score[ends]


def _scores_1d(y_score: np.ndarray, metric: str) -> np.ndarray:
    score = _column(y_score, metric, "y_score")
    if score.dtype.kind not in "iufb":
        raise ValueError(f"{metric}: y_score must be numeric, got dtype {score.dtype}")
    return score.astype(np.float64)


def roc_curve(y_true: Any, y_score: Any, pos_label: int = 1, drop_intermediate: bool = True):
    """Receiver operating characteristic, as scikit-learn's ``roc_curve``.

    y_true: (N,) labels; samples equal to ``pos_label`` are positive. y_score: (N,) scores, higher
    meaning more positive. Returns ``fpr, tpr, thresholds``, each float64 (T,), with
    ``thresholds[0] = inf`` so the curve starts at (0, 0). ``drop_intermediate`` removes points
    collinear with their neighbours (they do not change the area).

    >>> fpr, tpr, thr = roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> fpr.tolist(), tpr.tolist()
    ([0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0])
    """
    t, s = _pair("roc_curve", y_true, y_score, ("y_true", "y_score"))
    t, s = _column(t, "roc_curve", "y_true"), _scores_1d(s, "roc_curve")
    fps, tps, thresholds = _binary_clf_curve(t == pos_label, s)
    if drop_intermediate and fps.size > 2:
        corner = np.logical_or(np.diff(fps, 2), np.diff(tps, 2))
        keep = np.flatnonzero(np.r_[True, corner, True])
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    fps, tps = np.r_[0.0, fps], np.r_[0.0, tps]
    thresholds = np.r_[np.inf, thresholds]
    rates = []
    for counts, kind in ((fps, "negative"), (tps, "positive")):
        if counts[-1] <= 0:
            _warn(f"roc_curve: no {kind} samples in y_true; the "
                  f"{'false' if kind == 'negative' else 'true'} positive rate is undefined (nan).",
                  UndefinedMetricWarning)
            rates.append(np.full(counts.shape, np.nan))
        else:
            rates.append(counts / counts[-1])
    return rates[0], rates[1], thresholds


def _binary_auc(y_pos: np.ndarray, y_score: np.ndarray) -> float:
    """Area under the ROC curve of one positive-vs-rest problem (trapezoidal rule)."""
    fps, tps, _ = _binary_clf_curve(y_pos, y_score)
    if fps[-1] == 0 or tps[-1] == 0:
        raise ValueError(_ONE_CLASS)
    return float(np.trapezoid(np.r_[0.0, tps] / tps[-1], np.r_[0.0, fps] / fps[-1]))


def roc_auc_score(y_true: Any, y_score: Any, average: str | None = "macro") -> float | np.ndarray:
    """Area under the ROC curve.

    Binary: y_true (N,) with two distinct labels (the larger one is positive) and y_score (N,)
    scores for the positive class, or (N, 2) scores whose column 1 is used. Multiclass
    (one-vs-rest): y_true (N,) class indices ``0..C-1`` and y_score (N, C) probabilities (rows sum
    to 1); each class is scored against the rest and ``average`` combines them: 'macro' (mean),
    'weighted' (by class prevalence), 'micro' (all class/sample pairs pooled) or None (per-class
    (C,) array). Raises ValueError when y_true holds a single class.
    """
    metric = "roc_auc_score"
    t, s = _pair(metric, y_true, y_score, ("y_true", "y_score"))
    t = _column(t, metric, "y_true")
    if s.ndim == 2 and s.shape[1] == 2:
        t = _class_indices(t, metric)
        if t.max() > 1:
            raise ValueError(f"{metric}: y_score has 2 columns but y_true holds class {t.max()}")
        s = s[:, 1]
    if s.ndim == 1 or (s.ndim == 2 and s.shape[1] == 1):
        classes = np.unique(t)
        if classes.size == 1:
            raise ValueError(_ONE_CLASS)
        if classes.size > 2:
            raise ValueError(f"{metric}: y_true has {classes.size} classes but y_score has shape "
                             f"{s.shape}; pass (N, C) class probabilities for multiclass.")
        return _binary_auc(t == classes[1], _scores_1d(s, metric))
    if s.ndim != 2:
        raise ValueError(f"{metric}: y_score must have shape (N,) or (N, C), got {s.shape}")
    return _ovr_auc(_class_indices(t, metric), s.astype(np.float64), average, metric)


def _ovr_auc(t: np.ndarray, s: np.ndarray, average: str | None, metric: str):
    n, c = s.shape
    if average not in (None, "micro", "macro", "weighted"):
        raise ValueError(f"{metric}: average must be None, 'micro', 'macro' or 'weighted', "
                         f"got {average!r}")
    if t.max() >= c:
        raise ValueError(f"{metric}: y_true holds class {t.max()} but y_score has only {c} "
                         f"columns (shape {s.shape})")
    if not np.allclose(s.sum(axis=1), 1.0):
        raise ValueError(f"{metric}: target scores need to be probabilities for multiclass "
                         "ROC AUC, i.e. they should sum up to 1.0 over classes (apply softmax "
                         "to logits first).")
    support = np.bincount(t, minlength=c)
    if np.count_nonzero(support) == 1:
        raise ValueError(_ONE_CLASS)
    if (support == 0).any():
        raise ValueError(f"{metric}: y_score has {c} columns but classes "
                         f"{np.flatnonzero(support == 0).tolist()} never occur in y_true; "
                         "one-vs-rest AUC is undefined for them.")
    if average == "micro":
        onehot = t[:, None] == np.arange(c)
        return _binary_auc(onehot.ravel(), s.ravel())
    per_class = np.array([_binary_auc(t == k, s[:, k]) for k in range(c)])
    if average is None:
        return per_class
    weights = support if average == "weighted" else None
    return float(np.average(per_class, weights=weights))
