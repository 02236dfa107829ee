"""Finite values and gradients at extreme inputs (+-1e4), as textbooks' formulas overflow."""
import numpy as np
import pytest

import retrograd as rg

EXTREME = [-1e4, -50.0, 0.0, 50.0, 1e4]


@pytest.mark.parametrize("dtype", [rg.float32, rg.float64])
@pytest.mark.parametrize("fn", [
    lambda x: x.sigmoid(), lambda x: x.tanh(), lambda x: rg.softplus(x), lambda x: rg.elu(x),
    lambda x: rg.gelu(x), lambda x: x.softmax(0), lambda x: x.log_softmax(0),
    lambda x: x.logsumexp(0), lambda x: rg.leaky_relu(x),
], ids=["sigmoid", "tanh", "softplus", "elu", "gelu", "softmax", "log_softmax", "logsumexp",
        "leaky_relu"])
def test_finite_forward_and_backward_at_extremes(fn, dtype):
    x = rg.tensor(EXTREME, dtype=dtype, requires_grad=True)
    y = fn(x)
    assert np.isfinite(y.array).all()
    (y * rg.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=dtype)).sum().backward()
    assert np.isfinite(x.grad.array).all()


def test_sigmoid_saturates_correctly():
    x = rg.tensor([-1e4, 1e4], dtype=rg.float64)
    np.testing.assert_array_equal(x.sigmoid().numpy(), [0.0, 1.0])


def test_logsumexp_matches_definition_and_handles_big_values():
    x = rg.tensor([1e4, 1e4], dtype=rg.float64)
    assert x.logsumexp(0).item() == pytest.approx(1e4 + np.log(2))
    v = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_allclose(rg.tensor(v).logsumexp(1).numpy(), np.log(np.exp(v).sum(1)))


def test_gelu_matches_erf_definition():
    import math

    v = np.linspace(-6, 6, 101)
    expected = [0.5 * t * (1 + math.erf(t / math.sqrt(2))) for t in v]
    np.testing.assert_allclose(rg.gelu(rg.tensor(v)).numpy(), expected, rtol=1e-13, atol=1e-15)
