"""Tensor basics: construction, dtypes, PyTorch-named attributes, constructors."""
import numpy as np
import pytest

import retrograd as rg


def test_default_dtypes():
    assert rg.tensor([1.0, 2.0]).dtype == rg.float32
    assert rg.tensor([1, 2]).dtype == rg.int64
    assert rg.tensor([True]).dtype == rg.bool
    assert rg.tensor(np.zeros(2)).dtype == rg.float64  # arrays keep their dtype
    assert rg.zeros(2, 3).dtype == rg.float32 and rg.zeros(2, 3).shape == (2, 3)
    assert rg.ones((2, 3), dtype=rg.float64).dtype == rg.float64


def test_attributes():
    t = rg.arange(6).reshape(2, 3)
    assert t.shape == (2, 3) and t.ndim == 2 and t.numel() == 6 and t.size() == (2, 3)
    assert t.size(1) == 3 and t.T.shape == (3, 2) and t.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert rg.tensor([[2.5]]).item() == 2.5
    assert t.is_leaf and t.grad_fn is None and t.grad is None


def test_tensor_copies_but_from_numpy_shares():
    a = np.zeros(3, dtype=np.float32)
    t, s = rg.tensor(a), rg.from_numpy(a)
    a[0] = 1
    assert t.array[0] == 0 and s.array[0] == 1


def test_constructors():
    assert rg.arange(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    np.testing.assert_allclose(rg.linspace(0, 1, 5).numpy(), [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_array_equal(rg.eye(3).numpy(), np.eye(3))
    assert rg.full((2, 2), 7.0).tolist() == [[7.0, 7.0], [7.0, 7.0]]
    x = rg.randn(3, 4)
    assert rg.zeros_like(x).shape == (3, 4) and rg.ones_like(x).dtype == rg.float32
    r = rg.randint(0, 5, (100,))
    assert r.dtype == rg.int64 and 0 <= r.numpy().min() and r.numpy().max() < 5
    u = rg.rand(1000)
    assert 0 <= u.numpy().min() and u.numpy().max() < 1


def test_manual_seed_makes_randomness_reproducible():
    rg.manual_seed(42)
    a = rg.randn(5).numpy().copy()
    rg.manual_seed(42)
    b = rg.randn(5).numpy()
    np.testing.assert_array_equal(a, b)


def test_numpy_refuses_grad_tensor_and_detach_works():
    x = rg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        x.numpy()
    assert x.detach().numpy().tolist() == [1.0, 1.0]


def test_comparisons_and_numpy_scalars():
    x = rg.tensor([1.0, 2.0, 3.0])
    assert (x > 1.5).tolist() == [False, True, True]
    y = np.float32(2.0) * x  # numpy scalar on the left defers to Tensor
    assert isinstance(y, rg.Tensor) and y.dtype == rg.float32


def test_functional_forms_match_methods():
    x = rg.randn(3, 4)
    np.testing.assert_allclose(rg.exp(x).numpy(), x.exp().numpy())
    np.testing.assert_allclose(rg.sum(x, 1).numpy(), x.sum(1).numpy())
    assert rg.cat([x, x]).shape == (6, 4) and rg.stack([x, x], 2).shape == (3, 4, 2)
    values, indices = rg.max(x, 1)
    np.testing.assert_array_equal(indices.numpy(), x.numpy().argmax(1))
    np.testing.assert_array_equal(rg.argmax(x, 1).numpy(), x.numpy().argmax(1))


@pytest.mark.parametrize("shape, axes", [((4, 3, 5, 2), (0, 2, 3)), ((4, 3, 5, 2), (0, 1)),
                                         ((4, 3, 5), (0, 2)), ((6, 7), (0,)), ((5000, 3), (0,)),
                                         ((4, 3, 5), (0, 1, 2)), ((4, 3, 5), (1, 2))])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("contiguous", [True, False])
def test_sum_array_equals_numpy_sum(shape, axes, keepdims, contiguous):
    """The leading-axis-first sum under rg.sum and BatchNorm's statistics equals NumPy's."""
    from retrograd.backends.cpu import sum_array

    x = np.random.default_rng(0).standard_normal(shape)
    if not contiguous:
        x = np.swapaxes(np.swapaxes(x, 0, -1).copy(), 0, -1)
    got = sum_array(x, axes, keepdims)
    want = x.sum(axis=axes, keepdims=keepdims)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rg.sum(rg.tensor(x), axes, keepdims).numpy(), want, rtol=1e-12,
                               atol=1e-12)
