"""``retrograd.linalg``: PyTorch's ``torch.linalg`` names (norms, inv, det, slogdet, solve,
svd, svdvals, cross, matmul)."""
from __future__ import annotations

from .ops.contract import cross as _cross
from .ops.linalg import matmul
from .ops.linalg_dense import det, inv, slogdet, solve
from .ops.norms import matrix_norm, norm, vector_norm
from .ops.svd import svd, svdvals


def cross(input, other, *, dim: int = -1):  # noqa: A002 - PyTorch's names
    """Cross product of 3-vectors along ``dim`` (default the last, unlike ``torch.cross``)."""
    return _cross(input, other, dim)


__all__ = ["cross", "det", "inv", "matmul", "matrix_norm", "norm", "slogdet", "solve", "svd", "svdvals",
           "vector_norm"]

from .tensor_args import guard as _guard  # noqa: E402

_guard(globals(), "linalg.")
