"""Utilities with PyTorch's paths: ``retrograd.utils.tensorboard``."""
