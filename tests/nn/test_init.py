"""Initialisers: PyTorch's gains and fans, the statistics of large draws, dtype kept, in place,
reproducible under manual_seed; layers' default initialisation."""
import math

import numpy as np
import pytest

import retrograd as rg
import retrograd.nn as nn
from retrograd.nn import init


def test_calculate_gain_values():
    assert init.calculate_gain("linear") == 1 and init.calculate_gain("conv2d") == 1
    assert init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="unsupported nonlinearity"):
        init.calculate_gain("swish")


def test_fans():
    assert init._calculate_fan_in_and_fan_out(rg.zeros(3, 4)) == (4, 3)
    assert init._calculate_fan_in_and_fan_out(rg.zeros(8, 3, 5, 5)) == (75, 200)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(rg.zeros(5))


def test_initializers_work_in_place_keep_dtype_and_return_the_tensor():
    for dtype in (rg.float32, rg.float64):
        p = nn.Parameter(rg.zeros(30, 20, dtype=dtype))
        data = p.array
        for fn in (init.uniform_, init.normal_, init.xavier_uniform_, init.xavier_normal_,
                   init.kaiming_uniform_, init.kaiming_normal_, init.orthogonal_, init.ones_, init.zeros_,
                   init.trunc_normal_):
            assert fn(p) is p and p.array is data and p.dtype == dtype and p.grad_fn is None
    assert np.all(init.constant_(rg.zeros(3), 2.5).array == 2.5)
    np.testing.assert_array_equal(init.eye_(rg.zeros(2, 3)).array, np.eye(2, 3))


BIG = (400, 500)  # fan_in 500, fan_out 400


@pytest.mark.parametrize("fn,kind,expected", [
    (lambda t: init.uniform_(t, -2, 3), "bounds", (-2, 3)),
    (lambda t: init.normal_(t, 1.0, 0.5), "std", 0.5),
    (lambda t: init.xavier_uniform_(t), "bounds", (-math.sqrt(6 / 900), math.sqrt(6 / 900))),
    (lambda t: init.xavier_normal_(t, gain=2.0), "std", 2 * math.sqrt(2 / 900)),
    (lambda t: init.kaiming_uniform_(t, nonlinearity="relu"), "bounds",
     (-math.sqrt(6 / 500), math.sqrt(6 / 500))),
    (lambda t: init.kaiming_uniform_(t, a=math.sqrt(5)), "bounds", (-1 / math.sqrt(500), 1 / math.sqrt(500))),
    (lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"), "std", math.sqrt(2 / 400)),
    (lambda t: init.kaiming_normal_(t, nonlinearity="tanh"), "std", 5 / 3 / math.sqrt(500)),
    (lambda t: init.trunc_normal_(t, std=1.0, a=-1.0, b=1.0), "within", (-1.0, 1.0)),
])
def test_distribution_statistics(fn, kind, expected):
    t = fn(rg.zeros(*BIG))
    v = t.array
    if kind in ("bounds", "within"):
        lo, hi = expected
        assert v.min() >= lo and v.max() <= hi
    if kind == "bounds":  # uniform: fills the range with the uniform's std
        assert v.min() < lo + 0.01 * (hi - lo) and v.max() > hi - 0.01 * (hi - lo)
        assert v.std() == pytest.approx((hi - lo) / math.sqrt(12), rel=0.02)
    if kind == "std":
        assert v.std() == pytest.approx(expected, rel=0.02)


def test_reproducible_with_manual_seed_and_generator():
    rg.manual_seed(11)
    a = init.kaiming_uniform_(rg.zeros(5, 4)).array.copy()
    rg.manual_seed(11)
    b = init.kaiming_uniform_(rg.zeros(5, 4)).array
    np.testing.assert_array_equal(a, b)
    c = init.normal_(rg.zeros(6), generator=np.random.default_rng(1)).array
    d = init.normal_(rg.zeros(6), generator=np.random.default_rng(1)).array
    np.testing.assert_array_equal(c, d)
    rg.manual_seed(4)
    m1 = nn.Linear(6, 3)
    rg.manual_seed(4)
    m2 = nn.Linear(6, 3)
    np.testing.assert_array_equal(m1.weight.array, m2.weight.array)


def test_orthogonal_rows_or_columns_are_orthonormal():
    w = init.orthogonal_(rg.zeros(4, 10), gain=2.0).array
    np.testing.assert_allclose(w @ w.T, 4 * np.eye(4), atol=1e-5)
    w = init.orthogonal_(rg.zeros(10, 4)).array
    np.testing.assert_allclose(w.T @ w, np.eye(4), atol=1e-5)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(rg.zeros(3))


def test_layer_default_initialisation_matches_pytorch():
    lin = nn.Linear(256, 300)
    bound = 1 / math.sqrt(256)
    for p in (lin.weight, lin.bias):
        assert np.abs(p.array).max() <= bound and np.abs(p.array).max() > 0.95 * bound
    assert lin.weight.array.std() == pytest.approx(bound / math.sqrt(3), rel=0.03)
    emb = nn.Embedding(1000, 64)
    assert emb.weight.array.std() == pytest.approx(1.0, rel=0.03)
    bn, ln = nn.BatchNorm1d(4), nn.LayerNorm(4)
    for m in (bn, ln):
        assert np.all(m.weight.array == 1) and np.all(m.bias.array == 0)
    assert np.all(bn.running_mean.array == 0) and np.all(bn.running_var.array == 1)
