"""Neural-network building blocks: Module, Parameter, layers, losses, ``functional`` (F) and
``init``, with PyTorch's names. Parts written separately (conv/pool layers, losses, utils) are
exported once their modules exist; until then the package imports without them."""
from __future__ import annotations

import importlib as _importlib

from .parameter import Parameter
from .module import Module
from . import functional, init
from .layers import *  # noqa: F401,F403  (every layer class, conv/pool included when present)
from .layers import (ELU, GELU, BatchNorm1d, BatchNorm2d, BatchNorm3d, Dropout, Dropout2d,
                     Embedding, Flatten, Identity, LayerNorm, LeakyReLU, Linear, LogSoftmax,
                     ModuleDict, ModuleList, ReLU, Sequential, Sigmoid, SiLU, Softmax, Softplus,
                     Tanh, Unflatten)
from .functional import _import_available
from .layers import _is_layer

_import_available(globals(), [
    ("retrograd.nn.losses", ("MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "CrossEntropyLoss",
                             "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "KLDivLoss")),
], keep=_is_layer)

try:  # nn.utils (clip_grad_norm_, ...) is written separately
    utils = _importlib.import_module("retrograd.nn.utils")
except ModuleNotFoundError as _e:
    if _e.name != "retrograd.nn.utils":
        raise

__all__ = [n for n, o in list(globals().items())
           if not n.startswith("_") and n != "annotations"
           and (not isinstance(o, type(_importlib)) or n in ("functional", "init", "utils"))]

from . import parallel  # noqa: E402  (DistributedDataParallel; MPI only when used)
