"""F.pixel_shuffle / F.pixel_unshuffle (and their Modules) against PyTorch, inverse of each
other, float64 finite differences and errors."""
import numpy as np
import pytest

import retrograd as rg
import retrograd.nn as nn
import retrograd.nn.functional as F
from retrograd.autograd import gradcheck


@pytest.mark.parametrize("shape, r", [((2, 8, 3, 2), 2), ((9, 2, 3), 3), ((2, 1, 4, 2, 2), 2)])
def test_match_torch_and_invert_each_other(shape, r):
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(0).standard_normal(shape)
    up = F.pixel_shuffle(rg.tensor(data), r)
    expected = torch.nn.functional.pixel_shuffle(torch.tensor(data), r).numpy()
    np.testing.assert_array_equal(up.array, expected)
    np.testing.assert_array_equal(F.pixel_unshuffle(up, r).array, data)
    np.testing.assert_array_equal(
        nn.PixelUnshuffle(r)(up).array,
        torch.nn.PixelUnshuffle(r)(torch.tensor(up.array)).numpy())
    assert repr(nn.PixelShuffle(r)) == repr(torch.nn.PixelShuffle(r))


def test_gradcheck_and_errors():
    x = rg.tensor(np.random.default_rng(1).standard_normal((1, 4, 2, 3)), requires_grad=True)
    weights = rg.arange(24.0).reshape(1, 1, 4, 6).double()  # every output position distinct
    assert gradcheck(lambda t: F.pixel_shuffle(t, 2) * weights, [x])
    with pytest.raises(RuntimeError, match="divisible"):
        F.pixel_shuffle(rg.zeros(1, 3, 2, 2), 2)
    with pytest.raises(RuntimeError, match="divisible"):
        F.pixel_unshuffle(rg.zeros(1, 1, 3, 4), 2)
