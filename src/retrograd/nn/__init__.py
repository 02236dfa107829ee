"""Neural-network building blocks: Module, Parameter, layers, losses, ``functional`` (F) and
``init``, with PyTorch's names."""
from __future__ import annotations

from . import functional, init, parallel, utils
from .layers import (ELU, GELU, AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d,
                     BatchNorm1d, BatchNorm2d, BatchNorm3d, Conv1d, Conv2d, ConvTranspose2d,
                     Dropout, Dropout2d, Embedding, Flatten, Identity, LayerNorm, LeakyReLU, Linear,
                     LogSoftmax, MaxPool1d, MaxPool2d, ModuleDict, ModuleList, ReLU, Sequential,
                     Sigmoid, SiLU, Softmax, Softplus, SyncBatchNorm, Tanh, Unflatten)
from .layers import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from .losses import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss,
                     MSELoss, NLLLoss, SmoothL1Loss)
from .module import Module
from .parameter import Parameter

__all__ = [
    "Module", "Parameter", "functional", "init", "parallel", "utils",
    # layers
    "ELU", "GELU", "LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid", "SiLU", "Softmax", "Softplus",
    "Tanh",
    "ModuleDict", "ModuleList", "Sequential",
    "Conv1d", "Conv2d", "ConvTranspose2d",
    "Dropout", "Dropout2d", "Embedding", "Flatten", "Unflatten", "Identity", "Linear",
    "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm", "SyncBatchNorm",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AvgPool1d", "AvgPool2d", "MaxPool1d", "MaxPool2d",
    "RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell",
    # losses
    "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "HuberLoss", "KLDivLoss", "L1Loss",
    "MSELoss", "NLLLoss", "SmoothL1Loss",
]
