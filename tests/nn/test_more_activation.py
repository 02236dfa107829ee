"""hardtanh, relu6, hardsigmoid, hardswish, threshold, selu, celu, mish, softsign, logsigmoid,
softmin, glu, silu, hardshrink, softshrink, tanhshrink and prelu: float64 finite differences
(first and second order), PyTorch parity of values and gradients (also at the kinks), stability
at +-1e4, and their Modules."""
import numpy as np
import pytest

import retrograd as rg
import retrograd.nn as nn
import retrograd.nn.functional as F
from retrograd.autograd import gradcheck, gradgradcheck

# name, retrograd call, torch call (names as F / torch.nn.functional), Module form
CASES = [
    ("hardtanh", lambda f, x: f.hardtanh(x, -0.5, 1.5), "Hardtanh(-0.5, 1.5)"),
    ("relu6", lambda f, x: f.relu6(x), "ReLU6()"),
    ("hardsigmoid", lambda f, x: f.hardsigmoid(x), "Hardsigmoid()"),
    ("hardswish", lambda f, x: f.hardswish(x), "Hardswish()"),
    ("threshold", lambda f, x: f.threshold(x, 0.3, -2.0), "Threshold(0.3, -2.0)"),
    ("selu", lambda f, x: f.selu(x), "SELU()"),
    ("celu", lambda f, x: f.celu(x, 0.7), "CELU(0.7)"),
    ("mish", lambda f, x: f.mish(x), "Mish()"),
    ("softsign", lambda f, x: f.softsign(x), "Softsign()"),
    ("logsigmoid", lambda f, x: f.logsigmoid(x), "LogSigmoid()"),
    ("softmin", lambda f, x: f.softmin(x, dim=1), "Softmin(dim=1)"),
    ("glu", lambda f, x: f.glu(x, dim=1), "GLU(dim=1)"),
    ("silu", lambda f, x: f.silu(x), "SiLU()"),
    ("hardshrink", lambda f, x: f.hardshrink(x), "Hardshrink()"),
    ("softshrink", lambda f, x: f.softshrink(x, 0.3), "Softshrink(0.3)"),
    ("tanhshrink", lambda f, x: f.tanhshrink(x), "Tanhshrink()"),
]
IDS = [c[0] for c in CASES]
# values at and around every kink (0, +-3, 6, the bounds, the threshold), and far out
KINKS = np.array([[-1e4, -7.0, -3.0, -2.5, -0.5, 0.0, 0.3, 1.5],
                  [2.9, 3.0, 3.5, 5.9, 6.0, 6.5, 20.0, 1e4]])


def _x(seed=0, shape=(3, 4, 2)):
    a = np.random.default_rng(seed).standard_normal(shape) * 3
    return rg.tensor(a, dtype=rg.float64, requires_grad=True)


@pytest.mark.parametrize("name, call, module", CASES, ids=IDS)
def test_gradients_first_and_second_order(name, call, module):
    fn = lambda x: call(F, x)  # noqa: E731
    assert gradcheck(fn, [_x()], rtol=1e-6, atol=1e-7)
    assert gradgradcheck(fn, [_x(1, (2, 4))], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, call, module", CASES, ids=IDS)
def test_values_and_gradients_match_torch(name, call, module, dtype):
    torch = pytest.importorskip("torch")
    data = np.concatenate([KINKS, np.random.default_rng(2).standard_normal((2, 8)) * 4]).astype(dtype)
    x = rg.tensor(data, requires_grad=True)
    tx = torch.tensor(data, requires_grad=True)
    y, ty = call(F, x), call(torch.nn.functional, tx)
    assert y.dtype == x.dtype and y.shape == tuple(ty.shape)
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-6, atol=1e-6)
    weights = np.random.default_rng(3).standard_normal(y.shape).astype(dtype)
    (y * rg.tensor(weights)).sum().backward()
    (ty * torch.tensor(weights)).sum().backward()
    assert np.isfinite(x.grad.array).all()
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name, call, module", CASES, ids=IDS)
def test_module_form_matches_functional_and_torch_repr(name, call, module):
    torch = pytest.importorskip("torch")
    layer = eval("nn." + module)
    assert repr(layer) == repr(eval("torch.nn." + module))
    x = _x(4)
    np.testing.assert_array_equal(layer(x).array, call(F, x).array)
    assert list(layer.state_dict()) == []


def test_edge_cases_raise_like_torch():
    with pytest.raises(RuntimeError, match="even"):
        F.glu(rg.randn(2, 3), dim=1)
    with pytest.raises(ValueError, match="min_val"):
        F.hardtanh(rg.randn(3), 1.0, -1.0)
    with pytest.raises(ZeroDivisionError):
        F.celu(rg.randn(3), alpha=0.0)
    assert F.relu6(rg.tensor(3.5)).shape == () and F.selu(rg.zeros(0, 3)).shape == (0, 3)


def test_softmin_warns_without_dim_like_softmax():
    with pytest.warns(UserWarning, match="Implicit dimension"):
        y = F.softmin(rg.tensor([[1.0, 2.0], [3.0, 5.0]]))
    np.testing.assert_allclose(y.array.sum(1), [1.0, 1.0], rtol=1e-6)
    assert y.array[0, 0] > y.array[0, 1]


def test_torch_level_names_exist_where_torch_has_them():
    torch = pytest.importorskip("torch")
    for name in ("threshold", "selu", "celu", "cosine_similarity", "pairwise_distance", "conv3d",
                 "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "max_pool3d",
                 "group_norm", "instance_norm"):
        assert hasattr(torch, name) and callable(getattr(rg, name)), name
    x = rg.tensor([-1.0, 2.0])
    np.testing.assert_array_equal(rg.selu(x).array, F.selu(x).array)


@pytest.mark.parametrize("shape, channels", [((2, 3, 4), 3), ((5, 3), 1), ((4,), 1), ((), 1)])
def test_prelu_matches_torch_and_gradchecks(shape, channels):
    torch = pytest.importorskip("torch")
    ours, theirs = nn.PReLU(channels, dtype=rg.float64), torch.nn.PReLU(channels, dtype=torch.float64)
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    ours.weight.array[:] = np.linspace(0.1, 0.4, channels)
    theirs.load_state_dict({"weight": torch.tensor(ours.weight.array)})
    data = np.random.default_rng(6).standard_normal(shape)
    x, tx = rg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y, ty = ours(x), theirs(tx)
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-12)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.grad.array, theirs.weight.grad.numpy(), rtol=1e-12)
    weight = ours.weight if channels == 3 else rg.tensor([0.2], dtype=rg.float64, requires_grad=True)
    assert gradcheck(lambda x, w: F.prelu(x, w), [_x(0, (2, 3, 2)), weight])
    for bad_shape in ((2, 4), (3,)):  # 1-D input: one channel
        with pytest.raises(RuntimeError, match="channel size"):
            F.prelu(rg.randn(*bad_shape), rg.tensor([0.1, 0.2, 0.3]))
