"""Op table, indexing and scatter, against PyTorch and finite differences."""
import numpy as np
import pytest
from optable import Case, table_tests

import retrograd as rg

# the oracle's own deprecation of scatter(reduce=...), which this table checks on purpose
pytestmark = pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter:UserWarning")

def _idx(m, rows):
    return m.tensor(rows)


CASES = [
    Case("advanced_index_placement", lambda m, x: (x[0, :, m.tensor([1, 2])], x[:, 0, [1, 2]], x[[0, 1], :, 0],
                                                   x[0, [1, 2], [0, 1]], x[..., 0, [3, 3]], x[None, 1, :, [0]]),
         [[(3, 4, 5)]]),
    Case("advanced_index_mixed", lambda m, x: (x[[0, 2]][:, [1, 1, 3]], x[m.tensor([[0, 1], [2, 2]])],
                                               x[:, m.tensor([True, False, True, True])], x[x > 0]), [[(3, 4)]]),
    Case("gather_smaller_index", lambda m, x: (x.gather(1, _idx(m, [[0, 3], [1, 1]])),
                                               m.gather(x, 0, _idx(m, [[2, 0, 1]]))), [[(3, 4)]]),
    Case("scatter", lambda m, x, s: (x.scatter(1, _idx(m, [[0, 2, 1, 3], [3, 1, 0, 2]]), s),
                                     m.scatter(x, 0, _idx(m, [[2, 0, 1, 1], [0, 1, 2, 0]]), s)), [[(3, 4), (2, 4)]]),
    Case("scatter_value", lambda m, x: (x.scatter(1, _idx(m, [[0], [3], [1]]), 2.5),
                                        m.scatter(x, 0, _idx(m, [[1, 0]]), value=-1.0)), [[(3, 4)]]),
    Case("scatter_reduce_kw", lambda m, x, s: (x.scatter(1, _idx(m, [[0, 0], [3, 1]]), s, reduce="add"),
                                               x.scatter(1, _idx(m, [[0, 0], [3, 1]]), s, reduce="multiply")),
         [[(3, 4), (2, 3)]], grad=False),
    Case("scatter_add", lambda m, x, s: (x.scatter_add(1, _idx(m, [[0, 0, 2, 0], [3, 1, 3, 3]]), s),
                                         m.scatter_add(x, 0, _idx(m, [[2, 2, 1, 1], [0, 2, 2, 2]]), s)),
         [[(3, 4), (2, 4)]], gradgrad=True),
    Case("scatter_add_0d", lambda m, x, s: x.scatter_add(0, m.tensor(0), s), [[(), ()]]),
    Case("scatter_reduce_sum_mean", lambda m, x, s: tuple(
        x.scatter_reduce(1, _idx(m, [[0, 0, 2], [3, 1, 3]]), s, reduce=r, include_self=inc)
        for r in ("sum", "mean") for inc in (True, False)), [[(3, 4), (2, 3)]]),
    Case("scatter_reduce_prod", lambda m, x, s: tuple(
        x.scatter_reduce(1, _idx(m, [[0, 0, 2], [3, 1, 3]]), s, reduce="prod", include_self=inc)
        for inc in (True, False)), [[(3, 4), (2, 3)]], domain="away"),
    Case("scatter_reduce_amax_amin", lambda m, x, s: tuple(
        x.scatter_reduce(0, _idx(m, [[0, 0, 2, 1], [0, 1, 2, 1]]), s, reduce=r, include_self=inc)
        for r in ("amax", "amin") for inc in (True, False)), [[(3, 4), (2, 4)]], domain="distinct"),
    Case("scatter_reduce_int", lambda m, x, s: tuple(
        x.scatter_reduce(1, _idx(m, [[0, 0, 2], [3, 1, 3]]), s, reduce=r, include_self=False)
        for r in ("sum", "mean", "amax", "amin", "prod")), [[(3, 4), (2, 3)]], domain="int"),
    Case("index_add", lambda m, x, s: (x.index_add(0, _idx(m, [0, 2, 0]), s), m.index_add(x, 0, _idx(m, [1, 1, 1]), s,
                                                                                          alpha=2.0)),
         [[(3, 4), (3, 4)]], gradgrad=True),
    Case("index_add_dim1", lambda m, x, s: x.index_add(1, _idx(m, [3, 0]), s), [[(3, 4), (3, 2)]]),
    Case("index_copy", lambda m, x, s: (x.index_copy(1, _idx(m, [3, 0]), s), m.index_copy(x, 1, _idx(m, [1, 2]), s)),
         [[(3, 4), (3, 2)]]),
    Case("index_fill", lambda m, x: (x.index_fill(1, _idx(m, [0, 2]), -1.0), m.index_fill(x, 0, _idx(m, [1]), 3)),
         [[(3, 4)]]),
    Case("index_put", lambda m, x, v: (x.index_put((_idx(m, [0, 2]), _idx(m, [1, 3])), v),
                                       x.index_put((_idx(m, [0, 0]), _idx(m, [1, 1])), v, accumulate=True),
                                       x.index_put((_idx(m, [1]),), v[0])), [[(3, 4), (2,)]]),
    Case("take", lambda m, x: (x.take(_idx(m, [[0, 5], [11, 11]])), m.take(x, _idx(m, [-1, 3]))), [[(3, 4)]]),
    Case("take_along_dim", lambda m, x: (x.take_along_dim(_idx(m, [[0], [3], [1]]), 1),
                                         m.take_along_dim(x, _idx(m, [[2, 0, 1, 0]]), dim=0),
                                         m.take_along_dim(x, _idx(m, [0, 7])),
                                         m.take_along_dim(x, x.argmax(1, keepdim=True), 1)), [[(3, 4)]],
         domain="distinct"),
]


test_matches_pytorch, test_gradient_matches_finite_differences = table_tests(CASES)


def test_scatter_gradient_with_src_larger_than_index():
    """PyTorch 2.13's backward refuses this case (a shape check); the forward allows it."""
    x, src = (rg.tensor(np.random.default_rng(0).standard_normal(s), dtype=rg.float64, requires_grad=True)
              for s in [(3, 4), (3, 5)])
    index = rg.tensor([[0, 3], [1, 2]])
    assert rg.autograd.gradcheck(lambda a, b: (a.scatter_add(1, index, b), a.scatter(1, index, b),
                                               a.scatter_reduce(1, index, b, "amax")), [x, src])


def test_inplace_index_ops_write_into_the_tensor():
    x = rg.zeros(3, 4)
    assert x.index_put_((rg.tensor([0, 0]), rg.tensor([1, 1])), rg.tensor(1.0), accumulate=True) is x
    x.scatter_(1, rg.tensor([[3], [3], [3]]), 5.0)
    x.index_fill_(0, rg.tensor([2]), -1.0)
    x.masked_fill_(x == 5.0, 7.0)
    expected = np.zeros((3, 4), dtype=np.float32)
    expected[0, 1], expected[:2, 3], expected[2] = 2.0, 7.0, -1.0
    np.testing.assert_array_equal(x.numpy(), expected)


def test_index_errors():
    with pytest.raises(RuntimeError, match="out of range"):
        rg.zeros(3, 4).scatter_add(1, rg.tensor([[4]]), rg.ones(1, 1))
    with pytest.raises(RuntimeError, match="larger"):
        rg.zeros(3, 4).gather(1, rg.zeros(4, 1, dtype=rg.int64))
    with pytest.raises(IndexError, match="1-D"):
        rg.zeros(3, 4).index_add(0, rg.tensor([[0]]), rg.ones(1, 4))
    with pytest.raises(IndexError):
        rg.zeros(3, 4).take(rg.tensor([12]))
    with pytest.raises(RuntimeError, match="out of range"):
        rg.zeros(3, 4).gather(1, rg.tensor([[4]]))
