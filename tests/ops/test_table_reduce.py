"""Op table, reductions and scans, against PyTorch and finite differences."""
import math

import numpy as np
import pytest
from optable import Case, table_tests

import retrograd as rg

MAT = [[(3, 4)], [()], [(0, 3)]]
MAT_NONEMPTY = [[(3, 4)], [()]]

CASES = [
    Case("sum_dtype", lambda m, x: (x.sum(dtype=m.float64), x.sum(-1, dtype=m.float64))),
    Case("sum_axis_alias", lambda m, x: (m.sum(x, axis=-1, keepdims=True), x.mean(axis=0))),
    Case("sum_int_bool", lambda m, x: (x.sum(), (x > 0).sum(0), x.int().sum(), x.int().cumsum(-1)), domain="int"),
    Case("reductions_0d", lambda m, x: (x.sum(0), x.mean(-1), x.amax(0), x.logsumexp(0)), [[()]]),
    Case("prod", lambda m, x: (x.prod(), x.prod(-1), x.prod(0, keepdim=True)), MAT_NONEMPTY, gradgrad=True),
    Case("prod_with_zero", lambda m, x: (x * m.tensor([1.0, 0.0, 1.0, 1.0])).prod(1), [(3, 4)]),
    Case("prod_with_zeros_all", lambda m, x: (x * m.tensor([1.0, 0.0, 0.0, 1.0])).prod(), [(3, 4)]),
    Case("prod_int", lambda m, x: (x.prod(), x.prod(0), x.bool().prod()), domain="int"),
    Case("all_any", lambda m, x: (x.all(), x.any(), (x > 0).all(1), m.any(x > 0, 0, keepdim=True),
                                  x.all(dim=(0, 1))), [[(3, 4)]], grad=False),
    Case("all_any_empty", lambda m, x: (x.all(), x.any()), [[(0, 3)], [()]], grad=False),
    Case("count_nonzero", lambda m, x: (m.count_nonzero(x), x.count_nonzero(1), x.count_nonzero((0, 1))),
         [[(3, 4)]], domain="int"),
    Case("aminmax", lambda m, x: (m.aminmax(x), x.aminmax(dim=1), x.aminmax(dim=0, keepdim=True)),
         [[(3, 4)]], domain="distinct"),
    Case("amax_amin_dims", lambda m, x: (x.amax((0, 1)), m.amin(x, -1)), [[(2, 3, 4)]], domain="distinct"),
    Case("max_binary", lambda m, a, b: (m.max(a, b), m.min(a, b)), [[(3, 4), (4,)]]),
    Case("std_mean", lambda m, x: (m.std_mean(x), m.std_mean(x, 1, keepdim=True),
                                   m.var_mean(x, 0, correction=0)), [[(3, 4)]]),
    Case("median_all", lambda m, x: x.median(), [[(3, 4)], [(5,)], [()]], domain="distinct"),
    Case("median_dim", lambda m, x: (x.median(1), x.median(0, keepdim=True)), [[(3, 4)], [(3, 5)]],
         domain="distinct"),
    Case("mode", lambda m, x: (m.mode(x), x.mode(0)), [[(3, 6)]], domain="int"),
    Case("mode_float", lambda m, x: m.mode(m.round(x)), [[(4, 7)]]),
    Case("norm", lambda m, x: (x.norm(), x.norm(dim=-1), x.norm(1), x.norm(3, dim=0, keepdim=True),
                               x.norm(float("inf"), dim=-1)), [[(3, 4)], [()]], domain="distinct"),
    Case("norm_at_zero", lambda m, x: (x * 0).norm() + x.sum(), [[(3,)]]),
    Case("linalg_norm", lambda m, x: (m.linalg.norm(x), m.linalg.norm(x, dim=1), m.linalg.norm(x, "fro"),
                                      m.linalg.norm(x, 1), m.linalg.norm(x, float("inf")),
                                      m.linalg.norm(x, -1), m.linalg.norm(x[0], 0)), [[(3, 4)]], domain="distinct"),
    Case("vector_norm", lambda m, x: (m.linalg.vector_norm(x), m.linalg.vector_norm(x, 1.5, dim=(0, 2)),
                                      m.linalg.vector_norm(x, -math.inf, dim=1, keepdim=True)),
         [[(2, 3, 2)]], domain="distinct"),
    Case("matrix_norm", lambda m, x: (m.linalg.matrix_norm(x), m.linalg.matrix_norm(x, -math.inf)),
         [[(2, 3, 4)]], domain="distinct"),
    # scans
    Case("cumsum", lambda m, x: (x.cumsum(0), m.cumsum(x, dim=-1), x.cumsum(0, dtype=m.float64)),
         [[(3, 4)], [(0, 3)]], gradgrad=True),
    Case("cumsum_0d", lambda m, x: (x.cumsum(0), x.cumprod(-1), x.logcumsumexp(0)), [[()]]),
    Case("cumprod", lambda m, x: (x.cumprod(1), m.cumprod(x, 0)), [[(3, 4)], [(0, 3)]], gradgrad=True),
    Case("cumprod_with_zeros", lambda m, x: (x * m.tensor([1.0, 0.0, 1.0, 0.0])).cumprod(1), [[(3, 4)]],
         gradgrad=True),
    Case("cummax_cummin", lambda m, x: (x.cummax(1), m.cummin(x, 0)), [[(3, 4)], [(0, 3)]]),
    Case("cummax_ties", lambda m, x: m.cummax(m.tensor([1.0, 3.0, 2.0, 3.0, 1.0]) + x * 0, 0), [[(5,)]]),
    Case("logcumsumexp", lambda m, x: (x.logcumsumexp(1), m.logcumsumexp(x * 300, 0)), [[(3, 4)], [(0, 2)]]),
    Case("logcumsumexp_second_order", lambda m, x: m.logcumsumexp(x, 1), [[(3, 4)]], gradgrad=True),
    Case("logcumsumexp_wide_spread_second_order", lambda m, x: m.logcumsumexp(x * 60, 1), [[(3, 5)]],
         gradgrad=True),
    Case("logcumsumexp_neg_inf", lambda m, x: m.logcumsumexp(m.log(m.relu(x)), 0), [[(6,)]], grad=False),
]


test_matches_pytorch, test_gradient_matches_finite_differences = table_tests(CASES)


def test_mean_of_integers_is_refused_as_pytorch():
    with pytest.raises(RuntimeError, match="floating point"):
        rg.tensor([1, 2]).mean()


def test_cumprod_gradient_with_zeros_is_exact():
    x = rg.tensor([2.0, 0.0, 3.0, 0.0, 5.0], dtype=rg.float64, requires_grad=True)
    x.cumprod(0).sum().backward()
    # d/dx0 = 1 + x1 + x1 x2 + ... = 1; d/dx1 = x0 + x0 x2 + x0 x2 x3 = 2 + 6 = 8
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 8.0, 0.0, 0.0, 0.0])
