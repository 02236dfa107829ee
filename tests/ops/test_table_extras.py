"""Op table, smaller conveniences PyTorch code uses: stacking helpers, nansum/nanmean, trace,
diff, counting and bucketing; plus the Tensor protocols (NumPy conversion, iteration, in-place
random fills)."""
import numpy as np
import pytest
from optable import Case, table_tests

import retrograd as rg

CASES = [
    Case("stacking", lambda m, a, b: (m.hstack([a, b]), m.vstack([a, b]), m.column_stack([a, b]),
                                      m.atleast_1d(a[0]), m.atleast_2d(a)), [[(3,), (3,)]]),
    Case("hstack_2d", lambda m, a, b: (m.hstack([a, b]), m.vstack([a, a])), [[(2, 3), (2, 1)]]),
    Case("nansum_nanmean", lambda m, x: (m.nansum(m.log(x)), x.log().nanmean(), m.nansum(m.log(x), 1),
                                         m.nanmean(m.log(x), 0, keepdim=True)), [[(3, 4)]]),
    Case("trace", lambda m, x: (x.trace(), m.trace(x[:, :3])), [[(3, 4)]]),
    Case("diff", lambda m, x, p: (x.diff(), m.diff(x, 2, 0), m.diff(x, dim=1, prepend=p, append=p)),
         [[(4, 3), (4, 1)]]),
    Case("bincount", lambda m, x, w: (m.bincount(x.abs()), x.abs().bincount(minlength=9)), [[(12,), (12,)]],
         domain="int"),
    Case("bincount_weights", lambda m, x: m.bincount(m.tensor([0, 2, 2, 5]), weights=x), [[(4,)]], grad=False),
    Case("histc", lambda m, x: (m.histc(x, bins=5), x.histc(4, -1.0, 1.0)), [[(20,)]], grad=False),
    Case("searchsorted", lambda m, s, v: (m.searchsorted(m.sort(s).values, v),
                                          m.searchsorted(m.sort(s).values, v, right=True),
                                          m.bucketize(v, m.sort(s[0]).values), m.bucketize(v, m.sort(s[0]).values, right=True)),
         [[(2, 5), (2, 3)]], grad=False),
]


test_matches_pytorch, test_gradient_matches_finite_differences = table_tests(CASES)


def test_tensor_protocols():
    x = rg.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert np.asarray(x).dtype == np.float32 and np.asarray(x, dtype=np.float64).dtype == np.float64
    assert [row.tolist() for row in x] == [[1.0, 2.0], [3.0, 4.0]]
    assert 3.0 in x and 7.0 not in x
    with pytest.raises(TypeError, match="0-d"):
        iter(rg.tensor(1.0))
    with pytest.raises(RuntimeError, match="requires grad"):
        np.asarray(rg.ones(2, requires_grad=True))
    assert x.nelement() == 4 and x.ndimension() == 2 and x.is_contiguous()
    assert x.type_as(rg.zeros(1, dtype=rg.int64)).dtype == rg.int64


def test_inplace_random_fills():
    rg.manual_seed(0)
    w = rg.zeros(20000)
    assert w.uniform_(-2.0, 2.0) is w and -2.0 <= w.min().item() and w.max().item() < 2.0
    assert abs(w.normal_(1.0, 0.5).mean().item() - 1.0) < 0.02 and abs(w.std().item() - 0.5) < 0.02
    assert abs(w.bernoulli_(0.25).mean().item() - 0.25) < 0.02
    assert abs(w.exponential_(2.0).mean().item() - 0.5) < 0.02
    r = rg.zeros(1000, dtype=rg.int64).random_(3, 7)
    assert set(r.tolist()) == {3, 4, 5, 6}
    p = rg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="in place"):
        p.normal_()
    with rg.no_grad():
        p.normal_()
