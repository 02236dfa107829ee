"""scikit-learn estimators around retrograd modules, so cross_val_score, cross_validate,
StratifiedKFold and GridSearchCV work on them (scikit-learn is an optional extra).

>>> from sklearn.model_selection import cross_val_score
>>> clf = NeuralNetClassifier(MLP, module_kwargs={"sizes": [4, 16, 3]}, max_epochs=50)
>>> cross_val_score(clf, X, y, cv=5)
"""
from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError("retrograd.sklearn needs scikit-learn: pip install 'retrograd[sklearn]'") from e


class _NeuralNet(BaseEstimator):
    def __init__(self, module: Callable | Any, module_kwargs: dict | None = None,
                 optimizer: str = "adam", lr: float = 1e-3, max_epochs: int = 20,
                 batch_size: int = 32, weight_decay: float = 0.0, random_state: int | None = 0,
                 verbose: int = 0):
        self.module, self.module_kwargs = module, module_kwargs
        self.optimizer, self.lr, self.max_epochs = optimizer, lr, max_epochs
        self.batch_size, self.weight_decay = batch_size, weight_decay
        self.random_state, self.verbose = random_state, verbose

    def _build(self):
        from .nn import Module

        if isinstance(self.module, Module):
            return copy.deepcopy(self.module)
        return self.module(**(self.module_kwargs or {}))

    def _fit(self, X, y, loss_fn):
        import retrograd as rg

        from . import optim
        from .data import DataLoader, TensorDataset
        from .train import Trainer

        if self.random_state is not None:
            rg.manual_seed(self.random_state)
        self.module_ = self._build()
        opt_cls = {"sgd": optim.SGD, "adam": optim.Adam, "adamw": optim.AdamW,
                   "rmsprop": optim.RMSprop, "adagrad": optim.Adagrad}.get(self.optimizer)
        if opt_cls is None:
            raise ValueError(f"optimizer must be one of sgd, adam, adamw, rmsprop, adagrad; got "
                             f"{self.optimizer!r}")
        opt = opt_cls(self.module_.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        loader = DataLoader(TensorDataset(X, y), batch_size=self.batch_size, shuffle=True,
                            generator=self.random_state)
        self.trainer_ = Trainer(self.module_, opt, loss_fn, metrics=[], verbose=self.verbose)
        self.history_ = self.trainer_.fit(loader, epochs=self.max_epochs)
        return self

    def _forward(self, X):
        import retrograd as rg

        X = np.asarray(X, dtype=np.float32)
        self.module_.eval()
        with rg.no_grad():
            return self.module_(rg.tensor(X))


class NeuralNetClassifier(ClassifierMixin, _NeuralNet):
    """A classifier whose ``module`` (a Module class or factory, called with ``module_kwargs``)
    maps inputs (N, ...) to logits (N, n_classes). Labels may be any values; ``classes_`` keeps
    them."""

    def fit(self, X, y):
        from .nn import CrossEntropyLoss

        X = np.asarray(X, dtype=np.float32)
        self.classes_, y_idx = np.unique(np.asarray(y), return_inverse=True)
        return self._fit(X, y_idx.astype(np.int64), CrossEntropyLoss())

    def predict_proba(self, X) -> np.ndarray:
        return self._forward(X).softmax(1).numpy().astype(np.float64)

    def predict(self, X) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(1)]


class NeuralNetRegressor(RegressorMixin, _NeuralNet):
    """A regressor whose module maps (N, ...) to (N, 1) or (N, k); trained on mean squared error."""

    def fit(self, X, y):
        from .nn import MSELoss

        X = np.asarray(X, dtype=np.float32)
        y = np.asarray(y, dtype=np.float32)
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        return self._fit(X, y.reshape(len(y), -1), MSELoss())

    def predict(self, X) -> np.ndarray:
        out = self._forward(X).numpy().astype(np.float64)
        return out.ravel() if self.n_outputs_ == 1 else out
