"""Utilities with PyTorch's paths: ``retrograd.utils.data`` (as ``torch.utils.data``) and
``retrograd.utils.tensorboard`` (imported on use: it needs the tensorboard extra)."""
from . import data

__all__ = ["data"]
