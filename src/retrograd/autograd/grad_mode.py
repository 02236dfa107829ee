"""Grad mode: whether operations record the graph, per thread as in PyTorch.

``no_grad``, ``enable_grad``, ``set_grad_enabled`` and ``inference_mode`` are context managers
and decorators; each restores the previous mode on exit. A block in one thread never changes
whether another thread records.
"""
from __future__ import annotations

import functools
import threading


class _State(threading.local):
    """Each thread starts with recording on; ``enabled`` is read on every op."""

    enabled = True
    inference = False


_state = _State()


def is_grad_enabled() -> bool:
    """Whether ops record the graph now (in this thread)."""
    return _state.enabled


def is_inference_mode_enabled() -> bool:
    """Whether an ``inference_mode`` block is active in this thread."""
    return _state.inference


class _GradMode:
    """Sets grad mode on entry and restores it afterwards; also a decorator."""

    mode = True
    inference = None  # None: leave inference mode as it is

    def __enter__(self):
        self._prev = (_state.enabled, _state.inference)
        _state.enabled = self.mode
        if self.inference is not None:
            _state.inference = self.inference

    def __exit__(self, *exc):
        _state.enabled, _state.inference = self._prev
        return False

    def clone(self) -> "_GradMode":
        return self.__class__()

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Run without recording the graph: ``with no_grad(): ...`` or ``@no_grad()``."""

    mode = False


class enable_grad(_GradMode):
    """Record the graph again inside a ``no_grad`` block."""

    mode = True


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(False)`` switches recording off for this thread at once, as a call;
    used as ``with set_grad_enabled(mode):`` it restores the previous mode on exit."""

    def __init__(self, mode: bool) -> None:
        self._prev = (_state.enabled, _state.inference)
        self.mode = bool(mode)
        _state.enabled = self.mode

    def __enter__(self):  # the mode was set by __init__; only remember what to restore
        pass

    def clone(self) -> "set_grad_enabled":
        return set_grad_enabled(self.mode)

    def __call__(self, fn):
        _state.enabled = self._prev[0]  # as a decorator the mode applies inside calls only
        return super().__call__(fn)


class inference_mode(_GradMode):
    """``no_grad`` for inference, as PyTorch's: nothing is recorded inside
    (``inference_mode(False)`` records again). Tensors made inside are ordinary tensors here."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = not mode
        self.inference = bool(mode)

    def clone(self) -> "inference_mode":
        return inference_mode(self.inference)
