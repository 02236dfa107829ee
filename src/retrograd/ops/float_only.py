"""Ops PyTorch defines for floating-point input only (mean, var, std, softmax, log_softmax):
integer or bool input raises, with PyTorch's exception type, instead of silently computing in
float64."""
from __future__ import annotations

from typing import Any


def require_float(x: Any, op: str, error: type[Exception] = RuntimeError) -> None:
    """Raise ``error`` naming ``op`` and the dtype unless ``x`` is floating point or complex."""
    dtype = x.dtype
    if getattr(dtype, "kind", "f") not in "fc":
        raise error(f"{op}(): input dtype must be floating point or complex, got {dtype}; "
                    f"convert it first, e.g. x.float().{op}(...)")
