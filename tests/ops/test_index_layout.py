"""Gradients of indexing a permuted view: the right values, laid out in memory as the view is
(so that they flow back through the permutation as one plain block)."""
from __future__ import annotations

import numpy as np
import pytest

import retrograd as rg

RNG = np.random.default_rng(0)


def _stride_order(array):
    return sorted(range(array.ndim), key=lambda a: -abs(array.strides[a]))


@pytest.mark.parametrize("key", [(slice(None), -1), (slice(None), slice(1, 4)), (2,),
                                 (slice(None), [0, 2, 2])])
def test_gradient_of_indexing_a_permuted_view(key):
    base = rg.tensor(RNG.standard_normal((5, 6, 7)), requires_grad=True)
    view = base.permute(2, 0, 1)  # (7, 5, 6), laid out (5, 6, 7)
    view.retain_grad()
    picked = view[key]
    weights = RNG.standard_normal(picked.shape)
    (picked * rg.tensor(weights)).sum().backward()
    expected = np.zeros((7, 5, 6))
    np.add.at(expected, key, weights)
    np.testing.assert_array_equal(view.grad.numpy(), expected)
    np.testing.assert_array_equal(base.grad.numpy(), expected.transpose(1, 2, 0))
    assert _stride_order(view.grad.array) == _stride_order(view.array)


def test_gradient_of_indexing_a_contiguous_tensor_is_contiguous():
    x = rg.tensor(RNG.standard_normal((4, 5)), requires_grad=True)
    x[1:3].sum().backward()
    assert x.grad.array.flags.c_contiguous
    np.testing.assert_array_equal(x.grad.numpy(), [[0] * 5, [1] * 5, [1] * 5, [0] * 5])
