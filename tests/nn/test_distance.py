"""F.normalize, F.cosine_similarity, F.pairwise_distance and F.one_hot against PyTorch (values and
gradients, also for all-zero vectors and ties of the inf-norm) and float64 finite differences."""
import numpy as np
import pytest

import retrograd as rg
import retrograd.nn.functional as F
from retrograd.autograd import gradcheck, gradgradcheck


def _data(shape, seed=0, zero_row=True):
    a = np.random.default_rng(seed).standard_normal(shape)
    if zero_row:
        a[1] = 0.0  # an all-zero vector: finite gradients, as PyTorch's
    return a


CASES = [
    ("normalize_p2", lambda f, a, b: f.normalize(a)),
    ("normalize_p1_dim0", lambda f, a, b: f.normalize(a, p=1, dim=0)),
    ("normalize_p3_dim-1", lambda f, a, b: f.normalize(a, p=3, dim=-1)),
    ("normalize_inf", lambda f, a, b: f.normalize(a, p=float("inf"))),
    ("cosine", lambda f, a, b: f.cosine_similarity(a, b)),
    ("cosine_dim0_broadcast", lambda f, a, b: f.cosine_similarity(a, b[:1], dim=0)),
    ("cosine_dim-1", lambda f, a, b: f.cosine_similarity(a, b, dim=-1)),
    ("pairwise", lambda f, a, b: f.pairwise_distance(a, b)),
    ("pairwise_p1_keepdim", lambda f, a, b: f.pairwise_distance(a, b, p=1, keepdim=True)),
    ("pairwise_inf", lambda f, a, b: f.pairwise_distance(a, b, p=float("inf"))),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, call", CASES, ids=IDS)
def test_values_and_gradients_match_torch(name, call, dtype):
    torch = pytest.importorskip("torch")
    a, b = _data((4, 5)).astype(dtype), _data((4, 5), 1, zero_row=False).astype(dtype)
    x1, x2 = rg.tensor(a, requires_grad=True), rg.tensor(b, requires_grad=True)
    t1, t2 = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    y, ty = call(F, x1, x2), call(torch.nn.functional, t1, t2)
    assert y.shape == tuple(ty.shape) and y.dtype == x1.dtype
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=tol, atol=tol)
    w = np.random.default_rng(2).standard_normal(y.shape).astype(dtype)
    (y * rg.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    for ours, theirs in ((x1, t1), (x2, t2)):
        if theirs.grad is not None:
            assert np.isfinite(ours.grad.array).all()
            np.testing.assert_allclose(ours.grad.array, theirs.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("name, call", [c for c in CASES if "inf" not in c[0]],
                         ids=[i for i in IDS if "inf" not in i])
def test_gradcheck_first_and_second_order(name, call):
    a = rg.tensor(_data((3, 4), 3, zero_row=False), requires_grad=True)
    b = rg.tensor(_data((3, 4), 4, zero_row=False), requires_grad=True)
    assert gradcheck(lambda u, v: call(F, u, v), [a, b], rtol=1e-6, atol=1e-7)
    assert gradgradcheck(lambda u, v: call(F, u, v), [a, b], rtol=1e-5, atol=1e-6)


def test_inf_norm_gradient_is_shared_among_ties():
    torch = pytest.importorskip("torch")
    data = np.array([[3.0, -3.0, 1.0], [0.5, 2.0, 2.0]])
    x, tx = rg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    F.normalize(x, p=float("inf")).sum().backward()
    torch.nn.functional.normalize(tx, p=float("inf")).sum().backward()
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_normalized_rows_have_unit_norm_and_shapes_follow_torch():
    y = F.normalize(rg.randn(6, 7) * 100)
    np.testing.assert_allclose(np.linalg.norm(y.array, axis=1), np.ones(6), rtol=1e-5)
    assert F.cosine_similarity(rg.randn(2, 3, 4), rg.randn(3, 4), dim=-1).shape == (2, 3)
    assert F.pairwise_distance(rg.randn(5), rg.randn(5)).shape == ()
    with pytest.raises(RuntimeError, match="broadcast"):
        F.cosine_similarity(rg.randn(2, 3), rg.randn(4, 3))


@pytest.mark.parametrize("values, num_classes", [([-1, 0], 3), ([3], 2), ([], -1)])
def test_one_hot_errors_like_torch(values, num_classes):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        torch.nn.functional.one_hot(torch.tensor(values, dtype=torch.long), num_classes)
    with pytest.raises(RuntimeError):
        F.one_hot(rg.tensor(np.array(values, dtype=np.int64)), num_classes)


def test_one_hot_matches_torch():
    torch = pytest.importorskip("torch")
    idx = np.array([[0, 3], [2, 2]])
    for n in (-1, 5):
        np.testing.assert_array_equal(F.one_hot(rg.tensor(idx), n).array,
                                      torch.nn.functional.one_hot(torch.tensor(idx), n).numpy())
    assert F.one_hot(rg.tensor(idx)).dtype == rg.int64
    assert F.one_hot(rg.zeros(0, dtype=rg.int64), 3).shape == (0, 3)


def test_distance_modules_match_functional():
    a, b = rg.randn(4, 5), rg.randn(4, 5)
    np.testing.assert_array_equal(rg.nn.CosineSimilarity(dim=0)(a, b).array,
                                  F.cosine_similarity(a, b, dim=0).array)
    np.testing.assert_array_equal(rg.nn.PairwiseDistance(p=1, keepdim=True)(a, b).array,
                                  F.pairwise_distance(a, b, p=1, keepdim=True).array)
    assert repr(rg.nn.CosineSimilarity()) == "CosineSimilarity()"
