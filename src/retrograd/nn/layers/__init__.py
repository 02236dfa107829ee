"""Layers, one family per file. Conv and pool layers (written separately) are included when
their modules exist."""
from __future__ import annotations

from .activation import (ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Softplus,
                         Tanh)
from .container import ModuleDict, ModuleList, Sequential
from .dropout import Dropout, Dropout2d
from .embedding import Embedding
from .flatten import Flatten, Unflatten
from .linear import Identity, Linear
from .norm import BatchNorm1d, BatchNorm2d, BatchNorm3d, LayerNorm
from ..functional import _import_available
from ..module import Module as _Module


def _is_layer(name: str, obj) -> bool:
    return isinstance(obj, type) and issubclass(obj, _Module) and not name.startswith("_")


_import_available(globals(), [
    ("retrograd.nn.layers.conv", ("Conv1d", "Conv2d", "ConvTranspose2d")),
    ("retrograd.nn.layers.pool", ("MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d",
                                  "AdaptiveAvgPool2d", "AdaptiveMaxPool2d")),
    ("retrograd.nn.layers.rnn", ("RNNBase", "RNN", "LSTM", "GRU")),
    ("retrograd.nn.layers.rnn_cell", ("RNNCellBase", "RNNCell", "LSTMCell", "GRUCell")),
], keep=_is_layer)

__all__ = [n for n, o in list(globals().items()) if _is_layer(n, o)]
