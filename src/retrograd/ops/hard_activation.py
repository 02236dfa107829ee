"""Piecewise-linear activations: hardtanh, relu6, hardsigmoid, hardswish, threshold.

Each keeps the input's shape and dtype. At the kinks the gradient is PyTorch's: hardtanh passes
it only strictly inside (min_val, max_val), threshold only where x > threshold. The functions take
F's signatures; ``inplace=True`` is accepted and computed out of place.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import array_module
from ..tensor import Tensor

__all__ = ["hardtanh", "relu6", "hardsigmoid", "hardswish", "threshold"]


class Hardtanh(Function):
    """clip(x, min_val, max_val); gradient 1 strictly between the bounds, else 0."""

    saves_inputs, saves_output = (0,), False

    def forward(self, x, min_val=-1.0, max_val=1.0):
        self.bounds = (min_val, max_val)
        return array_module(x).clip(x, min_val, max_val).astype(x.dtype, copy=False)

    def backward(self, g):
        x = self.inputs[0].array
        lo, hi = self.bounds
        return g * ((x > lo) & (x < hi))

    backward_arrays = backward  # the same product, on a Tensor or an array


class Threshold(Function):
    """x where x > threshold, else ``value``; gradient 1 where x > threshold."""

    saves_inputs, saves_output = (0,), False

    def forward(self, x, threshold=0.0, value=0.0):
        self.threshold = threshold
        xp = array_module(x)
        return xp.where(x > threshold, x, xp.asarray(value, dtype=x.dtype))

    def backward(self, g):
        return g * (self.inputs[0].array > self.threshold)

    backward_arrays = backward


class Hardswish(Function):
    """x * relu6(x + 3) / 6 in one pass; gradient x / 3 + 1/2 strictly inside (-3, 3), 1 from 3
    on, 0 below -3 (PyTorch's values at the kinks)."""

    saves_inputs, saves_output = (0,), False

    def forward(self, x):
        xp = array_module(x)
        out = xp.asarray(xp.add(x, 3, dtype=x.dtype))  # in place from here (a 0-d array too)
        xp.clip(out, 0, 6, out=out)
        out *= x
        out /= 6
        return out

    def _pieces(self):
        x = self.inputs[0].array
        return (x > -3) & (x < 3), x >= 3

    def backward(self, g):
        inside, above = self._pieces()
        return g * (self.inputs[0] * (inside / 3.0) + (inside * 0.5 + above))

    def backward_arrays(self, g):
        x = self.inputs[0].array
        inside, above = self._pieces()
        slope = array_module(x).where(inside, x / 3 + 0.5, above).astype(g.dtype, copy=False)
        return (g * slope,)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """clip(input, min_val, max_val), any shape."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})")
    return Hardtanh.apply(input, min_val=min_val, max_val=max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(input, 0), 6), i.e. hardtanh(input, 0, 6) (PyTorch's definition)."""
    return Hardtanh.apply(input, min_val=0.0, max_val=6.0)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(input + 3) / 6: 0 below -3, 1 above 3, linear between."""
    return relu6(input + 3.0) / 6.0


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """input * relu6(input + 3) / 6 (MobileNetV3)."""
    return Hardswish.apply(input)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """input where input > threshold, else value."""
    return Threshold.apply(input, threshold=threshold, value=value)
