"""F.pad: constant (with negative pads that crop), reflect, replicate and circular, against
PyTorch (values, shapes, gradients, errors) and float64 finite differences."""
import numpy as np
import pytest

import retrograd as rg
import retrograd.nn.functional as F
from retrograd.autograd import gradcheck, gradgradcheck

MODES = ["constant", "reflect", "replicate", "circular"]
# (input shape, pad): 1, 2 and 3 padded dims, batched and not, negative (cropping) pads
PADS = [((2, 3, 5), (1, 2)), ((3, 5), (2, 0)), ((2, 3, 5), (-1, 3)), ((2, 3, 5), (2, -2)),
        ((1, 2, 4, 5), (1, 2, 3, 1)), ((2, 4, 5), (0, -2, 2, 1)), ((1, 2, 3, 4, 3), (1, 1, 2, 0, 1, 2)),
        ((2, 3, 4, 3), (2, 1, -1, 2, 1, 1))]


def _x(shape, seed=0):
    return rg.tensor(np.random.default_rng(seed).standard_normal(shape), dtype=rg.float64,
                     requires_grad=True)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape, pad", PADS, ids=[f"{s}-{p}" for s, p in PADS])
def test_values_and_gradients_match_torch(mode, shape, pad):
    torch = pytest.importorskip("torch")
    x = _x(shape)
    tx = torch.tensor(x.array, requires_grad=True)
    y = F.pad(x, pad, mode=mode)
    ty = torch.nn.functional.pad(tx, pad, mode=mode)
    np.testing.assert_array_equal(y.array, ty.detach().numpy())
    w = np.random.default_rng(1).standard_normal(y.shape)
    (y * rg.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", MODES)
def test_gradcheck_first_and_second_order(mode):
    fn = lambda x: F.pad(x, (2, -1, 1, 2), mode=mode)  # noqa: E731
    assert gradcheck(fn, [_x((1, 2, 3, 4))], rtol=1e-6, atol=1e-7)
    assert gradgradcheck(fn, [_x((1, 1, 3, 3), 2)], rtol=1e-5, atol=1e-6)


def test_constant_value_and_float32_kept():
    x = rg.ones(2, 3)
    y = F.pad(x, (1, 1), value=-2.5)
    assert y.dtype == rg.float32 and y.shape == (2, 5) and y.array[0, 0] == -2.5


@pytest.mark.parametrize("mode, shape, pad, error", [
    ("reflect", (1, 2, 4), (4, 0), RuntimeError),     # reflect needs pad < size
    ("circular", (1, 2, 4), (5, 0), RuntimeError),    # wraps more than once
    ("reflect", (4,), (1, 1), NotImplementedError),   # 1-D input
    ("replicate", (1, 2, 3, 4, 5, 6), (1, 1), NotImplementedError),
    ("constant", (2, 3), (-2, -2), RuntimeError),     # crops below nothing
    ("wrap", (2, 3), (1, 1), NotImplementedError),
])
def test_errors_like_torch(mode, shape, pad, error):
    torch = pytest.importorskip("torch")
    with pytest.raises(error):
        torch.nn.functional.pad(torch.zeros(shape), pad, mode=mode)
    with pytest.raises(error):
        F.pad(rg.zeros(*shape), pad, mode=mode)
    with pytest.raises(ValueError):
        F.pad(rg.zeros(2, 3), (1,))


@pytest.mark.parametrize("make, shape", [
    ("ZeroPad2d((1, 2, 0, 3))", (1, 2, 3, 4)), ("ConstantPad1d(2, 3.5)", (2, 3, 4)),
    ("ConstantPad3d((1, 0, 2, 1, 0, 1), -1.0)", (1, 1, 2, 3, 2)), ("ReflectionPad1d((2, 1))", (2, 5)),
    ("ReflectionPad2d(2)", (1, 2, 4, 5)), ("ReflectionPad3d(1)", (1, 1, 3, 3, 3)),
    ("ReplicationPad2d((3, 0, 1, 2))", (2, 3, 4)), ("CircularPad2d((1, -1, 2, 0))", (1, 1, 3, 4)),
    ("ZeroPad1d(-1)", (2, 5)),
])
def test_padding_modules_match_torch(make, shape):
    torch = pytest.importorskip("torch")
    ours, theirs = eval("rg.nn." + make), eval("torch.nn." + make)
    assert repr(ours) == repr(theirs) and ours.padding == theirs.padding
    data = np.random.default_rng(5).standard_normal(shape)
    np.testing.assert_array_equal(ours(rg.tensor(data)).array, theirs(torch.tensor(data)).numpy())
