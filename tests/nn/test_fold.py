"""F.unfold / F.fold (and nn.Unfold / nn.Fold) against PyTorch and float64 finite differences;
F.embedding / nn.Embedding with max_norm renormalising looked-up rows as PyTorch does."""
import numpy as np
import pytest

import retrograd as rg
import retrograd.nn as nn
import retrograd.nn.functional as F
from retrograd.autograd import gradcheck, gradgradcheck

GEOMETRIES = [dict(kernel_size=3),
              dict(kernel_size=(2, 3), dilation=(2, 1), padding=(1, 2), stride=(2, 1)),
              dict(kernel_size=2, stride=2), dict(kernel_size=(3, 1), padding=1, dilation=2)]


@pytest.mark.parametrize("kwargs", GEOMETRIES, ids=[str(i) for i in range(len(GEOMETRIES))])
def test_unfold_and_fold_match_torch(kwargs):
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(0).standard_normal((2, 3, 7, 6))
    x, tx = rg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    cols, tcols = F.unfold(x, **kwargs), torch.nn.functional.unfold(tx, **kwargs)
    np.testing.assert_array_equal(cols.array, tcols.detach().numpy())
    back, tback = F.fold(cols, (7, 6), **kwargs), torch.nn.functional.fold(tcols, (7, 6), **kwargs)
    np.testing.assert_allclose(back.array, tback.detach().numpy(), rtol=1e-12, atol=1e-12)
    w = np.random.default_rng(1).standard_normal(back.shape)
    (back * rg.tensor(w)).sum().backward()
    (tback * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-12, atol=1e-12)
    assert F.unfold(x[0], **kwargs).shape == cols.shape[1:]


def test_gradcheck_first_and_second_order():
    x = rg.tensor(np.random.default_rng(2).standard_normal((1, 2, 4, 4)), requires_grad=True)
    geo = dict(kernel_size=2, padding=1, stride=(1, 2))
    assert gradcheck(lambda t: F.unfold(t, **geo), [x], rtol=1e-6, atol=1e-7)
    assert gradgradcheck(lambda t: F.fold(F.unfold(t, **geo) * 2, (4, 4), **geo), [x],
                         rtol=1e-5, atol=1e-6)
    cols = rg.tensor(np.random.default_rng(3).standard_normal((1, 8, 15)), requires_grad=True)
    assert gradcheck(lambda c: F.fold(c, (4, 4), **geo), [cols], rtol=1e-6, atol=1e-7)


def test_modules_and_errors():
    torch = pytest.importorskip("torch")
    assert repr(nn.Unfold(3, padding=1)) == repr(torch.nn.Unfold(3, padding=1))
    assert repr(nn.Fold((4, 5), 2)) == repr(torch.nn.Fold((4, 5), 2))
    assert nn.Fold((4, 4), 2, stride=2)(nn.Unfold(2, stride=2)(rg.ones(1, 3, 4, 4))).shape == (1, 3, 4, 4)
    with pytest.raises(RuntimeError, match="sliding blocks"):
        F.fold(rg.zeros(1, 4, 7), (4, 4), 2)
    with pytest.raises(RuntimeError, match="divisible"):
        F.fold(rg.zeros(1, 5, 9), (4, 4), 2)


@pytest.mark.parametrize("norm_type", [2.0, 1.0])
def test_embedding_max_norm_renormalises_looked_up_rows_like_torch(norm_type):
    torch = pytest.importorskip("torch")
    weight = np.random.default_rng(4).standard_normal((6, 3)).astype(np.float32) * 3
    idx = np.array([[0, 2], [2, 5]])
    ours = nn.Embedding(6, 3, max_norm=1.5, norm_type=norm_type)
    theirs = torch.nn.Embedding(6, 3, max_norm=1.5, norm_type=norm_type)
    assert repr(ours) == repr(theirs)
    ours.weight.array[:] = weight
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(weight))
    y, ty = ours(rg.tensor(idx)), theirs(torch.tensor(idx))
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(ours.weight.array, theirs.weight.detach().numpy(), rtol=1e-6)
    norms = np.linalg.norm(ours.weight.array, ord=norm_type, axis=1)
    assert (norms[[0, 2, 5]] <= 1.5 + 1e-5).all()
    np.testing.assert_array_equal(ours.weight.array[[1, 3, 4]], weight[[1, 3, 4]])  # not looked up
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(ours.weight.grad.array, theirs.weight.grad.numpy(), rtol=1e-5, atol=1e-6)
