"""Every differentiable op against float64 central differences, first and second order.

Each case: a name, a function of the input tensors, and the inputs' shapes (plus an optional
transform that keeps inputs in the op's domain)."""
import numpy as np
import pytest

import retrograd as rg
from retrograd.autograd import gradcheck, gradgradcheck

RTOL, ATOL = 1e-6, 1e-7

positive = lambda a: np.abs(a) + 0.5  # noqa: E731
distinct = lambda a: a + np.arange(a.size).reshape(a.shape) * 0.37  # no ties for max/min  # noqa: E731
away_from_zero = lambda a: np.sign(a) * (np.abs(a) + 0.3)  # noqa: E731

CASES = [
    # arithmetic, with broadcasting and Python scalars
    ("add", lambda a, b: a + b, [(3, 4), (4,)], None),
    ("add_scalar", lambda a: 2.5 + a, [(3, 4)], None),
    ("sub", lambda a, b: a - b, [(3, 1), (1, 4)], None),
    ("rsub", lambda a: 1.0 - a, [(2, 3)], None),
    ("mul", lambda a, b: a * b, [(2, 3, 4), (3, 1)], None),
    ("div", lambda a, b: a / b, [(3, 4), (4,)], positive),
    ("rdiv", lambda a: 2.0 / a, [(3,)], positive),
    ("pow_scalar", lambda a: a ** 3, [(3, 4)], None),
    ("pow_frac", lambda a: a ** 0.5, [(3, 4)], positive),
    ("pow_tensor", lambda a, b: a ** b, [(3, 4), (4,)], positive),
    ("rpow", lambda a: 2.0 ** a, [(3, 4)], None),
    ("neg", lambda a: -a, [(3, 4)], None),
    ("exp", lambda a: a.exp(), [(3, 4)], None),
    ("log", lambda a: a.log(), [(3, 4)], positive),
    ("sqrt", lambda a: a.sqrt(), [(3, 4)], positive),
    ("abs", lambda a: a.abs(), [(3, 4)], away_from_zero),
    ("sin", lambda a: a.sin(), [(3, 4)], None),
    ("cos", lambda a: a.cos(), [(3, 4)], None),
    ("maximum", lambda a, b: rg.maximum(a, b), [(3, 4), (4,)], None),
    ("minimum", lambda a, b: rg.minimum(a, b), [(3, 4), (3, 1)], None),
    ("clamp", lambda a: a.clamp(-0.5, 0.5), [(4, 5)], None),
    ("where", lambda a, b: rg.where(a.detach() > 0, a, b), [(3, 4), (4,)], None),
    # linear algebra
    ("matmul_2d", lambda a, b: a @ b, [(3, 4), (4, 5)], None),
    ("matmul_1d_1d", lambda a, b: a @ b, [(4,), (4,)], None),
    ("matmul_1d_2d", lambda a, b: a @ b, [(4,), (4, 3)], None),
    ("matmul_2d_1d", lambda a, b: a @ b, [(3, 4), (4,)], None),
    ("matmul_batched", lambda a, b: a @ b, [(2, 3, 4), (2, 4, 5)], None),
    ("matmul_broadcast", lambda a, b: a @ b, [(2, 1, 3, 4), (3, 4, 2)], None),
    ("matmul_batch_2d", lambda a, b: a @ b, [(2, 3, 4), (4, 5)], None),
    ("linear", lambda x, w, b: rg.ops.linalg.linear(x, w, b), [(5, 4), (3, 4), (3,)], None),
    ("linear_3d", lambda x, w, b: rg.ops.linalg.linear(x, w, b), [(2, 5, 4), (3, 4), (3,)], None),
    # reductions
    ("sum_all", lambda a: a.sum(), [(3, 4)], None),
    ("sum_dim", lambda a: a.sum(1), [(3, 4, 2)], None),
    ("sum_dims_keep", lambda a: a.sum((0, 2), keepdim=True), [(3, 4, 2)], None),
    ("mean", lambda a: a.mean(-1), [(3, 4)], None),
    ("var", lambda a: a.var(0), [(5, 3)], None),
    ("var_biased", lambda a: a.var(1, unbiased=False, keepdim=True), [(3, 5)], None),
    ("std", lambda a: a.std(), [(4, 3)], None),
    ("max_all", lambda a: a.max(), [(3, 4)], distinct),
    ("max_dim", lambda a: a.max(1).values, [(3, 4)], distinct),
    ("min_dim", lambda a: a.min(0, keepdim=True)[0], [(3, 4)], distinct),
    ("amax", lambda a: a.amax((0, 1)), [(3, 4, 2)], distinct),
    ("logsumexp", lambda a: a.logsumexp(1), [(3, 4)], None),
    # shape
    ("reshape", lambda a: a.reshape(4, 3) * rg.arange(12.).reshape(4, 3).double(), [(3, 4)], None),
    ("view_infer", lambda a: a.view(-1), [(3, 4)], None),
    ("transpose", lambda a: a.transpose(0, 2), [(2, 3, 4)], None),
    ("permute", lambda a: a.permute(2, 0, 1), [(2, 3, 4)], None),
    ("T", lambda a: a.T, [(3, 4)], None),
    ("squeeze", lambda a: a.squeeze(1), [(3, 1, 4)], None),
    ("unsqueeze", lambda a: a.unsqueeze(-1), [(3, 4)], None),
    ("flatten", lambda a: a.flatten(1), [(2, 3, 4)], None),
    ("expand", lambda a: a.expand(2, 3, 4), [(3, 1)], None),
    ("cat", lambda a, b: rg.cat([a, b], dim=1), [(2, 3), (2, 2)], None),
    ("stack", lambda a, b: rg.stack([a, b], dim=1), [(2, 3), (2, 3)], None),
    ("split", lambda a: a.split(2, dim=1)[1], [(2, 5)], None),
    ("split_sizes", lambda a: a.split([1, 4], dim=1)[1] * 2, [(2, 5)], None),
    ("chunk", lambda a: rg.cat([c * (i + 1) for i, c in enumerate(a.chunk(3, 0))]), [(6, 2)], None),
    ("pad", lambda a: rg.ops.shape.pad(a, (1, 2, 0, 1)), [(2, 3)], None),
    # indexing
    ("index_int", lambda a: a[1], [(3, 4)], None),
    ("index_slice_step", lambda a: a[::2, 1:3], [(5, 4)], None),
    ("index_none_ellipsis", lambda a: a[None, ..., 1], [(3, 4)], None),
    ("index_negative", lambda a: a[-1, ::-1], [(3, 4)], None),
    ("index_array_repeated", lambda a: a[np.array([0, 2, 0, 0])], [(3, 4)], None),
    ("index_tensor", lambda a: a[rg.tensor([1, 1]), rg.tensor([0, 3])], [(3, 4)], None),
    ("index_mask", lambda a: a[a.detach() > 0], [(3, 4)], None),
    ("gather", lambda a: a.gather(1, rg.tensor([[0, 0], [2, 1], [3, 3]])), [(3, 4)], None),
    ("index_select", lambda a: a.index_select(0, rg.tensor([2, 0, 2])), [(3, 4)], None),
    # activations
    ("relu", lambda a: a.relu(), [(3, 4)], away_from_zero),
    ("leaky_relu", lambda a: rg.leaky_relu(a, 0.1), [(3, 4)], away_from_zero),
    ("elu", lambda a: rg.elu(a, 1.3), [(3, 4)], away_from_zero),
    ("gelu", lambda a: rg.gelu(a), [(3, 4)], None),
    ("gelu_tanh", lambda a: rg.gelu(a, approximate="tanh"), [(3, 4)], None),
    ("sigmoid", lambda a: a.sigmoid(), [(3, 4)], None),
    ("tanh", lambda a: a.tanh(), [(3, 4)], None),
    ("softplus", lambda a: rg.softplus(a, beta=2.0), [(3, 4)], None),
    ("softmax", lambda a: a.softmax(1), [(3, 4)], None),
    ("softmax_dim0", lambda a: a.softmax(0), [(3, 4)], None),
    ("log_softmax", lambda a: a.log_softmax(-1), [(3, 4)], None),
]
# second derivatives vanish or do not exist for these (piecewise linear, or indexing only)
NO_GRADGRAD = set()


def _inputs(shapes, transform, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in shapes]
    if transform is not None:
        arrays = [transform(a) for a in arrays]
    return [rg.tensor(a, dtype=rg.float64, requires_grad=True) for a in arrays]


@pytest.mark.parametrize("name,fn,shapes,transform", CASES, ids=[c[0] for c in CASES])
def test_gradient_matches_finite_differences(name, fn, shapes, transform):
    assert gradcheck(fn, _inputs(shapes, transform), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name,fn,shapes,transform", CASES, ids=[c[0] for c in CASES])
def test_second_derivative_matches_finite_differences(name, fn, shapes, transform):
    assert gradgradcheck(fn, _inputs(shapes, transform, seed=1), rtol=1e-5, atol=1e-6)


def test_cast_gradient():
    """Not in CASES: a float32 round trip is too coarse for float64 finite differences."""
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

    x = _inputs([(3,)], None)[0]
    with pytest.raises(rg.autograd.gradcheck.__globals__["GradcheckError"]):
        gradcheck(BadSquare.apply, [x])
    assert not gradcheck(BadSquare.apply, [x], raise_exception=False)
