"""Property-based gradient checks over random shapes and values (hypothesis)."""
import numpy as np
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import array_shapes, arrays, broadcastable_shapes

import retrograd as rg
from retrograd.autograd import gradcheck

floats = st.floats(-3, 3, allow_nan=False, width=64)
SETTINGS = settings(max_examples=25, deadline=None)


def _t(a):
    return rg.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


@SETTINGS
@given(st.data())
def test_broadcast_binary_ops(data):
    shape = data.draw(array_shapes(min_dims=1, max_dims=3, max_side=3))
    other = data.draw(broadcastable_shapes(shape, min_dims=0, max_dims=3, max_side=3))
    a = data.draw(arrays(np.float64, shape, elements=floats))
    b = data.draw(arrays(np.float64, other, elements=st.floats(0.5, 3, width=64)))
    op = data.draw(st.sampled_from(["add", "sub", "mul", "div"]))
    fn = {"add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y,
          "div": lambda x, y: x / y}[op]
    assert gradcheck(fn, [_t(a), _t(b)], rtol=1e-6, atol=1e-7)


@SETTINGS
@given(arrays(np.float64, array_shapes(min_dims=1, max_dims=3, max_side=4), elements=floats),
       st.integers(-1, 2), st.booleans())
def test_reductions(a, dim, keepdim):
    dim = dim % a.ndim
    for fn in (lambda x: x.sum(dim, keepdim=keepdim), lambda x: x.mean(dim, keepdim=keepdim),
               lambda x: x.logsumexp(dim, keepdim=keepdim), lambda x: x.softmax(dim)):
        assert gradcheck(fn, [_t(a)], rtol=1e-6, atol=1e-7)


@SETTINGS
@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.data())
def test_batched_matmul(batch, m, k, n, data):
    a = data.draw(arrays(np.float64, (batch, m, k), elements=floats))
    b = data.draw(arrays(np.float64, (k, n), elements=floats))
    assert gradcheck(lambda x, y: x @ y, [_t(a), _t(b)], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose((rg.tensor(a) @ rg.tensor(b)).numpy(), a @ b)
