"""The op table's harness: one ``Case`` per op, checked against PyTorch and finite differences.

A case's function takes the module first (``retrograd`` or ``torch``) and then the input tensors,
so one lambda runs in both: ``Case("atan2", lambda m, a, b: m.atan2(a, b), [(3, 4), (4,)])``.
``check_case`` runs every shape variant in float32 and float64, comparing with PyTorch (values,
dtypes, gradients of a random weighted sum) where torch is installed, then gradcheck (float64).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pytest

import retrograd as rg
from retrograd.autograd import gradcheck, gradgradcheck

try:
    import torch
except ImportError:  # the table still runs gradcheck without PyTorch
    torch = None

DOMAINS = {
    None: lambda a: a,
    "positive": lambda a: np.abs(a) + 0.5,
    "unit": lambda a: np.tanh(a) * 0.9,  # (-0.9, 0.9): asin, acos, atanh
    "above1": lambda a: np.abs(a) + 1.2,  # acosh
    "away": lambda a: np.sign(a) * (np.abs(a) + 0.3) + 0.05,  # off 0 and off integers (mostly)
    "distinct": lambda a: a + np.arange(a.size).reshape(a.shape) * 0.37,  # no ties
    "well_conditioned": lambda a: a + 3 * np.eye(a.shape[-1]) if a.ndim >= 2 and a.shape[-1] == a.shape[-2] else a,
    "int": lambda a: np.round(a * 3).astype(np.int64),
    "bool": lambda a: a > 0,
}
UNARY = [[(3, 4)], [()], [(0, 3)]]  # a matrix, a 0-d tensor and an empty one


@dataclass
class Case:
    name: str
    fn: Callable  # fn(module, *tensors)
    shapes: list = field(default_factory=lambda: UNARY)  # shape variants, each a list of shapes
    domain: str | None = None
    grad: bool = True  # differentiable: compare gradients and run gradcheck
    gradgrad: bool = False  # also gradgradcheck
    rtol: float = 1e-5
    atol: float = 1e-6

    def __post_init__(self):
        if self.shapes and isinstance(self.shapes[0], tuple):
            self.shapes = [self.shapes]  # one variant given as a list of shapes
        if self.domain in ("int", "bool"):
            self.grad = False


def _arrays(case: Case, shapes, seed: int):
    rng = np.random.default_rng(seed)
    return [DOMAINS[case.domain](rng.standard_normal(s)) for s in shapes]


def _leaves(out):
    """An output as a flat list: tensors and Python values (tuples, lists, namedtuples)."""
    if isinstance(out, (tuple, list)):
        return [leaf for o in out for leaf in _leaves(o)]
    return [out]


def _as_numpy(leaf):
    if rg.is_tensor(leaf):
        return leaf.detach().array, str(leaf.dtype)
    if torch is not None and isinstance(leaf, torch.Tensor):
        return leaf.detach().numpy(), str(leaf.dtype).removeprefix("torch.")
    return leaf, type(leaf).__name__


def _make(module, arrays, dtype, grad):
    out = []
    for a in arrays:
        a = a if a.dtype.kind in "biu" else a.astype(dtype)
        t = module.tensor(a)
        if grad and a.dtype.kind == "f":
            t.requires_grad_(True)
        out.append(t)
    return out


def _compare(case, ours, theirs, what):
    a, da = _as_numpy(ours)
    b, db = _as_numpy(theirs)
    assert da == db, f"{case.name} {what}: dtype {da}, PyTorch {db}"
    if isinstance(a, np.ndarray):
        assert a.shape == b.shape, f"{case.name} {what}: shape {a.shape}, PyTorch {b.shape}"
        np.testing.assert_allclose(a, b, rtol=case.rtol, atol=case.atol, equal_nan=True,
                                   err_msg=f"{case.name} {what}")
    else:
        assert a == b or (a != a and b != b), f"{case.name} {what}: {a!r}, PyTorch {b!r}"


def _weighted_sum(module, outs, seed):
    rng = np.random.default_rng(seed)
    total = None
    for o in outs:  # one draw per output, used or not: outputs pair up by position
        w = rng.standard_normal(tuple(getattr(o, "shape", ())))
        if getattr(o, "requires_grad", False):
            term = (o * module.tensor(w.astype(str(o.dtype).removeprefix("torch.")))).sum()
            total = term if total is None else total + term
    return total


def check_against_torch(case: Case) -> None:
    for v, shapes in enumerate(case.shapes):
        arrays = _arrays(case, shapes, seed=v)
        for dtype in ("float32", "float64"):
            ours_in = _make(rg, arrays, dtype, case.grad)
            theirs_in = _make(torch, arrays, dtype, case.grad)
            ours, theirs = _leaves(case.fn(rg, *ours_in)), _leaves(case.fn(torch, *theirs_in))
            assert len(ours) == len(theirs), f"{case.name}: {len(ours)} outputs, PyTorch {len(theirs)}"
            for i, (o, t) in enumerate(zip(ours, theirs)):
                _compare(case, o, t, f"output {i} ({dtype}, shapes {shapes})")
            if not case.grad:
                continue
            loss_ours, loss_theirs = _weighted_sum(rg, ours, v), _weighted_sum(torch, theirs, v)
            assert (loss_ours is None) == (loss_theirs is None), f"{case.name}: requires_grad differs"
            if loss_ours is None:
                continue
            loss_ours.backward()
            loss_theirs.backward()
            for i, (x, tx) in enumerate(zip(ours_in, theirs_in)):
                if tx.requires_grad:
                    g = x.grad if x.grad is not None else rg.zeros_like(x)
                    tg = tx.grad if tx.grad is not None else torch.zeros_like(tx)
                    _compare(case, g, tg, f"gradient of input {i} ({dtype}, shapes {shapes})")


def check_gradients(case: Case) -> None:
    """float64 central differences, on every non-empty variant (and second order if asked)."""
    for v, shapes in enumerate(case.shapes):
        arrays = _arrays(case, shapes, seed=v)
        if any(a.size == 0 for a in arrays):
            continue
        inputs = _make(rg, arrays, "float64", True)

        def fn(*xs):
            return tuple(o for o in _leaves(case.fn(rg, *xs)) if rg.is_tensor(o))

        assert gradcheck(fn, inputs, rtol=1e-6, atol=1e-7)
        if case.gradgrad:
            assert gradgradcheck(fn, inputs, rtol=1e-5, atol=1e-6)


def table_tests(cases: list) -> tuple:
    """The two tests of a table: ``test_a, test_b = table_tests(CASES)`` in a test module gives
    parity with PyTorch (skipped without it) and float64 central differences per case."""
    @pytest.mark.parametrize("case", cases, ids=[c.name for c in cases])
    def test_matches_pytorch(case):
        pytest.importorskip("torch")
        check_against_torch(case)

    smooth = [c for c in cases if c.grad]

    @pytest.mark.parametrize("case", smooth, ids=[c.name for c in smooth])
    def test_gradient_matches_finite_differences(case):
        check_gradients(case)

    return test_matches_pytorch, test_gradient_matches_finite_differences
