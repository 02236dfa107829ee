"""Tensor contractions: einsum (with ellipsis), tensordot, outer, mm, bmm, mv, dot, addmm,
baddbmm, cross. einsum's gradient for each operand is itself an einsum (so higher orders work)."""
from __future__ import annotations

import string

from ..autograd.function import Function, ShapeError
from ..backend import array_module
from ..tensor import Tensor
from .dims import normalize_dim
from .linalg import matmul


def _parse(equation: str, shapes) -> tuple[list[str], str]:
    """Explicit subscripts (ellipses spelled out with spare letters) and the output's."""
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(shapes):
        raise ValueError(f"einsum: the equation names {len(inputs)} operands but {len(shapes)} were given")
    spare = [c for c in string.ascii_letters if c not in equation]
    ellipsis_dims = max([len(s) - len(sub.replace("...", "")) for sub, s in zip(inputs, shapes)
                         if "..." in sub] or [0])
    fill = "".join(spare[:ellipsis_dims])
    explicit = []
    for sub, shape in zip(inputs, shapes):
        if "..." in sub:
            n = len(shape) - len(sub.replace("...", ""))
            sub = sub.replace("...", fill[ellipsis_dims - n:] if n else "")
        if len(sub) != len(shape):
            raise ShapeError(f"einsum: subscripts {sub!r} do not fit an operand of shape {tuple(shape)}")
        explicit.append(sub)
    if arrow:
        out = rhs.replace("...", fill)
    else:  # implicit output: the ellipsis dims, then letters used once, in alphabetical order
        letters = "".join(explicit)
        out = fill + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in fill))
    return explicit, out


class Einsum(Function):
    def forward(self, *arrays, subscripts=(), output=""):
        self.subscripts, self.output_subscripts = subscripts, output
        eq = ",".join(subscripts) + "->" + output
        return array_module(*arrays).einsum(eq, *arrays, optimize=len(arrays) > 2)

    def backward(self, g):
        return tuple(self._operand_grad(i, g) if isinstance(x, Tensor) and x.requires_grad else None
                     for i, x in enumerate(self.inputs))

    def _operand_grad(self, i: int, g: Tensor) -> Tensor:
        """d/d(operand i): the einsum of g with the other operands, out to operand i's letters.
        Letters the others lack come from ones; a repeated letter (a diagonal) from an identity."""
        xp = array_module(g.array)
        target = self.subscripts[i]
        operands = [g] + [x for j, x in enumerate(self.inputs) if j != i]
        subs = [self.output_subscripts] + [s for j, s in enumerate(self.subscripts) if j != i]
        shape = self.inputs[i].shape
        spare = iter(c for c in string.ascii_letters if c not in "".join(self.subscripts) + self.output_subscripts)
        out, seen = "", {}
        for letter, size in zip(target, shape):
            if letter in seen:  # x[i, i]: the gradient lives on the diagonal
                fresh = next(spare)
                operands.append(Tensor(xp.eye(size, dtype=g.dtype)))
                subs.append(letter + fresh)
                out += fresh
            else:
                seen[letter] = size
                out += letter
        present = set("".join(subs))
        for letter in set(target) - present:
            operands.append(Tensor(xp.ones(seen[letter], dtype=g.dtype)))
            subs.append(letter)
        return Einsum.apply(*operands, subscripts=tuple(subs), output=out)


def einsum(equation: str, *operands) -> Tensor:
    """Sum of products over the letters of ``equation`` (``'bij,bjk->bik'``, ``'...ij->...ji'``)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    subscripts, output = _parse(equation, [t.shape for t in operands])
    return Einsum.apply(*operands, subscripts=tuple(subscripts), output=output)


def tensordot(a: Tensor, b: Tensor, dims=2) -> Tensor:
    """Contract the last ``dims`` dims of ``a`` with the first of ``b``, or the listed pairs."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot: expects dims >= 0, got {dims}")
        dims_a, dims_b = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        dims_a, dims_b = ([d] if isinstance(d, int) else list(d) for d in dims)
    dims_a = [normalize_dim(d, a.ndim, "tensordot") for d in dims_a]
    dims_b = [normalize_dim(d, b.ndim, "tensordot") for d in dims_b]
    letters = iter(string.ascii_letters)
    sub_a = [next(letters) for _ in range(a.ndim)]
    sub_b = [next(letters) for _ in range(b.ndim)]
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise ShapeError(f"tensordot: contracted dims differ in size: {a.shape[da]} (a dim {da}) "
                             f"and {b.shape[db]} (b dim {db})")
        sub_b[db] = sub_a[da]
    out = [c for i, c in enumerate(sub_a) if i not in dims_a] + [c for i, c in enumerate(sub_b) if i not in dims_b]
    return Einsum.apply(a, b, subscripts=("".join(sub_a), "".join(sub_b)), output="".join(out))


def _need(t: Tensor, ndim: int, op: str, name: str) -> None:
    if t.ndim != ndim:
        raise RuntimeError(f"{op}: {name} must be a {ndim}-D tensor, got shape {tuple(t.shape)}")


def outer(input: Tensor, vec2: Tensor) -> Tensor:  # noqa: A002 - PyTorch's names
    """(n,) and (m,) -> (n, m): input[i] * vec2[j]."""
    _need(input, 1, "outer", "input")
    _need(vec2, 1, "outer", "vec2")
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


def mm(input: Tensor, mat2: Tensor) -> Tensor:  # noqa: A002
    """(n, k) @ (k, m), 2-D only (no broadcasting)."""
    _need(input, 2, "mm", "self")
    _need(mat2, 2, "mm", "mat2")
    return matmul(input, mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:  # noqa: A002
    """(b, n, k) @ (b, k, m), batch sizes equal (no broadcasting)."""
    _need(input, 3, "bmm", "batch1")
    _need(mat2, 3, "bmm", "batch2")
    if input.shape[0] != mat2.shape[0]:
        raise ShapeError(f"bmm: batch sizes differ: {tuple(input.shape)} and {tuple(mat2.shape)}")
    return matmul(input, mat2)


def mv(input: Tensor, vec: Tensor) -> Tensor:  # noqa: A002
    """(n, m) @ (m,) -> (n,)."""
    _need(input, 2, "mv", "input")
    _need(vec, 1, "mv", "vec")
    return matmul(input, vec)


def dot(input: Tensor, tensor: Tensor) -> Tensor:  # noqa: A002
    """Inner product of two 1-D tensors of one size (a 0-d tensor)."""
    _need(input, 1, "dot", "input")
    _need(tensor, 1, "dot", "tensor")
    if input.shape != tensor.shape:
        raise ShapeError(f"dot: inconsistent tensor sizes {tuple(input.shape)} and {tuple(tensor.shape)}")
    return matmul(input, tensor)



def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """beta * input + alpha * (mat1 @ mat2)."""
    return _scaled(input, beta) + _scaled(mm(mat1, mat2), alpha)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """beta * input + alpha * (batch1 @ batch2), batched."""
    return _scaled(input, beta) + _scaled(bmm(batch1, batch2), alpha)


def _scaled(t: Tensor, factor) -> Tensor:
    if factor == 1:
        return t
    return t * 0 if factor == 0 else t * factor  # beta = 0 ignores input's values, as PyTorch


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:  # noqa: A002
    """Cross product of 3-vectors along ``dim`` (default: the first dim of size 3, as
    ``torch.cross``; ``linalg.cross`` uses -1)."""
    if dim is None:
        dim = next((i for i, s in enumerate(input.shape) if s == 3), None)
        if dim is None:
            raise RuntimeError(f"cross: no dim of size 3 in shape {tuple(input.shape)}")
    d = normalize_dim(dim, input.ndim, "cross")
    if input.shape[d] != 3 or other.shape[d if other.ndim == input.ndim else dim] != 3:
        raise RuntimeError(f"cross: dim {dim} must have size 3 in both inputs, got shapes "
                           f"{tuple(input.shape)} and {tuple(other.shape)}")
    xp = array_module(input.array)
    later, latest = xp.array([1, 2, 0]), xp.array([2, 0, 1])
    a1, a2 = input.index_select(d, later), input.index_select(d, latest)
    b1, b2 = other.index_select(d, later), other.index_select(d, latest)
    return a1 * b2 - a2 * b1
