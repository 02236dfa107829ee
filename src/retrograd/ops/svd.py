"""Singular value decomposition through NumPy's LAPACK: ``linalg.svd`` and ``linalg.svdvals``
(batched over leading dims), with PyTorch's gradients written as differentiable matrix products.

``svd`` returns three tensors from one node: its forward packs U, S and Vh side by side in one
array along the last dim, and the three are differentiable slices of it, so each gets its
gradient and unused ones contribute zero.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..backend import array_module
from ..tensor import Tensor
from .elementwise import where

SVD = namedtuple("SVD", ["U", "S", "Vh"])  # torch.return_types.linalg_svd's fields


def _check(A: Tensor, op: str) -> None:
    if A.ndim < 2:
        raise RuntimeError(f"linalg.{op}: The input tensor A must have at least 2 dimensions.")
    if A.array.dtype.kind != "f":
        raise RuntimeError(f"linalg.{op}: Expected a floating point tensor as input. Got {A.array.dtype}")


def _factor(a, full_matrices: bool):
    """NumPy's SVD of a batch of matrices; empty ones give empty factors (LAPACK refuses them)."""
    xp = array_module(a)
    m, n = a.shape[-2:]
    if a.size == 0:
        k = min(m, n)
        rows, cols = (m, n) if full_matrices else (k, k)
        batch = a.shape[:-2]
        return (xp.broadcast_to(xp.eye(m, rows, dtype=a.dtype), batch + (m, rows)).copy(),
                xp.zeros(batch + (k,), dtype=a.dtype),
                xp.broadcast_to(xp.eye(cols, n, dtype=a.dtype), batch + (cols, n)).copy())
    try:
        return xp.linalg.svd(a, full_matrices=full_matrices)
    except np.linalg.LinAlgError as e:  # CuPy raises NumPy's too
        raise RuntimeError(f"linalg.svd: the algorithm failed to converge ({e})") from None


class SingularValues(Function):
    """S of A = U diag(S) Vh; gradient U diag(g) Vh (well defined even at repeated values)."""

    saves_inputs, saves_output = (0,), False

    def forward(self, a):
        u, s, vh = _factor(a, full_matrices=False)
        self.u, self.vh = u, vh
        return s

    def backward(self, g):
        if is_grad_enabled():  # create_graph: U and Vh as differentiable functions of A
            u, _, vh = svd(self.inputs[0], full_matrices=False)
        else:
            u, vh = Tensor(self.u), Tensor(self.vh)
        return (u * g.unsqueeze(-2)) @ vh


class PackedSVD(Function):
    """U, S and Vh of A, flattened and laid side by side along one last dim."""

    saves_inputs, saves_output = (), True

    def forward(self, a, full_matrices=True):
        u, s, vh = _factor(a, full_matrices)
        self.full_matrices = full_matrices
        batch = a.shape[:-2]
        return array_module(a).concatenate([u.reshape(batch + (-1,)), s, vh.reshape(batch + (-1,))], axis=-1)

    def backward(self, g):
        """PyTorch's svd_backward (real case), from the reduced factors: with E_ij = S_j^2 - S_i^2,
        gA = U [(skew(U^T gU) S + S skew(V^T gV)) / E + diag(gS)] Vh
             + (I - U U^T) gU S^-1 Vh + U S^-1 gVh (I - V Vh)."""
        a = self.inputs[0]
        u, s, vh = _unpack(self.output(), a.shape, self.full_matrices)
        gu, gs, gvh = _unpack(g, a.shape, self.full_matrices)
        k = s.shape[-1]
        u, vh, gu, gvh = u[..., :k], vh[..., :k, :], gu[..., :k], gvh[..., :k, :]  # full_matrices:
        m, n = u.shape[-2], vh.shape[-1]  # the extra columns do not depend on A
        if not (gu.array.any() or gvh.array.any()):  # singular values only: no 1 / E
            return (u * gs.unsqueeze(-2)) @ vh
        xp = array_module(s.array)
        s2 = s * s
        gap = s2.unsqueeze(-2) - s2.unsqueeze(-1)
        eye = xp.eye(k, dtype=bool)
        gap = where(eye, xp.ones((), dtype=s.array.dtype), gap)
        utgu, vtgv = u.mT @ gu, vh @ gvh.mT
        inner = ((utgu - utgu.mT) * s.unsqueeze(-2) + s.unsqueeze(-1) * (vtgv - vtgv.mT)) / gap
        inner = inner + gs.diag_embed()
        if m > k:
            gus = gu / s.unsqueeze(-2)
            return (u @ inner + gus - u @ (u.mT @ gus)) @ vh
        if n > k:
            sgvh = gvh / s.unsqueeze(-1)
            return u @ (inner @ vh + sgvh - (sgvh @ vh.mT) @ vh)
        return u @ inner @ vh


def svd(A: Tensor, full_matrices: bool = True, *, driver=None, out=None) -> SVD:  # noqa: N803
    """A = U diag(S) Vh for A (..., m, n): U (..., m, m), S (..., k), Vh (..., n, n) with
    k = min(m, n), S descending; ``full_matrices=False`` gives U (..., m, k), Vh (..., k, n).
    Signs of singular vectors are LAPACK's (compare U diag(S) Vh, not U and V, with PyTorch's).
    The gradient through U and Vh is defined where the singular values are distinct."""
    _check(A, "svd")
    if out is not None:
        raise TypeError("linalg.svd: out= is not supported")
    packed = PackedSVD.apply(A, full_matrices=bool(full_matrices))
    return _unpack(packed, A.shape, bool(full_matrices))


def _unpack(packed: Tensor, shape: tuple, full_matrices: bool) -> SVD:
    """U, S, Vh as differentiable slices of ``PackedSVD``'s output, for an A of ``shape``."""
    m, n = shape[-2:]
    k = min(m, n)
    rows, cols = (m, n) if full_matrices else (k, k)
    batch, end_u = tuple(shape[:-2]), m * rows
    return SVD(packed[..., :end_u].reshape(batch + (m, rows)), packed[..., end_u:end_u + k],
               packed[..., end_u + k:].reshape(batch + (cols, n)))


def svdvals(A: Tensor, *, driver=None, out=None) -> Tensor:  # noqa: N803
    """The singular values of A (..., m, n), descending, shape (..., min(m, n)); gradient
    U diag(g) Vh."""
    _check(A, "svdvals")
    if out is not None:
        raise TypeError("linalg.svdvals: out= is not supported")
    return SingularValues.apply(A)
