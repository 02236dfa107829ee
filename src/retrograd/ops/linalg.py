"""Matrix multiplication (1-D, 2-D and batched with broadcast batch dims) and the fused
affine map used by Linear layers."""
from __future__ import annotations

from ..autograd.function import Function, ShapeError
from ..backends import kernels_for


def _swap(t):
    """Transpose of the last two dims."""
    from .shape import Permute

    n = t.array.ndim
    return Permute.apply(t, dims=tuple(range(n - 2)) + (n - 1, n - 2))


class MatMul(Function):
    """a @ b for operands of >= 2 dims; batch dims broadcast (the engine sums them back)."""
    saves_output = False

    def forward(self, a, b):
        return kernels_for(a).matmul(a, b)

    def backward(self, g):
        a, b = self.inputs
        ga = g @ _swap(b) if a.requires_grad else None
        gb = None
        if b.requires_grad:
            if b.ndim == 2 and a.ndim > 2:  # fold batch dims into one GEMM
                k, n = a.shape[-1], g.shape[-1]
                gb = _swap(a.reshape(-1, k)) @ g.reshape(-1, n)
            else:
                gb = _swap(a) @ g
        return ga, gb


class Linear(Function):
    """x @ W.T + b with W of shape (out, in): one GEMM forward, two backward."""
    saves_output = False

    def forward(self, x, w, b=None):
        kernels = kernels_for(x)
        # A 2-D input's output is computed transposed, out^T = W x^T, and returned as its
        # (column-major) transpose: OpenBLAS runs that product faster than x W^T (figures in
        # benchmarks/README.md). backward_arrays keeps the gradients in that layout.
        out = kernels.matmul(w, x.T).T if x.ndim == 2 else kernels.matmul(x, w.T)
        if b is not None:
            out += b
        return out

    def backward(self, g):
        x, w, b = self.inputs if len(self.inputs) == 3 else (*self.inputs, None)
        gx = MatMul.apply(g, w) if x.requires_grad else None
        gw = gb = None
        if w.requires_grad:
            g2, x2 = (g, x) if g.array.ndim == 2 else (g.reshape(-1, g.shape[-1]), x.reshape(-1, x.shape[-1]))
            if g2.array.ndim == 1:
                g2, x2 = g2.reshape(1, -1), x2.reshape(1, -1)
            gw = MatMul.apply(_swap(g2), x2)
        if b is not None and b.requires_grad:
            gb = g.sum(tuple(range(g.ndim - 1)))
        return gx, gw, gb

    def backward_arrays(self, g):
        """g (*, out) -> g @ W, g^T @ x over all leading dims, g summed over them."""
        x, w, b = self.inputs if len(self.inputs) == 3 else (*self.inputs, None)
        kernels = kernels_for(g)
        gx = None
        if x.requires_grad:  # in x's own layout, so that elementwise backward rules meet alike
            column_major = x.array.ndim == 2 and not x.array.flags.c_contiguous
            gx = kernels.matmul(w.array.T, g.T).T if column_major else kernels.matmul(g, w.array)
        gw = gb = None
        if w.requires_grad:
            gw = kernels.matmul(g.reshape(-1, g.shape[-1]).T, x.array.reshape(-1, x.shape[-1]))
        if b is not None and b.requires_grad:
            gb = kernels.sum_array(g.reshape(-1, g.shape[-1]), (0,))
        return gx, gw, gb


def _same_dtype(op: str, a, b, c=None) -> None:
    """Matrix products do not promote (as PyTorch): a float32 Linear given float64 or int64
    input raises instead of silently computing in float64."""
    dtype = a.array.dtype
    if b.array.dtype != dtype or (c is not None and c.array.dtype != dtype):
        dtypes = ", ".join(str(t.dtype) for t in (a, b, c) if t is not None)
        raise RuntimeError(f"{op}: expected all operands to have one dtype, got {dtypes} (cast "
                           "with .to(dtype) first)")


def matmul(input, other):
    """Matrix product a @ b: 1-D operands are vectors, batch dims broadcast (PyTorch's rules)."""
    if input.ndim == 0 or other.ndim == 0:
        raise ShapeError(f"matmul: both operands need at least 1 dim, got shapes {tuple(input.shape)} "
                         f"and {tuple(other.shape)}")
    _same_dtype("matmul", input, other)
    ka = input.shape[-1]
    kb = other.shape[0] if other.ndim == 1 else other.shape[-2]
    if ka != kb:
        raise ShapeError(f"matmul: shapes {tuple(input.shape)} and {tuple(other.shape)} cannot be "
                         f"multiplied ({ka} != {kb})")
    if input.ndim == 1 and other.ndim == 1:
        return MatMul.apply(input.unsqueeze(0), other.unsqueeze(-1)).reshape(())
    if input.ndim == 1:
        return matmul(input.unsqueeze(0), other).squeeze(-2)
    if other.ndim == 1:
        return matmul(input, other.unsqueeze(-1)).squeeze(-1)
    return MatMul.apply(input, other)


def linear(input, weight, bias=None):
    """y = x @ weight.T + bias; x (*, in), weight (out, in), bias (out,) -> (*, out)."""
    if input.ndim == 0 or weight.ndim != 2 or input.shape[-1] != weight.shape[1]:
        raise ShapeError(f"linear: input of shape {tuple(input.shape)} does not fit weight of shape "
                         f"{tuple(weight.shape)} (expected input (*, {weight.shape[-1] if weight.ndim else '?'}))")
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ShapeError(f"linear: bias of shape {tuple(bias.shape)} does not fit weight of shape "
                         f"{tuple(weight.shape)}")
    _same_dtype("linear", input, weight, bias)
    if bias is None:
        return Linear.apply(input, weight)
    return Linear.apply(input, weight, bias)
