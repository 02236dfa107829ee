"""gradcheck itself, and the float32 <-> float64 cast's gradient (which float64 central
differences cannot check)."""
import numpy as np
import pytest

import retrograd as rg
from retrograd.autograd import gradcheck


def _inputs(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rg.tensor(rng.standard_normal(s), dtype=rg.float64, requires_grad=True) for s in shapes]


def test_cast_gradient():
    x = rg.tensor([1.5, -2.0], dtype=rg.float64, requires_grad=True)
    y = x.float()
    assert y.dtype == rg.float32
    (y * rg.tensor([3.0, 4.0])).sum().backward()
    assert x.grad.dtype == rg.float64
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 4.0])


def test_gradcheck_catches_a_wrong_gradient():
    class BadSquare(rg.autograd.Function):
        def forward(self, x):
            return x * x

        def backward(self, g):
            return g * 3 * self.inputs[0]  # should be 2x

    x = _inputs([(3,)])[0]
    with pytest.raises(rg.autograd.gradcheck.__globals__["GradcheckError"]):
        gradcheck(BadSquare.apply, [x])
    assert not gradcheck(BadSquare.apply, [x], raise_exception=False)
