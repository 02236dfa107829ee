"""The backward pass: accumulation, graph freeing, grad modes, hooks, autograd.grad, higher
order, deep chains."""
import gc
import weakref

import numpy as np
import pytest

import retrograd as rg
from retrograd.autograd import grad


def leaf(values, dtype=rg.float64):
    return rg.tensor(values, dtype=dtype, requires_grad=True)


def test_tensor_used_twice_accumulates():
    x = leaf([1.0, 2.0])
    (x * x + x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.array([1.0, 2.0]) + 1)


def test_leaf_gradients_accumulate_across_backward_calls():
    x = leaf([3.0])
    (x * 2).sum().backward()
    (x * 5).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [7.0])


def test_broadcast_gradient_is_reduced_to_input_shape():
    a, b = leaf(np.ones((2, 3))), leaf([1.0, 2.0, 3.0])
    (a * b).sum().backward()
    assert b.grad.shape == (3,)
    np.testing.assert_allclose(b.grad.numpy(), [2.0, 2.0, 2.0])
    s = leaf(2.0)
    (a * s).sum().backward()
    assert s.grad.shape == () and s.grad.item() == 6.0


def test_shared_gradient_arrays_are_not_aliased_between_leaves():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).sum().backward()
    a.grad.array *= 10
    np.testing.assert_allclose(b.grad.numpy(), [1.0, 1.0])


def test_chain_of_100000_ops_has_no_recursion_error():
    x = leaf([1.0])
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.item() == 1.0
    del y
    gc.collect()


def test_graph_is_freed_and_second_backward_raises():
    x = leaf([1.0, 2.0])
    y = (x.exp() * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = leaf([1.0, 2.0])
    y = (x.exp() * 2).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 4 * np.exp([1.0, 2.0]))


def test_graph_memory_is_released_after_backward():
    x = leaf(np.ones(10))
    h = x.exp()
    ref = weakref.ref(h)
    y = h.sum()
    del h
    y.backward()
    gc.collect()
    assert ref() is None


@pytest.mark.parametrize("as_decorator", [False, True])
def test_no_grad_records_nothing(as_decorator):
    x = leaf([1.0])
    if as_decorator:
        y = rg.no_grad()(lambda: x * 2)()
    else:
        with rg.no_grad():
            y = x * 2
    assert y.grad_fn is None and not y.requires_grad
    with rg.no_grad():
        with rg.enable_grad():
            z = x * 2
    assert z.requires_grad and z.grad_fn is not None
    assert rg.is_grad_enabled()


def test_detach_cuts_the_graph():
    x = leaf([2.0])
    y = (x.detach() * x).sum()
    y.backward()
    assert x.grad.item() == 2.0


def test_hooks_see_and_replace_gradients():
    x = leaf([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(g.numpy().copy()))
    h = x * 3
    h.register_hook(lambda g: g * 10)
    h.sum().backward()
    np.testing.assert_allclose(seen[0], [30.0, 30.0])
    np.testing.assert_allclose(x.grad.numpy(), [30.0, 30.0])


def test_retain_grad_keeps_non_leaf_gradient():
    x = leaf([1.0, 2.0])
    h = x * 3
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), 2 * 3 * np.array([1.0, 2.0]))


def test_autograd_grad_does_not_touch_dot_grad():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    gx, gw = grad((x * w).sum(), [x, w])
    np.testing.assert_allclose(gx.numpy(), [3.0, 4.0])
    np.testing.assert_allclose(gw.numpy(), [1.0, 2.0])
    assert x.grad is None and w.grad is None


def test_autograd_grad_unused_input():
    x, z = leaf([1.0]), leaf([1.0])
    with pytest.raises(RuntimeError, match="not used"):
        grad((x * 2).sum(), [x, z])
    gx, gz = grad((x * 2).sum(), [x, z], allow_unused=True)
    assert gz is None and gx.item() == 2.0


def test_autograd_grad_with_respect_to_intermediate():
    x = leaf([1.0, 2.0])
    h = x * x
    (gh,) = grad((h * 3).sum(), [h])
    np.testing.assert_allclose(gh.numpy(), [3.0, 3.0])


@pytest.mark.parametrize("fn,d2", [
    (lambda x: x.tanh(), lambda v: -2 * np.tanh(v) * (1 - np.tanh(v) ** 2)),
    (lambda x: x.sigmoid(), lambda v: (s := 1 / (1 + np.exp(-v))) * (1 - s) * (1 - 2 * s)),
    (lambda x: x.exp(), np.exp),
    (lambda x: x ** 3, lambda v: 6 * v),
], ids=["tanh", "sigmoid", "exp", "cube"])
def test_second_derivatives_in_closed_form(fn, d2):
    v = np.array([-1.5, -0.3, 0.0, 0.7, 2.0])
    x = leaf(v)
    (g,) = grad(fn(x).sum(), [x], create_graph=True)
    (gg,) = grad(g.sum(), [x])
    np.testing.assert_allclose(gg.numpy(), d2(v), rtol=1e-12, atol=1e-12)


def test_third_derivative_via_backward_create_graph():
    x = leaf([1.5])
    y = x ** 4
    y.backward(create_graph=True)
    g1 = x.grad
    x.grad = None
    (g2,) = grad(g1.sum(), [x], create_graph=True)
    (g3,) = grad(g2.sum(), [x])
    assert g3.item() == pytest.approx(24 * 1.5)


def test_second_derivative_of_mlp_loss_wrt_input():
    """Hessian-vector product of a small MLP's loss w.r.t. its input, against finite
    differences of the gradient."""
    rng = np.random.default_rng(0)
    w1, b1 = leaf(rng.standard_normal((5, 3))), leaf(rng.standard_normal(5))
    w2, b2 = leaf(rng.standard_normal((1, 5))), leaf(rng.standard_normal(1))
    target = rg.tensor([[0.3]], dtype=rg.float64)

    def loss_fn(x):
        h = (x @ w1.T + b1).tanh()
        out = h @ w2.T + b2
        return ((out - target) ** 2).mean()

    assert rg.autograd.gradgradcheck(loss_fn, [leaf(rng.standard_normal((1, 3)))], rtol=1e-6, atol=1e-8)
    x = leaf(rng.standard_normal((1, 3)))
    v = rng.standard_normal((1, 3))
    (g,) = grad(loss_fn(x), [x], create_graph=True)
    (hv,) = grad((g * rg.tensor(v, dtype=rg.float64)).sum(), [x])
    eps = 1e-6

    def grad_at(values):
        xx = leaf(values)
        return grad(loss_fn(xx), [xx])[0].numpy()

    fd = (grad_at(x.array + eps * v) - grad_at(x.array - eps * v)) / (2 * eps)
    np.testing.assert_allclose(hv.numpy(), fd, rtol=1e-6, atol=1e-9)


def test_backward_with_explicit_gradient():
    x = leaf([1.0, 2.0])
    (x * 3).backward(rg.tensor([1.0, -1.0], dtype=rg.float64))
    np.testing.assert_allclose(x.grad.numpy(), [3.0, -3.0])


def test_float32_stays_float32_through_backward():
    x = rg.randn(4, 3, requires_grad=True)
    w = rg.randn(3, 2, requires_grad=True)
    y = ((x @ w).relu() * 0.5 + 1).sigmoid().mean()
    y.backward()
    assert y.dtype == rg.float32
    assert x.grad.dtype == rg.float32 and w.grad.dtype == rg.float32


class _Cube(rg.autograd.Function):
    """x**3, with both backward rules, recording which one the engine called."""

    calls: list = []

    def forward(self, x):
        return x ** 3

    def backward(self, g):
        _Cube.calls.append("tensors")
        x = self.inputs[0]
        return g * 3 * x * x

    def backward_arrays(self, g):
        _Cube.calls.append("arrays")
        x = self.inputs[0].array
        return g * 3 * x * x


def test_backward_arrays_serves_first_order_and_backward_records_higher_orders():
    x = leaf([1.0, -2.0])
    _Cube.calls = []
    _Cube.apply(x).sum().backward()
    assert _Cube.calls == ["arrays"]
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 12.0])
    assert x.grad.grad_fn is None
    _Cube.calls = []
    (gx,) = grad(_Cube.apply(x).sum(), [x], create_graph=True)
    assert _Cube.calls == ["tensors"]
    (gxx,) = grad(gx.sum(), [x])
    np.testing.assert_allclose(gxx.numpy(), [6.0, -12.0])
