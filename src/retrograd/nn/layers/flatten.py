"""Flatten (merge a range of dims) and Unflatten (split one dim)."""
from __future__ import annotations

from ...autograd.function import ShapeError
from ...ops.dims import normalize_dim
from ...tensor import Tensor
from ..module import Module


class Flatten(Module):
    """Merge dims start_dim..end_dim: (N, C, H, W) -> (N, C*H*W) with the defaults."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input: Tensor) -> Tensor:
        try:
            return input.flatten(self.start_dim, self.end_dim)
        except IndexError:
            raise ShapeError(f"{self!r}: cannot flatten input of shape {tuple(input.shape)}") from None

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size``: Unflatten(1, (2, 3)) maps (N, 6) -> (N, 2, 3)."""

    def __init__(self, dim: int, unflattened_size: tuple[int, ...]):
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input: Tensor) -> Tensor:
        d = normalize_dim(self.dim, input.ndim, "Unflatten")
        sizes = self.unflattened_size
        known = 1
        for s in sizes:
            known *= s if s != -1 else 1
        n = input.shape[d]
        if sizes.count(-1) > 1 or (-1 not in sizes and known != n) or (-1 in sizes and n % known):
            raise ShapeError(f"{self!r}: dim {self.dim} of input shape {tuple(input.shape)} has size "
                             f"{n}, which cannot be unflattened to {sizes}")
        return input.reshape(input.shape[:d] + sizes + input.shape[d + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
