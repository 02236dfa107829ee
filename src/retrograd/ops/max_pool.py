"""Max pooling as differentiable ops: the pool, its gradient (a scatter to the winning
positions, ``MaxPoolScatter``) and that gradient's own (the matching gather,
``MaxPoolGather``). The array kernels come from the inputs' backend."""
from __future__ import annotations

from ..autograd.function import Function
from ..backends import kernels_for


class MaxPool(Function):
    """Max over each window; ``arg`` keeps the winning kernel offset (i * kW + j) per output
    element, the first in row-major window order as in PyTorch."""
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, x, geometry=None):
        self.geo = geometry
        self.kernels = kernels_for(x)
        out, self.arg = self.kernels.max_pool(x, geometry)
        return out

    def backward(self, g):
        return MaxPoolScatter.apply(g, arg=self.arg, geometry=self.geo)

    def indices(self):
        """PyTorch's flat indices into each (H, W) input plane."""
        return self.kernels.max_pool_indices(self.arg, self.geo)


class MaxPoolScatter(Function):
    """Each output gradient added to the input position its window's max came from."""
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, g, arg=None, geometry=None):
        self.arg, self.geo = arg, geometry
        return kernels_for(g).max_pool_scatter(g, arg, geometry)

    def backward(self, gg):
        return MaxPoolGather.apply(gg, arg=self.arg, geometry=self.geo)


class MaxPoolGather(Function):
    """The value at each window's max position (the transpose of MaxPoolScatter)."""
    saves_inputs, saves_output = (), False  # backward reads no values

    def forward(self, x, arg=None, geometry=None):
        self.arg, self.geo = arg, geometry
        return kernels_for(x).max_pool_gather(x, arg, geometry)

    def backward(self, g):
        return MaxPoolScatter.apply(g, arg=self.arg, geometry=self.geo)
