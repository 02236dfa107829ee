"""F.affine_grid and F.grid_sample against PyTorch (values; gradients of input, grid and theta),
float64 finite differences, and errors."""
import numpy as np
import pytest

import retrograd as rg
import retrograd.nn.functional as F
from retrograd.autograd import gradcheck


@pytest.mark.filterwarnings("ignore:Since version 1.3.0")  # torch's note on unit-size grids
@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid_matches_torch(align_corners):
    torch = pytest.importorskip("torch")
    theta = np.random.default_rng(0).standard_normal((2, 2, 3))
    for size in ((2, 3, 5, 4), (2, 1, 1, 3)):
        ours = F.affine_grid(rg.tensor(theta), size, align_corners=align_corners).array
        theirs = torch.nn.functional.affine_grid(torch.tensor(theta), size,
                                                 align_corners=align_corners)
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("mode, padding_mode", [("bilinear", "zeros"), ("bilinear", "border"),
                                                ("bilinear", "reflection"), ("nearest", "zeros"),
                                                ("nearest", "border"), ("nearest", "reflection")])
def test_grid_sample_matches_torch(mode, padding_mode, align_corners):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    data, grid = rng.standard_normal((2, 3, 6, 7)), rng.uniform(-2.5, 2.5, (2, 4, 5, 2))
    x, g = rg.tensor(data, requires_grad=True), rg.tensor(grid, requires_grad=True)
    tx, tg = torch.tensor(data, requires_grad=True), torch.tensor(grid, requires_grad=True)
    y = F.grid_sample(x, g, mode, padding_mode, align_corners)
    ty = torch.nn.functional.grid_sample(tx, tg, mode, padding_mode, align_corners)
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    if mode == "bilinear":
        np.testing.assert_allclose(g.grad.array, tg.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_spatial_transformer_gradcheck_through_theta():
    rng = np.random.default_rng(2)
    x = rg.tensor(rng.standard_normal((1, 2, 4, 5)), requires_grad=True)
    theta = rg.tensor(rng.standard_normal((1, 2, 3)) * 0.3, requires_grad=True)
    fn = lambda img, t: F.grid_sample(img, F.affine_grid(t, (1, 2, 3, 3)))  # noqa: E731
    assert gradcheck(fn, [x, theta], rtol=1e-6, atol=1e-7)


def test_errors():
    with pytest.raises(ValueError, match="padding_mode"):
        F.grid_sample(rg.zeros(1, 1, 2, 2), rg.zeros(1, 2, 2, 2), padding_mode="wrap")
    with pytest.raises(ValueError, match="grid"):
        F.grid_sample(rg.zeros(1, 1, 2, 2), rg.zeros(1, 2, 2, 3))
    with pytest.raises(ValueError, match="theta"):
        F.affine_grid(rg.zeros(2, 2, 3), (1, 1, 2, 2))
