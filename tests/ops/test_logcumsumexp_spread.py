"""logcumsumexp's second derivative where the values along dim spread by more than 50 (the
log-space branch of its backward): finite, and PyTorch's."""
import numpy as np
import pytest

import retrograd as rg
from retrograd.autograd import gradgradcheck

WIDE = np.array([[0.0, 80.0, -30.0, 5.0, 120.0], [3.0, -60.0, 1.0, 70.0, 2.0]])


def _double_backward(module, x, g, v):
    """d/dx of <v, d/dx <g, logcumsumexp(x, 1)>>, with g and v fixed."""
    x = module.tensor(x, requires_grad=True)
    (first,) = module.autograd.grad(module.logcumsumexp(x, 1), x, module.tensor(g), create_graph=True)
    (second,) = module.autograd.grad((first * module.tensor(v)).sum(), x)
    return first.detach().numpy(), second.numpy()


def test_wide_spread_passes_gradgradcheck():
    x = rg.tensor(WIDE, requires_grad=True)
    assert gradgradcheck(lambda a: rg.logcumsumexp(a, 1), (x,))
    assert gradgradcheck(lambda a: rg.logcumsumexp(a, 0), (x,))


@pytest.mark.parametrize("zeros", [False, True], ids=["dense_grad", "grad_with_zeros"])
def test_wide_spread_double_backward_matches_pytorch(zeros):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    g, v = rng.normal(size=WIDE.shape), rng.normal(size=WIDE.shape)
    if zeros:  # an exact zero in the incoming gradient once gave log(0) and NaN
        g[:, 1] = 0.0
    ours, theirs = _double_backward(rg, WIDE, g, v), _double_backward(torch, WIDE, g, v)
    for a, b in zip(ours, theirs):
        assert np.isfinite(a).all()
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
