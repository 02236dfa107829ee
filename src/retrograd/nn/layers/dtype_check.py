"""The check layers with weights make on their input's dtype: as in PyTorch, a float32 layer
given float64 (or integer) input raises ``RuntimeError`` naming both dtypes, never computes
silently in another precision."""
from __future__ import annotations

from typing import Any


def check_input_dtype(layer: Any, input: Any, weight: Any) -> None:
    """Raise ``RuntimeError`` unless ``input`` has ``weight``'s dtype."""
    if input.dtype != weight.dtype:
        raise RuntimeError(f"{type(layer).__name__}: input dtype {input.dtype} and weight dtype "
                           f"{weight.dtype} must be the same (convert the input with "
                           f".to({weight.dtype}), or the layer with .to({input.dtype}))")
