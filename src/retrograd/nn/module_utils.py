"""Small helpers of ``Module``: load_state_dict's result, hook handles, repr indentation,
state-dict value conversion and ``to()`` argument parsing."""
from __future__ import annotations

import itertools
from collections import namedtuple

import numpy as np

from ..backend import is_array
from ..tensor import Tensor


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class RemovableHandle:
    """Returned by ``register_*_hook``; ``remove()`` unregisters the hook (also a context manager)."""

    _ids = itertools.count()

    def __init__(self, hooks: dict):
        self.hooks, self.id = hooks, next(RemovableHandle._ids)

    def remove(self) -> None:
        self.hooks.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


def _as_array(value) -> np.ndarray:
    """A state_dict value (Tensor, NumPy array, number, or a torch tensor) as an array."""
    if isinstance(value, Tensor):
        return value.array
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # e.g. a torch.Tensor
        return value.detach().cpu().numpy()
    return value if is_array(value) else np.asarray(value)


def _parse_to(args, kwargs):
    """The dtype asked for by ``to(...)`` (None for device-only calls); only 'cpu' exists."""
    from ..device import parse_to

    return parse_to(args, kwargs)[1]
