"""max/avg/adaptive pooling and the pool layers: float64 finite differences (first and second
order), parity with PyTorch (values, gradients, indices, ties), errors, shapes and repr."""
import numpy as np
import pytest

import retrograd as rg
from retrograd import nn
from retrograd.autograd import ShapeError, gradcheck, gradgradcheck
from retrograd.ops.pool import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)

RTOL, ATOL = 1e-6, 1e-7


def _x(shape, seed=0, distinct=False):
    a = np.random.default_rng(seed).standard_normal(shape)
    if distinct:  # well-separated values: no ties, so max pooling is differentiable here
        a = np.random.default_rng(seed).permutation(a.size).reshape(shape) * 0.1 + a * 0.01
    return rg.tensor(a, dtype=rg.float64, requires_grad=True)


CASES = [  # name, fn, input shape, distinct values
    ("max_2x2", lambda x: max_pool2d(x, 2), (2, 2, 4, 6), True),
    ("max_overlap", lambda x: max_pool2d(x, 3, stride=1), (1, 2, 5, 5), True),
    ("max_pad_stride", lambda x: max_pool2d(x, 3, stride=2, padding=1), (1, 2, 6, 5), True),
    ("max_dilation_ceil", lambda x: max_pool2d(x, 2, 2, 0, dilation=2, ceil_mode=True),
     (1, 1, 7, 6), True),
    ("max_rect", lambda x: max_pool2d(x, (1, 3), stride=(2, 1)), (1, 2, 5, 6), True),
    ("max_1d", lambda x: max_pool1d(x, 3, 2, padding=1), (2, 2, 7), True),
    ("avg_2x2", lambda x: avg_pool2d(x, 2), (2, 2, 4, 4), False),
    ("avg_overlap_pad", lambda x: avg_pool2d(x, 3, stride=2, padding=1), (1, 2, 6, 5), False),
    ("avg_exclude_pad_ceil", lambda x: avg_pool2d(x, 3, 2, 1, ceil_mode=True,
                                                  count_include_pad=False), (1, 1, 6, 6), False),
    ("avg_divisor", lambda x: avg_pool2d(x, 2, 1, divisor_override=3), (1, 1, 4, 4), False),
    ("avg_1d", lambda x: avg_pool1d(x, 2, 1, padding=1), (2, 2, 5), False),
    ("adaptive_global", lambda x: adaptive_avg_pool2d(x, 1), (2, 3, 4, 5), False),
    ("adaptive_divisible", lambda x: adaptive_avg_pool2d(x, (2, 3)), (1, 2, 4, 6), False),
    ("adaptive_general", lambda x: adaptive_avg_pool2d(x, (3, 4)), (1, 2, 5, 7), False),
    ("adaptive_none", lambda x: adaptive_avg_pool2d(x, (None, 2)), (1, 1, 3, 5), False),
    ("adaptive_1d", lambda x: adaptive_avg_pool1d(x, 3), (2, 2, 7), False),
]


@pytest.mark.parametrize("name,fn,shape,distinct", CASES, ids=[c[0] for c in CASES])
def test_gradcheck(name, fn, shape, distinct):
    assert gradcheck(fn, [_x(shape, 0, distinct)], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name,fn,shape,distinct", CASES, ids=[c[0] for c in CASES])
def test_gradgradcheck(name, fn, shape, distinct):
    assert gradgradcheck(fn, [_x(shape, 1, distinct)], rtol=RTOL, atol=ATOL)


def test_max_pool_gradient_accumulates_over_overlapping_windows():
    x = rg.tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
    max_pool2d(x, 3, stride=1).sum().backward()
    expected = np.zeros((4, 4))
    expected[2:, 2:] = [[1, 1], [1, 1]]  # each 3x3 window's max is its bottom-right corner
    np.testing.assert_array_equal(x.grad.array[0, 0], expected)
    y = rg.tensor(np.full((1, 1, 3, 3), 5.0), requires_grad=True)
    max_pool2d(y, 2, stride=1).sum().backward()  # ties: the first position of each window
    np.testing.assert_array_equal(y.grad.array[0, 0], [[1, 1, 0], [1, 1, 0], [0, 0, 0]])



@pytest.mark.parametrize("kernel", [2, 12])  # 12x12 = 144 offsets: 16-bit winner labels
def test_max_pool_of_a_strided_view_is_the_windowwise_max(kernel):
    """The maxima are taken over the flattened buffer: a non-contiguous input (here a transposed,
    every-other-channel view) must give each window's own max and the first position holding it."""
    base = np.random.default_rng(4).standard_normal((2, 26, 14, 24)).round(1)  # ties
    view = base.transpose(0, 3, 2, 1)[:, ::2]  # (2, 12, 14, 26), not contiguous
    x = rg.tensor(view, requires_grad=True)
    y, idx = max_pool2d(x, kernel, stride=(2, 3), return_indices=True)
    kh = kw = kernel
    for i in range(y.shape[2]):
        for j in range(y.shape[3]):
            window = view[:, :, 2 * i:2 * i + kh, 3 * j:3 * j + kw].reshape(2, 12, -1)
            first = window.argmax(-1)  # NumPy's argmax: the first maximum in row-major order
            np.testing.assert_array_equal(y.array[:, :, i, j], window.max(-1))
            rows, cols = 2 * i + first // kw, 3 * j + first % kw
            np.testing.assert_array_equal(idx.array[:, :, i, j], rows * view.shape[3] + cols)

def test_float32_stays_float32():
    x = rg.randn(2, 3, 8, 8, requires_grad=True)
    for y in (max_pool2d(x, 2), avg_pool2d(x, 3, 2, 1), adaptive_avg_pool2d(x, (3, 5))):
        assert y.dtype == rg.float32
        y.sum().backward()
        assert x.grad.dtype == rg.float32


# ----- parity with PyTorch ------------------------------------------------------------------
def _pool_configs():
    rng = np.random.default_rng(11)
    out = []
    for _ in range(40):
        k = tuple(int(v) for v in rng.integers(1, 4, 2))
        s = tuple(int(v) for v in rng.integers(1, 4, 2)) if rng.integers(0, 3) else None
        p = tuple(int(rng.integers(0, kk // 2 + 1)) for kk in k)
        d = tuple(int(v) for v in rng.integers(1, 3, 2))
        out.append((k, s, p, d, bool(rng.integers(0, 2)), bool(rng.integers(0, 2)),
                    tuple(int(v) for v in rng.integers(5, 12, 2))))
    return out


@pytest.mark.parametrize("k,s,p,d,ceil,include,hw", _pool_configs())
def test_pools_match_torch(k, s, p, d, ceil, include, hw):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    shape = (2, 3) + hw
    values = np.random.default_rng(0).standard_normal(shape).round(1)  # rounding makes ties
    cases = [(lambda x: max_pool2d(x, k, s, p, d, ceil, True),
              lambda x: tf.max_pool2d(x, k, s, p, d, ceil, True))]
    if d == (1, 1):
        cases.append((lambda x: avg_pool2d(x, k, s, p, ceil, include),
                      lambda x: tf.avg_pool2d(x, k, s, p, ceil, include)))
    for ours, theirs in cases:
        x, tx = rg.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
        y, ty = ours(x), theirs(tx)
        if isinstance(y, tuple):
            np.testing.assert_array_equal(y[1].array, ty[1].numpy())
            y, ty = y[0], ty[0]
        np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-5, atol=1e-12)
        g = np.random.default_rng(1).standard_normal(y.shape)
        y.backward(rg.tensor(g))
        ty.backward(torch.tensor(g))
        np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-5, atol=1e-12)


@pytest.mark.parametrize("out", [1, 2, 3, (2, 4), (5, 7), (None, 3), (7, 1)])
def test_adaptive_matches_torch(out):
    torch = pytest.importorskip("torch")
    values = np.random.default_rng(2).standard_normal((2, 3, 7, 9))
    x, tx = rg.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    y, ty = adaptive_avg_pool2d(x, out), torch.nn.functional.adaptive_avg_pool2d(tx, out)
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-5, atol=1e-12)
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-5, atol=1e-12)


def test_1d_pools_match_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    values = np.random.default_rng(3).standard_normal((2, 3, 11))
    for ours, theirs in [(lambda x: max_pool1d(x, 3, 2, 1), lambda x: tf.max_pool1d(x, 3, 2, 1)),
                         (lambda x: avg_pool1d(x, 4, 3, 2, True, False),
                          lambda x: tf.avg_pool1d(x, 4, 3, 2, True, False)),
                         (lambda x: adaptive_avg_pool1d(x, 4), lambda x: tf.adaptive_avg_pool1d(x, 4))]:
        x, tx = rg.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
        y, ty = ours(x), theirs(tx)
        np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-5, atol=1e-12)
        y.sum().backward()
        ty.sum().backward()
        np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-5, atol=1e-12)


# ----- errors, layers -----------------------------------------------------------------------
def test_errors():
    x = rg.randn(1, 2, 6, 6)
    with pytest.raises(ShapeError, match=r"4-D input \(N, C, H, W\).*got shape \(6, 6\)"):
        max_pool2d(rg.randn(6, 6), 2)
    with pytest.raises(ValueError, match="at most half"):
        max_pool2d(x, 2, padding=2)
    with pytest.raises(ValueError, match="at most half"):
        avg_pool2d(x, 3, padding=2)
    with pytest.raises(ShapeError, match="empty output"):
        max_pool2d(rg.randn(1, 1, 2, 2), 3)
    with pytest.raises(ValueError, match="kernel_size must be >= 1"):
        avg_pool2d(x, 0)
    with pytest.raises(ValueError, match="output_size"):
        adaptive_avg_pool2d(x, (2, 0))
    with pytest.raises(ShapeError, match="4-D input"):
        adaptive_avg_pool2d(rg.randn(6), 2)


def test_unbatched_and_indices():
    x = rg.tensor(np.arange(16.0).reshape(1, 4, 4))
    y, idx = max_pool2d(x, 2, return_indices=True)
    assert y.shape == (1, 2, 2)
    np.testing.assert_array_equal(idx.array, [[[5, 7], [13, 15]]])
    assert idx.dtype == rg.int64


def test_pool_layers():
    x = rg.randn(2, 3, 9, 9)
    m = nn.MaxPool2d(2)
    assert repr(m) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert m(x).shape == (2, 3, 4, 4)
    assert nn.MaxPool2d(3, 2, 1, ceil_mode=True)(x).shape == (2, 3, 5, 5)
    y, idx = nn.MaxPool2d(2, return_indices=True)(x)
    assert idx.shape == y.shape
    a = nn.AvgPool2d(3, stride=2, padding=1)
    assert repr(a) == "AvgPool2d(kernel_size=3, stride=2, padding=1)"
    assert a(x).shape == (2, 3, 5, 5)
    g = nn.AdaptiveAvgPool2d((1, 1))
    assert repr(g) == "AdaptiveAvgPool2d(output_size=(1, 1))"
    np.testing.assert_allclose(g(x).array[..., 0, 0], x.array.mean((2, 3)), rtol=1e-6)
    assert nn.AdaptiveAvgPool2d(4)(x).shape == (2, 3, 4, 4)
    assert list(m.parameters()) == [] and m.state_dict() == {}
    assert nn.MaxPool1d(2)(rg.randn(2, 3, 8)).shape == (2, 3, 4)
    assert repr(nn.AvgPool1d(3)) == "AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))"
    assert nn.AvgPool1d(3)(rg.randn(2, 3, 9)).shape == (2, 3, 3)
    assert nn.AdaptiveAvgPool1d(2)(rg.randn(2, 3, 9)).shape == (2, 3, 2)
