"""max_pool3d, avg_pool3d (separable, over the 2-D kernels) and max_unpool1d/2d/3d, F and
Modules, against PyTorch (values, indices, gradients) and float64 finite differences."""
import numpy as np
import pytest

import retrograd as rg
import retrograd.nn as nn
import retrograd.nn.functional as F
from retrograd.autograd import gradcheck, gradgradcheck

POOLS = [
    ("max_pool3d", dict(kernel_size=3)),
    ("max_pool3d", dict(kernel_size=(2, 3, 2), stride=(1, 2, 2), padding=1, dilation=(2, 1, 1),
                        ceil_mode=True)),
    ("avg_pool3d", dict(kernel_size=3, stride=2, padding=1)),
    ("avg_pool3d", dict(kernel_size=(3, 2, 3), stride=(2, 2, 1), padding=1, ceil_mode=True,
                        count_include_pad=False)),
    ("avg_pool3d", dict(kernel_size=(3, 2, 3), stride=2, padding=1, ceil_mode=True)),
    ("avg_pool3d", dict(kernel_size=2, divisor_override=3, padding=1)),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(POOLS)]


@pytest.mark.parametrize("name, kwargs", POOLS, ids=IDS)
def test_pools_match_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(0).standard_normal((2, 3, 7, 6, 8))
    x, tx = rg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y, ty = getattr(F, name)(x, **kwargs), getattr(torch.nn.functional, name)(tx, **kwargs)
    assert y.shape == tuple(ty.shape)
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-12, atol=1e-12)
    unbatched = getattr(F, name)(rg.tensor(data[0]), **kwargs)
    np.testing.assert_allclose(unbatched.array, y.array[0], rtol=1e-12)


@pytest.mark.parametrize("name", ["max_pool3d", "avg_pool3d"])
def test_pools_gradcheck(name):
    x = rg.tensor(np.random.default_rng(1).standard_normal((1, 2, 4, 3, 4)), requires_grad=True)
    fn = lambda t: getattr(F, name)(t, 2, stride=(2, 1, 2), padding=1)  # noqa: E731
    assert gradcheck(fn, [x], rtol=1e-6, atol=1e-7)
    assert gradgradcheck(fn, [x], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("nd, kwargs", [(1, dict(kernel_size=3, stride=2)), (2, dict(kernel_size=2)),
                                        (2, dict(kernel_size=3, stride=2, padding=1)),
                                        (3, dict(kernel_size=(2, 3, 2), stride=(1, 2, 2), padding=1))])
def test_max_pool_indices_and_unpool_match_torch(nd, kwargs):
    torch = pytest.importorskip("torch")
    shape = (2, 3) + (7, 6, 8)[:nd]
    data = np.random.default_rng(2).standard_normal(shape)
    tpool = getattr(torch.nn.functional, f"max_pool{nd}d")
    ty, tidx = tpool(torch.tensor(data), return_indices=True, **kwargs)
    if nd == 3:
        y, idx = F.max_pool3d(rg.tensor(data), return_indices=True, **kwargs)
        np.testing.assert_array_equal(idx.array, tidx.numpy())
    unpool_args = {k: v for k, v in kwargs.items() if k != "dilation"}
    values = rg.tensor(ty.numpy(), requires_grad=True)
    tvalues = ty.clone().requires_grad_(True)
    ours_unpool = getattr(F, f"max_unpool{nd}d")
    out = ours_unpool(values, rg.tensor(tidx.numpy()), output_size=shape[2:], **unpool_args)
    tout = getattr(torch.nn.functional, f"max_unpool{nd}d")(tvalues, tidx, output_size=shape[2:],
                                                             **unpool_args)
    np.testing.assert_array_equal(out.array, tout.detach().numpy())
    w = np.random.default_rng(3).standard_normal(out.shape)
    (out * rg.tensor(w)).sum().backward()
    (tout * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(values.grad.array, tvalues.grad.numpy(), rtol=1e-12)
    unpool = lambda v: getattr(F, f"max_unpool{nd}d")(v, rg.tensor(tidx.numpy()),  # noqa: E731
                                                      output_size=shape[2:], **unpool_args)
    rows = tidx.numpy().reshape(6, -1)
    if all(len(np.unique(r)) == r.size for r in rows):  # overlapping windows repeat an index: there
        assert gradcheck(unpool, [values], rtol=1e-6, atol=1e-7)  # PyTorch gives every copy the grad


def test_modules_match_torch_repr_and_roundtrip():
    torch = pytest.importorskip("torch")
    for make in ["MaxPool3d(2)", "MaxPool3d((2, 3, 2), stride=1, padding=1, ceil_mode=True)",
                 "AvgPool3d(3, 2, 1)", "MaxUnpool2d(2)", "MaxUnpool1d(3, 2)", "MaxUnpool3d(2)"]:
        assert repr(eval("nn." + make)) == repr(eval("torch.nn." + make))
    pool, unpool = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)
    x = rg.randn(1, 2, 4, 6)
    y, idx = pool(x)
    back = unpool(y, idx)
    assert back.shape == x.shape and (back.array != 0).sum() == y.array.size
    np.testing.assert_array_equal(nn.AvgPool3d(2)(rg.ones(1, 1, 4, 4, 4)).array, np.ones((1, 1, 2, 2, 2)))


def test_unpool_errors():
    y, idx = F.max_pool2d(rg.randn(1, 1, 4, 4), 2, return_indices=True)
    with pytest.raises(ValueError, match="output_size"):
        F.max_unpool2d(y, idx, 2, output_size=(9, 9))
    with pytest.raises(RuntimeError, match="invalid max index"):
        F.max_unpool2d(y, rg.tensor(np.full((1, 1, 2, 2), 99)), 2)
