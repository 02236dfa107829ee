"""adaptive_avg_pool3d, adaptive_max_pool1d/2d/3d (indices too), lp_pool1d/2d/3d, pdist,
channel_shuffle, Softmax2d, dropout1d/3d and alpha_dropout: PyTorch parity (values, gradients,
reprs), float64 finite differences, and dropout's statistics."""
import numpy as np
import pytest

import retrograd as rg
import retrograd.nn as nn
import retrograd.nn.functional as F
from retrograd.autograd import gradcheck

CASES = [
    ("adaptive_max_pool1d", (2, 3, 7), (3,), dict(return_indices=True)),
    ("adaptive_max_pool2d", (2, 3, 7, 5), ((3, 2),), dict(return_indices=True)),
    ("adaptive_max_pool2d", (3, 7, 5), ((None, 4),), dict(return_indices=True)),
    ("adaptive_max_pool3d", (1, 2, 5, 4, 6), ((2, 3, 4),), dict(return_indices=True)),
    ("adaptive_avg_pool3d", (1, 2, 5, 4, 6), ((2, 3, 4),), {}),
    ("lp_pool1d", (2, 3, 7), (2.0, 3), dict(stride=2)),
    ("lp_pool2d", (2, 3, 7, 5), (3.0, (2, 3)), dict(ceil_mode=True)),
    ("lp_pool3d", (1, 2, 5, 4, 6), (2, 2), {}),
    ("pdist", (5, 3), (), {}),
    ("pdist", (4, 6), (1.0,), {}),
    ("channel_shuffle", (2, 6, 2, 3), (3,), {}),
]


@pytest.mark.parametrize("name, shape, args, kwargs", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_matches_torch(name, shape, args, kwargs):
    torch = pytest.importorskip("torch")
    data = np.abs(np.random.default_rng(0).standard_normal(shape)) + 0.1  # lp_pool: positive
    x, tx = rg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y = getattr(F, name)(x, *args, **kwargs)
    ty = getattr(torch.nn.functional, name)(tx, *args, **kwargs)
    if kwargs.get("return_indices"):
        (y, idx), (ty, tidx) = y, ty
        np.testing.assert_array_equal(idx.array, tidx.numpy())
    assert y.shape == tuple(ty.shape)
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("fn", [lambda t: F.adaptive_max_pool2d(t, (2, 3)),
                                lambda t: F.lp_pool2d(t, 2.0, 2), lambda t: F.pdist(t[0, 0])],
                         ids=["adaptive_max", "lp_pool", "pdist"])
def test_gradcheck(fn):
    x = rg.tensor(np.random.default_rng(1).standard_normal((1, 2, 4, 5)) + 3, requires_grad=True)
    assert gradcheck(fn, [x], rtol=1e-6, atol=1e-7)


def test_module_reprs_match_torch():
    torch = pytest.importorskip("torch")
    for make in ["AdaptiveMaxPool2d((3, 2))", "AdaptiveAvgPool3d(2)", "LPPool2d(2, 3)",
                 "LPPool1d(2.0, 3, 2)", "AdaptiveMaxPool1d(3, return_indices=True)", "Softmax2d()",
                 "ChannelShuffle(2)", "Dropout1d(0.3)", "Dropout3d()", "AlphaDropout(0.2)"]:
        assert repr(eval("nn." + make)) == repr(eval("torch.nn." + make))
    x = np.random.default_rng(2).standard_normal((2, 3, 4, 5))
    np.testing.assert_allclose(nn.Softmax2d()(rg.tensor(x)).array,
                               torch.nn.Softmax2d()(torch.tensor(x)).numpy(), rtol=1e-12)


def test_channel_dropouts_drop_whole_channels():
    rg.manual_seed(0)
    for fn, shape in ((F.dropout1d, (8, 6, 5)), (F.dropout1d, (6, 5)),
                      (F.dropout3d, (4, 6, 2, 3, 2)), (F.dropout3d, (6, 2, 3, 2))):
        y = fn(rg.ones(*shape), 0.5).array
        per_channel = y.reshape(-1, shape[-1] if fn is F.dropout1d else 12)
        assert set(np.unique(y)) == {0.0, 2.0} and (per_channel.std(1) == 0).all()
        unchanged = fn(rg.ones(*shape), 0.5, training=False).array
        np.testing.assert_array_equal(unchanged, np.ones(shape))


def test_alpha_dropout_keeps_zero_mean_unit_variance():
    rg.manual_seed(0)
    x = rg.randn(200_000)
    y = F.alpha_dropout(x, 0.2, training=True).array
    assert abs(y.mean()) < 0.01 and abs(y.std() - 1) < 0.01 and not np.array_equal(y, x.array)
    assert F.alpha_dropout(x, 0.2) is x  # training=False by default, as PyTorch
