"""In-place vector updates through the BLAS that NumPy loaded: ``y += alpha * x`` (axpy) and
``x *= alpha`` (scal), for the optimizers' parameter and state updates.

NumPy has no fused multiply-add: ``p -= lr * b`` writes a temporary ``lr * b`` and then reads it
back, on one core. BLAS's axpy makes one pass without the temporary, and OpenBLAS splits a long
one over its own threads, which are still spinning from the backward pass's matrix products
(benchmarks/README.md has the figures).

The routines are found by name in the library that threadpoolctl reports NumPy's BLAS to be
(OpenBLAS's names carry a prefix and suffix in NumPy's wheels: ``scipy_cblas_saxpy64_``) and
checked on a small vector once. Where there is none, or for arrays they do not fit (another
array library, other dtypes, differing layouts, views with gaps), NumPy's own ops run instead.
"""
from __future__ import annotations

import ctypes

import numpy as np

from .threads import BLAS_THREADS_MIN_MACS, _blas_controller, hold_blas_threads, release_blas_threads

__all__ = ["add_scaled_", "scale_"]

# OpenBLAS runs axpy and scal on one thread up to this many elements, whatever its count.
BLAS_SERIAL_MAX_SIZE = 10_000
# Arrays this long or longer use BLAS's threads as set; shorter ones one, so that its workers
# do not spin on into the next step's split convolutions for a small gain.
THREADED_MIN_SIZE = 1 << 17

_routines: dict | None = None  # {(name, dtype): ctypes function}, once looked up


def add_scaled_(y, x, alpha: float = 1.0) -> None:
    """``y += alpha * x`` in place, x and y of the same shape."""
    fn = _routine("axpy", y, x)
    if fn is None:
        y += x if alpha == 1 else alpha * x
        return
    held = _hold_threads(y)
    try:
        fn(y.size, float(alpha), x.ctypes.data, 1, y.ctypes.data, 1)
    finally:
        release_blas_threads(held)


def scale_(x, alpha: float) -> None:
    """``x *= alpha`` in place."""
    fn = _routine("scal", x)
    if fn is None:
        x *= alpha
        return
    held = _hold_threads(x)
    try:
        fn(x.size, float(alpha), x.ctypes.data, 1)
    finally:
        release_blas_threads(held)


def _hold_threads(a) -> int | None:
    """One BLAS thread for a middling array; a long one uses BLAS's threads as set, a short one
    runs on one anyway. Returns what ``release_blas_threads`` restores."""
    if BLAS_SERIAL_MAX_SIZE < a.size < THREADED_MIN_SIZE:
        return hold_blas_threads(BLAS_THREADS_MIN_MACS - 1)
    return None


def _routine(name: str, y, x=None):
    """The BLAS routine for y's dtype, or None when the arrays do not fit one flat call."""
    if type(y) is not np.ndarray or y.dtype not in (np.float32, np.float64):
        return None
    if x is not None and (type(x) is not np.ndarray or x.dtype != y.dtype or x.shape != y.shape
                          or not _same_flat_order(x, y) or np.may_share_memory(x, y)):
        return None
    if not (y.flags.c_contiguous or y.flags.f_contiguous) or not y.flags.writeable:
        return None
    return _lookup().get((name, y.dtype.char))


def _same_flat_order(x, y) -> bool:
    """Whether x and y laid out flat visit their elements in the same order."""
    return ((x.flags.c_contiguous and y.flags.c_contiguous)
            or (x.flags.f_contiguous and y.flags.f_contiguous))


def _lookup() -> dict:
    global _routines
    if _routines is None:
        try:
            _routines = _find_routines()
        except Exception:  # noqa: BLE001 - an unknown BLAS: NumPy's ops serve
            _routines = {}
    return _routines


def _find_routines() -> dict:
    blas = _blas_controller()
    lib = getattr(blas, "dynlib", None)
    if lib is None:
        return {}
    # Integers are passed 64 bits wide: right for 64-bit-integer builds (the "64_" names) and,
    # as the low half of the same register, for 32-bit ones too.
    i64 = ctypes.c_int64
    found = {}
    for char, letter, real in (("f", "s", ctypes.c_float), ("d", "d", ctypes.c_double)):
        for name, args in (("axpy", (i64, real, ctypes.c_void_p, i64, ctypes.c_void_p, i64)),
                           ("scal", (i64, real, ctypes.c_void_p, i64))):
            for symbol in _symbols(f"cblas_{letter}{name}"):
                fn = getattr(lib, symbol, None)
                if fn is not None:
                    fn.argtypes, fn.restype = args, None
                    found[(name, char)] = fn
                    break
    return found if _works(found) else {}


def _symbols(name: str):
    for prefix in ("scipy_", ""):
        for suffix in ("64_", "_64", ""):
            yield f"{prefix}{name}{suffix}"


def _works(found: dict) -> bool:
    """Whether every routine found gives NumPy's answer on a small vector."""
    for (name, char), fn in found.items():
        x = np.arange(1, 6, dtype=char)
        y = np.full(5, 10, dtype=char)
        if name == "axpy":
            fn(5, 2.0, x.ctypes.data, 1, y.ctypes.data, 1)
            if not np.array_equal(y, 10 + 2 * np.arange(1, 6)):
                return False
        else:
            fn(5, -3.0, x.ctypes.data, 1)
            if not np.array_equal(x, -3 * np.arange(1, 6)):
                return False
    return True
