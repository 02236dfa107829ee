"""CosineSimilarity and PairwiseDistance: F.cosine_similarity / F.pairwise_distance as layers."""
from __future__ import annotations

from ...ops.distance import cosine_similarity, pairwise_distance
from ...tensor import Tensor
from ..module import Module


class CosineSimilarity(Module):
    """Cosine of the angle between x1 and x2 along ``dim``: (N, D), (N, D) -> (N,) with dim=1."""

    def __init__(self, dim: int = 1, eps: float = 1e-8):
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """||x1 - x2 + eps||_p over the last dim: (N, D), (N, D) -> (N,)."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
