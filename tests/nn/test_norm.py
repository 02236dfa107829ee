"""BatchNorm and LayerNorm: gradients (first and second order), the fused op against composed
ops, running statistics against NumPy, eval mode, and parity with torch when installed."""
import numpy as np
import pytest

import retrograd as rg
import retrograd.nn as nn
import retrograd.nn.functional as F
from retrograd.autograd import gradcheck, gradgradcheck
from retrograd.autograd.function import ShapeError

RTOL, ATOL = 1e-6, 1e-7


def _t(*shape, seed=0, scale=1.0, shift=0.0):
    a = np.random.default_rng(seed).standard_normal(shape) * scale + shift
    return rg.tensor(a, dtype=rg.float64, requires_grad=True)


def _composed_batch_norm(x, w, b, eps=1e-5):
    """Batch norm from elementary differentiable ops (the reference for the fused op)."""
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    mean = x.mean(axes, keepdim=True)
    var = ((x - mean) * (x - mean)).mean(axes, keepdim=True)
    return (x - mean) / (var + eps).sqrt() * w.reshape(shape) + b.reshape(shape)


CASES = [(nn.BatchNorm1d, (6, 3)), (nn.BatchNorm1d, (4, 3, 5)), (nn.BatchNorm2d, (3, 2, 3, 3))]


@pytest.mark.parametrize("layer,shape", CASES, ids=["bn1d_2d", "bn1d_3d", "bn2d"])
def test_batch_norm_train_gradients(layer, shape):
    bn = layer(shape[1], dtype=rg.float64)
    bn.weight.array[:] = [1.5, -0.5, 2.0][: shape[1]]
    bn.bias.array[:] = [0.1, 0.2, -0.3][: shape[1]]
    fn = lambda x, w, b: bn(x)  # noqa: E731  (w, b are bn's own parameters)
    x = _t(*shape, scale=2.0, shift=1.0)
    assert gradcheck(fn, [x, bn.weight, bn.bias], rtol=RTOL, atol=ATOL)
    assert gradgradcheck(fn, [_t(*shape, seed=1), bn.weight, bn.bias], rtol=1e-5, atol=1e-6)


def test_batch_norm_without_affine_and_eval_gradients():
    bn = nn.BatchNorm2d(2, affine=False, dtype=rg.float64)
    assert gradcheck(bn, [_t(3, 2, 2, 2)], rtol=RTOL, atol=ATOL)
    bn = nn.BatchNorm1d(3, dtype=rg.float64)
    bn(_t(8, 3, scale=3.0))
    bn.eval()
    assert gradcheck(lambda x, w, b: bn(x), [_t(4, 3, seed=2), bn.weight, bn.bias], rtol=RTOL, atol=ATOL)


def test_fused_op_matches_composed_ops():
    x1, x2 = _t(5, 3, 4, 2, scale=3.0), _t(5, 3, 4, 2, scale=3.0)
    w1, w2 = _t(3, seed=1), _t(3, seed=1)
    b1, b2 = _t(3, seed=2), _t(3, seed=2)
    g = np.random.default_rng(3).standard_normal((5, 3, 4, 2))
    fused = F.batch_norm(x1, None, None, w1, b1, training=True)
    ref = _composed_batch_norm(x2, w2, b2)
    np.testing.assert_allclose(fused.array, ref.array, rtol=1e-12, atol=1e-12)
    (fused * rg.tensor(g)).sum().backward()
    (ref * rg.tensor(g)).sum().backward()
    for a, b in ((x1, x2), (w1, w2), (b1, b2)):
        np.testing.assert_allclose(a.grad.array, b.grad.array, rtol=1e-10, atol=1e-12)


def test_running_stats_follow_pytorch_convention():
    bn = nn.BatchNorm2d(3, momentum=0.2)
    rng = np.random.default_rng(0)
    mean, var = np.zeros(3), np.ones(3)
    for _ in range(3):
        spread = np.array([1.0, 2.0, 3.0])[None, :, None, None]
        x = (rng.standard_normal((4, 3, 5, 5)) * spread + 1).astype(np.float32)
        y = bn(rg.tensor(x))
        bm, bv = x.mean((0, 2, 3)), x.var((0, 2, 3))  # normalise with the biased variance
        expect = (x - bm[None, :, None, None]) / np.sqrt(bv[None, :, None, None] + 1e-5)
        np.testing.assert_allclose(y.array, expect, rtol=1e-4, atol=1e-5)
        mean = 0.8 * mean + 0.2 * bm
        var = 0.8 * var + 0.2 * x.var((0, 2, 3), ddof=1)  # running: the unbiased variance
    np.testing.assert_allclose(bn.running_mean.array, mean, rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.array, var, rtol=1e-5)
    assert bn.num_batches_tracked.item() == 3 and bn.running_mean.dtype == rg.float32

    bn.eval()
    x = rng.standard_normal((2, 3, 2, 2)).astype(np.float32)
    expect = (x - mean[None, :, None, None]) / np.sqrt(var[None, :, None, None] + 1e-5)
    np.testing.assert_allclose(bn(rg.tensor(x)).array, expect, rtol=1e-4, atol=1e-5)
    assert bn.num_batches_tracked.item() == 3  # eval leaves the statistics alone


def test_momentum_none_is_a_cumulative_average():
    bn = nn.BatchNorm1d(2, momentum=None)
    batches = [np.random.default_rng(i).standard_normal((6, 2)) * (i + 1) for i in range(4)]
    for b in batches:
        bn(rg.tensor(b.astype(np.float32)))
    np.testing.assert_allclose(bn.running_mean.array, np.mean([b.mean(0) for b in batches], 0), rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.array, np.mean([b.var(0, ddof=1) for b in batches], 0),
                               rtol=1e-5)


def test_no_running_stats_always_uses_the_batch():
    bn = nn.BatchNorm1d(2, track_running_stats=False).eval()
    assert bn.running_mean is None and list(bn.state_dict()) == ["weight", "bias"]
    y = bn(rg.randn(10, 2) * 5 + 3)
    np.testing.assert_allclose(y.array.mean(0), 0, atol=1e-5)


def test_batch_norm_errors_name_the_layer_and_shapes():
    with pytest.raises(ShapeError, match=r"BatchNorm2d: expected 4D \(N, C, H, W\) input, got shape "
                                         r"\(2, 3\)"):
        nn.BatchNorm2d(3)(rg.randn(2, 3))
    with pytest.raises(ShapeError, match=r"BatchNorm1d\(4\): expected input with 4 channels.*\(2, 5\)"):
        nn.BatchNorm1d(4)(rg.randn(2, 5))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(rg.randn(1, 3))
    nn.BatchNorm1d(3).eval()(rg.randn(1, 3))  # fine in eval mode


def test_batch_norm_keeps_float32():
    bn = nn.BatchNorm2d(2)
    x = rg.randn(4, 2, 3, 3, requires_grad=True)
    y = bn(x)
    y.sum().backward()
    assert y.dtype == rg.float32 and x.grad.dtype == rg.float32 and bn.weight.grad.dtype == rg.float32


@pytest.mark.parametrize("layer,shape", [("BatchNorm1d", (8, 4)), ("BatchNorm1d", (8, 4, 6)),
                                         ("BatchNorm2d", (8, 4, 5, 5))])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batch_norm_matches_torch(layer, shape, momentum):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, layer)(4, momentum=momentum), getattr(torch.nn, layer)(4, momentum=momentum)
    rng = np.random.default_rng(0)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor([1.0, 2.0, 0.5, -1.0]))
        theirs.bias.copy_(torch.tensor([0.0, 1.0, -1.0, 0.5]))
    ours.load_state_dict(theirs.state_dict())
    for _ in range(3):
        x = (rng.standard_normal(shape) * 3 + 2).astype(np.float32)
        g = rng.standard_normal(shape).astype(np.float32)
        xr, xt = rg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        yr, yt = ours(xr), theirs(xt)
        (yr * rg.tensor(g)).sum().backward()
        (yt * torch.tensor(g)).sum().backward()
        np.testing.assert_allclose(yr.array, yt.detach().numpy(), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(xr.grad.array, xt.grad.numpy(), rtol=1e-3, atol=1e-5)
    for name, t in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name].array, t.numpy(), rtol=1e-5, err_msg=name)
    np.testing.assert_allclose(ours.weight.grad.array, theirs.weight.grad.numpy(), rtol=1e-4, atol=1e-4)
    ours.eval(), theirs.eval()
    x = rng.standard_normal(shape).astype(np.float32)
    np.testing.assert_allclose(ours(rg.tensor(x)).array, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-4, atol=1e-5)


# ----- LayerNorm ---------------------------------------------------------------------------------
@pytest.mark.parametrize("normalized_shape,shape", [(4, (3, 4)), ((3, 4), (2, 3, 4))])
def test_layer_norm_gradients(normalized_shape, shape):
    ln = nn.LayerNorm(normalized_shape, dtype=rg.float64)
    ln.weight.array[...] = np.random.default_rng(5).standard_normal(ln.weight.shape)
    ln.bias.array[...] = 0.3
    fn = lambda x, w, b: ln(x)  # noqa: E731
    assert gradcheck(fn, [_t(*shape, scale=2.0), ln.weight, ln.bias], rtol=RTOL, atol=ATOL)
    assert gradgradcheck(fn, [_t(*shape, seed=1), ln.weight, ln.bias], rtol=1e-5, atol=1e-6)


def test_layer_norm_forward_against_numpy_and_errors():
    x = np.random.default_rng(0).standard_normal((2, 3, 5)).astype(np.float32) * 4 + 1
    y = nn.LayerNorm(5, elementwise_affine=False)(rg.tensor(x))
    expect = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(y.array, expect, rtol=1e-4, atol=1e-5)
    assert list(nn.LayerNorm(5, elementwise_affine=False).state_dict()) == []
    with pytest.raises(ShapeError, match=r"LayerNorm\(\(5,\).*\(\*, 5\).*\(2, 4\)"):
        nn.LayerNorm(5)(rg.randn(2, 4))


def test_layer_norm_matches_torch():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.LayerNorm((3, 4))
    with torch.no_grad():
        theirs.weight.normal_()
        theirs.bias.normal_()
    ours = nn.LayerNorm((3, 4))
    ours.load_state_dict(theirs.state_dict())
    x = np.random.default_rng(0).standard_normal((5, 3, 4)).astype(np.float32)
    xr, xt = rg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yr, yt = ours(xr), theirs(xt)
    (yr * yr).sum().backward()
    (yt * yt).sum().backward()
    np.testing.assert_allclose(yr.array, yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(xr.grad.array, xt.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ours.weight.grad.array, theirs.weight.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_norms_stay_finite_for_large_and_constant_inputs():
    x = rg.tensor(np.array([[1e4, 5.0], [-1e4, 5.0], [3e3, 5.0]], dtype=np.float32), requires_grad=True)
    for layer in (nn.BatchNorm1d(2), nn.LayerNorm(2)):
        y = layer(x)
        (y * y).sum().backward()
        assert np.all(np.isfinite(y.array)) and np.all(np.isfinite(x.grad.array))
        x.grad = None
    y = nn.BatchNorm1d(2)(x)
    np.testing.assert_allclose(y.array[:, 1], 0, atol=1e-6)  # a constant channel normalises to 0
