"""Label-based classification metrics: accuracy, confusion matrix, precision, recall, F-score.

Classes are integer indices ``0..C-1``. Predictions may be labels of shape (N,) or scores/logits
of shape (N, C), in which case their argmax is the predicted label. Results follow scikit-learn's
definitions (``average``, ``pos_label``, ``zero_division``, which classes count in an average).

>>> precision([0, 1, 1, 0], [0, 1, 0, 0])
1.0
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ._utils import (UndefinedMetricWarning, _as_labels, _check_zero_division, _class_indices,
                     _column, _pair, _warn)

AVERAGES = (None, "binary", "micro", "macro", "weighted")


def _topk_hits(y_true: np.ndarray, scores: np.ndarray, top_k: int, metric: str,
               true_name: str = "y_true") -> np.ndarray:
    """(N,) bool: is the true class among the ``top_k`` highest scores? Ties: lower index first.

    A class outranks the true class when its score is higher, or equal with a smaller index, so
    ``top_k=1`` agrees with ``argmax``.
    """
    n, c = scores.shape
    t = _class_indices(y_true, metric, true_name)
    if t.max() >= c:
        raise ValueError(f"{metric}: {true_name} holds class {t.max()} but the scores have "
                         f"only {c} columns (shape {scores.shape})")
    true_score = scores[np.arange(n), t][:, None]
    ahead = (scores > true_score) | ((scores == true_score) & (np.arange(c) < t[:, None]))
    return ahead.sum(axis=1) < top_k


def _check_top_k(top_k: Any, metric: str) -> None:
    if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
        raise ValueError(f"{metric}: top_k must be an integer >= 1, got {top_k!r}")


def _accuracy_hits(y_true: np.ndarray, y_pred: np.ndarray, top_k: int, metric: str,
                   names: tuple[str, str] = ("y_true", "y_pred")) -> np.ndarray:
    """(N,) bool of correct predictions, from labels (N,) or scores (N, C)."""
    _check_top_k(top_k, metric)
    true_name, pred_name = names
    y_true = _column(y_true, metric, true_name)
    if y_pred.ndim == 2 and y_pred.shape[1] > 1:
        return _topk_hits(y_true, y_pred, int(top_k), metric, true_name)
    if top_k != 1:
        raise ValueError(f"{metric}: top_k={top_k} needs (N, C) scores, got {pred_name} "
                         f"shape {y_pred.shape}")
    return _as_labels(y_pred, metric, pred_name) == y_true


def accuracy(y_true: Any, y_pred: Any, top_k: int = 1) -> float:
    """Fraction of correct predictions.

    y_true: (N,) class labels. y_pred: (N,) labels, or (N, C) scores/logits; with scores a sample
    is correct when its true class is among the ``top_k`` highest scores.

    >>> accuracy([1, 2], [[0.1, 0.5, 0.4], [0.2, 0.5, 0.3]], top_k=2)
    1.0
    """
    t, p = _pair("accuracy", y_true, y_pred)
    return float(_accuracy_hits(t, p, top_k, "accuracy").mean())


def _confusion_counts(y_true: np.ndarray, y_pred: np.ndarray, n: int) -> np.ndarray:
    """(n, n) int64 counts; row = true class, column = predicted class. Inputs are int64 (N,)."""
    return np.bincount(y_true * n + y_pred, minlength=n * n).reshape(n, n)


def _encode(y_true: Any, y_pred: Any, num_classes: int | None, metric: str,
            names: tuple[str, str] = ("y_true", "y_pred")) -> tuple[np.ndarray, np.ndarray, int]:
    """Validated int64 true/pred labels (argmax of scores) and the number of classes."""
    t, p = _pair(metric, y_true, y_pred, names)
    t = _class_indices(_column(t, metric, names[0]), metric, names[0])
    p = _class_indices(_as_labels(p, metric, names[1]), metric, names[1])
    biggest = int(max(t.max(), p.max()))
    if num_classes is None:
        return t, p, biggest + 1
    if biggest >= num_classes:
        raise ValueError(f"{metric}: found class {biggest} but num_classes={num_classes}")
    return t, p, int(num_classes)


def _normalize_confusion(cm: np.ndarray, normalize: str | None, metric: str) -> np.ndarray:
    if normalize is None:
        return cm
    axes = {"true": 1, "pred": 0, "all": None}
    if normalize not in axes:
        raise ValueError(f"{metric}: normalize must be None, 'true', 'pred' or 'all', "
                         f"got {normalize!r}")
    total = cm.sum(axis=axes[normalize], keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num(cm / total)  # a class that never occurs gets a row/column of 0


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int | None = None,
                     normalize: str | None = None) -> np.ndarray:
    """Counts of (true class, predicted class) pairs.

    y_true: (N,) class indices. y_pred: (N,) indices or (N, C) scores. Returns a (K, K) int64
    array with rows = true class and columns = predicted class, where K is ``num_classes`` or
    the largest class seen + 1. ``normalize`` = 'true' (rows sum to 1), 'pred' (columns) or
    'all' returns float64 fractions instead.

    >>> confusion_matrix([0, 1, 1], [0, 1, 0]).tolist()
    [[1, 0], [1, 1]]
    """
    t, p, n = _encode(y_true, y_pred, num_classes, "confusion_matrix")
    return _normalize_confusion(_confusion_counts(t, p, n), normalize, "confusion_matrix")


def _divide(num: np.ndarray, den: np.ndarray, zero_division: Any, warn: str | None) -> np.ndarray:
    """num / den, with ``zero_division`` where den == 0 (0.0 plus a warning for 'warn')."""
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    mask = den == 0
    out = num / np.where(mask, 1.0, den)
    if mask.any():
        out[mask] = 0.0 if zero_division == "warn" else float(zero_division)
        if zero_division == "warn" and warn is not None:
            _warn(f"{warn} is ill-defined and being set to 0.0 for {int(mask.sum())} label(s) "
                  "with no samples. Use `zero_division` to control this.", UndefinedMetricWarning)
    return out


def _nanaverage(values: np.ndarray, weights: np.ndarray | None) -> float:
    """Average ignoring NaNs (zero_division=nan); all-zero weights fall back to a plain mean."""
    keep = ~np.isnan(values)
    if not keep.any():
        return float("nan")
    if weights is None or weights[keep].sum() == 0:
        return float(values[keep].mean())
    return float(np.average(values[keep], weights=weights[keep]))


def _select_labels(cm: np.ndarray, average: str | None, labels: Sequence[int] | None,
                   pos_label: int, metric: str) -> np.ndarray:
    """The classes scored, as sklearn picks them (present classes unless told otherwise)."""
    counts = cm.sum(axis=0) + cm.sum(axis=1)
    present = np.flatnonzero(counts > 0)
    if average == "binary":
        if not isinstance(pos_label, (int, np.integer)) or pos_label < 0:
            raise ValueError(f"{metric}: pos_label must be a class index >= 0, got {pos_label!r}")
        if len(present) > 2:
            raise ValueError(
                f"{metric}: average='binary' needs at most two classes, but y_true and y_pred "
                f"together hold {len(present)} classes {present.tolist()} (multiclass). Choose "
                "average='micro', 'macro', 'weighted' or None.")
        if pos_label not in present and len(present) == 2:
            raise ValueError(f"{metric}: pos_label={pos_label} is not a valid label. It should "
                             f"be one of {present.tolist()}")
        return np.array([pos_label], dtype=np.int64)
    if pos_label not in (None, 1):
        _warn(f"{metric}: pos_label={pos_label!r} is ignored when average={average!r}; "
              "pass labels=[pos_label] to score one class.")
    if labels is None:
        return present
    chosen = np.asarray(labels, dtype=np.int64).reshape(-1)
    if chosen.size and chosen.min() < 0:
        raise ValueError(f"{metric}: labels must be class indices >= 0, got {chosen.tolist()}")
    return chosen


def _prfs_from_confusion(cm: np.ndarray, *, beta: float = 1.0, labels: Sequence[int] | None = None,
                         pos_label: int = 1, average: str | None = None,
                         zero_division: Any = "warn", metric: str = "precision_recall_fscore",
                         warn_for: tuple[str, ...] = ("precision", "recall", "f-score")):
    """Precision, recall, F-beta and support from a (K, K) confusion matrix."""
    if average not in AVERAGES:
        raise ValueError(f"{metric}: average must be one of {AVERAGES}, got {average!r}")
    _check_zero_division(zero_division, metric)
    if beta < 0:
        raise ValueError(f"{metric}: beta must be >= 0, got {beta}")
    sel = _select_labels(cm, average, labels, pos_label, metric)
    size = max(cm.shape[0], int(sel.max()) + 1 if sel.size else 0)
    pad = size - cm.shape[0]
    cm = np.pad(cm, ((0, pad), (0, pad)))  # labels never seen count as all-zero
    tp, pred_sum, true_sum = np.diag(cm)[sel], cm.sum(axis=0)[sel], cm.sum(axis=1)[sel]
    if average == "micro":
        tp, pred_sum, true_sum = tp.sum(keepdims=True), pred_sum.sum(keepdims=True), \
            true_sum.sum(keepdims=True)

    def warn(name: str) -> str | None:
        return name.capitalize() if name in warn_for else None

    prec = _divide(tp, pred_sum, zero_division, warn("precision"))
    rec = _divide(tp, true_sum, zero_division, warn("recall"))
    if np.isposinf(beta):
        f = rec
    elif beta == 0:
        f = prec
    else:
        b2 = beta * beta
        f = _divide((1 + b2) * tp, b2 * true_sum + pred_sum, zero_division, warn("f-score"))
    if average is None:
        return prec, rec, f, true_sum
    weights = true_sum.astype(np.float64) if average == "weighted" else None
    return (_nanaverage(prec, weights), _nanaverage(rec, weights), _nanaverage(f, weights), None)


def precision_recall_fscore_support(
        y_true: Any, y_pred: Any, *, beta: float = 1.0, labels: Sequence[int] | None = None,
        pos_label: int = 1, average: str | None = None, zero_division: Any = "warn",
        num_classes: int | None = None):
    """Precision, recall, F-beta score and support (number of true samples) per class or averaged.

    y_true: (N,) class indices. y_pred: (N,) indices or (N, C) scores (argmax taken).
    average: None (per-class arrays of shape (L,) for the L scored classes), 'binary' (the
    ``pos_label`` class only; at most two classes allowed), 'micro' (global counts), 'macro'
    (unweighted class mean) or 'weighted' (mean weighted by support). Averaged results are floats
    and support is None. Classes scored: ``labels`` if given, else those present in y_true or
    y_pred. ``zero_division`` ('warn', 0, 1 or nan) replaces 0/0; 'warn' gives 0 and a warning.
    """
    metric = "precision_recall_fscore_support"
    t, p, n = _encode(y_true, y_pred, num_classes, metric)
    return _prfs_from_confusion(_confusion_counts(t, p, n), beta=beta, labels=labels,
                                pos_label=pos_label, average=average,
                                zero_division=zero_division, metric=metric)


def _one_score(which: int, metric: str, warn_for: str, y_true: Any, y_pred: Any,
               num_classes: int | None, **kwargs):
    t, p, n = _encode(y_true, y_pred, num_classes, metric)
    return _prfs_from_confusion(_confusion_counts(t, p, n), metric=metric,
                                warn_for=(warn_for,), **kwargs)[which]


def precision(y_true: Any, y_pred: Any, *, average: str | None = "binary", pos_label: int = 1,
              labels: Sequence[int] | None = None, zero_division: Any = "warn",
              num_classes: int | None = None) -> float | np.ndarray:
    """tp / (tp + fp). Shapes and arguments as in :func:`precision_recall_fscore_support`.

    >>> precision([0, 1, 2, 2], [0, 2, 2, 2], average="macro", zero_division=0)
    0.5555555555555555
    """
    return _one_score(0, "precision", "precision", y_true, y_pred, average=average,
                      pos_label=pos_label, labels=labels, zero_division=zero_division,
                      num_classes=num_classes)


def recall(y_true: Any, y_pred: Any, *, average: str | None = "binary", pos_label: int = 1,
           labels: Sequence[int] | None = None, zero_division: Any = "warn",
           num_classes: int | None = None) -> float | np.ndarray:
    """tp / (tp + fn). Shapes and arguments as in :func:`precision_recall_fscore_support`."""
    return _one_score(1, "recall", "recall", y_true, y_pred, average=average,
                      pos_label=pos_label, labels=labels, zero_division=zero_division,
                      num_classes=num_classes)


def f1_score(y_true: Any, y_pred: Any, *, average: str | None = "binary", pos_label: int = 1,
             labels: Sequence[int] | None = None, zero_division: Any = "warn",
             num_classes: int | None = None) -> float | np.ndarray:
    """2 tp / (2 tp + fp + fn). Shapes and arguments as in
    :func:`precision_recall_fscore_support`.

    >>> f1_score([0, 1, 1, 0], [0, 1, 0, 0])
    0.6666666666666666
    """
    return _one_score(2, "f1_score", "f-score", y_true, y_pred, average=average,
                      pos_label=pos_label, labels=labels, zero_division=zero_division,
                      num_classes=num_classes)
