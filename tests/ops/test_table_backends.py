"""Every op-table case again on ``Boxed`` arrays (tests/boxed_backend.py: a registered array type
that refuses NumPy, as a GPU array does), with the tensors the cases make themselves (targets,
indices) Boxed too: outputs and gradients must stay Boxed and equal the NumPy run. An op that
reaches for NumPy instead of its inputs' array module fails here."""
from __future__ import annotations

import importlib

import numpy as np
import pytest

import retrograd as rg
from boxed_backend import BOXED_NUMPY, Boxed, boxed_kernels
from optable import _arrays, _leaves
from retrograd import backends

TABLES = ["test_table_core", "test_table_extras", "test_table_gradients", "test_table_index",
          "test_table_layout", "test_table_math", "test_table_nn", "test_table_nn_functional",
          "test_table_reduce", "test_table_select"]
CASES = [case for table in TABLES for case in importlib.import_module(table).CASES]
FACTORIES = ["tensor", "as_tensor", "zeros", "ones", "full", "arange", "eye", "rand", "randn",
             "randint", "linspace", "empty"]


def _boxed_world(monkeypatch):
    """Boxed registered, and retrograd's factories making Boxed tensors (data on the 'device');
    ``backends.unregister`` on leaving the test comes from the finaliser below."""
    def boxing(factory):
        def make(*args, **kwargs):
            t = factory(*args, **kwargs)
            t.array = Boxed(t.array)
            return t
        return make

    for name in FACTORIES:
        monkeypatch.setattr(rg, name, boxing(getattr(rg, name)))
    backends.register(Boxed, boxed_kernels(), BOXED_NUMPY)


@pytest.fixture
def unregister_boxed():
    yield
    backends.unregister(Boxed)


def _run(case, arrays, box: bool):
    rg.manual_seed(0)
    inputs = [rg.Tensor(Boxed(a) if box else a, requires_grad=case.grad and a.dtype.kind == "f")
              for a in arrays]
    outs = [o for o in _leaves(case.fn(rg, *inputs)) if rg.is_tensor(o)]
    wanted = [o.sum() for o in outs if o.requires_grad]
    if wanted:
        sum(wanted[1:], wanted[0]).backward()
    return outs, [x.grad for x in inputs]


def _plain(t):
    a = t.array
    return a.a if type(a) is Boxed else a


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_case_runs_in_its_inputs_array_module(monkeypatch, unregister_boxed, case):
    shapes = next((s for s in case.shapes if all(0 not in shape for shape in s)), case.shapes[0])
    arrays = [a if a.dtype.kind in "biu" else a.astype(np.float64) for a in _arrays(case, shapes, 0)]
    want_outs, want_grads = _run(case, arrays, box=False)
    _boxed_world(monkeypatch)
    got_outs, got_grads = _run(case, arrays, box=True)
    assert len(got_outs) == len(want_outs)
    for got, want in zip(got_outs + got_grads, want_outs + want_grads):
        if want is None:
            continue
        assert type(got.array) is Boxed, f"{case.name}: a {type(got.array).__name__}, not Boxed"
        np.testing.assert_allclose(_plain(got), want.array, rtol=1e-9, atol=1e-12, equal_nan=True)
