"""F.bilinear / nn.Bilinear and F.local_response_norm / nn.LocalResponseNorm against PyTorch
(copied weights; values and gradients), float64 finite differences; F.gumbel_softmax's samples
(soft: a distribution; hard: one-hot in forward, the soft gradient in backward)."""
import numpy as np
import pytest

import retrograd as rg
import retrograd.nn as nn
import retrograd.nn.functional as F
from retrograd.autograd import gradcheck, gradgradcheck


def _pair(shapes, seed=0):
    import torch

    data = [np.random.default_rng(seed + i).standard_normal(s) for i, s in enumerate(shapes)]
    return ([rg.tensor(d, requires_grad=True) for d in data],
            [torch.tensor(d, requires_grad=True) for d in data])


def _check(y, ty, ours, theirs):
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_bilinear_module_matches_torch_and_inits_uniform():
    torch = pytest.importorskip("torch")
    ours = nn.Bilinear(3, 4, 6, dtype=rg.float64)
    theirs = torch.nn.Bilinear(3, 4, 6, dtype=torch.float64)
    assert repr(ours) == repr(theirs)
    bound = 1 / np.sqrt(3)
    largest = np.abs(ours.weight.array).max()
    assert 0.8 * bound < largest <= bound
    ours.load_state_dict({k: rg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    (x1, x2), (t1, t2) = _pair([(2, 5, 3), (2, 5, 4)])
    _check(ours(x1, x2), theirs(t1, t2), [x1, x2, ours.weight, ours.bias],
           [t1, t2, theirs.weight, theirs.bias])
    assert nn.Bilinear(3, 4, 6, bias=False)(rg.randn(2, 3), rg.randn(2, 4)).shape == (2, 6)


def test_bilinear_gradcheck_and_errors():
    (x1, x2, w), _ = _pair([(2, 3), (2, 2), (4, 3, 2)], seed=3)
    assert gradcheck(lambda a, b, c: F.bilinear(a, b, c), [x1, x2, w])
    assert gradgradcheck(lambda a, b, c: F.bilinear(a, b, c), [x1, x2, w])
    with pytest.raises(ValueError, match="do not fit"):
        F.bilinear(rg.randn(2, 3), rg.randn(2, 5), rg.randn(4, 3, 2))


@pytest.mark.parametrize("shape", [(2, 6, 5), (2, 6, 3, 4), (1, 5, 2, 3, 2)])
def test_local_response_norm_matches_torch(shape):
    torch = pytest.importorskip("torch")
    (x,), (tx,) = _pair([shape])
    ours = nn.LocalResponseNorm(3, alpha=0.1, k=2.0)
    theirs = torch.nn.LocalResponseNorm(3, alpha=0.1, k=2.0)
    assert repr(ours) == repr(theirs)
    _check(ours(x), theirs(tx), [x], [tx])


def test_local_response_norm_gradcheck():
    (x,), _ = _pair([(1, 4, 3)], seed=5)
    assert gradcheck(lambda t: F.local_response_norm(t, 2, alpha=0.5), [x])


def test_gumbel_softmax_soft_and_hard_samples():
    rg.manual_seed(0)
    logits = rg.tensor(np.log([[0.7, 0.2, 0.1]] * 4000), requires_grad=True)
    soft = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.array.sum(-1), 1.0, rtol=1e-6)
    hard = F.gumbel_softmax(logits, tau=0.5, hard=True)
    assert set(np.unique(hard.array)) == {0.0, 1.0} and (hard.array.sum(-1) == 1).all()
    np.testing.assert_allclose(hard.array.mean(0), [0.7, 0.2, 0.1], atol=0.03)  # Gumbel-max
    (hard * rg.tensor(np.array([1.0, 2.0, 3.0]))).sum().backward()
    assert np.abs(logits.grad.array).sum() > 0  # straight-through: the soft sample's gradient
