"""Anomaly mode: name the op (and where the user's code created it) that first produced a
NaN or Inf, in forward or backward."""
from __future__ import annotations

import traceback

from ..backend import array_module
from .function import _anomaly


class AnomalyError(RuntimeError):
    """An operation produced NaN or Inf while anomaly detection was on."""


def _user_frame(stack):
    import os

    pkg = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for frame in reversed(stack):
        if not os.path.abspath(frame.filename).startswith(pkg):
            return f"{frame.filename}:{frame.lineno} in {frame.name}: {frame.line}"
    return "unknown location"


def _on_forward(fn, result):
    fn.anomaly_trace = _user_frame(traceback.extract_stack()[:-2])
    data = result.array
    if data.dtype.kind == "f" and not array_module(data).isfinite(data).all():
        bad = "NaN" if array_module(data).isnan(data).any() else "Inf"
        raise AnomalyError(f"Function '{fn.name}' produced {bad} in its forward output "
                           f"(created at {fn.anomaly_trace})")


def _on_backward(fn, grads):
    for i, g in enumerate(grads):
        if g is None or g.array.dtype.kind != "f":
            continue
        xp = array_module(g.array)
        if not xp.isfinite(g.array).all():
            bad = "NaN" if xp.isnan(g.array).any() else "Inf"
            raise AnomalyError(f"Function '{fn.name}Backward' returned {bad} in its gradient for "
                               f"input {i} (the op was created at {fn.anomaly_trace})")


class detect_anomaly:
    """Context manager: raise AnomalyError at the first NaN/Inf an op produces, naming the op
    and the line of user code that created it. Slow: use it to debug."""

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan

    def __enter__(self):
        self._prev = (_anomaly.enabled, _anomaly.on_forward, _anomaly.on_backward)
        _anomaly.enabled = self.check_nan
        _anomaly.on_forward = _on_forward
        _anomaly.on_backward = _on_backward
        return self

    def __exit__(self, *exc):
        _anomaly.enabled, _anomaly.on_forward, _anomaly.on_backward = self._prev
        return False
