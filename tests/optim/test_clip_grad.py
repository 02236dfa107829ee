"""nn.utils gradient clipping and parameter vectors, against NumPy (and torch when installed)."""
import math

import numpy as np
import pytest

import retrograd as rg
from retrograd.nn.utils import (clip_grad_norm_, clip_grad_value_, parameters_to_vector,
                                vector_to_parameters)


def _params(scale=1.0, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    params = [rg.tensor(rng.standard_normal(s).astype(dtype), requires_grad=True)
              for s in [(3, 4), (4,), (2, 2, 2)]]
    for p in params:
        p.grad = rg.tensor((rng.standard_normal(p.shape) * scale).astype(dtype))
    return params


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_against_numpy(norm_type, max_norm):
    params = _params()
    grads = [p.grad.array.copy() for p in params]
    arrays = [p.grad.array for p in params]
    flat = np.concatenate([g.ravel() for g in grads])
    expected = np.abs(flat).max() if norm_type == math.inf else np.linalg.norm(flat, ord=norm_type)
    total = clip_grad_norm_(params, max_norm, norm_type)
    assert isinstance(total, rg.Tensor) and total.shape == ()
    assert total.item() == pytest.approx(expected, rel=1e-12)
    coef = min(1.0, max_norm / (expected + 1e-6))
    for p, g, arr in zip(params, grads, arrays):
        np.testing.assert_allclose(p.grad.array, g * coef, rtol=1e-12)
        assert p.grad.array is arr  # in place
    if max_norm < expected:
        clipped = np.concatenate([p.grad.array.ravel() for p in params])
        norm = np.abs(clipped).max() if norm_type == math.inf else np.linalg.norm(clipped, norm_type)
        assert norm == pytest.approx(max_norm, rel=1e-5)


def test_clip_grad_norm_matches_torch():
    torch = pytest.importorskip("torch")
    ours = _params(scale=3.0)
    theirs = [torch.tensor(p.array, requires_grad=True) for p in ours]
    for p, q in zip(ours, theirs):
        q.grad = torch.tensor(p.grad.array)
    for norm_type in (2.0, math.inf):
        t1 = clip_grad_norm_(ours, 1.5, norm_type)
        t2 = torch.nn.utils.clip_grad_norm_(theirs, 1.5, norm_type)
        assert t1.item() == pytest.approx(t2.item(), rel=1e-12)
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(p.grad.array, q.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_details():
    p = rg.tensor([1.0, 2.0], requires_grad=True)
    assert clip_grad_norm_([p], 1.0).item() == 0.0  # no gradients: zero norm
    p.grad = rg.tensor(np.array([3.0, 4.0], dtype=np.float32))
    total = clip_grad_norm_(p, 1.0)  # a single Tensor is accepted
    assert total.item() == pytest.approx(5.0) and total.dtype == np.float32
    assert p.grad.dtype == np.float32
    np.testing.assert_allclose(p.grad.array, [0.6, 0.8], rtol=1e-5)
    p.grad = rg.tensor([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


def test_clip_grad_norm_after_backward_does_not_touch_other_tensors():
    x = rg.tensor([3.0, 4.0], requires_grad=True)
    y = rg.tensor([1.0, 1.0], requires_grad=True)
    (x.sum() + y.sum() * 0 + (x * 0).sum()).backward()
    clip_grad_norm_([x], 0.1)
    np.testing.assert_array_equal(y.grad.array, [0.0, 0.0])
    assert np.linalg.norm(x.grad.array) == pytest.approx(0.1, rel=1e-4)


def test_clip_grad_value():
    params = _params(scale=2.0)
    expected = [np.clip(p.grad.array, -0.7, 0.7) for p in params]
    assert clip_grad_value_(params, 0.7) is None
    for p, e in zip(params, expected):
        np.testing.assert_array_equal(p.grad.array, e)


def test_parameters_to_vector_round_trip():
    params = _params()
    vec = parameters_to_vector(params)
    assert vec.shape == (12 + 4 + 8,)
    arrays = [p.array for p in params]
    vector_to_parameters(vec * 2, params)
    for p, arr in zip(params, arrays):
        assert p.array is arr
    np.testing.assert_allclose(parameters_to_vector(params).array, vec.array * 2)
    with pytest.raises(ValueError, match="24"):
        vector_to_parameters(vec[:5], params)
