"""Constructors: PyTorch's signatures, dtypes and values (deterministic ones against PyTorch,
random ones by their distribution)."""
import numpy as np
import pytest

import retrograd as rg

torch = pytest.importorskip("torch")

DETERMINISTIC = [
    lambda m: m.zeros(2, 3), lambda m: m.zeros((2, 3), dtype=m.int64), lambda m: m.ones([2], dtype=m.float64),
    lambda m: m.zeros(size=(1, 2)), lambda m: m.empty(0, 3).shape, lambda m: m.full((2,), 3),
    lambda m: m.full((2,), True), lambda m: m.full((2, 1), 2.5), lambda m: m.full((2,), 7, dtype=m.float64),
    lambda m: m.arange(5), lambda m: m.arange(0, 1, 0.25), lambda m: m.arange(5.0), lambda m: m.arange(1, 10, 3),
    lambda m: m.arange(0.5, 4, 1.5, dtype=m.int64), lambda m: m.arange(0, 2.5, dtype=m.int64), lambda m: m.arange(m.tensor(4)), lambda m: m.arange(5, 0, -2),
    lambda m: m.linspace(0, 1, 5), lambda m: m.linspace(0, 10, 4, dtype=m.int64),
    lambda m: m.linspace(-5, 5, 4, dtype=m.int32), lambda m: m.linspace(2, 3, 1), lambda m: m.linspace(0, 1, 0),
    lambda m: m.logspace(0, 2, 3), lambda m: m.logspace(0, 3, 4, base=2, dtype=m.float64),
    lambda m: m.eye(3), lambda m: m.eye(2, 3, dtype=m.int64),
    lambda m: m.tensor([1, 2]), lambda m: m.tensor([[1.5], [2.0]]), lambda m: m.tensor(True), lambda m: m.tensor(3),
    lambda m: m.tensor([], dtype=m.float64), lambda m: m.as_tensor([1, 2]), lambda m: m.as_tensor([1.0], dtype=m.float64),
    lambda m: m.zeros_like(m.ones(2, dtype=m.int64)), lambda m: m.ones_like(m.zeros(2), dtype=m.float64),
    lambda m: m.full_like(m.zeros(2, 2), 4), lambda m: m.empty_like(m.ones(3, dtype=m.int32)).shape,
    lambda m: m.zeros(2, device="cpu", requires_grad=True).requires_grad,
    lambda m: m.tensor([1.0], device=m.device("cpu"), requires_grad=True).requires_grad,
    lambda m: m.ones(2).new_zeros(3), lambda m: m.ones(2, dtype=m.int64).new_ones((2, 2)),
    lambda m: m.ones(2).new_full((2,), 5), lambda m: m.ones(2, dtype=m.float64).new_tensor([1, 2]),
    lambda m: m.ones(2).new_empty(4).shape,
]


def _plain(value):
    if rg.is_tensor(value) or isinstance(value, torch.Tensor):
        return value.tolist(), str(value.dtype).removeprefix("torch.")
    return tuple(value) if isinstance(value, (tuple, list)) or hasattr(value, "__len__") else value


@pytest.mark.parametrize("make", DETERMINISTIC, ids=[str(i) for i in range(len(DETERMINISTIC))])
def test_deterministic_constructors_match_pytorch(make):
    assert _plain(make(rg)) == _plain(make(torch))


def test_as_tensor_shares_memory_and_cuda_is_refused():
    a = np.zeros(3, dtype=np.float32)
    t = rg.as_tensor(a)
    a[0] = 5
    assert t[0].item() == 5 and rg.as_tensor(t) is t
    with pytest.raises(RuntimeError, match="cuda"):
        rg.zeros(2, device="cuda")
    with pytest.raises(RuntimeError, match="negative"):
        rg.zeros(-1)


def test_random_constructors_shapes_dtypes_and_seeds():
    rg.manual_seed(3)
    first = [rg.rand(2, 3), rg.randn((4,)), rg.randint(10, (5,)), rg.randint(3, 6, (2, 2)),
             rg.randint(low=1, high=3, size=(4,)), rg.randperm(6)]
    rg.manual_seed(3)
    again = [rg.rand(2, 3), rg.randn((4,)), rg.randint(10, (5,)), rg.randint(3, 6, (2, 2)),
             rg.randint(low=1, high=3, size=(4,)), rg.randperm(6)]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert [str(t.dtype) for t in first] == ["float32", "float32", "int64", "int64", "int64", "int64"]
    assert first[3].min().item() >= 3 and first[3].max().item() < 6 and sorted(first[5].tolist()) == list(range(6))
    x = rg.zeros(2, 3, dtype=rg.float64)
    assert rg.rand_like(x).dtype == rg.float64 and rg.randn_like(x).shape == (2, 3)
    r = rg.randint_like(x, 5)
    assert r.dtype == rg.float64 and r.max().item() < 5 and rg.randint_like(x, 2, 4).min().item() >= 2


def test_bernoulli_normal_and_multinomial_follow_their_distributions():
    rg.manual_seed(0)
    p = rg.full((20000,), 0.3)
    assert abs(rg.bernoulli(p).mean().item() - 0.3) < 0.02 and rg.bernoulli(p).dtype == rg.float32
    n = rg.normal(2.0, 3.0, (20000,))
    assert abs(n.mean().item() - 2.0) < 0.1 and abs(n.std().item() - 3.0) < 0.1
    shaped = rg.normal(rg.zeros(2, 3), rg.ones(3))
    assert shaped.shape == (2, 3)
    counts = np.bincount(rg.multinomial(rg.tensor([1.0, 3.0, 0.0, 6.0]), 20000, replacement=True).numpy(),
                         minlength=4) / 20000
    np.testing.assert_allclose(counts, [0.1, 0.3, 0.0, 0.6], atol=0.02)
    draws = rg.multinomial(rg.tensor([[1.0, 1.0, 0.0, 1.0]] * 500), 3)
    assert draws.shape == (500, 3) and draws.dtype == rg.int64
    assert (np.sort(draws.numpy(), axis=1) == [0, 1, 3]).all()  # without replacement, never weight 0
    first = np.bincount(rg.multinomial(rg.tensor([[1.0, 2.0, 7.0]] * 20000), 1).numpy().ravel()) / 20000
    np.testing.assert_allclose(first, [0.1, 0.2, 0.7], atol=0.02)
    with pytest.raises(RuntimeError, match="without replacement"):
        rg.multinomial(rg.tensor([1.0, 1.0]), 3)
