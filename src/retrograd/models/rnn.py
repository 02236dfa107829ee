"""Recurrent classifiers for images read row by row: each row of an (N, C, H, W) image is one time
step of C*W features (28 steps of 28 pixels for MNIST); the last step's output goes through a
Linear layer to the class scores."""
from __future__ import annotations

from .. import nn
from ..tensor import Tensor

KINDS = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}


class RowRNN(nn.Module):
    """``kind`` 'lstm', 'gru' or 'rnn' (tanh) over the rows of images (N, C, H, W) -> scores
    (N, num_classes).

    >>> import retrograd as rg
    >>> RowRNN("lstm", 28, 10)(rg.zeros(2, 1, 28, 28)).shape
    (2, 10)
    """

    def __init__(self, kind: str, row_size: int, num_classes: int = 10, hidden_size: int = 128,
                 num_layers: int = 1):
        super().__init__()
        if kind not in KINDS:
            raise ValueError(f"RowRNN: kind must be one of {sorted(KINDS)}, got {kind!r}")
        self.kind = kind
        self.rnn = getattr(nn, KINDS[kind])(row_size, hidden_size, num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        n, c, h, w = x.shape
        rows = x.permute(0, 2, 1, 3).reshape(n, h, c * w)  # (N, steps, features)
        out, _ = self.rnn(rows)
        return self.fc(out[:, -1])
