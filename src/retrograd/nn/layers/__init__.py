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
from .more_activation import (CELU, GLU, SELU, Hardshrink, Hardsigmoid, Hardswish, Hardtanh,
                              LogSigmoid, Mish, PReLU, ReLU6, Softmin, Softshrink, Softsign,
                              Tanhshrink, Threshold)
from .parameter_container import ParameterDict, ParameterList
from .upsample import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d
from .group_norm import GroupNorm, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from .attention import MultiheadAttention
from .fold import Fold, Unfold
from .conv_more import Conv3d, ConvTranspose1d, ConvTranspose3d
from .pool3d import AvgPool3d, MaxPool3d, MaxUnpool1d, MaxUnpool2d, MaxUnpool3d
from .padding import (CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d, ConstantPad2d,
                      ConstantPad3d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
                      ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, ZeroPad1d, ZeroPad2d,
                      ZeroPad3d)
from .distance import CosineSimilarity, PairwiseDistance
from .norm import BatchNorm1d, BatchNorm2d, BatchNorm3d, LayerNorm
from ..functional import _import_available
from ..module import Module as _Module


def _is_layer(name: str, obj) -> bool:
    return isinstance(obj, type) and issubclass(obj, _Module) and not name.startswith("_")


_import_available(globals(), [
    ("retrograd.nn.layers.conv", ("Conv1d", "Conv2d", "ConvTranspose2d")),
    ("retrograd.nn.layers.pool", ("MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d",
                                  "AdaptiveAvgPool2d", "AdaptiveMaxPool2d")),
], keep=_is_layer)

__all__ = [n for n, o in list(globals().items()) if _is_layer(n, o)]
