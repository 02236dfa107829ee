"""Neural-network building blocks: Module, Parameter, layers, losses, ``functional`` (F) and
``init``, with PyTorch's names."""
from __future__ import annotations

from . import functional, init, parallel, utils
from .layers import (ELU, GELU, AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d,
                     BatchNorm1d, BatchNorm2d, BatchNorm3d, Conv1d, Conv2d, ConvTranspose2d,
                     Dropout, Dropout2d, Embedding, Flatten, Identity, LayerNorm, LeakyReLU, Linear,
                     LogSoftmax, MaxPool1d, MaxPool2d, ModuleDict, ModuleList, ReLU, Sequential,
                     Sigmoid, SiLU, Softmax, Softplus, SyncBatchNorm, Tanh, Unflatten)
from .layers import (  # issue 14 part B
    CELU, GLU, SELU, AvgPool3d, CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d,
    ConstantPad2d, ConstantPad3d, Conv3d, ConvTranspose1d, ConvTranspose3d, CosineSimilarity, Fold,
    GroupNorm, Hardshrink, Hardsigmoid, Hardswish, Hardtanh, InstanceNorm1d, InstanceNorm2d,
    InstanceNorm3d, LogSigmoid, MaxPool3d, MaxUnpool1d, MaxUnpool2d, MaxUnpool3d, Mish,
    MultiheadAttention, NonDynamicallyQuantizableLinear, PairwiseDistance, ParameterDict,
    ParameterList, PReLU, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d, ReLU6,
    ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, Softmin, Softshrink, Softsign,
    Tanhshrink, Threshold, Transformer, TransformerDecoder, TransformerDecoderLayer,
    TransformerEncoder, TransformerEncoderLayer, Unfold, Upsample, UpsamplingBilinear2d,
    UpsamplingNearest2d, ZeroPad1d, ZeroPad2d, ZeroPad3d, RMSNorm, PixelShuffle, PixelUnshuffle,
    ChannelShuffle, AlphaDropout, Dropout1d, Dropout3d, AdaptiveAvgPool3d, AdaptiveMaxPool1d,
    AdaptiveMaxPool2d, AdaptiveMaxPool3d, LPPool1d, LPPool2d, LPPool3d, Softmax2d, Bilinear,
    LocalResponseNorm)
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
    # losses
    "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "HuberLoss", "KLDivLoss", "L1Loss",
    "MSELoss", "NLLLoss", "SmoothL1Loss",
]
