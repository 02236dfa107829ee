"""Layers, one family per file."""
from __future__ import annotations

from .activation import (ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Softplus,
                         Tanh)
from .container import ModuleDict, ModuleList, Sequential
from .conv import Conv1d, Conv2d, ConvTranspose2d
from .dropout import Dropout, Dropout2d
from .embedding import Embedding
from .flatten import Flatten, Unflatten
from .linear import Identity, Linear
from .more_activation import (CELU, GLU, SELU, Hardshrink, Hardsigmoid, Hardswish, Hardtanh,
                              LogSigmoid, Mish, PReLU, ReLU6, Softmin, Softshrink, Softsign,
                              Softmax2d, Tanhshrink, Threshold)
from .parameter_container import ParameterDict, ParameterList
from .upsample import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d
from .group_norm import GroupNorm, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, RMSNorm
from .pixel_shuffle import ChannelShuffle, PixelShuffle, PixelUnshuffle
from .feature_dropout import AlphaDropout, Dropout1d, Dropout3d
from .bilinear import Bilinear
from .group_norm import LocalResponseNorm
from .adaptive_pool import (AdaptiveAvgPool3d, AdaptiveMaxPool1d, AdaptiveMaxPool2d,
                            AdaptiveMaxPool3d, LPPool1d, LPPool2d, LPPool3d)
from .attention import MultiheadAttention, NonDynamicallyQuantizableLinear
from .fold import Fold, Unfold
from .conv_more import Conv3d, ConvTranspose1d, ConvTranspose3d
from .pool3d import AvgPool3d, MaxPool3d, MaxUnpool1d, MaxUnpool2d, MaxUnpool3d
from .padding import (CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d, ConstantPad2d,
                      ConstantPad3d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
                      ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, ZeroPad1d, ZeroPad2d,
                      ZeroPad3d)
from .distance import CosineSimilarity, PairwiseDistance
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer,
                          TransformerEncoder, TransformerEncoderLayer)
from .norm import BatchNorm1d, BatchNorm2d, BatchNorm3d, LayerNorm
from .pool import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d,
                   MaxPool2d)
from .sync_batchnorm import SyncBatchNorm
from .rnn import GRU, LSTM, RNN, RNNBase
from .rnn_cell import GRUCell, LSTMCell, RNNCell, RNNCellBase

__all__ = [
    "ELU", "GELU", "LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid", "SiLU", "Softmax", "Softplus",
    "Tanh",
    "ModuleDict", "ModuleList", "Sequential",
    "Conv1d", "Conv2d", "ConvTranspose2d",
    "Dropout", "Dropout2d", "Embedding", "Flatten", "Unflatten", "Identity", "Linear",
    "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm", "SyncBatchNorm",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AvgPool1d", "AvgPool2d", "MaxPool1d", "MaxPool2d",
    # issue 14 part B
    "CELU", "GLU", "SELU", "Hardshrink", "Hardsigmoid", "Hardswish", "Hardtanh", "LogSigmoid",
    "Mish", "PReLU", "ReLU6", "Softmin", "Softshrink", "Softsign", "Tanhshrink", "Threshold",
    "ParameterDict", "ParameterList", "Upsample", "UpsamplingBilinear2d", "UpsamplingNearest2d",
    "GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "MultiheadAttention",
    "NonDynamicallyQuantizableLinear",
    "Fold", "Unfold", "Conv3d", "ConvTranspose1d", "ConvTranspose3d", "AvgPool3d", "MaxPool3d",
    "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "CircularPad1d", "CircularPad2d",
    "CircularPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ReflectionPad1d",
    "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
    "ReplicationPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "CosineSimilarity",
    "PairwiseDistance", "Transformer", "TransformerDecoder", "TransformerDecoderLayer",
    "TransformerEncoder", "TransformerEncoderLayer", "RMSNorm", "PixelShuffle", "PixelUnshuffle",
    "ChannelShuffle", "AlphaDropout", "Dropout1d", "Dropout3d", "AdaptiveAvgPool3d",
    "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "LPPool1d", "LPPool2d",
    "LPPool3d", "Softmax2d", "Bilinear", "LocalResponseNorm",
    "RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell",
]
