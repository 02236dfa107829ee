"""Padding layers over F.pad (``ops/padding.py``): ZeroPad, ConstantPad, ReflectionPad,
ReplicationPad and CircularPad in 1, 2 and 3 dims. ``padding`` is an int (every side) or the
(left, right[, top, bottom[, front, back]]) tuple, as PyTorch's; negative sizes crop."""
from __future__ import annotations

from ...ops.padding import pad
from ...tensor import Tensor
from ..module import Module


class _PadNd(Module):
    _nd = 1
    _mode = "constant"

    def __init__(self, padding, value: float = 0.0):
        super().__init__()
        sides = 2 * self._nd
        self.padding = (padding,) * sides if isinstance(padding, int) else tuple(padding)
        if len(self.padding) != sides:
            raise ValueError(f"{type(self).__name__}: padding must be an int or a tuple of {sides} "
                             f"ints, got {padding!r}")
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return pad(input, self.padding, self._mode, self.value if self._mode == "constant" else None)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value: float):
        super().__init__(padding, value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class _ZeroPadNd(_PadNd):
    def __init__(self, padding):
        super().__init__(padding, 0.0)


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim: (*, W) with ``value``."""

    _nd, _mode = 1, "constant"


class ConstantPad2d(_ConstantPadNd):
    """Pad the last 2 dims: (*, H, W) with ``value``."""

    _nd, _mode = 2, "constant"


class ConstantPad3d(_ConstantPadNd):
    """Pad the last 3 dims: (*, D, H, W) with ``value``."""

    _nd, _mode = 3, "constant"


class ZeroPad1d(_ZeroPadNd):
    """Pad the last dim: (*, W) with zeros."""

    _nd, _mode = 1, "constant"


class ZeroPad2d(_ZeroPadNd):
    """Pad the last 2 dims: (*, H, W) with zeros."""

    _nd, _mode = 2, "constant"


class ZeroPad3d(_ZeroPadNd):
    """Pad the last 3 dims: (*, D, H, W) with zeros."""

    _nd, _mode = 3, "constant"


class ReflectionPad1d(_PadNd):
    """Pad the last dim: (*, W) by reflection (the edge not repeated)."""

    _nd, _mode = 1, "reflect"


class ReflectionPad2d(_PadNd):
    """Pad the last 2 dims: (*, H, W) by reflection (the edge not repeated)."""

    _nd, _mode = 2, "reflect"


class ReflectionPad3d(_PadNd):
    """Pad the last 3 dims: (*, D, H, W) by reflection (the edge not repeated)."""

    _nd, _mode = 3, "reflect"


class ReplicationPad1d(_PadNd):
    """Pad the last dim: (*, W) by repeating the edge."""

    _nd, _mode = 1, "replicate"


class ReplicationPad2d(_PadNd):
    """Pad the last 2 dims: (*, H, W) by repeating the edge."""

    _nd, _mode = 2, "replicate"


class ReplicationPad3d(_PadNd):
    """Pad the last 3 dims: (*, D, H, W) by repeating the edge."""

    _nd, _mode = 3, "replicate"


class CircularPad1d(_PadNd):
    """Pad the last dim: (*, W) by wrapping around."""

    _nd, _mode = 1, "circular"


class CircularPad2d(_PadNd):
    """Pad the last 2 dims: (*, H, W) by wrapping around."""

    _nd, _mode = 2, "circular"


class CircularPad3d(_PadNd):
    """Pad the last 3 dims: (*, D, H, W) by wrapping around."""

    _nd, _mode = 3, "circular"
