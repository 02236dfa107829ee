"""conv2d / conv1d / conv_transpose2d and the Conv layers: float64 finite differences (first and
second order) over the kernel paths, parity with PyTorch, errors, and the layers' shapes, init
and repr."""
import math
import warnings

import numpy as np
import pytest

import retrograd as rg
from retrograd import nn
from retrograd.autograd import ShapeError, gradcheck, gradgradcheck
from retrograd.ops import conv as C
from retrograd.backends.cpu import im2col as I
from retrograd.ops.conv import conv1d, conv2d, conv_transpose2d

RTOL, ATOL = 1e-6, 1e-7


def _t(rng, *shape, grad=True):
    return rg.tensor(rng.standard_normal(shape), dtype=rg.float64, requires_grad=grad)


# (input shape, weight shape, bias, kwargs). Sizes are chosen so every kernel path is hit:
# flat or row windows, input gradient by rows (stride 1) or col2im, the output gradient channels
# first or last in per-sample weight-gradient GEMMs (see test_paths_covered).
CONV2D_CASES = [
    ((1, 2, 5, 6), (3, 2, 3, 3), True, {"padding": 1}),
    ((2, 2, 4, 9), (2, 2, 3, 3), True, {"padding": 1}),
    ((1, 1, 6, 11), (2, 1, 5, 5), True, {}),
    ((1, 2, 6, 5), (2, 2, 3, 3), False, {"stride": 2, "padding": 1}),
    ((1, 2, 5, 7), (2, 2, 2, 3), True, {"stride": (2, 1), "padding": (1, 0)}),
    ((1, 2, 5, 10), (2, 2, 2, 2), True, {"padding": "same"}),
    ((1, 2, 6, 6), (2, 2, 3, 2), True, {"padding": "same", "dilation": 2}),
    ((1, 4, 5, 5), (4, 2, 3, 3), True, {"groups": 2, "padding": 1}),
    ((1, 3, 5, 5), (3, 1, 3, 3), True, {"groups": 3, "stride": 2, "padding": 1}),  # depthwise
    ((1, 2, 6, 6), (2, 2, 2, 2), True, {"dilation": (2, 1), "padding": "valid"}),
    ((2, 3, 4, 4), (2, 3, 1, 1), True, {}),  # 1x1: columns are a view of x
    ((1, 2, 5, 5), (2, 2, 1, 1), False, {"stride": 2}),
    ((2, 2, 4, 5), (1, 2, 1, 3), True, {}),  # row windows, input gradient by rows
    ((2, 2, 4, 4), (8, 2, 3, 3), True, {"padding": 1}),  # 8 output channels: channels last
]


def _case_id(case):
    x, w, b, kw = case
    return f"x{x}-w{w}-{'b' if b else 'nob'}-" + ",".join(f"{k}={v}" for k, v in kw.items())


def _conv_fn(case):
    _, _, bias, kw = case
    if bias:
        return lambda x, w, b: conv2d(x, w, b, **kw)
    return lambda x, w: conv2d(x, w, **kw)


def _conv_inputs(case, seed):
    rng = np.random.default_rng(seed)
    xs, ws, bias, _ = case
    ins = [_t(rng, *xs), _t(rng, *ws)]
    return ins + [_t(rng, ws[0])] if bias else ins


@pytest.mark.parametrize("case", CONV2D_CASES, ids=_case_id)
def test_conv2d_gradcheck(case):
    assert gradcheck(_conv_fn(case), _conv_inputs(case, 0), rtol=RTOL, atol=ATOL)


@pytest.fixture
def wide_gemm(monkeypatch):
    """Small test sizes take per-sample GEMMs; this sends them through the wide-GEMM path."""
    monkeypatch.setattr(I, "_PER_SAMPLE_GEMM", 0)


@pytest.mark.parametrize("case", CONV2D_CASES, ids=_case_id)
def test_conv2d_gradgradcheck(case, wide_gemm):
    assert gradgradcheck(_conv_fn(case), _conv_inputs(case, 1), rtol=RTOL, atol=ATOL)


def test_paths_covered():
    """The cases above reach each window layout and each input-gradient method (by rows for
    stride 1, col2im otherwise), and both layouts of the output gradient for weight gradients."""
    seen, channels_last = set(), set()
    for xs, ws, bias, kw in CONV2D_CASES:
        geo = C._geometry("conv2d", 2, xs, ws, None, kw.get("stride", 1), kw.get("padding", 0),
                          kw.get("dilation", 1), kw.get("groups", 1))
        seen.add((geo.flat, geo.sh == geo.sw == 1))
        channels_last.add(geo.o // geo.groups >= 8)
    assert seen == {(True, True), (False, True), (False, False)}
    assert channels_last == {True, False}


def test_conv1d_gradients():
    rng = np.random.default_rng(2)
    x, w, b = _t(rng, 2, 2, 7), _t(rng, 3, 2, 3), _t(rng, 3)
    for kw in ({"padding": 1}, {"stride": 2, "dilation": 2, "padding": 2}, {"padding": "same"}):
        def fn(x, w, b, kw=kw):
            return conv1d(x, w, b, **kw)

        assert gradcheck(fn, [x, w, b], rtol=RTOL, atol=ATOL)
        assert gradgradcheck(fn, [x, w, b], rtol=RTOL, atol=ATOL)


def test_conv_transpose2d_gradients():
    rng = np.random.default_rng(3)
    x, w, b = _t(rng, 1, 2, 3, 3), _t(rng, 2, 2, 3, 3), _t(rng, 2)

    def fn(x, w, b):
        return conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1)

    assert gradcheck(fn, [x, w, b], rtol=RTOL, atol=ATOL)
    assert gradgradcheck(fn, [x, w, b], rtol=RTOL, atol=ATOL)


# ----- parity with PyTorch ------------------------------------------------------------------
def _random_configs(n, seed):
    rng = np.random.default_rng(seed)
    configs = []
    while len(configs) < n:
        groups = int(rng.choice([1, 1, 2, 3]))
        cin, cout = groups * int(rng.integers(1, 4)), groups * int(rng.integers(1, 4))
        kh, kw = (int(v) for v in rng.integers(1, 5, size=2))
        stride = tuple(int(v) for v in rng.integers(1, 4, size=2))
        dilation = tuple(int(v) for v in rng.integers(1, 3, size=2))
        padding = rng.choice(["int", "tuple", "same", "valid"])
        padding = {"int": int(rng.integers(0, 3)), "tuple": tuple(int(v) for v in rng.integers(0, 3, 2)),
                   "same": "same", "valid": "valid"}[padding]
        if padding == "same":
            stride = (1, 1)
        h, w = (int(v) for v in rng.integers(4, 20, size=2))
        pads = {"same": (9, 9), "valid": (0, 0)}.get(padding, padding)
        pads = (pads, pads) if isinstance(pads, int) else pads
        if any(s + 2 * p < d * (k - 1) + 1
               for s, p, d, k in zip((h, w), pads, dilation, (kh, kw))):
            continue  # kernel larger than the padded input (an error, tested elsewhere)
        configs.append(((int(rng.integers(1, 4)), cin, h, w), (cout, cin // groups, kh, kw),
                        bool(rng.integers(0, 2)), {"stride": stride, "padding": padding,
                                                       "dilation": dilation, "groups": groups}))
    return configs


@pytest.mark.parametrize("wide", [False, True], ids=["per_sample_gemm", "wide_gemm"])
@pytest.mark.parametrize("case", _random_configs(30, 7), ids=_case_id)
def test_conv2d_matches_torch(case, wide, monkeypatch):
    torch = pytest.importorskip("torch")
    if wide:
        monkeypatch.setattr(I, "_PER_SAMPLE_GEMM", 0)
    _, _, bias, kw = case
    ours = _conv_inputs(case, 0)
    theirs = [torch.tensor(t.array, requires_grad=True) for t in ours]
    y = conv2d(ours[0], ours[1], ours[2] if bias else None, **kw)
    with warnings.catch_warnings():  # PyTorch warns about 'same' with even kernels
        warnings.simplefilter("ignore")
        ty = torch.nn.functional.conv2d(theirs[0], theirs[1], theirs[2] if bias else None, **kw)
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-5, atol=1e-10)
    g = np.random.default_rng(1).standard_normal(y.shape)
    y.backward(rg.tensor(g))
    ty.backward(torch.tensor(g))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=1e-5, atol=1e-10)


def test_conv1d_and_transpose_match_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    rng = np.random.default_rng(4)
    x, w, b = _t(rng, 3, 4, 15), _t(rng, 6, 2, 4), _t(rng, 6)
    tx, tw, tb = (torch.tensor(t.array, requires_grad=True) for t in (x, w, b))
    y = conv1d(x, w, b, stride=2, padding=3, dilation=2, groups=2)
    ty = tf.conv1d(tx, tw, tb, stride=2, padding=3, dilation=2, groups=2)
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-5, atol=1e-10)
    y.sum().backward()
    ty.sum().backward()
    for a, c in ((x, tx), (w, tw), (b, tb)):
        np.testing.assert_allclose(a.grad.array, c.grad.numpy(), rtol=1e-5, atol=1e-10)

    x, w, b = _t(rng, 2, 4, 5, 6), _t(rng, 4, 3, 3, 2), _t(rng, 6)
    tx, tw, tb = (torch.tensor(t.array, requires_grad=True) for t in (x, w, b))
    kw = {"stride": (2, 3), "padding": (1, 0), "output_padding": (1, 2), "groups": 2, "dilation": (1, 2)}
    y = conv_transpose2d(x, w, b, **kw)
    ty = tf.conv_transpose2d(tx, tw, tb, **kw)
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-5, atol=1e-10)
    y.sum().backward()
    ty.sum().backward()
    for a, c in ((x, tx), (w, tw), (b, tb)):
        np.testing.assert_allclose(a.grad.array, c.grad.numpy(), rtol=1e-5, atol=1e-10)


# ----- dtype, layout, recycled buffers ------------------------------------------------------
def test_float32_stays_float32_and_output_is_contiguous():
    x = rg.randn(2, 3, 9, 9, requires_grad=True)
    w = rg.randn(4, 3, 3, 3, requires_grad=True)
    y = conv2d(x, w, rg.zeros(4), padding=1)
    assert y.dtype == rg.float32 and y.array.flags.c_contiguous
    y.sum().backward()
    assert x.grad.dtype == rg.float32 and w.grad.dtype == rg.float32


def test_unbatched_input():
    x, w = rg.randn(3, 8, 8), rg.randn(5, 3, 3, 3)
    np.testing.assert_allclose(conv2d(x, w).array, conv2d(x.unsqueeze(0), w).array[0])
    assert conv1d(rg.randn(2, 9), rg.randn(4, 2, 3)).shape == (4, 7)


def test_recycled_buffers_do_not_leak_between_calls():
    """Two graphs of one shape alive at once, backpropagated in either order, match a fresh
    float64 reference; padding borders of recycled buffers are re-zeroed."""
    rng = np.random.default_rng(5)
    w = rg.tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True)
    xs = [rg.tensor(rng.standard_normal((8, 3, 20, 20)) * (i + 1), requires_grad=True)
          for i in range(2)]
    ys = [conv2d(x, w, padding=1) for x in xs]
    grads = []
    for y in reversed(ys):
        w.grad = None
        (y * y).sum().backward()
        grads.append(w.grad.array.copy())
    for x, y, gw in zip(reversed(xs), reversed(ys), grads):
        ref = rg.tensor(x.array, requires_grad=True)
        wr = rg.tensor(w.array, requires_grad=True)
        yr = conv2d(ref, wr, padding=1)
        np.testing.assert_allclose(y.array, yr.array)
        (yr * yr).sum().backward()
        np.testing.assert_allclose(gw, wr.grad.array, rtol=1e-12)
        np.testing.assert_allclose(x.grad.array, ref.grad.array, rtol=1e-12)


@pytest.mark.parametrize("chunk_bytes", [1, 100_000])
def test_results_do_not_depend_on_batch_chunking(monkeypatch, chunk_bytes):
    """One sample per chunk, a few (with a ragged last chunk), or the whole batch at once: the
    same output and gradients, for each path (flat, strided, grouped, as-conv grad input)."""
    rng = np.random.default_rng(3)
    x0 = rng.standard_normal((7, 4, 11, 9))
    for w_shape, kw in [((6, 4, 3, 3), dict(padding=1)), ((6, 4, 3, 2), dict(stride=2)),
                        ((6, 2, 3, 3), dict(groups=2, dilation=2)), ((6, 4, 1, 1), {})]:
        w0 = rng.standard_normal(w_shape)
        results = []
        for limit in (chunk_bytes, 1 << 40):
            monkeypatch.setattr(I, "CHUNK_BYTES", limit)
            x, w = rg.tensor(x0, requires_grad=True), rg.tensor(w0, requires_grad=True)
            y = conv2d(x, w, **kw)
            (y * y).sum().backward()
            results.append((y.array, x.grad.array, w.grad.array))
        for got, want in zip(*results):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_retain_graph_backward_twice():
    x = rg.randn(2, 3, 10, 10, requires_grad=True)
    w = rg.randn(4, 3, 3, 3, requires_grad=True)
    y = conv2d(x, w, padding=1).sum()
    y.backward(retain_graph=True)
    first = w.grad.array.copy()
    y.backward()
    np.testing.assert_allclose(w.grad.array, 2 * first, rtol=1e-5)


# ----- errors -------------------------------------------------------------------------------
def test_errors_name_the_problem():
    x, w = rg.randn(2, 3, 8, 8), rg.randn(6, 3, 3, 3)
    with pytest.raises(ShapeError, match=r"expected a 4-D input \(N, C, H, W\).*got shape \(8, 8\)"):
        conv2d(rg.randn(8, 8), w)
    with pytest.raises(ShapeError, match=r"4-D weight"):
        conv2d(x, rg.randn(6, 3, 3))
    with pytest.raises(ShapeError, match=r"3 channels, but weight of shape \(6, 2, 3, 3\) with "
                                         r"groups=1 expects 2"):
        conv2d(x, rg.randn(6, 2, 3, 3))
    with pytest.raises(ShapeError, match="groups=2"):
        conv2d(x, rg.randn(6, 3, 3, 3), groups=2)
    with pytest.raises(ShapeError, match="divisible by groups"):
        conv2d(rg.randn(1, 4, 5, 5), rg.randn(3, 2, 3, 3), groups=2)
    with pytest.raises(ShapeError, match="larger than the padded input"):
        conv2d(rg.randn(1, 3, 2, 2), w)
    with pytest.raises(ShapeError, match="bias"):
        conv2d(x, w, rg.randn(5))
    with pytest.raises(ValueError, match="strided"):
        conv2d(x, w, padding="same", stride=2)
    with pytest.raises(ValueError, match="padding"):
        conv2d(x, w, padding="full")
    with pytest.raises(ValueError, match="stride must be >= 1"):
        conv2d(x, w, stride=0)
    with pytest.raises(TypeError, match="one dtype"):
        conv2d(x, w.double())
    with pytest.raises(ShapeError, match=r"expected a 3-D input \(N, C, L\)"):
        conv1d(x, w)


def test_module_errors():
    with pytest.raises(ValueError, match="in_channels .* divisible by groups"):
        nn.Conv2d(3, 6, 3, groups=2)
    with pytest.raises(ValueError, match="out_channels .* divisible by groups"):
        nn.Conv2d(4, 6, 3, groups=4)
    with pytest.raises(ValueError, match="strided"):
        nn.Conv2d(3, 6, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv2d(3, 6, 3, padding_mode="mirror")
    conv = nn.Conv2d(3, 6, 3)
    with pytest.raises(ShapeError, match=r"Conv2d\(3, 6.*expected input \(N, 3, H, W\).*\(2, 4, 8, 8\)"):
        conv(rg.randn(2, 4, 8, 8))


# ----- layers -------------------------------------------------------------------------------
def test_conv2d_layer_shapes_init_and_repr():
    rg.manual_seed(0)
    conv = nn.Conv2d(1, 6, 5)
    assert repr(conv) == "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))"
    assert conv.weight.shape == (6, 1, 5, 5) and conv.bias.shape == (6,)
    assert [n for n, _ in conv.named_parameters()] == ["weight", "bias"]
    bound = 1 / math.sqrt(25)
    assert np.abs(conv.weight.array).max() <= bound and np.abs(conv.bias.array).max() <= bound
    assert np.abs(conv.weight.array).max() > 0.8 * bound  # uniform over the whole range
    assert conv(rg.randn(8, 1, 28, 28)).shape == (8, 6, 24, 24)
    assert conv.weight.dtype == rg.float32

    conv = nn.Conv2d(16, 32, (3, 1), stride=2, padding=(1, 0), dilation=2, groups=4, bias=False)
    assert repr(conv) == ("Conv2d(16, 32, kernel_size=(3, 1), stride=(2, 2), padding=(1, 0), "
                          "dilation=(2, 2), groups=4, bias=False)")
    assert conv.weight.shape == (32, 4, 3, 1) and conv.bias is None
    assert (conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding,
            conv.dilation, conv.groups, conv.padding_mode) == (16, 32, (3, 1), (2, 2), (1, 0),
                                                               (2, 2), 4, "zeros")
    assert conv(rg.randn(2, 16, 9, 9)).shape == (2, 32, 4, 5)
    same = nn.Conv2d(3, 4, 4, padding="same")
    assert "padding=same" in repr(same) and same(rg.randn(1, 3, 7, 7)).shape == (1, 4, 7, 7)
    assert "state_dict" not in repr(conv) and set(conv.state_dict()) == {"weight"}


def test_conv1d_and_transpose_layers():
    conv = nn.Conv1d(2, 4, 3, padding=1)
    assert repr(conv) == "Conv1d(2, 4, kernel_size=(3,), stride=(1,), padding=(1,))"
    assert conv.weight.shape == (4, 2, 3) and conv(rg.randn(5, 2, 10)).shape == (5, 4, 10)
    up = nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1)
    assert up.weight.shape == (4, 2, 3, 3)
    assert up(rg.randn(1, 4, 5, 5)).shape == (1, 2, 10, 10)
    assert "output_padding=(1, 1)" in repr(up)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_padding_modes_match_torch(mode):
    torch = pytest.importorskip("torch")
    rg.manual_seed(1)
    conv = nn.Conv2d(2, 3, 3, padding=(2, 1), padding_mode=mode).double()
    ref = torch.nn.Conv2d(2, 3, 3, padding=(2, 1), padding_mode=mode).double()
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(conv.weight.array))
        ref.bias.copy_(torch.tensor(conv.bias.array))
    x = np.random.default_rng(0).standard_normal((2, 2, 5, 6))
    X, TX = rg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = conv(X), ref(TX)
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-10)
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(X.grad.array, TX.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(conv.weight.grad.array, ref.weight.grad.numpy(), rtol=1e-10)
