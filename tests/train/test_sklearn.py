"""scikit-learn interoperability: cross-validation and grid search on retrograd models."""
import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score, cross_validate  # noqa: E402

from retrograd.models import MLP  # noqa: E402
from retrograd.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402


def _data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    x = np.eye(3)[y] * 3 + rng.standard_normal((n, 3)) * 0.5
    return x.astype(np.float32), np.array(["a", "b", "c"])[y]


def _clf(**kw):
    return NeuralNetClassifier(MLP, module_kwargs={"sizes": [3, 16, 3]}, lr=0.05, max_epochs=15, **kw)


def test_cross_val_score_with_stratified_folds():
    x, y = _data()
    scores = cross_val_score(_clf(), x, y, cv=StratifiedKFold(3, shuffle=True, random_state=0))
    assert scores.shape == (3,) and scores.min() > 0.9


def test_cross_validate_and_predict_proba():
    x, y = _data()
    result = cross_validate(_clf(), x, y, cv=3, scoring=["accuracy", "f1_macro"])
    assert result["test_accuracy"].mean() > 0.9
    clf = _clf().fit(x, y)
    proba = clf.predict_proba(x)
    np.testing.assert_allclose(proba.sum(1), 1, rtol=1e-5)
    assert set(clf.predict(x)) <= {"a", "b", "c"}


def test_clone_and_grid_search():
    x, y = _data()
    clf = _clf()
    cloned = clone(clf)
    assert cloned.get_params()["lr"] == 0.05 and cloned is not clf
    search = GridSearchCV(clf, {"lr": [1e-6, 0.05]}, cv=3)
    search.fit(x, y)
    assert search.best_params_ == {"lr": 0.05}  # a learning rate of 1e-6 cannot learn in 15 epochs


def test_regressor_fits_a_line():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (200, 1)).astype(np.float32)
    y = 3 * x[:, 0] - 1
    reg = NeuralNetRegressor(MLP, module_kwargs={"sizes": [1, 1]}, lr=0.05, max_epochs=40,
                             batch_size=20).fit(x, y)
    assert reg.score(x, y) > 0.99
    assert reg.predict(x).shape == (200,)
