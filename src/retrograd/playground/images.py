"""The MNIST task of the playground: the built-in sample of real digits, an MLP or LeNet-5.

A frame holds the losses and accuracies (on the first ``EVAL_SIZE`` images of each split), the
predicted class of ``SHOWN`` test digits and each layer's gradient norm; a step opens as one
summary row per layer (shapes and norms: a convolution's Z alone is thousands of numbers).
"""
from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..data.datasets import mnist_sample
from ..models import LeNet5
from ..tensor import Tensor

if TYPE_CHECKING:  # pragma: no cover
    from .session import Session

EVAL_SIZE, SHOWN = 500, 32
MEAN, STD = 0.1307, 0.3081  # of MNIST's training pixels


def load_digits(flat: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, y_train, x_test, y_test): normalised float32 images, (N, 784) when ``flat``
    else (N, 1, 28, 28), and int64 labels."""
    out = []
    for train in (True, False):
        ds = mnist_sample(train=train)
        x = (ds.data.astype(np.float32) / 255 - MEAN) / STD
        out += [x.reshape(len(x), -1) if flat else x[:, None], ds.targets.astype(np.int64)]
    return out[0], out[1], out[2], out[3]


def lenet(activation: str) -> LeNet5:
    """LeNet-5 with tanh (and average pooling) for tanh/sigmoid, else ReLU (and max pooling)."""
    return LeNet5(activation="tanh" if activation in ("tanh", "sigmoid") else "relu")


def _predict(model, x: np.ndarray) -> np.ndarray:
    with no_grad():
        return model(Tensor(x)).array


def image_frame(s: Session) -> dict[str, Any]:
    """A frame of the MNIST task (see the module's docstring)."""
    s.model.eval()
    try:
        train_loss, train_acc = s._evaluate(s.x_train[:EVAL_SIZE], s.y_train[:EVAL_SIZE])
        test_loss, test_acc = s._evaluate(s.x_test[:EVAL_SIZE], s.y_test[:EVAL_SIZE])
        predicted = _predict(s.model, s.x_test[:SHOWN]).argmax(1)
    finally:
        s.model.train()
    return {"type": "frame", "step": s.step, "lr": s.optimizer.param_groups[0]["lr"],
            "train_loss": train_loss, "test_loss": test_loss, "train_acc": train_acc,
            "test_acc": test_acc, "predicted": predicted.tolist(),
            "grad_norms": [None if g != g else g for g in s.grad_norms]}


def image_description(s: Session) -> dict[str, Any]:
    """Sent after a reset: the settings, one line per layer, and the digits shown."""
    from ..explain.record import describe

    pixels = np.clip(s.x_test[:SHOWN].reshape(-1, 784) * STD + MEAN, 0, 1)
    return {"type": "reset", "config": s.config.to_dict(), "images": True,
            "layers": [describe(m) for m in s.param_layers], "regression": False,
            "digits": base64.b64encode((pixels * 255).round().astype(np.uint8).tobytes()).decode(),
            "labels": s.y_test[:SHOWN].tolist(), "train_size": len(s.x_train),
            "test_size": len(s.x_test)}


def _norm(a: np.ndarray) -> float:
    return float(np.linalg.norm(a))


def record_summary(s: Session) -> dict[str, Any]:
    """The last step's record, one row of shapes and norms per layer."""
    rec = s.record
    layers = [{"index": l.index, "module": l.module, "activation": l.activation,
               "Z_shape": list(l.z.shape), "A_norm": _norm(l.a), "delta_norm": _norm(l.delta),
               "delta_mean_abs": float(np.abs(l.delta).mean()),
               "grad_norms": {n: _norm(g) for n, g in l.grads.items()},
               "update_norms": {n: _norm(l.params_after[n] - l.params[n]) for n in l.params}}
              for l in rec.layers]
    return {"type": "record_summary", "step": s.step, "optimizer": rec.optimizer, "lr": rec.lr,
            "batch": len(rec.x), "loss_before": rec.loss_before, "loss_after": rec.loss_after,
            "layers": layers}
