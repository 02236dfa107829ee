"""Export to ONNX (``retrograd.onnx.export``, shaped as ``torch.onnx.export``), built with the
``onnx`` package (``pip install 'retrograd[onnx]'``).

``register_module`` and ``register_op`` add converters for layers and ops that have none (the
error of an export names the op that lacks one).
"""
from __future__ import annotations

from .export import DEFAULT_OPSET, export, register_module, register_op
from .graph import ExportError

__all__ = ["DEFAULT_OPSET", "ExportError", "export", "register_module", "register_op"]
