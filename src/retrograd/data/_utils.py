"""Small helpers shared by the data modules: random generators and Tensor wrapping.

``retrograd.tensor`` and retrograd's global random generator are looked up lazily, at call time,
so this package imports on its own and follows ``manual_seed`` calls made after import.
"""
from __future__ import annotations

from typing import Any

import numpy as np

_fallback_rng: np.random.Generator | None = None


def global_generator() -> np.random.Generator:
    """Retrograd's global generator (``retrograd.random`` or ``retrograd.backend``), else a
    process-wide ``np.random.default_rng()``."""
    global _fallback_rng
    for module in ("retrograd.random", "retrograd.backend"):
        try:
            get = getattr(__import__(module, fromlist=["get_generator"]), "get_generator", None)
        except ImportError:
            continue
        if get is not None:
            return get()
    if _fallback_rng is None:
        _fallback_rng = np.random.default_rng()
    return _fallback_rng


def as_generator(generator: np.random.Generator | int | None) -> np.random.Generator | None:
    """A ``Generator`` as is, an int seed as ``default_rng(seed)``, None as None."""
    if generator is None or isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
        return np.random.default_rng(int(generator))
    raise TypeError(f"generator must be a numpy.random.Generator, an int seed or None, "
                    f"got {type(generator).__name__}")


def spawn_from_global() -> np.random.Generator:
    """A fresh private generator seeded by one draw from the global generator."""
    return np.random.default_rng(int(global_generator().integers(0, 2**63 - 1)))


def default_float_dtype() -> np.dtype:
    """The dtype Python floats become (retrograd's default, float32 if unknown)."""
    try:
        from retrograd.backend import get_default_dtype
    except ImportError:
        return np.dtype(np.float32)
    return np.dtype(get_default_dtype())


def tensor_class() -> type:
    from retrograd.tensor import Tensor

    return Tensor


def is_tensor(x: Any) -> bool:
    """True for a retrograd Tensor (checked without importing it when it is not loaded)."""
    if isinstance(x, np.ndarray):
        return False
    try:
        return isinstance(x, tensor_class())
    except ImportError:
        return False


def to_numpy(x: Any) -> np.ndarray:
    """The array behind a Tensor, or ``np.asarray(x)``."""
    if isinstance(x, np.ndarray):
        return x
    if is_tensor(x):
        return x.numpy()
    return np.asarray(x)


def to_tensor(x: np.ndarray) -> Any:
    """Wrap an array in a retrograd Tensor without copying."""
    return tensor_class()(x)
