"""Evaluation metrics: functional (``accuracy(y_true, y_pred)``) and stateful (``Accuracy()``).

Functional metrics take ``(y_true, y_pred)`` like scikit-learn; stateful ones accumulate batches
with ``update(preds, target)`` like PyTorch metrics. Inputs may be NumPy arrays, lists or Tensors.

>>> m = get_metric("f1")
>>> m.update([0, 1, 1], [0, 1, 0]); round(m.compute(), 4)
0.6667
"""
from __future__ import annotations

from typing import Any

from ._utils import UndefinedMetricWarning
from .classification import (accuracy, confusion_matrix, f1_score, precision,
                             precision_recall_fscore_support, recall)
from .probabilistic import log_loss
from .ranking import roc_auc_score, roc_curve
from .regression import mean_absolute_error, mean_squared_error, r2_score
from .stateful import (ROCAUC, Accuracy, ConfusionMatrix, F1Score, LogLoss, Mean,
                       MeanAbsoluteError, MeanSquaredError, Metric, Precision, R2Score, Recall)

METRICS: dict[str, type[Metric]] = {
    "accuracy": Accuracy,
    "precision": Precision,
    "recall": Recall,
    "f1": F1Score,
    "f1_score": F1Score,
    "auc": ROCAUC,
    "roc_auc": ROCAUC,
    "log_loss": LogLoss,
    "mse": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "r2": R2Score,
    "confusion_matrix": ConfusionMatrix,
    "mean": Mean,
}


def get_metric(name: str | Metric, **kwargs: Any) -> Metric:
    """A fresh stateful metric from its name ('accuracy', 'f1', 'auc', 'mse', ...).

    ``kwargs`` go to the metric's constructor, e.g. ``get_metric('accuracy', top_k=5)``. A
    ``Metric`` instance is returned unchanged. Unknown names raise ValueError listing valid ones.
    """
    if isinstance(name, Metric):
        return name
    key = name.lower().strip() if isinstance(name, str) else name
    if key not in METRICS:
        raise ValueError(f"get_metric: unknown metric {name!r}; valid names are "
                         f"{', '.join(sorted(METRICS))}")
    return METRICS[key](**kwargs)


__all__ = [
    "Accuracy", "ConfusionMatrix", "F1Score", "LogLoss", "METRICS", "Mean", "MeanAbsoluteError",
    "MeanSquaredError", "Metric", "Precision", "R2Score", "ROCAUC", "Recall",
    "UndefinedMetricWarning", "accuracy", "confusion_matrix", "f1_score", "get_metric",
    "log_loss", "mean_absolute_error", "mean_squared_error", "precision",
    "precision_recall_fscore_support", "r2_score", "recall", "roc_auc_score", "roc_curve",
]
