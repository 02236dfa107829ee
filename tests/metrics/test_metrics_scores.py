"""ROC curve, ROC AUC, log loss and regression metrics against scikit-learn (oracle)."""
import warnings

import numpy as np
import pytest

from retrograd.metrics import (log_loss, mean_absolute_error, mean_squared_error, r2_score,
                               roc_auc_score, roc_curve)

skm = pytest.importorskip("sklearn.metrics")

SEEDS = [0, 1, 2]


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def binary_scores(seed, n=60, ties=False):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    s = y * 0.7 + rng.normal(size=n)
    return y, (np.round(s, 1) if ties else s)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("drop", [True, False])
def test_roc_curve_matches_sklearn(seed, ties, drop):
    y, s = binary_scores(seed, ties=ties)
    got = roc_curve(y, s, drop_intermediate=drop)
    expected = skm.roc_curve(y, s, drop_intermediate=drop)
    for g, e in zip(got, expected):
        assert g.shape == e.shape
        np.testing.assert_allclose(g, e)


def test_roc_curve_pos_label_and_multiclass_truth():
    rng = np.random.default_rng(4)
    y = rng.integers(1, 4, 50)  # labels {1, 2, 3}; class 2 vs rest
    s = rng.random(50)
    for g, e in zip(roc_curve(y, s, pos_label=2), skm.roc_curve(y, s, pos_label=2)):
        np.testing.assert_allclose(g, e)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("ties", [False, True])
def test_binary_roc_auc_matches_sklearn(seed, ties):
    y, s = binary_scores(seed, ties=ties)
    expected = skm.roc_auc_score(y, s)
    assert roc_auc_score(y, s) == pytest.approx(expected)
    assert roc_auc_score(y + 3, s) == pytest.approx(expected)  # larger label is positive
    two_col = np.stack([1 - s, s], axis=1)
    assert roc_auc_score(y, two_col) == pytest.approx(expected)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("c", [3, 5])
@pytest.mark.parametrize("average", ["macro", "weighted", "micro", None])
def test_multiclass_ovr_roc_auc_matches_sklearn(seed, c, average):
    rng = np.random.default_rng(seed)
    y = np.r_[np.arange(c), rng.integers(0, c, 80)]  # every class present
    p = softmax(rng.normal(size=(y.size, c)) + 1.5 * np.eye(c)[y])
    expected = skm.roc_auc_score(y, p, multi_class="ovr", average=average)
    np.testing.assert_allclose(roc_auc_score(y, p, average=average), expected)


def test_roc_auc_errors():
    with pytest.raises(ValueError, match="Only one class present in y_true"):
        roc_auc_score([1, 1, 1], [0.2, 0.5, 0.9])
    with pytest.raises(ValueError, match="Only one class present in y_true"):
        roc_auc_score([2, 2, 2], softmax(np.zeros((3, 3))))
    with pytest.raises(ValueError, match="sum up to 1.0"):
        roc_auc_score([0, 1, 2], np.eye(3) * 5)
    with pytest.raises(ValueError, match=r"classes \[2\] never occur"):
        roc_auc_score([0, 1, 0, 1], softmax(np.zeros((4, 3))))
    with pytest.raises(ValueError, match="3 classes"):
        roc_auc_score([0, 1, 2], [0.1, 0.5, 0.9])


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("c", [3, 4])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_multiclass_log_loss_matches_sklearn(seed, c, dtype):
    rng = np.random.default_rng(seed)
    y = np.r_[np.arange(c), rng.integers(0, c, 50)]
    p = softmax(3 * rng.normal(size=(y.size, c))).astype(dtype)
    p[0] = np.eye(c)[1]  # a confident mistake: clipping keeps the loss finite
    p = p / p.sum(axis=1, keepdims=True)
    for normalize in [True, False]:
        expected = skm.log_loss(y, p, normalize=normalize)
        assert log_loss(y, p, normalize=normalize) == pytest.approx(expected, rel=1e-5)
    labels = [2, 5, 7, 9][:c]  # non-contiguous labels map to sorted columns
    mapped = np.asarray(labels)[y]
    assert log_loss(mapped, p, labels=labels) == pytest.approx(
        skm.log_loss(mapped, p, labels=labels), rel=1e-5)


@pytest.mark.parametrize("seed", SEEDS)
def test_binary_log_loss_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    y = np.r_[0, 1, rng.integers(0, 2, 40)]
    p = rng.random(y.size)
    p[:2] = [1.0, 0.0]  # certain and wrong
    assert log_loss(y, p) == pytest.approx(skm.log_loss(y, p))
    assert log_loss(y * 2 - 1, p) == pytest.approx(skm.log_loss(y * 2 - 1, p))  # labels {-1, 1}


def test_log_loss_column_means_class_and_errors():
    p = np.array([[0.2, 0.3, 0.5], [0.1, 0.8, 0.1]])
    # y_true lacks class 0, yet column k still belongs to class k
    assert log_loss([2, 1], p) == pytest.approx(-(np.log(0.5) + np.log(0.8)) / 2)
    with pytest.raises(ValueError, match="probabilities in \\[0, 1\\]"):
        log_loss([0, 1], [[2.0, -1.0], [0.5, 0.5]])
    with pytest.raises(ValueError, match="class 3 but y_pred has only 3"):
        log_loss([3, 1], p)
    with pytest.warns(UserWarning, match="do not sum to one"):
        log_loss([0, 1], [[0.5, 0.2], [0.5, 0.2]])


def regression_data(seed, outputs):
    rng = np.random.default_rng(seed)
    shape = (30,) if outputs is None else (30, outputs)
    y = rng.normal(size=shape)
    return y, y + 0.5 * rng.normal(size=shape)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("outputs,multioutput", [  # output weights need several outputs
    (o, m) for o in (None, 1, 3) for m in ("uniform_average", "raw_values")] + [(3, "weights")])
def test_regression_metrics_match_sklearn(seed, outputs, multioutput):
    y, yhat = regression_data(seed, outputs)
    if multioutput == "weights":
        multioutput = np.arange(1.0, outputs + 1)
    for ours, theirs in [(mean_squared_error, skm.mean_squared_error),
                         (mean_absolute_error, skm.mean_absolute_error),
                         (r2_score, skm.r2_score)]:
        np.testing.assert_allclose(ours(y, yhat, multioutput=multioutput),
                                   theirs(y, yhat, multioutput=multioutput))


@pytest.mark.parametrize("force_finite", [True, False])
@pytest.mark.parametrize("multioutput", ["uniform_average", "raw_values", "variance_weighted"])
def test_r2_constant_targets_match_sklearn(force_finite, multioutput):
    y = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 1.0], [1.0, 2.0, 2.0]])
    yhat = np.array([[1.0, 2.5, 3.0], [1.0, 2.0, 1.5], [1.0, 2.0, 2.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = skm.r2_score(y, yhat, multioutput=multioutput, force_finite=force_finite)
        got = r2_score(y, yhat, multioutput=multioutput, force_finite=force_finite)
    np.testing.assert_allclose(got, expected, equal_nan=True)


def test_regression_shape_errors():
    with pytest.raises(ValueError, match=r"mean_squared_error.*\(3, 2\).*\(3, 1\)"):
        mean_squared_error(np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="multioutput weights must have shape"):
        mean_absolute_error(np.zeros((3, 2)), np.zeros((3, 2)), multioutput=[1.0])
