"""The worked example of ``retrograd explain --model rnn``: a tanh RNN of two units reads a
sequence of three numbers; a Linear layer on its last state gives the prediction; one step of
gradient descent on L = 1/2 (y - y_hat)^2, every number shown (``bptt.record_bptt``)."""
from __future__ import annotations

import numpy as np

from .. import nn, optim
from ..tensor import Tensor
from .bptt import record_bptt, unrolled_graph
from .worked_example import half_sse

DEFAULT_SEQUENCE = [[1.0], [0.5], [-1.0]]  # T = 3 steps of one feature
DEFAULT_TARGET = [0.5]
DEFAULT_WEIGHTS = {  # chosen by hand, small enough to follow
    "rnn.weight_ih_l0": [[0.5], [-0.3]], "rnn.weight_hh_l0": [[0.1, 0.4], [-0.2, 0.3]],
    "rnn.bias_ih_l0": [0.1, -0.1], "rnn.bias_hh_l0": [0.0, 0.0],
    "head.weight": [[0.7, -0.5]], "head.bias": [0.2],
}


class LastStepRNN(nn.Module):
    """nn.RNN over (N, T, in) sequences, its last state into a Linear layer."""

    def __init__(self, input_size: int, hidden_size: int, output_size: int,
                 nonlinearity: str = "tanh", dtype=None):
        super().__init__()
        self.rnn = nn.RNN(input_size, hidden_size, nonlinearity=nonlinearity, batch_first=True,
                          dtype=dtype)
        self.head = nn.Linear(hidden_size, output_size, dtype=dtype)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


def default_model(nonlinearity: str = "tanh") -> LastStepRNN:
    model = LastStepRNN(1, 2, 1, nonlinearity, dtype=np.float64)
    model.load_state_dict({k: np.array(v, dtype=np.float64) for k, v in DEFAULT_WEIGHTS.items()})
    return model


def run(sequence=None, target=None, nonlinearity: str = "tanh", lr: float = 0.1, steps: int = 1):
    """(model, records) for ``steps`` recorded steps of SGD on one sequence (T, in)."""
    x = np.asarray(DEFAULT_SEQUENCE if sequence is None else sequence, dtype=np.float64)
    x = x.reshape(-1, 1) if x.ndim == 1 else x
    y = np.asarray(DEFAULT_TARGET if target is None else target, dtype=np.float64).reshape(1, -1)
    if sequence is None:
        model = default_model(nonlinearity)
    else:
        model = LastStepRNN(x.shape[1], 2, y.shape[1], nonlinearity, dtype=np.float64)
    if y.shape[1] != model.head.out_features:
        raise ValueError(f"--target has {y.shape[1]} values; the example network gives "
                         f"{model.head.out_features}")
    if x.shape[1] != model.rnn.input_size:
        raise ValueError(f"--input has {x.shape[1]} features per step; the network takes "
                         f"{model.rnn.input_size}")
    opt = optim.SGD(model.parameters(), lr=lr)
    xs, ys = Tensor(x[None]), Tensor(y)
    return model, [record_bptt(model, xs, ys, half_sse, opt) for _ in range(steps)]


def render(records, fmt: str = "text", digits: int = 6, graph: str | None = None) -> str:
    if fmt == "json":
        import json

        text = json.dumps({"loss": "L = 1/2 * sum((y - y_hat)^2)",
                           "steps": [r.to_dict(digits) for r in records]}, indent=2) + "\n"
    elif fmt in ("text", "markdown"):
        parts = [r.to_text(digits) if fmt == "text" else r.to_markdown(digits) for r in records]
        text = "\n".join(parts)
    else:
        raise ValueError(f"--format {fmt} is not available with --model rnn (text, markdown, json)")
    if graph:
        text += "\n" + unrolled_graph(records[-1], graph)
    return text
