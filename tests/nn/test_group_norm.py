"""GroupNorm, InstanceNorm1d/2d/3d and F.group_norm / F.instance_norm: PyTorch parity of outputs,
gradients, running statistics and state dicts (both ways), float64 finite differences, errors."""
import numpy as np
import pytest

import retrograd as rg
import retrograd.nn as nn
import retrograd.nn.functional as F
from retrograd.autograd import gradcheck, gradgradcheck


def _x(shape, seed=0):
    return rg.tensor(np.random.default_rng(seed).standard_normal(shape) * 2 + 1, requires_grad=True)


@pytest.mark.parametrize("groups, shape", [(2, (3, 4, 5)), (1, (2, 3, 2, 2)), (3, (2, 3, 2, 3))])
def test_group_norm_gradients_first_and_second_order(groups, shape):
    w = rg.tensor(np.linspace(0.5, 1.5, shape[1]), requires_grad=True)
    b = rg.tensor(np.linspace(-1, 1, shape[1]), requires_grad=True)
    fn = lambda x, w, b: F.group_norm(x, groups, w, b)  # noqa: E731
    assert gradcheck(fn, [_x(shape), w, b], rtol=1e-6, atol=1e-7)
    assert gradgradcheck(fn, [_x(shape, 1), w, b], rtol=1e-5, atol=1e-6)


def test_instance_norm_gradients_first_and_second_order():
    fn = lambda x: F.instance_norm(x)  # noqa: E731
    assert gradcheck(fn, [_x((2, 3, 4))], rtol=1e-6, atol=1e-7)
    assert gradgradcheck(fn, [_x((2, 2, 2, 2), 1)], rtol=1e-5, atol=1e-6)


def _copy_into_torch(ours, theirs, torch):
    theirs.load_state_dict({k: torch.tensor(v.array) for k, v in ours.state_dict().items()})


@pytest.mark.parametrize("make, shape", [
    ("GroupNorm(2, 4)", (3, 4, 5)), ("GroupNorm(4, 4, affine=False)", (2, 4, 3, 3)),
    ("GroupNorm(1, 6)", (2, 6, 2, 2, 2)),
    ("InstanceNorm1d(3)", (2, 3, 6)), ("InstanceNorm1d(3, affine=True)", (3, 6)),
    ("InstanceNorm2d(3, affine=True, track_running_stats=True)", (2, 3, 4, 5)),
    ("InstanceNorm2d(3, track_running_stats=True, momentum=None)", (3, 4, 5)),
    ("InstanceNorm3d(2, affine=True)", (2, 2, 3, 2, 4)),
])
def test_modules_match_torch_in_train_and_eval(make, shape):
    torch = pytest.importorskip("torch")
    ours, theirs = eval("nn." + make), eval("torch.nn." + make)
    assert repr(ours) == repr(theirs)
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == {
        k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    if getattr(ours, "weight", None) is not None:  # non-trivial affine parameters
        ours.weight.array[:] = np.linspace(0.5, 2.0, ours.weight.shape[0])
        ours.bias.array[:] = np.linspace(-1.0, 1.0, ours.bias.shape[0])
    _copy_into_torch(ours, theirs, torch)
    for step in range(2):
        data = np.random.default_rng(step).standard_normal(shape).astype(np.float32) * 3 + 1
        x, tx = rg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        y, ty = ours(x), theirs(tx)
        np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-5, atol=1e-5)
        w = np.random.default_rng(9).standard_normal(y.shape).astype(np.float32)
        (y * rg.tensor(w)).sum().backward()
        (ty * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-4, atol=1e-5)
        for name, p in theirs.named_parameters():
            np.testing.assert_allclose(getattr(ours, name).grad.array, p.grad.numpy(), rtol=1e-4,
                                       atol=1e-5)
    for k, v in theirs.state_dict().items():  # running statistics after two steps
        np.testing.assert_allclose(ours.state_dict()[k].array, v.numpy(), rtol=1e-5, atol=1e-6)
    ours.eval(), theirs.eval()
    data = np.random.default_rng(5).standard_normal(shape).astype(np.float32)
    expected = theirs(torch.tensor(data)).detach().numpy()
    np.testing.assert_allclose(ours(rg.tensor(data)).array, expected, rtol=1e-5, atol=1e-5)


def test_errors():
    with pytest.raises(ValueError, match="divisible"):
        nn.GroupNorm(3, 4)
    with pytest.raises(RuntimeError, match="divisible"):
        F.group_norm(rg.randn(2, 4, 3), 3)
    with pytest.raises(ValueError, match="1D"):
        nn.InstanceNorm1d(3)(rg.randn(5))
    with pytest.raises(ValueError, match="num_features"):
        nn.InstanceNorm1d(3, affine=True)(rg.randn(2, 4, 5))


def test_empty_batch_passes_through_like_torch():
    for fn in (lambda x: F.group_norm(x, 2), lambda x: F.instance_norm(x),
               lambda x: nn.InstanceNorm1d(4, track_running_stats=True)(x)):
        assert fn(rg.zeros(0, 4, 3)).shape == (0, 4, 3)


@pytest.mark.parametrize("make, shape, dtype", [
    ("RMSNorm(4)", (3, 4), "float32"), ("RMSNorm((2, 3), eps=1e-3)", (2, 5, 2, 3), "float64"),
    ("RMSNorm(3, elementwise_affine=False)", (4, 3), "float64")])
def test_rms_norm_matches_torch(make, shape, dtype):
    torch = pytest.importorskip("torch")
    ours = eval(f"nn.{make[:-1]}, dtype=rg.{dtype})")
    theirs = eval(f"torch.nn.{make[:-1]}, dtype=torch.{dtype})")
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    if ours.weight is not None:
        ours.weight.array[:] = np.linspace(0.5, 1.5, ours.weight.array.size).reshape(
            ours.weight.shape)
        theirs.load_state_dict({"weight": torch.tensor(ours.weight.array)})
    data = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    x, tx = rg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y, ty = ours(x), theirs(tx)
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=tol, atol=tol)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=10 * tol, atol=10 * tol)
    assert gradcheck(lambda t: F.rms_norm(t, (3,)), [_x((2, 3))], rtol=1e-6, atol=1e-7)
