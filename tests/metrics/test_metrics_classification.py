"""Label-based classification metrics against scikit-learn (oracle) and NumPy references."""
import warnings

import numpy as np
import pytest

from retrograd.metrics import (UndefinedMetricWarning, accuracy, confusion_matrix, f1_score,
                               precision, precision_recall_fscore_support, recall)

skm = pytest.importorskip("sklearn.metrics")

SEEDS = [0, 1, 2]
CLASSES = [2, 3, 5]
ZERO_DIVISIONS = ["warn", 0.0, 1.0, np.nan]


def make_labels(seed, c, n=40, pred_classes=None):
    """y_true over c classes; y_pred over ``pred_classes`` (fewer => some never predicted)."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, c, n)
    y_pred = np.where(rng.random(n) < 0.5, y_true, rng.integers(0, pred_classes or c, n))
    return y_true, y_pred


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("c", CLASSES)
def test_accuracy_labels_matches_sklearn(seed, c):
    y_true, y_pred = make_labels(seed, c)
    assert accuracy(y_true, y_pred) == pytest.approx(skm.accuracy_score(y_true, y_pred))
    assert accuracy(list(y_true), list(y_pred)) == pytest.approx(skm.accuracy_score(y_true, y_pred))


def topk_reference(y_true, scores, k):
    """True class among the k best of a stable descending sort (ties: lower index first)."""
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return float(np.mean((order == y_true[:, None]).any(axis=1)))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k", [1, 2, 3, 6])
@pytest.mark.parametrize("ties", [False, True])
def test_topk_accuracy_matches_numpy(seed, k, ties):
    rng = np.random.default_rng(seed)
    scores = rng.normal(size=(60, 6))
    if ties:
        scores = np.round(scores)  # many equal scores per row
    y_true = rng.integers(0, 6, 60)
    assert accuracy(y_true, scores, top_k=k) == pytest.approx(topk_reference(y_true, scores, k))
    if not ties and k < 6:
        expected = skm.top_k_accuracy_score(y_true, scores, k=k, labels=np.arange(6))
        assert accuracy(y_true, scores, top_k=k) == pytest.approx(expected)


def test_top1_accuracy_on_scores_equals_argmax_accuracy():
    rng = np.random.default_rng(3)
    scores = np.round(rng.normal(size=(50, 4)))  # ties: argmax picks the first maximum
    y_true = rng.integers(0, 4, 50)
    assert accuracy(y_true, scores) == pytest.approx(np.mean(scores.argmax(1) == y_true))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("c", CLASSES)
@pytest.mark.parametrize("normalize", [None, "true", "pred", "all"])
def test_confusion_matrix_matches_sklearn(seed, c, normalize):
    y_true, y_pred = make_labels(seed, c, pred_classes=max(1, c - 1))
    expected = quiet(skm.confusion_matrix, y_true, y_pred, labels=np.arange(c),
                     normalize=normalize)
    got = confusion_matrix(y_true, y_pred, num_classes=c, normalize=normalize)
    np.testing.assert_allclose(got, expected)
    assert got.shape == (c, c)


def test_confusion_matrix_from_scores_and_inferred_size():
    scores = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8], [0.6, 0.3, 0.1]])
    got = confusion_matrix([0, 1, 2, 2], scores)
    np.testing.assert_array_equal(got, [[1, 0, 0], [0, 1, 0], [1, 0, 1]])
    assert confusion_matrix([0, 3], [0, 1]).shape == (4, 4)  # largest class seen + 1


CLASS_AVERAGES = [(c, a) for c in CLASSES for a in [None, "micro", "macro", "weighted"]] + [
    (2, "binary")]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("c,average", CLASS_AVERAGES)
@pytest.mark.parametrize("zero_division", ZERO_DIVISIONS)
def test_precision_recall_f1_match_sklearn(seed, c, average, zero_division):
    # some classes never predicted (and, with 5 classes over 12 samples, possibly never true)
    y_true, y_pred = make_labels(seed, c, n=12, pred_classes=max(1, c - 1))
    kw = dict(average=average, zero_division=zero_division)
    for ours, theirs in [(precision, skm.precision_score), (recall, skm.recall_score),
                         (f1_score, skm.f1_score)]:
        np.testing.assert_allclose(quiet(ours, y_true, y_pred, **kw),
                                   quiet(theirs, y_true, y_pred, **kw), equal_nan=True)
    got = quiet(precision_recall_fscore_support, y_true, y_pred, **kw)
    expected = quiet(skm.precision_recall_fscore_support, y_true, y_pred, **kw)
    for g, e in zip(got, expected):
        if e is None:
            assert g is None
        else:
            np.testing.assert_allclose(g, e, equal_nan=True)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("beta", [0.0, 0.5, 2.0, np.inf])
def test_fbeta_support_and_labels_match_sklearn(seed, beta):
    y_true, y_pred = make_labels(seed, 4, n=30)
    labels = [3, 1, 6]  # order kept, class 6 never occurs
    for average in [None, "macro", "micro"]:
        got = quiet(precision_recall_fscore_support, y_true, y_pred, beta=beta, labels=labels,
                    average=average)
        expected = quiet(skm.precision_recall_fscore_support, y_true, y_pred, beta=beta,
                         labels=labels, average=average)
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g if g is not None else np.nan,
                                       e if e is not None else np.nan, equal_nan=True)


@pytest.mark.parametrize("y_true,y_pred,pos_label", [
    ([0, 0, 0, 0], [0, 0, 0, 0], 1),  # positive class absent everywhere
    ([1, 2, 2, 1, 2], [2, 2, 1, 1, 2], 2),  # labels {1, 2}
    ([0, 1, 1, 0, 1], [1, 1, 0, 0, 1], 0),
])
def test_binary_edge_cases_match_sklearn(y_true, y_pred, pos_label):
    for ours, theirs in [(precision, skm.precision_score), (recall, skm.recall_score),
                         (f1_score, skm.f1_score)]:
        assert quiet(ours, y_true, y_pred, pos_label=pos_label) == pytest.approx(
            quiet(theirs, y_true, y_pred, pos_label=pos_label))


def test_scores_are_argmaxed_for_prf():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(30, 3))
    y_true = rng.integers(0, 3, 30)
    assert f1_score(y_true, scores, average="macro") == pytest.approx(
        skm.f1_score(y_true, scores.argmax(1), average="macro"))


def test_zero_division_warns_only_for_warn():
    with pytest.warns(UndefinedMetricWarning, match="Precision is ill-defined"):
        assert precision([0, 1, 1], [0, 0, 0]) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert precision([0, 1, 1], [0, 0, 0], zero_division=1) == 1.0


def test_binary_average_on_multiclass_explains():
    with pytest.raises(ValueError, match=r"average='binary'.*3 classes \[0, 1, 2\].*multiclass"):
        f1_score([0, 1, 2], [0, 1, 1])


def test_invalid_pos_label_and_average():
    with pytest.raises(ValueError, match="pos_label=2 is not a valid label"):
        precision([0, 1, 1], [0, 1, 0], pos_label=2)
    with pytest.raises(ValueError, match="average must be one of"):
        recall([0, 1], [0, 1], average="samples")
    with pytest.raises(ValueError, match="zero_division"):
        recall([0, 1], [0, 1], zero_division=0.5)
