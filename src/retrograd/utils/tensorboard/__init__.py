"""TensorBoard logging with PyTorch's API: ``SummaryWriter`` (needs the tensorboard package)."""
from __future__ import annotations

try:
    import tensorboard  # noqa: F401
except ImportError:
    raise ImportError("retrograd.utils.tensorboard needs the tensorboard package: "
                      "pip install 'retrograd[tensorboard]'") from None

from .writer import SummaryWriter

__all__ = ["SummaryWriter"]
