"""The ONNX graph under construction: nodes, weights (initializers) and unique value names.

Converters (``layers.py`` for modules, ``ops.py`` for autograd Functions) receive a
``GraphBuilder`` and call ``node`` and ``constant``; they never touch the ``onnx`` protobufs.
"""
from __future__ import annotations

import numpy as np

INT64_MAX = np.iinfo(np.int64).max


class ExportError(RuntimeError):
    """The model holds something ONNX export cannot express; the message names it."""


class GraphBuilder:
    """Collects nodes and initializers in topological order; ``opset`` is the target opset."""

    def __init__(self, opset: int):
        import onnx.helper

        self._helper = onnx.helper
        self.opset = opset
        self.nodes: list = []
        self.initializers: list = []
        self._taken: set[str] = set()
        self.values: dict[int, str] = {}  # value_key(Tensor) -> the name of its value
        self.tensor_names: dict[int, str] = {}  # id(parameter or buffer) -> its state_dict key
        self._alive: list = []  # tensors whose ids are keys above (ids stay unique meanwhile)
        self.input_arrays: dict[int, str] = {}  # id(graph input's array) -> its name (indices)

    def fresh(self, hint: str) -> str:
        """A value name not used yet, based on ``hint``."""
        name, k = hint, 0
        while name in self._taken:
            k += 1
            name = f"{hint}_{k}"
        self._taken.add(name)
        return name

    def reserve(self, name: str) -> str:
        """Claim an exact name (graph inputs, outputs, parameter names)."""
        if name in self._taken:
            raise ExportError(f"onnx export: the name {name!r} is used twice")
        self._taken.add(name)
        return name

    def node(self, op_type: str, inputs: list[str], hint: str | None = None, outputs: int = 1,
             **attributes) -> str | list[str]:
        """Add a node; returns its output name (or names when ``outputs`` > 1)."""
        names = [self.fresh(f"{hint or op_type}_out") for _ in range(outputs)]
        attributes = {k: v for k, v in attributes.items() if v is not None}
        self.nodes.append(self._helper.make_node(op_type, inputs, names,
                                                 name=self.fresh(f"/{hint or op_type}"),
                                                 **attributes))
        return names[0] if outputs == 1 else names

    def weight(self, name: str, array) -> str:
        """A named initializer (a parameter or buffer): its exact name when free."""
        import onnx.numpy_helper

        name = self.fresh(name)
        array = np.asarray(array)  # ascontiguousarray alone would make a 0-d scalar 1-d
        self.initializers.append(onnx.numpy_helper.from_array(
            np.ascontiguousarray(array).reshape(array.shape), name))
        return name

    def constant(self, value, dtype, hint: str = "const") -> str:
        """An unnamed constant initializer of ``dtype`` (a scalar, list or array)."""
        return self.weight(hint, np.asarray(value, dtype=dtype))

    def tensor(self, t) -> str:
        """The graph value of a Tensor that no node computes: a parameter or buffer (an
        initializer named by its state_dict key) or a constant made in forward."""
        from ..autograd.trace import value_key

        key = value_key(t)
        if key not in self.values:
            self._alive.append(t)
            self.values[key] = self.weight(self.tensor_names.get(key, "const"), t.array)
        return self.values[key]

    def operand(self, x, dtype) -> str:
        """A Function input: a Tensor's value, or a Python number / array as a constant."""
        if hasattr(x, "array"):
            return self.tensor(x)
        return self.constant(x, x.dtype if isinstance(x, np.ndarray) else dtype)

    def ints(self, values, hint: str = "shape") -> str:
        """A 1-D int64 constant (shapes, axes, pads: inputs of Reshape, Slice, Pad, ...)."""
        return self.constant(list(values), np.int64, hint)


def onnx_dtype(dtype) -> int:
    """The ONNX element type of a NumPy dtype."""
    import onnx.helper

    return onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
