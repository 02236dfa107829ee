"""Gradient checking by float64 central differences (PyTorch's gradcheck / gradgradcheck)."""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from ..tensor import Tensor


class GradcheckError(RuntimeError):
    """Analytical and numerical gradients disagree."""


def _tensors(inputs):
    inputs = inputs if isinstance(inputs, (tuple, list)) else (inputs,)
    return [x for x in inputs if isinstance(x, Tensor) and x.requires_grad], inputs


def _outputs(func, inputs):
    out = func(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return [o for o in outs if isinstance(o, Tensor)]


def _numerical_jacobians(func, inputs, diff_inputs, eps):
    """For each differentiable input, a (numel_in, numel_out_total) Jacobian."""
    from .grad_mode import no_grad

    jacobians = []
    for x in diff_inputs:
        flat = x.array.reshape(-1)
        cols = []
        for i in range(flat.size):
            orig = flat[i]
            with no_grad():
                flat[i] = orig + eps
                plus = np.concatenate([o.array.reshape(-1) for o in _outputs(func, inputs)])
                flat[i] = orig - eps
                minus = np.concatenate([o.array.reshape(-1) for o in _outputs(func, inputs)])
            flat[i] = orig
            cols.append((plus - minus) / (2 * eps))
        jacobians.append(np.stack(cols) if cols else np.zeros((0, 0)))
    return jacobians


def _analytical_jacobians(func, inputs, diff_inputs):
    from . import grad

    outs = _outputs(func, inputs)
    sizes = [o.array.size for o in outs]
    total = sum(sizes)
    jac = [np.zeros((x.array.size, total)) for x in diff_inputs]
    col = 0
    for k, o in enumerate(outs):
        if not o.requires_grad:
            col += sizes[k]
            continue
        for j in range(sizes[k]):
            seed = np.zeros(o.array.size, dtype=o.dtype)
            seed[j] = 1
            gs = grad([o], diff_inputs, [Tensor(seed.reshape(o.shape))], retain_graph=True,
                      allow_unused=True)
            for i, g in enumerate(gs):
                if g is not None:
                    jac[i][:, col + j] = g.array.reshape(-1)
        col += sizes[k]
    return jac


def gradcheck(func: Callable, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, **_ignored) -> bool:
    """Compare backprop's Jacobian of ``func`` at ``inputs`` with central differences.

    Inputs that require grad should be float64. Fails where
    ``|analytical - numerical| > atol + rtol * |numerical|`` for any entry.
    """
    diff_inputs, inputs = _tensors(inputs)
    for x in diff_inputs:
        if x.dtype != np.float64:
            import warnings

            warnings.warn(f"gradcheck: input of dtype {x.dtype} is not float64; the check may fail "
                          "from rounding alone", stacklevel=2)
    numerical = _numerical_jacobians(func, inputs, diff_inputs, eps)
    analytical = _analytical_jacobians(func, inputs, diff_inputs)
    for i, (a, n) in enumerate(zip(analytical, numerical)):
        if a.shape != n.shape or not np.allclose(a, n, rtol=rtol, atol=atol):
            if raise_exception:
                err = np.abs(a - n).max() if a.shape == n.shape else "shape mismatch"
                raise GradcheckError(f"gradcheck: Jacobian mismatch for input {i} (max abs error "
                                     f"{err}).\nnumerical:\n{n}\nanalytical:\n{a}")
            return False
    return True


def gradgradcheck(func: Callable, inputs, grad_outputs: Sequence | None = None, *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True,
                  seed: int = 0, **_ignored) -> bool:
    """Check second derivatives: gradcheck of (inputs, grad_outputs) -> vector-Jacobian products."""
    from . import grad

    diff_inputs, inputs = _tensors(inputs)
    outs = _outputs(func, inputs)
    rng = np.random.default_rng(seed)
    if grad_outputs is None:
        grad_outputs = [Tensor(rng.standard_normal(o.shape), dtype=o.dtype, requires_grad=True)
                        for o in outs]
    n_in = len(inputs)

    def vjp(*args):
        from .grad_mode import enable_grad

        xs, gos = args[:n_in], args[n_in:]
        with enable_grad():
            ys = _outputs(func, xs)
            d_in = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
            gs = grad(ys, d_in, list(gos), create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(vjp, (*inputs, *grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
