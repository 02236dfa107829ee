"""Stateful metrics over batches equal the functional metrics on the concatenated data."""
import ast
import pathlib
import warnings

import numpy as np
import pytest

import retrograd.metrics as M

SEEDS = [0, 1, 2]


class FakeTensor:
    """Stands in for a Tensor: only ``numpy()``, no array protocol."""

    def __init__(self, data):
        self._data = np.asarray(data)

    def numpy(self):
        return self._data

    def __array__(self, *args, **kwargs):  # pragma: no cover - must not be used
        raise AssertionError("metrics must call .numpy(), not np.asarray(tensor)")


def batches(seed, *arrays, wrap=False):
    """Split arrays along axis 0 into 3 to 5 uneven batches."""
    rng = np.random.default_rng(seed)
    n = arrays[0].shape[0]
    cuts = np.sort(rng.choice(np.arange(1, n), size=rng.integers(2, 5), replace=False))
    parts = zip(*(np.split(a, cuts) for a in arrays))
    return [tuple(FakeTensor(p) for p in part) if wrap else part for part in parts]


def run(metric, seed, preds, target, wrap=True):
    for p, t in batches(seed, preds, target, wrap=wrap):
        metric.update(p, t)
    return metric.compute()


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def classification_data(seed, c, n=60):
    rng = np.random.default_rng(seed)
    y = np.r_[np.arange(c), rng.integers(0, c, n - c)]
    scores = rng.normal(size=(n, c)) + np.eye(c)[y]
    return y, scores


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("top_k", [1, 2])
def test_accuracy_batches(seed, top_k):
    y, scores = classification_data(seed, 4)
    acc = M.Accuracy(top_k=top_k)
    assert run(acc, seed, scores, y) == pytest.approx(M.accuracy(y, scores, top_k=top_k))
    assert acc.name == ("accuracy" if top_k == 1 else "top2_accuracy")
    labels_acc = M.Accuracy()
    assert run(labels_acc, seed, scores.argmax(1), y, wrap=False) == pytest.approx(
        M.accuracy(y, scores.argmax(1)))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("c,average", [(c, a) for c in (2, 4)
                                       for a in (None, "micro", "macro", "weighted")] + [
    (2, "binary")])
@pytest.mark.parametrize("num_classes", [None, 6])
def test_precision_recall_f1_batches(seed, c, average, num_classes):
    y, scores = classification_data(seed, c)
    for cls, fn in [(M.Precision, M.precision), (M.Recall, M.recall), (M.F1Score, M.f1_score)]:
        metric = cls(average=average, num_classes=num_classes, zero_division=0)
        expected = fn(y, scores, average=average, zero_division=0)
        np.testing.assert_allclose(run(metric, seed, scores, y), expected)


def test_confusion_matrix_grows_with_classes_seen():
    cm = M.ConfusionMatrix()
    cm.update([0, 1, 1], [0, 1, 0])
    cm.update(np.array([[0.1, 0.2, 0.7]]), [3])  # scores; class 3 first seen here
    expected = M.confusion_matrix([0, 1, 0, 3], [0, 1, 1, 2])
    np.testing.assert_array_equal(cm.compute(), expected)
    assert cm.compute().shape == (4, 4)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("normalize", [None, "true"])
def test_confusion_matrix_batches(seed, normalize):
    y, scores = classification_data(seed, 5)
    cm = M.ConfusionMatrix(num_classes=5, normalize=normalize)
    np.testing.assert_allclose(run(cm, seed, scores, y),
                               M.confusion_matrix(y, scores, num_classes=5, normalize=normalize))


@pytest.mark.parametrize("seed", SEEDS)
def test_rocauc_and_log_loss_batches(seed):
    y, scores = classification_data(seed, 3)
    probs = softmax(scores)
    auc = M.ROCAUC(average="weighted")
    assert run(auc, seed, probs, y) == pytest.approx(M.roc_auc_score(y, probs, average="weighted"))
    assert run(M.LogLoss(), seed, probs, y) == pytest.approx(M.log_loss(y, probs))
    yb = (y == 1).astype(int)
    assert run(M.ROCAUC(), seed, probs[:, 1], yb) == pytest.approx(
        M.roc_auc_score(yb, probs[:, 1]))
    assert run(M.LogLoss(), seed, probs[:, 1], yb) == pytest.approx(M.log_loss(yb, probs[:, 1]))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("outputs", [None, 3])
@pytest.mark.parametrize("multioutput", ["uniform_average", "raw_values"])
def test_regression_batches(seed, outputs, multioutput):
    rng = np.random.default_rng(seed)
    shape = (50,) if outputs is None else (50, outputs)
    y = 100.0 + rng.normal(size=shape)  # offset: the R² merge must not cancel catastrophically
    yhat = y + 0.3 * rng.normal(size=shape)
    for cls, fn in [(M.MeanSquaredError, M.mean_squared_error),
                    (M.MeanAbsoluteError, M.mean_absolute_error), (M.R2Score, M.r2_score)]:
        got = run(cls(multioutput=multioutput), seed, yhat, y)
        np.testing.assert_allclose(got, fn(y, yhat, multioutput=multioutput), rtol=1e-10)


def test_mean_weighted_by_batch_size():
    mean = M.Mean(name="loss")
    mean.update(FakeTensor(2.0), weight=3)
    mean.update(4.0, weight=1)
    assert mean.compute() == pytest.approx((2 * 3 + 4) / 4)
    mean.update(np.array([1.0, 1.0]))  # per-sample values: each counts once
    assert mean.compute() == pytest.approx((6 + 4 + 2) / 6)
    assert mean.name == "loss"
    mean.reset()
    with pytest.raises(RuntimeError, match=r"Mean.compute\(\) called before any update"):
        mean.compute()


def test_reset_forgets_state():
    acc = M.Accuracy()
    acc.update([0, 0], [1, 1])
    acc.reset()
    acc.update([1, 1], [1, 1])
    assert acc.compute() == 1.0
    f1 = M.F1Score()
    f1.update([0, 1, 2], [2, 1, 0])
    f1.reset()
    f1.update([0, 1], [0, 1])
    assert f1.compute() == 1.0


@pytest.mark.parametrize("name,cls,column", [
    ("accuracy", M.Accuracy, "accuracy"), ("precision", M.Precision, "precision"),
    ("recall", M.Recall, "recall"), ("f1", M.F1Score, "f1"), ("auc", M.ROCAUC, "roc_auc"),
    ("roc_auc", M.ROCAUC, "roc_auc"), ("log_loss", M.LogLoss, "log_loss"),
    ("mse", M.MeanSquaredError, "mse"), ("MAE", M.MeanAbsoluteError, "mae"),
    ("r2", M.R2Score, "r2"),
])
def test_get_metric(name, cls, column):
    first, second = M.get_metric(name), M.get_metric(name)
    assert type(first) is cls and first is not second
    assert first.name == column


def test_get_metric_kwargs_and_unknown_name():
    assert M.get_metric("accuracy", top_k=5).top_k == 5
    with pytest.raises(ValueError, match=r"unknown metric 'acuracy'.*accuracy, auc,.*r2"):
        M.get_metric("acuracy")


def test_compute_before_update_raises():
    for name in ["accuracy", "f1", "auc", "log_loss", "mse", "r2"]:
        with pytest.raises(RuntimeError, match="called before any update"):
            M.get_metric(name).compute()


@pytest.mark.parametrize("call", [
    lambda: M.accuracy([0, 1, 1], [0, 1]),
    lambda: M.f1_score([0, 1, 1], np.zeros((2, 3))),
    lambda: M.confusion_matrix([0, 1, 1], [0, 1]),
    lambda: M.roc_auc_score([0, 1, 1], [0.1, 0.2]),
    lambda: M.log_loss([0, 1, 1], [0.1, 0.2]),
    lambda: M.r2_score([0.0, 1.0, 1.0], [0.1, 0.2]),
])
def test_length_mismatch_names_metric_and_shapes(call):
    with pytest.raises(ValueError, match=r"^\w+: y_true and y_\w+ must have the same number of "
                                         r"samples, got y_true shape \(3,\) and y_\w+ shape \(2"):
        call()


def test_stateful_errors_name_the_update():
    with pytest.raises(ValueError, match=r"Accuracy.update: target and preds .* target shape "
                                         r"\(2,\) and preds shape \(3, 4\)"):
        M.Accuracy().update(np.zeros((3, 4)), [0, 1])
    with pytest.raises(ValueError, match="found class 3 but num_classes=3"):
        M.F1Score(num_classes=3).update([0, 3], [0, 1])
    with pytest.raises(ValueError, match="average must be one of"):
        M.Precision(average="sample")
    mse = M.MeanSquaredError()
    mse.update(np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="got 2 outputs"):
        mse.update(np.zeros((2, 2)), np.zeros((2, 2)))


def test_ambiguous_inputs_are_refused():
    with pytest.raises(ValueError, match="top_k=2 needs \\(N, C\\) scores"):
        M.accuracy([0, 1], [0, 1], top_k=2)
    with pytest.raises(ValueError, match="single score column is ambiguous"):
        M.accuracy([0, 1], [[0.2], [0.9]])
    with pytest.raises(ValueError, match="integer class indices"):
        M.confusion_matrix([0.5, 1.0], [0, 1])


def test_real_tensor_inputs():
    import retrograd as rg

    preds, target = rg.tensor([[0.2, 0.8], [0.9, 0.1], [0.3, 0.7]]), rg.tensor([1, 1, 1])
    assert M.accuracy(target, preds) == pytest.approx(2 / 3)
    acc = M.Accuracy()
    acc.update(preds, target)
    assert acc.compute() == pytest.approx(2 / 3)


def test_package_imports_neither_sklearn_nor_tensor():
    root = pathlib.Path(M.__file__).parent
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert not name.startswith("sklearn"), f"{path.name} imports {name}"
                assert "tensor" not in name, f"{path.name} imports {name} at module level"


def test_warnings_point_at_caller():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        M.precision([0, 1], [0, 0])
    assert caught and caught[0].filename == __file__
