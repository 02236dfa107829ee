"""NumPy's floating-point warnings silenced inside ops: as in PyTorch, an overflow gives inf and
an invalid operation NaN without a word on the console.

Only the current context is affected (NumPy keeps its error state in a context variable), and
only while an op, a backward pass or an optimizer step runs; whatever the user set with
``np.seterr`` / ``np.errstate`` applies everywhere else. ``enter()``/``leave(token)`` are the
fast pair for ``Function.apply`` (a context-variable set and reset, cheaper than
``np.errstate``); ``quiet()`` is the same as a context manager. Its cost is measured in
benchmarks/README.md.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np

try:  # NumPy 2: the error state is the context variable np.errstate sets
    from numpy._core._ufunc_config import _extobj_contextvar
except ImportError:  # pragma: no cover - older NumPy: the public (slower) context manager
    _extobj_contextvar = None

if _extobj_contextvar is not None:
    with np.errstate(all="ignore"):
        _IGNORE = _extobj_contextvar.get()
    _set, leave = _extobj_contextvar.set, _extobj_contextvar.reset  # C methods: no Python frame

    def enter() -> Any:
        """Start ignoring floating-point errors in this context; returns the token for leave."""
        return _set(_IGNORE)
else:  # pragma: no cover
    def enter() -> Any:
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def leave(token: Any) -> None:
        token.__exit__(None, None, None)


@contextmanager
def quiet() -> Iterator[None]:
    """Ignore NumPy floating-point errors (overflow, invalid, divide, underflow) inside."""
    token = enter()
    try:
        yield
    finally:
        leave(token)
