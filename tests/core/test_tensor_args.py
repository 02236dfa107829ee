"""A non-Tensor where an op takes a Tensor raises TypeError naming the op and the argument, as in
PyTorch: checked over the whole public API (retrograd, linalg, nn.functional) against torch."""
from __future__ import annotations

import inspect
import pickle
import warnings

import pytest

import retrograd as rg
from retrograd.tensor_args import NUMBER_FIRST, TENSOR_ARGUMENTS

torch = pytest.importorskip("torch")

# Functions that change process state or touch files when called: not called blindly.
SKIP = {"set_grad_enabled", "set_default_dtype", "set_num_threads", "manual_seed", "seed", "load",
        "save", "set_rng_state", "get_rng_state", "initial_seed", "use_deterministic_algorithms"}
# Where PyTorch's TypeError is about a number or size argument, not a Tensor: outside this check.
NOT_TENSOR_ARGUMENTS = {"arange", "broadcast_shapes", "normal", "randperm", "result_type"}
NAMESPACES = [("", rg, torch), ("linalg.", rg.linalg, torch.linalg),
              ("F.", rg.nn.functional, torch.nn.functional)]


def _public(prefix, ours, theirs):
    for name in sorted(dir(ours)):
        fn, twin = getattr(ours, name), getattr(theirs, name, None)
        if (not name.startswith("_") and name not in SKIP | NOT_TENSOR_ARGUMENTS and twin is not None
                and callable(fn) and not inspect.isclass(fn) and not inspect.ismodule(fn)):
            yield pytest.param(prefix + name, fn, twin, id=prefix + name)


FUNCTIONS = [p for ns in NAMESPACES for p in _public(*ns)]


def _outcome(fn, args):
    try:
        with warnings.catch_warnings():  # PyTorch's deprecation notes (F.upsample ...)
            warnings.simplefilter("ignore")
            fn(*args)
    except Exception as e:  # noqa: BLE001 - the exception type is what is compared
        return e
    return None


def _same_verdict(name, ours, theirs):
    """Where PyTorch raises TypeError, so do we; where it takes the call, we do not raise TypeError."""
    if isinstance(theirs, TypeError):
        assert isinstance(ours, TypeError), f"{name}: PyTorch raises TypeError ({theirs}), we give {ours!r}"
        if "must be Tensor" in str(theirs):
            assert "must be Tensor" in str(ours) and name.rsplit(".", 1)[-1] in str(ours), str(ours)
    elif theirs is None:
        assert not isinstance(ours, TypeError), f"{name}: PyTorch takes the call, we raise {ours!r}"


@pytest.mark.parametrize("name,fn,twin", FUNCTIONS)
@pytest.mark.parametrize("bad", [2.0, [1.0, 2.0], None], ids=["float", "list", "None"])
def test_non_tensor_first_argument_raises_as_pytorch(name, fn, twin, bad):
    _same_verdict(name, _outcome(fn, (bad,)), _outcome(twin, (bad,)))


SECOND = [p for p in FUNCTIONS if p.values[0] in TENSOR_ARGUMENTS and 1 in TENSOR_ARGUMENTS[p.values[0]]]


@pytest.mark.parametrize("name,fn,twin", SECOND)
def test_number_where_pytorch_wants_a_tensor_other_raises(name, fn, twin):
    ours, theirs = _outcome(fn, (rg.ones(2, 2), 2.0)), _outcome(twin, (torch.ones(2, 2), 2.0))
    assert isinstance(theirs, TypeError)
    _same_verdict(name, ours, theirs)
    assert f"'{TENSOR_ARGUMENTS[name][1]}' (position 2)" in str(ours)


@pytest.mark.parametrize("name", sorted(NUMBER_FIRST))
def test_numbers_stay_accepted_where_pytorch_takes_them(name):
    x, t = rg.tensor([1, 2, 3]), torch.tensor([1, 2, 3])
    fn, twin = getattr(rg, name), getattr(torch, name)
    for args, targs in [((2, x), (2, t)), ((x, 2), (t, 2))]:
        theirs = _outcome(twin, targs)
        ours = _outcome(fn, args)
        assert (ours is None) == (theirs is None), (name, args, ours, theirs)
    assert rg.add(rg.ones(2), 2, alpha=3).tolist() == [7.0, 7.0]
    assert rg.where(rg.tensor([True, False]), 1.0, 0.0).tolist() == [1.0, 0.0]
    assert rg.clamp(rg.tensor([-2.0, 2.0]), min=-1, max=1).tolist() == [-1.0, 1.0]


def test_messages_name_the_op_and_argument_as_pytorch():
    with pytest.raises(TypeError, match=r"^exp\(\): argument 'input' \(position 1\) must be Tensor, "
                                        r"not float$"):
        rg.exp(2.0)
    with pytest.raises(TypeError, match=r"^linalg.svd\(\): argument 'A' \(position 1\) must be Tensor, not"):
        rg.linalg.svd([[1.0]])
    with pytest.raises(TypeError, match=r"^relu\(\): argument 'input' .* not int"):
        rg.nn.functional.relu(3)
    with pytest.raises(TypeError, match=r"^linear\(\): argument 'bias' \(position 3\) must be Tensor"):
        rg.nn.functional.linear(rg.ones(2, 2), rg.ones(2, 2), 1.0)
    with pytest.raises(TypeError, match=r"^cat\(\): expected Tensor as element 1 in argument 0, but got"):
        rg.cat([rg.ones(1), 1.0])
    rg.nn.functional.linear(rg.ones(2, 2), rg.ones(2, 2), None)  # an optional Tensor may be None


def test_wrappers_keep_signature_and_docs_and_pickle_by_name():
    assert inspect.signature(rg.exp) == inspect.signature(rg.ops.elementwise.exp)
    assert rg.exp.__doc__ == rg.ops.elementwise.exp.__doc__
    for fn in (rg.exp, rg.nn.functional.relu, rg.linalg.svd):
        assert pickle.loads(pickle.dumps(fn)) is fn
    assert rg.exp(rg.zeros(1)).tolist() == [1.0]
    assert rg.ones(2).exp().tolist() == rg.exp(rg.ones(2)).tolist()  # methods need no check
