"""Dense linear algebra through NumPy's LAPACK: inv, det, slogdet, solve (batched over leading
dims), with gradients written as matrix products of differentiable ops."""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..autograd.function import Function, ShapeError
from ..backend import array_module
from ..tensor import Tensor

SignLogAbsDet = namedtuple("SignLogAbsDet", ["sign", "logabsdet"])


def _square(a: Tensor, op: str) -> None:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"linalg.{op}: A must be a batch of square matrices, got shape {tuple(a.shape)}")
    if a.array.dtype.kind != "f":
        raise RuntimeError(f"linalg.{op}: expected a floating tensor, got {a.array.dtype}")


def _lapack(fn, op: str):
    try:
        return fn()
    except np.linalg.LinAlgError as e:  # CuPy raises NumPy's too
        raise RuntimeError(f"linalg.{op}: the input is singular ({e})") from None


class Inverse(Function):
    def forward(self, a):
        return _lapack(lambda: array_module(a).linalg.inv(a), "inv")

    def backward(self, g):
        inv_t = self.output().mT
        return -(inv_t @ g @ inv_t)


class Determinant(Function):
    def forward(self, a):
        return array_module(a).linalg.det(a)

    def backward(self, g):
        """d det(A) / dA = det(A) inv(A)^T (A invertible)."""
        a = self.inputs[0]
        return (g * self.output()).unsqueeze(-1).unsqueeze(-1) * inv(a).mT


class LogAbsDeterminant(Function):
    def forward(self, a):
        sign, logabs = array_module(a).linalg.slogdet(a)
        self.sign = sign
        return logabs

    def backward(self, g):
        return g.unsqueeze(-1).unsqueeze(-1) * inv(self.inputs[0]).mT


class Solve(Function):
    """X with A X = B; B is a batch of matrices here (vectors are made columns by ``solve``)."""

    def forward(self, a, b):
        return _lapack(lambda: array_module(a, b).linalg.solve(a, b), "solve")

    def backward(self, g):
        a, b = self.inputs
        gb = solve(a.mT, g)
        ga = -(gb @ self.output().mT) if isinstance(a, Tensor) and a.requires_grad else None
        return ga, (gb if isinstance(b, Tensor) and b.requires_grad else None)


def inv(A: Tensor) -> Tensor:  # noqa: N803 - PyTorch's name
    """The inverse of each square matrix in ``A`` (..., n, n); RuntimeError when singular."""
    _square(A, "inv")
    return Inverse.apply(A)


def det(A: Tensor) -> Tensor:  # noqa: N803
    """Determinants of ``A`` (..., n, n) -> (...)."""
    _square(A, "det")
    return Determinant.apply(A)


def slogdet(A: Tensor) -> SignLogAbsDet:  # noqa: N803
    """(sign, log|det|) of ``A`` (..., n, n): stable where det over- or underflows."""
    _square(A, "slogdet")
    logabs = LogAbsDeterminant.apply(A)
    sign = array_module(A.array).linalg.slogdet(A.array)[0]
    return SignLogAbsDet(Tensor(sign.astype(A.array.dtype)), logabs)


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:  # noqa: N803
    """X with A X = B (``left=False``: X A = B). B (..., n, k), or (..., n) taken as vectors."""
    _square(A, "solve")
    if not left:
        return solve(A.mT, B.mT).mT
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    if vector:
        return Solve.apply(A, B.unsqueeze(-1)).squeeze(-1)
    if B.shape[-2] != A.shape[-1]:
        raise ShapeError(f"linalg.solve: A of shape {tuple(A.shape)} and B of shape {tuple(B.shape)} "
                         "do not fit")
    return Solve.apply(A, B)
