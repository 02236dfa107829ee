"""The optimizers' in-place updates through BLAS (retrograd.backends.cpu.blas) against NumPy's own ops."""
import numpy as np
import pytest

from retrograd.backends.cpu import blas as _blas
from retrograd.backends.cpu.threads import _blas_controller


def _pair(shape, dtype, order, seed=0):
    rng = np.random.default_rng(seed)
    y = np.asarray(rng.standard_normal(shape), dtype=dtype, order=order)
    x = np.asarray(rng.standard_normal(shape), dtype=dtype, order=order)
    return y, x


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("shape", [(), (0,), (7,), (33, 5), (400, 401)])
def test_add_scaled_and_scale_match_numpy(dtype, order, shape):
    y, x = _pair(shape, dtype, order)
    want = y + dtype(-0.37) * x
    _blas.add_scaled_(y, x, -0.37)
    np.testing.assert_allclose(y, want, rtol=1e-6 if dtype == np.float32 else 1e-13, atol=1e-7)
    want = y * dtype(0.9)
    _blas.scale_(y, 0.9)
    np.testing.assert_allclose(y, want, rtol=1e-6 if dtype == np.float32 else 1e-13)
    assert y.flags.f_contiguous if order == "F" and y.ndim > 1 else y.flags.c_contiguous


@pytest.mark.parametrize("case", ["mixed layouts", "strided view", "other dtype", "float16",
                                  "overlapping", "numpy scalar alpha"])
def test_arrays_that_do_not_fit_one_blas_call_get_numpy_s_answer(case):
    y, x = _pair((20, 30), np.float32, "C", seed=1)
    alpha = -2.5
    if case == "mixed layouts":
        x = np.asfortranarray(x)
    elif case == "strided view":
        y, x = y[:, ::2], x[:, ::2]
    elif case == "other dtype":
        x = x.astype(np.float64)
    elif case == "float16":
        y, x = y.astype(np.float16), x.astype(np.float16)
    elif case == "overlapping":
        x = y[::-1]
    else:
        alpha = np.float32(-2.5)
    want = y + alpha * x
    _blas.add_scaled_(y, x, alpha)
    np.testing.assert_allclose(y, want, rtol=1e-3 if y.dtype == np.float16 else 1e-6, atol=1e-6)


def test_numpy_s_openblas_routines_are_found():
    """The fast path must not fall away unnoticed (a wrong name or a failed self-check)."""
    blas = _blas_controller()
    if blas is None or blas.internal_api != "openblas":
        pytest.skip("NumPy is not linked to OpenBLAS here")
    assert set(_blas._lookup()) == {("axpy", "f"), ("scal", "f"), ("axpy", "d"), ("scal", "d")}
