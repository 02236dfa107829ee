"""take_along_dim / index_add_along_dim (ops/axis_index.py): values against NumPy's take and
add.at (repeated, missing and empty indices; both ways of summing), gradients by float64 finite
differences."""
import numpy as np
import pytest

import retrograd as rg
from retrograd.autograd import gradcheck, gradgradcheck
from retrograd.ops import axis_index
from retrograd.ops.axis_index import index_add_along_dim, take_along_dim

INDICES = [np.array([2, 0, 2, 2, 3]), np.array([1]), np.array([3, 2, 1, 0]), np.array([], dtype=np.int64)]


@pytest.mark.parametrize("one_hot_max", [256, 0], ids=["one-hot-product", "sorted-scatter"])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("index", INDICES, ids=["repeats", "one", "reversed", "empty"])
def test_values_match_numpy(dim, index, one_hot_max, monkeypatch):
    monkeypatch.setattr(axis_index, "ONE_HOT_MAX_SIZE", one_hot_max)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 4, 4))
    np.testing.assert_array_equal(take_along_dim(rg.tensor(x), dim, index).array, np.take(x, index, axis=dim))
    shape = [4, 4, 4]
    shape[dim] = len(index)
    g = rng.standard_normal(shape)
    expected = np.zeros((4, 4, 4))
    key = [slice(None)] * 3
    key[dim] = index
    np.add.at(expected, tuple(key), g)
    np.testing.assert_allclose(index_add_along_dim(rg.tensor(g), dim, index, 4).array, expected,
                               rtol=1e-12, atol=1e-12)


def test_gradients_first_and_second_order():
    index = np.array([2, 0, 2, 1, 2])
    x = rg.tensor(np.random.default_rng(1).standard_normal((3, 4)), requires_grad=True)
    assert gradcheck(lambda t: take_along_dim(t, 0, index), [x], rtol=1e-6, atol=1e-7)
    assert gradgradcheck(lambda t: take_along_dim(t, 0, index) ** 2, [x], rtol=1e-5, atol=1e-6)
    g = rg.tensor(np.random.default_rng(2).standard_normal((3, 5)), requires_grad=True)
    assert gradcheck(lambda t: index_add_along_dim(t, 1, index, 6), [g], rtol=1e-6, atol=1e-7)
    assert gradgradcheck(lambda t: index_add_along_dim(t, 1, index, 6) ** 2, [g], rtol=1e-5, atol=1e-6)
