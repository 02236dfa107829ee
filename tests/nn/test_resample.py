"""F.interpolate and nn.Upsample: every mode (bicubic too) against PyTorch (values and gradients,
float32 and float64, sizes and scale factors, align_corners), float64 finite differences, and
errors."""
import numpy as np
import pytest

import retrograd as rg
import retrograd.nn as nn
import retrograd.nn.functional as F
from retrograd.autograd import gradcheck, gradgradcheck

CASES = [
    ((2, 3, 5), dict(size=8, mode="linear")),
    ((2, 3, 5), dict(scale_factor=1.7, mode="linear", align_corners=True)),
    ((2, 2, 6), dict(size=4, mode="linear")),
    ((1, 2, 4, 5), dict(size=(7, 3), mode="bilinear", align_corners=True)),
    ((1, 2, 4, 5), dict(scale_factor=(2.3, 0.6), mode="bilinear")),
    ((1, 2, 4, 5), dict(scale_factor=0.6, mode="bilinear", recompute_scale_factor=True)),
    ((1, 2, 4, 5), dict(scale_factor=1.5)),
    ((1, 2, 4, 5), dict(scale_factor=2)),
    ((1, 2, 6, 5), dict(size=(4, 9))),
    ((2, 3, 7), dict(size=3)),
    ((1, 2, 4, 5), dict(size=(9, 2), mode="nearest-exact")),
    ((1, 2, 3, 4, 5), dict(size=(4, 5, 3), mode="trilinear")),
    ((1, 1, 3, 4, 2), dict(scale_factor=2, mode="nearest")),
    ((1, 2, 5, 7), dict(size=(3, 4), mode="area")),
    ((1, 2, 4, 6), dict(size=(4, 1), mode="bilinear", align_corners=True)),
    ((1, 2, 4, 5), dict(size=(7, 3), mode="bicubic", align_corners=True)),
    ((2, 2, 4, 5), dict(scale_factor=(2.3, 0.6), mode="bicubic")),
    ((1, 1, 5, 4), dict(size=(5, 9), mode="bicubic")),
]
IDS = [f"{kw.get('mode', 'nearest')}-{shape}-{i}" for i, (shape, kw) in enumerate(CASES)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape, kwargs", CASES, ids=IDS)
def test_values_and_gradients_match_torch(shape, kwargs, dtype):
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    x, tx = rg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y, ty = F.interpolate(x, **kwargs), torch.nn.functional.interpolate(tx, **kwargs)
    assert y.shape == tuple(ty.shape) and y.dtype == x.dtype
    tol = 1e-5 if dtype == "float32" else 1e-13  # float32: sums of 4-16 taps, rounded differently
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=tol, atol=tol)
    w = np.random.default_rng(1).standard_normal(y.shape).astype(dtype)
    (y * rg.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=10 * tol, atol=10 * tol)


@pytest.mark.parametrize("kwargs", [dict(size=(3, 5), mode="bilinear"),
                                    dict(scale_factor=1.5, mode="bilinear", align_corners=True),
                                    dict(size=(5, 2)), dict(size=(2, 3), mode="area"),
                                    dict(size=(5, 3), mode="bicubic")])
def test_gradcheck_first_and_second_order(kwargs):
    x = rg.tensor(np.random.default_rng(2).standard_normal((1, 2, 3, 4)), requires_grad=True)
    fn = lambda t: F.interpolate(t, **kwargs)  # noqa: E731
    assert gradcheck(fn, [x], rtol=1e-6, atol=1e-7)
    assert gradgradcheck(fn, [x], rtol=1e-5, atol=1e-6)


def test_upsample_modules_match_functional_and_torch_repr():
    torch = pytest.importorskip("torch")
    x = rg.randn(1, 2, 3, 4)
    pairs = [(nn.Upsample(scale_factor=2), torch.nn.Upsample(scale_factor=2)),
             (nn.Upsample(size=(5, 6), mode="bilinear", align_corners=True),
              torch.nn.Upsample(size=(5, 6), mode="bilinear", align_corners=True)),
             (nn.UpsamplingNearest2d(size=(6, 5)), torch.nn.UpsamplingNearest2d(size=(6, 5))),
             (nn.UpsamplingBilinear2d(scale_factor=1.5), torch.nn.UpsamplingBilinear2d(scale_factor=1.5))]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
        np.testing.assert_allclose(ours(x).array, theirs(torch.tensor(x.array)).numpy(), rtol=1e-6,
                                   atol=1e-6)


@pytest.mark.parametrize("shape, kwargs, error", [
    ((1, 1, 4, 5), dict(size=3, scale_factor=2), ValueError),
    ((1, 1, 4, 5), dict(), ValueError),
    ((1, 1, 4, 5), dict(size=(2, 3, 4)), ValueError),
    ((1, 1, 4, 5), dict(size=3, mode="linear"), NotImplementedError),
    ((1, 1, 4), dict(size=3, mode="bilinear"), NotImplementedError),
    ((1, 1, 4, 5), dict(size=3, align_corners=True), ValueError),
])
def test_errors_like_torch(shape, kwargs, error):
    torch = pytest.importorskip("torch")
    with pytest.raises(error):
        torch.nn.functional.interpolate(torch.zeros(shape), **kwargs)
    with pytest.raises(error):
        F.interpolate(rg.zeros(*shape), **kwargs)


@pytest.mark.filterwarnings("ignore:.*deprecated")  # torch warns that these names are deprecated
def test_deprecated_upsample_names_match_torch():
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(3).standard_normal((1, 2, 3, 4))
    for name, kwargs in (("upsample", dict(scale_factor=2, mode="bilinear")),
                         ("upsample_nearest", dict(size=(5, 7))),
                         ("upsample_bilinear", dict(scale_factor=1.5))):
        ours = getattr(F, name)(rg.tensor(data), **kwargs).array
        np.testing.assert_allclose(ours, getattr(torch.nn.functional, name)(torch.tensor(data), **kwargs)
                                   .numpy(), rtol=1e-12, atol=1e-12)
