"""Neural-network building blocks: Module, Parameter, layers, losses, ``functional`` (F) and
``init``, with PyTorch's names."""
from __future__ import annotations

from . import functional, init, layers, losses, parallel, utils
from .layers import *  # noqa: F401,F403  (every layer class; layers.__all__ is the one list)
from .losses import *  # noqa: F401,F403  (every loss class; losses.__all__)
from .module import Module
from .parameter import Parameter

__all__ = ["Module", "Parameter", "functional", "init", "parallel", "utils"]
__all__ += layers.__all__
__all__ += losses.__all__
