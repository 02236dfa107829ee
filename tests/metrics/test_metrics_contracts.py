"""Metric arguments and edge cases the sklearn sweeps did not reach (holes a mutation run of
retrograd.metrics found): labels / num_classes / pos_label passed through every score, warnings,
input forms (bool, float, (N, 1) labels), boundaries (top_k, a class equal to the number of
columns, two samples for R^2), defaults, and the stateful metrics' single-sample and copy rules.
scikit-learn is the oracle where it has the same function; hand-computed values otherwise."""
import warnings

import numpy as np
import pytest

from retrograd import metrics as M
from retrograd.metrics import UndefinedMetricWarning

skm = pytest.importorskip("sklearn.metrics")


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


Y_TRUE = np.array([0, 1, 2, 2, 1, 0, 3, 3, 1, 2])
Y_PRED = np.array([0, 2, 2, 1, 1, 0, 3, 0, 1, 4])  # class 4 predicted, never true


@pytest.mark.parametrize("name", ["precision", "recall", "f1_score"])
@pytest.mark.parametrize("kw", [dict(average="macro", labels=[0, 2]),
                                dict(average=None, labels=[3, 1, 6]),
                                dict(average="weighted", labels=[1, 4]),
                                dict(average="macro"), dict(average="micro"),
                                dict(average=None, labels=[0])])
def test_scores_take_labels_like_sklearn(name, kw):
    ours = getattr(M, name)
    theirs = {"precision": skm.precision_score, "recall": skm.recall_score,
              "f1_score": skm.f1_score}[name]
    np.testing.assert_allclose(quiet(ours, Y_TRUE, Y_PRED, **kw), quiet(theirs, Y_TRUE, Y_PRED, **kw))


@pytest.mark.parametrize("name", ["precision", "recall", "f1_score"])
def test_num_classes_adds_absent_classes(name):
    """num_classes=7 scores classes 5 and 6 too (zero_division=1 makes them count)."""
    theirs = {"precision": skm.precision_score, "recall": skm.recall_score,
              "f1_score": skm.f1_score}[name]
    got = getattr(M, name)(Y_TRUE, Y_PRED, average=None, num_classes=7, zero_division=1.0,
                           labels=range(7))
    np.testing.assert_allclose(got, theirs(Y_TRUE, Y_PRED, average=None, labels=range(7),
                                           zero_division=1.0))
    assert M.confusion_matrix(Y_TRUE, Y_PRED, num_classes=7).shape == (7, 7)
    with pytest.raises(ValueError, match="num_classes"):
        getattr(M, name)(Y_TRUE, Y_PRED, average="macro", num_classes=3)


def test_pos_label_and_binary_weights():
    y, p = [0, 0, 0, 1, 1], [0, 0, 1, 1, 0]  # precision 2/3 for class 0, 1/2 for class 1
    got = M.precision_recall_fscore_support(y, p, average="binary", pos_label=0)
    expected = skm.precision_recall_fscore_support(y, p, average="binary", pos_label=0)
    np.testing.assert_allclose(got[:3], expected[:3])
    with pytest.warns(UserWarning, match="pos_label=0 is ignored"):
        M.precision(y, p, average="macro", pos_label=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        M.precision(y, p, average="macro", pos_label=1)  # the default: no warning
        M.precision(y, p, average="macro", labels=[0])  # class 0 is a valid label
    with pytest.raises(ValueError, match="pos_label must be a class index"):
        M.precision(y, p, pos_label=-1)
    with pytest.raises(ValueError, match="labels must be class indices"):
        M.precision(y, p, average="macro", labels=[-1])
    # weighted average when the scored classes hold a single true sample (weights summing to 1):
    # class 0 scores 1, absent class 2 scores 0 with weight 0
    for fn, ref in [(M.f1_score, skm.f1_score), (M.recall, skm.recall_score)]:
        got = fn([0, 1, 1], [0, 1, 1], average="weighted", labels=[0, 2], zero_division=0)
        assert got == ref([0, 1, 1], [0, 1, 1], average="weighted", labels=[0, 2],
                          zero_division=0) == 1.0
    # every scored class ill-defined with zero_division=nan: nan, as sklearn
    assert np.isnan(M.precision([0, 1], [0, 1], average="macro", labels=[5], zero_division=np.nan))
    assert np.isnan(skm.precision_score([0, 1], [0, 1], average="macro", labels=[5],
                                        zero_division=np.nan))


@pytest.mark.parametrize("fn, word", [(M.recall, "Recall"), (M.f1_score, "F-score"),
                                      (M.precision, "Precision")])
def test_each_score_warns_for_itself(fn, word):
    y, p = [0, 0, 2], [0, 0, 1]  # class 1 never true, class 2 never predicted
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn(y, p, average="macro", labels=[0, 1, 2, 5])  # class 5 neither true nor predicted
    messages = [str(w.message) for w in caught if issubclass(w.category, UndefinedMetricWarning)]
    assert messages and all(m.startswith(word + " is ill-defined") for m in messages)


def test_top_k_boundaries():
    scores = np.array([[0.2, 0.8], [0.9, 0.1], [0.6, 0.4]])
    assert M.accuracy([0, 0, 1], scores) == pytest.approx(1 / 3)
    assert M.accuracy([0, 0, 1], scores, top_k=2) == 1.0  # two columns are scores, not labels
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="top_k must be an integer >= 1"):
            M.accuracy([0, 1, 1], scores, top_k=bad)
    with pytest.raises(ValueError, match="holds class 2 but the scores have only 2 columns"):
        M.accuracy([0, 2, 1], scores, top_k=1)
    with pytest.raises(ValueError, match="holds class 3 but y_score has only 3 columns"):
        M.roc_auc_score([0, 1, 3], np.full((3, 3), 1 / 3))


def test_label_forms():
    assert M.confusion_matrix([True, False, True], [True, True, False]).tolist() == [[0, 1], [1, 1]]
    assert M.accuracy(np.array([[0], [1], [1]]), np.array([0.0, 1.0, 0.0])) == pytest.approx(2 / 3)
    assert M.confusion_matrix([0.0, 1.0, 2.0], [0, 1, 1]).tolist() == [[1, 0, 0], [0, 1, 0], [0, 1, 0]]
    for bad in ([-1], [0.5]):
        with pytest.raises(ValueError, match="class indices"):
            M.confusion_matrix(bad, [0])
    with pytest.raises(ValueError, match="1-D labels"):
        M.accuracy(np.zeros((3, 2), dtype=int), [0, 1, 1])
    with pytest.raises(ValueError, match="same number of samples"):
        M.accuracy(1, [1])


def test_no_numpy_warnings_for_absent_classes_and_constant_targets():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cm = M.confusion_matrix([0, 0, 2], [0, 2, 2], normalize="true")
        np.testing.assert_allclose(cm, [[0.5, 0, 0.5], [0, 0, 0], [0, 0, 1]])
        assert M.r2_score([[1.0, 2.0], [1.0, 3.0]], [[1.0, 2.0], [2.0, 3.0]],
                          multioutput="raw_values").tolist() == [0.0, 1.0]
        assert M.r2_score([[1.0, 2.0], [1.0, 3.0]], [[1.0, 2.0], [1.0, 3.0]],
                          multioutput="raw_values").tolist() == [1.0, 1.0]  # 0/0 for output 0


def test_r2_variance_weighted_two_samples_and_default_force_finite():
    rng = np.random.default_rng(0)
    y = rng.normal(size=(20, 3)) * np.array([1.0, 3.0, 0.2])
    yhat = y + rng.normal(size=(20, 3)) * 0.5
    assert M.r2_score(y, yhat, multioutput="variance_weighted") == pytest.approx(
        skm.r2_score(y, yhat, multioutput="variance_weighted"))
    assert M.r2_score([1.0, 2.0], [1.5, 2.5]) == pytest.approx(skm.r2_score([1.0, 2.0], [1.5, 2.5]))
    with pytest.warns(UndefinedMetricWarning, match="fewer than two samples"):
        assert np.isnan(M.r2_score([1.0], [1.5]))
    assert M.r2_score([2.0, 2.0, 2.0], [2.0, 2.5, 2.0]) == skm.r2_score([2.0, 2.0, 2.0],
                                                                         [2.0, 2.5, 2.0]) == 0.0
    with pytest.raises(ValueError, match="multioutput must be"):
        M.mean_squared_error(y, yhat, multioutput="variance_weighted")


def test_log_loss_edges_against_sklearn():
    y = [0, 1, 1, 0]
    p = np.array([[1.0, 0.0], [0.0, 1.0], [0.3, 0.7], [0.6, 0.4]])
    assert M.log_loss(y, p) == skm.log_loss(y, p)  # clipped to [eps, 1 - eps] at both ends
    hard = np.array([[1, 0], [0, 1], [0, 1], [0, 1]])  # integer probabilities
    assert M.log_loss(y, hard) == skm.log_loss(y, hard)
    assert M.log_loss(y, p[:, 1:]) == M.log_loss(y, p[:, 1]) == pytest.approx(skm.log_loss(y, p[:, 1]))
    assert M.log_loss([0, 1], [[0.0, 1.0], [1.0, 0.0]], eps=1e-3) == pytest.approx(-np.log(1e-3))
    for bad in ([[-0.1, 1.1]], [[1.5, 0.0]], [[-0.5, 0.5]]):
        with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
            M.log_loss([0], bad)
    with pytest.warns(UserWarning, match="do not sum to one"):
        M.log_loss([0, 1], [[0.5, 0.4], [0.2, 0.8]])
    with pytest.warns(UserWarning, match="do not sum to one"):
        M.log_loss([0], [[0.5, 0.5 + 1e-6]])  # float64 rows must sum to 1 within sqrt(eps)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        M.log_loss([0, 1], [[0.5, 0.5], [0.2, 0.8]])
    with pytest.raises(ValueError, match=r"labels \[5\] that are not in labels"):
        M.log_loss([0, 5], [[0.5, 0.5], [0.2, 0.8]], labels=[0, 2])


def test_roc_edges_against_sklearn():
    y, s = [0, 1, 0, 1], [0.3, 0.8, 0.5, 0.1]  # the lowest score is a positive
    assert M.roc_auc_score(y, s) == skm.roc_auc_score(y, s)
    logits = np.array([[2.0, -1.0], [0.5, 3.0], [1.0, 1.5], [0.2, -0.3]])  # rows not summing to 1
    assert M.roc_auc_score(y, logits) == skm.roc_auc_score(y, logits[:, 1])
    assert M.roc_auc_score(y, np.array(s)[:, None]) == skm.roc_auc_score(y, s)
    with pytest.raises(ValueError, match="2 columns but y_true holds class 2"):
        M.roc_auc_score([0, 2, 1, 0], logits)
    for y_small, s_small in [([0, 1], [0.2, 0.9]), ([0, 1, 1], [0.2, 0.9, 0.5]),
                             ([0, 1, 0], [0.1, 0.6, 0.3])]:
        for got, expected in zip(M.roc_curve(y_small, s_small), skm.roc_curve(y_small, s_small)):
            np.testing.assert_allclose(got, expected)
    for y_one in ([1, 1, 1], [0, 0, 0]):
        with pytest.warns(UndefinedMetricWarning):
            got = M.roc_curve(y_one, [0.2, 0.5, 0.9])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = skm.roc_curve(y_one, [0.2, 0.5, 0.9])
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, e, equal_nan=True)


# ----- stateful -------------------------------------------------------------------------------
def test_stateful_metrics_after_one_sample():
    acc = M.Accuracy()
    acc.update([1], [1])
    assert acc.compute() == 1.0
    cm = M.ConfusionMatrix(num_classes=1)
    cm.update([0], [0])
    assert cm.compute().tolist() == [[1]] and cm.compute().dtype == np.int64
    f1 = M.F1Score(average="binary", pos_label=0)
    f1.update([0], [0])
    assert f1.compute() == 1.0
    mse = M.MeanSquaredError()
    mse.update([1.0], [3.0])
    assert mse.compute() == 4.0
    mean = M.Mean()
    mean.update(2.0, weight=0.5)
    mean.update(4.0, weight=0.0)
    assert mean.compute() == 2.0
    loss = M.LogLoss()
    loss.update([[0.2, 0.8]], [1])
    assert loss.compute() == pytest.approx(-np.log(0.8))
    r2 = M.R2Score()
    r2.update([1.0], [1.0])
    with pytest.warns(UndefinedMetricWarning):
        r2.compute()


def test_stateful_confusion_matrix_grows_by_one_class():
    cm = M.ConfusionMatrix()
    for preds, target in [([0, 1], [1, 1]), ([2], [2]), ([3], [2])]:
        cm.update(preds, target)
    assert cm.compute().tolist() == M.confusion_matrix([1, 1, 2, 2], [0, 1, 2, 3]).tolist()


@pytest.mark.parametrize("cls, fn", [(M.Precision, M.precision), (M.Recall, M.recall),
                                     (M.F1Score, M.f1_score)])
def test_stateful_scores_warn_only_for_themselves(cls, fn):
    metric = cls(average="macro")
    metric.update([0, 0], [0, 1])  # class 1 never predicted: only its precision is undefined
    if cls is M.Precision:
        with pytest.warns(UndefinedMetricWarning, match="Precision is ill-defined"):
            metric.compute()
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            metric.compute()


@pytest.mark.parametrize("cls, fn", [(M.Precision, M.precision), (M.Recall, M.recall),
                                     (M.F1Score, M.f1_score)])
def test_stateful_pos_label(cls, fn):
    metric = cls(average="binary", pos_label=0)
    metric.update([0, 0, 1], [0, 1, 1])
    metric.update([1, 0], [0, 0])
    assert metric.compute() == fn([0, 1, 1, 0, 0], [0, 0, 1, 1, 0], pos_label=0)


def test_stateful_defaults_and_copies():
    rng = np.random.default_rng(0)
    y, yhat = rng.normal(size=(10, 3)), rng.normal(size=(10, 3))
    r2 = M.R2Score()
    r2.update(yhat, y)
    assert r2.compute() == pytest.approx(skm.r2_score(y, yhat))  # uniform average by default
    const = M.R2Score()
    const.update([2.0, 2.5], [2.0, 2.0])
    assert const.compute() == 0.0  # force_finite by default
    mae = M.MeanAbsoluteError()
    mae.update(yhat, y)
    assert mae.compute() == pytest.approx(skm.mean_absolute_error(y, yhat))
    scores = rng.dirichlet(np.ones(3), size=12)
    target = np.arange(12) % 3
    auc = M.ROCAUC()
    auc.update(scores, target)
    expected = skm.roc_auc_score(target, scores, multi_class="ovr", average="macro")
    scores[...], target[...] = 0.0, 0  # a loop reusing its buffers must not change the result
    assert auc.compute() == pytest.approx(expected)
    loss = M.LogLoss(labels=[3, 7], eps=1e-3)
    loss.update([[1.0, 0.0]], [7])
    assert loss.compute() == pytest.approx(-np.log(1e-3))
    assert repr(M.Accuracy()) == "Accuracy(name='accuracy')"


def test_stateful_names_validation_and_compute_before_update():
    for metric in (M.ConfusionMatrix(num_classes=3, name="cm"), M.F1Score(name="f1_macro"),
                   M.R2Score(name="r2_out"), M.Precision(name="p"), M.ROCAUC(name="auc2")):
        assert metric.name == metric.__dict__["name"] and metric.name in repr(metric)
    assert M.ConfusionMatrix(num_classes=3).num_classes == 3
    with pytest.raises(ValueError, match="normalize"):
        M.ConfusionMatrix(normalize="rows")  # refused when built, not at the first compute
    for metric in (M.ConfusionMatrix(), M.Precision(), M.MeanSquaredError(), M.R2Score()):
        with pytest.raises(Exception, match="update"):
            metric.compute()
    with pytest.raises(ValueError, match="unknown metric"):
        M.get_metric(3)
