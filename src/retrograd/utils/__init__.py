"""``retrograd.utils``: PyTorch's ``torch.utils`` paths (``retrograd.utils.data``)."""
from . import data

__all__ = ["data"]
