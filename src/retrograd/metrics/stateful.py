"""Metrics accumulated over batches: ``update(preds, target)`` per batch, then ``compute()``.

``compute()`` after several updates equals the functional metric on the concatenated batches.
Most metrics keep sufficient statistics (counts, sums, a confusion matrix); only ``ROCAUC`` stores
its inputs. Classification preds may be labels (N,) or scores/logits (N, C) (argmax taken).

>>> acc = Accuracy()
>>> acc.update([[0.1, 0.9], [0.8, 0.2]], [1, 1])
>>> acc.update([1, 0], [1, 0])
>>> acc.compute()
0.75
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ._utils import _check_zero_division, _pair, _to_numpy
from .classification import (AVERAGES, _accuracy_hits, _check_top_k, _confusion_counts, _encode,
                             _normalize_confusion, _prfs_from_confusion)
from .probabilistic import log_loss
from .ranking import roc_auc_score
from .regression import MultiOutput, _combine, _outputs, _r2_from_sums

_NAMES = ("target", "preds")


class Metric:
    """Base class. Subclasses define ``reset`` (clear state), ``update`` and ``compute``.

    ``name`` is a short column name ('accuracy', 'f1', ...); ``higher_is_better`` says which
    way improves (None when the result is not a score).
    """

    name: str = "metric"
    higher_is_better: bool | None = True

    def __init__(self, name: str | None = None) -> None:
        if name is not None:
            self.name = name
        self.reset()

    def reset(self) -> None:
        """Forget everything seen so far."""
        raise NotImplementedError

    def update(self, preds: Any, target: Any) -> None:
        """Accumulate one batch: preds (N, ...) and target (N, ...)."""
        raise NotImplementedError

    def compute(self) -> Any:
        """The metric over every batch since the last ``reset``."""
        raise NotImplementedError

    def _where(self) -> str:
        return f"{type(self).__name__}.update"

    def _require(self, seen: bool) -> None:
        if not seen:
            raise RuntimeError(f"{type(self).__name__}.compute() called before any update()")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class Accuracy(Metric):
    """Fraction of correct predictions; with (N, C) scores, true class within the ``top_k``."""

    def __init__(self, top_k: int = 1, name: str | None = None) -> None:
        _check_top_k(top_k, "Accuracy")
        self.top_k = int(top_k)
        super().__init__(name or ("accuracy" if top_k == 1 else f"top{top_k}_accuracy"))

    def reset(self) -> None:
        self.correct, self.total = 0, 0

    def update(self, preds: Any, target: Any) -> None:
        """preds: (N,) labels or (N, C) scores; target: (N,) class labels."""
        t, p = _pair(self._where(), target, preds, _NAMES)
        hits = _accuracy_hits(t, p, self.top_k, self._where(), _NAMES)
        self.correct += int(hits.sum())
        self.total += hits.size

    def compute(self) -> float:
        self._require(self.total > 0)
        return self.correct / self.total


class _ConfusionBased(Metric):
    """Accumulates a (K, K) confusion matrix; K grows with the classes seen unless fixed."""

    def __init__(self, num_classes: int | None = None, name: str | None = None) -> None:
        if num_classes is not None and num_classes < 1:
            raise ValueError(f"{type(self).__name__}: num_classes must be >= 1, got {num_classes}")
        self.num_classes = num_classes
        super().__init__(name)

    def reset(self) -> None:
        k = self.num_classes or 0
        self.confmat = np.zeros((k, k), dtype=np.int64)
        self.seen = 0

    def update(self, preds: Any, target: Any) -> None:
        """preds: (N,) class indices or (N, C) scores; target: (N,) class indices."""
        t, p, k = _encode(target, preds, self.num_classes, self._where(), _NAMES)
        grow = k - self.confmat.shape[0]
        if grow > 0:
            self.confmat = np.pad(self.confmat, ((0, grow), (0, grow)))
        self.confmat += _confusion_counts(t, p, self.confmat.shape[0])
        self.seen += t.size


class ConfusionMatrix(_ConfusionBased):
    """(K, K) counts, rows = true class, columns = predicted; see ``confusion_matrix``."""

    name = "confusion_matrix"
    higher_is_better = None

    def __init__(self, num_classes: int | None = None, normalize: str | None = None,
                 name: str | None = None) -> None:
        _normalize_confusion(np.zeros((1, 1)), normalize, "ConfusionMatrix")  # validates
        self.normalize = normalize
        super().__init__(num_classes, name)

    def compute(self) -> np.ndarray:
        self._require(self.seen > 0)
        return _normalize_confusion(self.confmat.copy(), self.normalize, "ConfusionMatrix")


class _PRF(_ConfusionBased):
    _which = 0
    _warn_for = "precision"

    def __init__(self, average: str | None = "macro", num_classes: int | None = None,
                 pos_label: int = 1, zero_division: Any = "warn", name: str | None = None) -> None:
        if average not in AVERAGES:
            raise ValueError(f"{type(self).__name__}: average must be one of {AVERAGES}, "
                             f"got {average!r}")
        _check_zero_division(zero_division, type(self).__name__)
        self.average, self.pos_label, self.zero_division = average, pos_label, zero_division
        super().__init__(num_classes, name)

    def compute(self) -> float | np.ndarray:
        """A float, or per-class (L,) array when ``average`` is None."""
        self._require(self.seen > 0)
        out = _prfs_from_confusion(self.confmat, average=self.average, pos_label=self.pos_label,
                                   zero_division=self.zero_division,
                                   metric=f"{type(self).__name__}.compute",
                                   warn_for=(self._warn_for,))
        return out[self._which]


class Precision(_PRF):
    """tp / (tp + fp), averaged as ``average`` says (default 'macro'); see ``precision``."""

    name = "precision"


class Recall(_PRF):
    """tp / (tp + fn), averaged as ``average`` says (default 'macro'); see ``recall``."""

    name = "recall"
    _which, _warn_for = 1, "recall"


class F1Score(_PRF):
    """Harmonic mean of precision and recall (default average 'macro'); see ``f1_score``."""

    name = "f1"
    _which, _warn_for = 2, "f-score"


class ROCAUC(Metric):
    """Area under the ROC curve over all batches (stores the scores); see ``roc_auc_score``.

    preds: (N,) positive-class scores or (N, C) class probabilities; target: (N,) labels.
    """

    name = "roc_auc"

    def __init__(self, average: str | None = "macro", name: str | None = None) -> None:
        self.average = average
        super().__init__(name)

    def reset(self) -> None:
        self.scores: list[np.ndarray] = []
        self.targets: list[np.ndarray] = []

    def update(self, preds: Any, target: Any) -> None:
        t, s = _pair(self._where(), target, preds, _NAMES)
        if self.scores and s.shape[1:] != self.scores[0].shape[1:]:
            raise ValueError(f"{self._where()}: preds shape {s.shape} does not match the "
                             f"shape {self.scores[0].shape} of the first batch beyond axis 0")
        self.scores.append(np.array(s, copy=True))
        self.targets.append(np.array(t, copy=True))

    def compute(self) -> float | np.ndarray:
        self._require(bool(self.scores))
        return roc_auc_score(np.concatenate(self.targets), np.concatenate(self.scores),
                             average=self.average)


class LogLoss(Metric):
    """Mean negative log-likelihood of the true class; see ``log_loss`` for shapes and eps."""

    name = "log_loss"
    higher_is_better = False

    def __init__(self, eps: float | str = "auto", labels: Sequence | None = None,
                 name: str | None = None) -> None:
        self.eps, self.labels = eps, labels
        super().__init__(name)

    def reset(self) -> None:
        self.total, self.count = 0.0, 0

    def update(self, preds: Any, target: Any) -> None:
        """preds: (N, C) or (N,) probabilities; target: (N,) labels."""
        t, p = _pair(self._where(), target, preds, _NAMES)
        self.total += log_loss(t, p, eps=self.eps, normalize=False, labels=self.labels)
        self.count += t.shape[0]

    def compute(self) -> float:
        self._require(self.count > 0)
        return self.total / self.count


class _Regression(Metric):
    """Keeps per-output (D,) running sums of a pointwise error."""

    higher_is_better = False

    def __init__(self, multioutput: MultiOutput = "uniform_average",
                 name: str | None = None) -> None:
        self.multioutput = multioutput
        super().__init__(name)

    def reset(self) -> None:
        self.sums: np.ndarray | None = None
        self.count = 0

    def _batch(self, preds: Any, target: Any) -> tuple[np.ndarray, np.ndarray]:
        t, p = _outputs(self._where(), target, preds, _NAMES)
        if self.sums is not None and self.sums.shape[0] != t.shape[1]:
            raise ValueError(f"{self._where()}: got {t.shape[1]} outputs (shape {t.shape}) after "
                             f"batches with {self.sums.shape[0]}")
        return t, p

    def _error(self, diff: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def update(self, preds: Any, target: Any) -> None:
        """preds, target: (N,) or (N, D)."""
        t, p = self._batch(preds, target)
        batch = self._error(t - p).sum(axis=0)
        self.sums = batch if self.sums is None else self.sums + batch
        self.count += t.shape[0]

    def compute(self) -> float | np.ndarray:
        self._require(self.count > 0)
        return _combine(self.sums / self.count, self.multioutput, self.name)


class MeanSquaredError(_Regression):
    """Mean of (target - preds)²; see ``mean_squared_error``."""

    name = "mse"

    def _error(self, diff: np.ndarray) -> np.ndarray:
        return diff * diff


class MeanAbsoluteError(_Regression):
    """Mean of |target - preds|; see ``mean_absolute_error``."""

    name = "mae"

    def _error(self, diff: np.ndarray) -> np.ndarray:
        return np.abs(diff)


class R2Score(_Regression):
    """Coefficient of determination; see ``r2_score``.

    Keeps the count, the running mean and the sum of squared deviations of the target (merged
    batch by batch, Chan et al.), and the residual sum of squares, all per output.
    """

    name = "r2"
    higher_is_better = True

    def __init__(self, multioutput: MultiOutput = "uniform_average", force_finite: bool = True,
                 name: str | None = None) -> None:
        self.force_finite = force_finite
        super().__init__(multioutput, name)

    def reset(self) -> None:
        super().reset()
        self.mean: np.ndarray | None = None
        self.m2: np.ndarray | None = None

    def update(self, preds: Any, target: Any) -> None:
        """preds, target: (N,) or (N, D)."""
        t, p = self._batch(preds, target)
        n_b, mean_b = t.shape[0], t.mean(axis=0)
        m2_b = np.sum((t - mean_b) ** 2, axis=0)
        res_b = np.sum((t - p) ** 2, axis=0)
        if self.sums is None:
            self.sums, self.mean, self.m2, self.count = res_b, mean_b, m2_b, n_b
            return
        total = self.count + n_b
        delta = mean_b - self.mean
        self.mean = self.mean + delta * (n_b / total)
        self.m2 = self.m2 + m2_b + delta**2 * (self.count * n_b / total)
        self.sums = self.sums + res_b
        self.count = total

    def compute(self) -> float | np.ndarray:
        self._require(self.count > 0)
        return _r2_from_sums(self.sums, self.m2, self.count, self.multioutput, self.force_finite)


class Mean(Metric):
    """Running (weighted) mean of a scalar such as the loss.

    ``update(value)`` with a scalar counts it once; with an array (e.g. per-sample losses) each
    element counts once; ``update(value, weight=batch_size)`` weights the value's mean.
    """

    name = "mean"
    higher_is_better = False

    def reset(self) -> None:
        self.total, self.weight = 0.0, 0.0

    def update(self, value: Any, weight: float | None = None) -> None:  # type: ignore[override]
        v = _to_numpy(value).astype(np.float64)
        if weight is None:
            self.total += float(v.sum())
            self.weight += v.size
            return
        if weight < 0:
            raise ValueError(f"Mean.update: weight must be >= 0, got {weight}")
        if v.size == 0:
            raise ValueError("Mean.update: got an empty value with a weight")
        self.total += float(v.mean()) * float(weight)
        self.weight += float(weight)

    def compute(self) -> float:
        self._require(self.weight > 0)
        return self.total / self.weight
