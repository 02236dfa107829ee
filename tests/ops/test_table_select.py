"""Op table, comparison, selection and ordering, against PyTorch and finite differences."""
import numpy as np
import pytest
from optable import Case, table_tests

import retrograd as rg

BIN = [[(3, 4), (4,)], [(), ()], [(0, 3), (3,)]]

CASES = [
    Case("isnan_isinf", lambda m, x: (m.isnan(m.log(x)), m.isinf(1 / (x * 0)), (x / 0).isfinite(),
                                      m.isposinf(x / 0), (x / 0).isneginf()), grad=False),
    Case("isinf_int", lambda m, x: (x.isinf(), x.isnan(), x.isfinite(), x.isposinf()), domain="int"),
    Case("isclose", lambda m, a, b: (m.isclose(a, a + 1e-9), a.isclose(b), m.isclose(a, b, atol=1.0)),
         BIN, grad=False),
    Case("isclose_nan", lambda m, x: m.isclose(m.log(x), m.log(x), equal_nan=True), grad=False),
    Case("allclose_equal", lambda m, a, b: (m.allclose(a, a * (1 + 1e-7)), a.allclose(b), m.equal(a, a * 1),
                                            a.equal(b)), BIN, grad=False),
    Case("comparisons", lambda m, a, b: (m.eq(a, b), a.ne(b), m.lt(a, b), a.le(0.5), m.gt(a, b), a.ge(b),
                                         m.greater(a, b), a.less_equal(b), m.not_equal(a, 0)), BIN, grad=False),
    Case("logical", lambda m, a, b: (m.logical_and(a, b), a.logical_or(b), m.logical_xor(a, b),
                                     m.logical_not(a), a.logical_and(b > 0)), BIN, grad=False),
    Case("logical_int", lambda m, a, b: (m.logical_and(a, b), m.logical_not(a), a.logical_xor(b)), BIN,
         domain="int"),
    Case("sort", lambda m, x: (x.sort(), m.sort(x, 0, descending=True), x.sort(stable=True, dim=-1)),
         domain="distinct"),
    Case("sort_stable_ties", lambda m, x: (x.sort(stable=True), x.sort(descending=True, stable=True)),
         [[(3, 8)]], domain="int"),
    Case("argsort_msort", lambda m, x: (x.argsort(), m.argsort(x, 0, descending=True), m.msort(x)),
         domain="distinct"),
    Case("topk", lambda m, x: (x.topk(2), m.topk(x, 3, dim=0, largest=False), x.topk(1, -1)),
         [[(4, 5)]], domain="distinct"),
    Case("topk_empty_0d", lambda m, x: x.topk(0, 0), [[(0,)], [(3,)]], domain="distinct"),
    Case("kthvalue", lambda m, x: (x.kthvalue(2), m.kthvalue(x, 1, 0, keepdim=True)), [[(4, 5)]],
         domain="distinct"),
    Case("unique", lambda m, x: (m.unique(x), x.unique(return_inverse=True, return_counts=True),
                                 m.unique(x, return_counts=True)), [[(4, 6)], [()], [(0,)]], domain="int"),
    Case("unique_dim", lambda m, x: m.unique(m.cat([x, x]), dim=0, return_inverse=True), [[(3, 2)]],
         domain="int"),
    Case("nonzero", lambda m, x: (x.nonzero(), m.nonzero(x, as_tuple=True), m.argwhere(x), m.where(x > 0)),
         [[(3, 4)], [()], [(0, 3)], [(5,)]], domain="int"),
    Case("masked_fill", lambda m, x: (x.masked_fill(x > 0, 2.0), m.masked_fill(x, m.tensor([True, False, True, False]),
                                                                                 -1)), [[(3, 4)], [(0, 4)]]),
    Case("masked_fill_tensor_value", lambda m, x, v: x.masked_fill(x.detach() < 0, v), [[(3, 4), ()]]),
    Case("masked_select", lambda m, x: (x.masked_select(x > 0), m.masked_select(x, m.tensor([True, False, True, True]))),
         [[(3, 4)], [(0, 4)]]),
    Case("where_forms", lambda m, a, b: (m.where(a > 0, a, b), m.where(a > 0, a, 0.0), m.where(a > 0, 1.0, b),
                                         a.where(a > b, b)), BIN),
    Case("where_scalars", lambda m, a: (m.where(a > 0, 1.0, 0.0), m.where(a > 0, 2, 0)), grad=False),
    Case("where_int_float", lambda m, a, b: m.where(a > 0, a, b.float()), BIN, domain="int"),
    Case("clamp_tensor_bounds", lambda m, x, lo, hi: (x.clamp(lo, hi), m.clamp(x, min=lo), x.clip(max=hi)),
         [[(3, 4), (4,), (3, 1)]]),
    Case("clamp_numbers", lambda m, x: (m.clamp(x, -0.5, 0.5), x.clamp(min=-0.2), x.clip(max=0.1))),
]


test_matches_pytorch, test_gradient_matches_finite_differences = table_tests(CASES)


def test_sort_puts_nan_last_ascending_and_first_descending():
    x = rg.tensor([2.0, float("nan"), -1.0, 5.0])
    assert x.sort().indices.tolist() == [2, 0, 3, 1]
    assert x.sort(descending=True).indices.tolist() == [1, 3, 0, 2]


def test_selection_errors():
    with pytest.raises(RuntimeError, match="bool"):
        rg.zeros(3).masked_fill(rg.tensor([1, 0, 1]), 1.0)
    with pytest.raises(RuntimeError, match="out of range"):
        rg.zeros(3).topk(4)
    with pytest.raises(RuntimeError, match="min"):
        rg.zeros(3).clamp()
    with pytest.raises(RuntimeError):
        rg.zeros(3) < rg.zeros(4)
    np.testing.assert_array_equal(rg.tensor([3.0, -1.0]).clamp_(min=0.0).numpy(), [3.0, 0.0])
