"""Op table, shape/layout ops and contractions, against PyTorch and finite differences."""
import numpy as np
import pytest
from optable import Case, table_tests

import retrograd as rg

CASES = [
    Case("flip", lambda m, x: (x.flip(0), m.flip(x, (0, 1)), x.flip(-1), x.fliplr(), x.flipud()),
         [[(3, 4)], [(0, 3)]]),
    Case("flip_0d", lambda m, x: x.flip(()), [[()]]),
    Case("roll", lambda m, x: (x.roll(1, 0), m.roll(x, (2, -1), (1, 0)), x.roll(5)), [[(3, 4)], [(0, 3)]]),
    Case("repeat", lambda m, x: (x.repeat(2, 3), x.repeat(2, 1, 2), x.repeat((1, 1))), [[(3, 4)], [(0, 3)]],
         gradgrad=True),
    Case("repeat_0d", lambda m, x: x.repeat(3), [[()]]),
    Case("tile", lambda m, x: (x.tile((2,)), m.tile(x, (2, 1, 2))), [[(3, 4)]]),
    Case("repeat_interleave", lambda m, x: (x.repeat_interleave(2), m.repeat_interleave(x, 3, dim=1),
                                            x.repeat_interleave(m.tensor([1, 0, 2]), dim=0)), [[(3, 4)]]),
    Case("repeat_interleave_counts", lambda m, x: m.repeat_interleave(x.abs()), [[(4,)]], domain="int"),
    Case("tril_triu", lambda m, x: (x.tril(), m.triu(x, 1), x.tril(-1), m.tril(x, 2)), [[(3, 4)], [(2, 3, 3)],
                                                                                     [(0, 3)]]),
    Case("diagonal", lambda m, x: (x.diagonal(), m.diagonal(x, 1), x.diagonal(-1, 1, 0)), [[(3, 4)], [(0, 2)]]),
    Case("diagonal_3d", lambda m, x: (x.diagonal(0, -2, -1), m.diagonal(x, -1, 0, 2)), [[(2, 3, 4)]]),
    Case("diag", lambda m, x: (m.diag(x), m.diag(x, 1), x.diag(-2)), [[(4,)], [(3, 4)]]),
    Case("diag_embed", lambda m, x: (m.diag_embed(x), x.diag_embed(1), m.diag_embed(x, -1, 0, 2)), [[(2, 3)]],
         gradgrad=True),
    Case("unflatten", lambda m, x: (x.unflatten(1, (2, 2)), m.unflatten(x, 0, (3, -1))), [[(3, 4)]]),
    Case("movedim", lambda m, x: (x.movedim(0, -1), m.movedim(x, (0, 1), (2, 0)), x.moveaxis(1, 0)), [[(2, 3, 4)]]),
    Case("swapaxes", lambda m, x: (x.swapaxes(0, 2), m.swapdims(x, -1, 0), x.t() if x.ndim < 3 else x), [[(2, 3, 4)]]),
    Case("t", lambda m, x: (x.t(), m.t(x)), [[(3, 4)], [(3,)], [()]]),
    Case("narrow", lambda m, x: (x.narrow(1, 1, 2), m.narrow(x, 0, -2, 2), x.narrow(1, 4, 0)), [[(3, 4)]]),
    Case("select_unbind", lambda m, x: (x.select(1, -1), m.select(x, 0, 0), x.unbind(1), m.unbind(x)), [[(3, 4)]]),
    Case("chunk", lambda m, x: (x.chunk(3, 1), m.chunk(x, 2), x.chunk(4, 0)), [[(3, 5)]]),
    Case("tensor_split", lambda m, x: (x.tensor_split(3, 1), m.tensor_split(x, (1, 4), 1),
                                       x.tensor_split([0, 9]), m.tensor_split(x, 2)), [[(3, 5)]]),
    Case("unfold", lambda m, x: (x.unfold(1, 2, 1), x.unfold(0, 2, 2), x.unfold(-1, 5, 3)), [[(3, 5)]]),
    Case("unfold_0d", lambda m, x: x.unfold(0, 1, 1), [[()]]),
    Case("meshgrid", lambda m, a, b: (m.meshgrid(a, b, indexing="ij"), m.meshgrid(a, b, indexing="xy"),
                                      m.meshgrid([a, b, a], indexing="xy")), [[(3,), (2,)]]),
    Case("broadcast", lambda m, a, b: (m.broadcast_to(a, (2, 3, 4)), a.broadcast_to((3, 4)),
                                       m.broadcast_tensors(a, b)), [[(3, 1), (4,)]]),
    Case("view_dtype", lambda m, x: (x.float().view(m.int32), x.view(m.int64) if x.dtype == m.float64 else x,
                                     x.float().view(m.int16)), [[(3, 4)]], grad=False),
    Case("flatten_ravel", lambda m, x: (x.ravel(), m.flatten(x, 1), x.view(-1, 2)), [[(3, 4)]]),
    # contractions
    Case("einsum", lambda m, a, b: (m.einsum("ij,jk->ik", a, b), m.einsum("ij,jk", a, b), m.einsum("ij->", a),
                                    m.einsum("ij,ij->i", a, b.T), m.einsum("ij->ji", a)), [[(3, 4), (4, 3)]],
         gradgrad=True),
    Case("einsum_ellipsis", lambda m, a, b: (m.einsum("...ij,...jk->...ik", a, b), m.einsum("b...,b...->b", a, a),
                                             m.einsum("...j->...", a)), [[(2, 3, 4), (2, 4, 2)]]),
    Case("einsum_diagonal", lambda m, a: (m.einsum("ii->i", a), m.einsum("ii", a), m.einsum("ii->", a)),
         [[(3, 3)]], gradgrad=True),
    Case("einsum_outer_three", lambda m, a, b, c: (m.einsum("i,j->ij", a, b), m.einsum("i,j,k->", a, b, c),
                                                   m.einsum(" i , i -> ", a, a)), [[(3,), (2,), (4,)]]),
    Case("tensordot", lambda m, a, b: (m.tensordot(a, b, 1), m.tensordot(a, b.transpose(0, 1), ([1, 2], [0, 1])),
                                       m.tensordot(a, b, dims=([2], [0]))), [[(2, 3, 4), (4, 3)]]),
    Case("outer_dot_mv", lambda m, a, b, M: (m.outer(a, b), a.dot(a), m.mv(M, a), M.mv(a), a.outer(b)),
         [[(4,), (3,), (3, 4)]], gradgrad=True),
    Case("mm_bmm", lambda m, a, b: (m.mm(a[0], b[0]), a.bmm(b), m.bmm(a, b)), [[(2, 3, 4), (2, 4, 5)]]),
    Case("addmm", lambda m, c, a, b: (m.addmm(c, a, b), c.addmm(a, b, beta=0.5, alpha=2.0), m.addmm(c, a, b, beta=0)),
         [[(3, 5), (3, 4), (4, 5)], [(5,), (3, 4), (4, 5)]]),
    Case("baddbmm", lambda m, c, a, b: (m.baddbmm(c, a, b), c.baddbmm(a, b, alpha=0.5, beta=2)),
         [[(2, 3, 5), (2, 3, 4), (2, 4, 5)]]),
    Case("cross", lambda m, a, b: (m.cross(a, b, dim=1), m.linalg.cross(a, b), a.cross(b, dim=-1)),
         [[(4, 3), (4, 3)]], gradgrad=True),
    Case("linalg_inv_det", lambda m, a: (m.linalg.inv(a), m.linalg.det(a), m.linalg.slogdet(a)),
         [[(3, 3)], [(2, 3, 3)]], domain="well_conditioned"),
    Case("linalg_solve", lambda m, a, b, v: (m.linalg.solve(a, b), m.linalg.solve(a, v), m.linalg.solve(a, b.T, left=False)),
         [[(3, 3), (3, 2), (3,)]], domain="well_conditioned"),
]


test_matches_pytorch, test_gradient_matches_finite_differences = table_tests(CASES)


def test_errors_name_the_problem():
    with pytest.raises(RuntimeError, match="number of repeats"):
        rg.zeros(2, 3).repeat(2)
    with pytest.raises(RuntimeError, match="at least 2"):
        rg.zeros(3).tril()
    with pytest.raises(RuntimeError, match="2-D"):
        rg.zeros(3).mm(rg.zeros(3, 2))
    with pytest.raises(RuntimeError, match="singular"):
        rg.linalg.inv(rg.zeros(2, 2))
    with pytest.raises(RuntimeError, match="size 3"):
        rg.cross(rg.zeros(2, 4), rg.zeros(2, 4))
    with pytest.raises(RuntimeError, match="exceed"):
        rg.zeros(3, 4).narrow(1, 3, 2)


def test_view_shares_memory_and_flip_copies():
    x = rg.zeros(2, 3)
    x.view(6)[0] = 1.0
    x.view(rg.int32)[1, 0] = 1
    assert x[0, 0].item() == 1.0 and x[1, 0].item() != 0.0
    y = x.flip(0)
    y[0, 0] = 5.0
    assert x[1, 0].item() != 5.0
    np.testing.assert_array_equal(rg.tensor([1.0]).view(rg.int32).numpy(), [1065353216])
