"""Dropout1d, Dropout3d (whole channels) and AlphaDropout (for SELU networks); identity in eval
mode."""
from __future__ import annotations

from ...ops.feature_dropout import alpha_dropout, dropout1d, dropout3d
from ...tensor import Tensor
from .dropout import _DropoutNd


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) or (C, L) input with probability p."""

    def forward(self, input: Tensor) -> Tensor:
        return dropout1d(input, self.p, self.training)


class Dropout3d(_DropoutNd):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input with probability p."""

    def forward(self, input: Tensor) -> Tensor:
        return dropout3d(input, self.p, self.training)


class AlphaDropout(_DropoutNd):
    """Dropout keeping zero mean and unit variance (SELU's self-normalisation); any shape."""

    def forward(self, input: Tensor) -> Tensor:
        return alpha_dropout(input, self.p, self.training)
