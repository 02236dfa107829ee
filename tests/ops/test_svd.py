"""linalg.svd, linalg.svdvals and the singular-value matrix norms, against PyTorch and finite
differences. Singular vectors' signs are LAPACK's choice, so cases compare what does not depend on
them: singular values, U diag(S) Vh, and sign-free products of U and V."""
import numpy as np
import pytest
from optable import Case, table_tests

import retrograd as rg
from retrograd.autograd import gradcheck, gradgradcheck

MATRICES = [[(4, 3)], [(3, 5)], [(2, 3, 3)]]


def _sign_free(m, a, full_matrices):
    """What the SVD determines whatever the signs: S, U diag(w) Vh, U diag(w) U^T, V diag(w) V^T."""
    U, S, Vh = m.linalg.svd(a, full_matrices=full_matrices)
    k = S.shape[-1]
    w = m.arange(1.0, k + 1.0, dtype=a.dtype)
    U, Vh = U[..., :k], Vh[..., :k, :]
    return S, (U * w) @ Vh, (U * w) @ U.mT, (Vh.mT * w) @ Vh


CASES = [
    Case("svd_reduced", lambda m, a: _sign_free(m, a, False), MATRICES, domain="distinct", gradgrad=True,
         atol=2e-5),
    Case("svd_full", lambda m, a: _sign_free(m, a, True), MATRICES, domain="distinct", atol=2e-5),
    Case("svd_reconstructs", lambda m, a: (lambda U, S, Vh: (U * S.unsqueeze(-2)) @ Vh)(
        *m.linalg.svd(a, False)), MATRICES),
    Case("svdvals", lambda m, a: m.linalg.svdvals(a), MATRICES + [[(2, 2, 4)]], gradgrad=True),
    Case("matrix_norm_svd", lambda m, a: (m.linalg.matrix_norm(a, 2), m.linalg.matrix_norm(a, -2),
                                          m.linalg.matrix_norm(a, "nuc"),
                                          m.linalg.matrix_norm(a, 2, dim=(0, 2), keepdim=True),
                                          m.linalg.norm(a[0], -2), m.linalg.norm(a, "nuc", dim=(1, 2)),
                                          m.norm(a[0], p="nuc"), m.norm(a, p="nuc", dim=(0, 1))),
         [[(2, 3, 4)]], domain="distinct"),
]

test_matches_pytorch, test_gradient_matches_finite_differences = table_tests(CASES)


def test_shapes_dtype_and_factors():
    a = rg.randn(2, 5, 3)
    U, S, Vh = rg.linalg.svd(a)
    assert (U.shape, S.shape, Vh.shape) == ((2, 5, 5), (2, 3), (2, 3, 3))
    assert U.dtype == S.dtype == Vh.dtype == rg.float32
    U, S, Vh = rg.linalg.svd(a, full_matrices=False)
    assert (U.shape, Vh.shape) == ((2, 5, 3), (2, 3, 3))
    assert bool((S[..., :-1] >= S[..., 1:]).all())
    np.testing.assert_allclose((U.mT @ U).numpy(), np.broadcast_to(np.eye(3), (2, 3, 3)), atol=1e-5)
    assert rg.linalg.svd(a).S is not None  # a named tuple (U, S, Vh), as torch.return_types
    assert rg.linalg.svd(rg.zeros(0, 3)).U.shape == (0, 0)  # empty matrices, as PyTorch
    assert rg.linalg.svdvals(rg.zeros(2, 0, 3)).shape == (2, 0)


def test_gradient_through_u_and_v_where_values_are_distinct():
    x = rg.tensor(np.random.default_rng(1).standard_normal((4, 3)), requires_grad=True)
    assert gradcheck(lambda a: rg.linalg.svd(a, full_matrices=False).U.abs(), [x])
    assert gradcheck(lambda a: rg.linalg.svd(a).Vh.abs(), [x])


def test_svdvals_gradient_at_repeated_values_is_u_g_vh():
    x = rg.tensor(np.eye(3), requires_grad=True)  # all singular values 1
    rg.linalg.svdvals(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.eye(3))
    y = rg.tensor(np.eye(3), requires_grad=True)
    rg.linalg.svd(y).S.sum().backward()  # S alone from svd: finite too (no 1 / (s_j^2 - s_i^2))
    np.testing.assert_allclose(y.grad.numpy(), np.eye(3))
    assert gradgradcheck(rg.linalg.svdvals, [rg.tensor(np.diag([3.0, 2.0, 1.0]) + 0.1, requires_grad=True)])


ERRORS = [lambda m: m.linalg.svd(m.zeros(3)), lambda m: m.linalg.svdvals(m.zeros(3, 3, dtype=m.long)),
          lambda m: m.linalg.matrix_norm(m.zeros(2, 2), 3), lambda m: m.norm(m.zeros(2, 2, 2), p="nuc")]


@pytest.mark.parametrize("call", ERRORS)
def test_errors_are_runtime_errors_as_in_pytorch(call):
    with pytest.raises(RuntimeError):
        call(rg)
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        call(torch)
