"""conv3d, conv_transpose1d, conv_transpose3d (F and Modules) and ConvTranspose*d's output_size:
PyTorch parity with copied weights (outputs and gradients), float64 finite differences, errors."""
import numpy as np
import pytest

import retrograd as rg
import retrograd.nn as nn
import retrograd.nn.functional as F
from retrograd.autograd import gradcheck, gradgradcheck

CASES = [
    ("conv3d", (2, 4, 5, 6, 7), (6, 2, 3, 2, 3), 6,
     dict(stride=(2, 1, 2), padding=(1, 0, 1), dilation=(1, 2, 1), groups=2)),
    ("conv3d", (1, 3, 4, 5, 4), (2, 3, 2, 2, 2), None, dict(padding="same")),
    ("conv3d", (3, 4, 5, 4), (2, 3, 1, 3, 2), 2, dict(padding="valid", stride=2)),  # unbatched
    ("conv_transpose3d", (2, 4, 3, 4, 3), (4, 3, 3, 2, 3), 3,
     dict(stride=(2, 2, 1), padding=(1, 0, 1), output_padding=(1, 1, 0), dilation=(1, 1, 2))),
    ("conv_transpose3d", (1, 4, 2, 3, 2), (4, 1, 2, 2, 2), None,
     dict(stride=3, groups=2, padding=1, output_padding=2)),
    ("conv_transpose1d", (2, 4, 7), (4, 3, 3), 3, dict(stride=2, padding=1, output_padding=1)),
    ("conv_transpose1d", (4, 7), (4, 2, 3), None, dict(stride=3, groups=2, dilation=2)),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # torch's note on even kernels
@pytest.mark.parametrize("name, x_shape, w_shape, bias, kwargs", CASES, ids=IDS)
def test_functional_matches_torch(name, x_shape, w_shape, bias, kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    data = [rng.standard_normal(x_shape), rng.standard_normal(w_shape)]
    if bias:
        data.append(rng.standard_normal(bias))
    ours = [rg.tensor(a, requires_grad=True) for a in data]
    theirs = [torch.tensor(a, requires_grad=True) for a in data]
    y, ty = getattr(F, name)(*ours, **kwargs), getattr(torch.nn.functional, name)(*theirs, **kwargs)
    assert y.shape == tuple(ty.shape)
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-10, atol=1e-10)
    w = rng.standard_normal(y.shape)
    (y * rg.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("name, kwargs", [("conv3d", dict(stride=(1, 2, 1), padding=1)),
                                          ("conv_transpose3d", dict(stride=2, output_padding=(1, 0, 0)))])
def test_gradcheck_first_and_second_order(name, kwargs):
    rng = np.random.default_rng(1)
    x = rg.tensor(rng.standard_normal((1, 2, 3, 3, 2)), requires_grad=True)
    w = rg.tensor(rng.standard_normal((2, 2, 2, 2, 2)), requires_grad=True)
    b = rg.tensor(rng.standard_normal(2), requires_grad=True)
    fn = lambda x, w, b: getattr(F, name)(x, w, b, **kwargs)  # noqa: E731
    assert gradcheck(fn, [x, w, b], rtol=1e-6, atol=1e-7)
    assert gradgradcheck(fn, [x, w, b], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make, x_shape, output_size", [
    ("Conv3d(4, 6, (3, 2, 3), stride=(2, 1, 1), padding=1, groups=2, bias=False)", (2, 4, 5, 4, 6), None),
    ("Conv3d(2, 3, 3, padding=1, padding_mode='circular')", (1, 2, 4, 4, 4), None),
    ("ConvTranspose3d(4, 2, 3, stride=2, padding=1)", (2, 4, 3, 2, 3), (6, 4, 5)),
    ("ConvTranspose1d(3, 4, 3, stride=3, padding=1, dilation=2)", (2, 3, 5), (16,)),
    ("ConvTranspose2d(3, 2, 3, stride=2, padding=1)", (1, 3, 4, 5), (1, 2, 8, 9)),
])
def test_modules_match_torch_with_copied_weights(make, x_shape, output_size):
    torch = pytest.importorskip("torch")
    ours, theirs = eval("nn." + make), eval("torch.nn." + make)
    assert repr(ours) == repr(theirs)
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == {
        k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    ours.load_state_dict({k: rg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    data = np.random.default_rng(2).standard_normal(x_shape).astype(np.float32)
    x, tx = rg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    args = () if output_size is None else (output_size,)
    y, ty = ours(x, *args), theirs(tx, *args)
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-4, atol=1e-5)
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-4, atol=1e-4)
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(getattr(ours, name).grad.array, p.grad.numpy(), rtol=1e-4, atol=1e-3)


def test_output_size_out_of_range_and_shape_errors():
    with pytest.raises(ValueError, match="valid sizes range"):
        nn.ConvTranspose2d(3, 2, 3, stride=2)(rg.randn(1, 3, 4, 4), output_size=(12, 9))
    with pytest.raises(ValueError, match="channels"):
        F.conv3d(rg.randn(1, 3, 4, 4, 4), rg.randn(2, 2, 3, 3, 3))
    with pytest.raises(ValueError, match="larger than"):
        F.conv3d(rg.randn(1, 2, 2, 4, 4), rg.randn(2, 2, 3, 3, 3))
    with pytest.raises(ValueError, match="output_padding"):
        F.conv_transpose3d(rg.randn(1, 2, 2, 2, 2), rg.randn(2, 2, 2, 2, 2), stride=2, output_padding=2)


@pytest.mark.parametrize("make, fan_in", [("Conv3d(4, 6, (3, 2, 3), groups=2)", 2 * 18),
                                          ("ConvTranspose3d(4, 6, 2, groups=2)", 3 * 8),
                                          ("ConvTranspose1d(3, 5, 4)", 5 * 4)])
def test_default_init_is_pytorch_uniform_bound(make, fan_in):
    """kaiming_uniform_(a=sqrt(5)) gives U(+-1/sqrt(fan_in)) for weight and bias, as PyTorch."""
    rg.manual_seed(0)
    layer = eval("nn." + make)
    bound = 1 / np.sqrt(fan_in)
    for p in (layer.weight, layer.bias):
        assert np.abs(p.array).max() <= bound and np.abs(p.array).max() > 0.7 * bound
