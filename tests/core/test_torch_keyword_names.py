"""PyTorch's keyword names: every public function of retrograd, retrograd.linalg and
nn.functional that PyTorch also has names its parameters as PyTorch does, and takes its first
arguments by those names (``retrograd.exp(input=x)``, ``F.cross_entropy(input=.., target=..)``).
PyTorch 2.13 is the spec: its signatures are read from ``torch_signatures``, and the keyword
calls are first made in PyTorch, which says which arguments an op needs."""
from __future__ import annotations

import inspect
import itertools
import warnings

import numpy as np
import pytest
from torch_signatures import our_signature, name_mismatch, torch_signatures

import retrograd as rg

torch = pytest.importorskip("torch")

# torch.set_num_threads names its parameter "int"; ours says "n" (a number of threads).
NAME_EXCEPTIONS = {"set_num_threads"}
# Not called: they set process state, seeds or files.
NOT_CALLED = {"set_grad_enabled", "set_default_dtype", "set_num_threads", "manual_seed", "seed",
              "load", "save", "set_rng_state", "get_rng_state", "initial_seed",
              "use_deterministic_algorithms", "from_numpy"}
NAMESPACES = [("", rg, torch), ("linalg.", rg.linalg, torch.linalg),
              ("F.", rg.nn.functional, torch.nn.functional)]


def _public():
    for prefix, ours, theirs in NAMESPACES:
        for name in sorted(dir(ours)):
            fn, twin = getattr(ours, name), getattr(theirs, name, None)
            if (not name.startswith("_") and twin is not None and callable(fn)
                    and not inspect.isclass(fn) and not inspect.ismodule(fn)):
                aten = "linalg_" + name if prefix == "linalg." else None
                yield pytest.param(prefix + name, fn, twin, aten, id=prefix + name)


FUNCTIONS = list(_public())


@pytest.mark.parametrize("name,fn,twin,aten", FUNCTIONS)
def test_parameter_names_are_pytorchs(name, fn, twin, aten):
    theirs = torch_signatures(twin, name.rsplit(".", 1)[-1], aten)
    assert theirs, f"{name}: no PyTorch signature found to compare with"
    problem = name_mismatch(our_signature(fn), theirs)
    if name in NAME_EXCEPTIONS:
        assert problem is not None, f"{name} is in NAME_EXCEPTIONS but matches PyTorch now"
    else:
        assert problem is None, f"{name}: {problem}"


# ----- calls by keyword -----------------------------------------------------------------------
_RNG = np.random.default_rng(0)
MATRIX = _RNG.uniform(0.5, 1.5, (3, 3))
VECTOR = _RNG.uniform(0.5, 1.5, (3,))
IMAGES = _RNG.uniform(0.5, 1.5, (2, 3, 4, 4))
TENSOR_LIKE = [MATRIX, VECTOR, IMAGES, _RNG.uniform(0.5, 1.5, (3, 3, 3)),  # bmm, conv1d
               _RNG.uniform(0.5, 1.5, (3, 3, 2, 2)), _RNG.uniform(0.5, 1.5, (3, 3, 2, 2, 2)),
               _RNG.uniform(0.1, 0.9, (3, 3)),  # probabilities
               _RNG.integers(0, 3, (3, 3)), np.array([0, 2, 1])]  # bitwise ops, indices
_TENSOR_NAMES = ("input", "A", "x1", "input1", "tensor", "logits", "query", "x", "a", "b",
                 "elements", "test_elements", "other", "x2", "input2", "tensor1", "tensor2",
                 "mat1", "mat2", "mat", "B", "key", "value", "end", "exponent", "weight", "vec",
                 "vec1", "vec2", "batch1", "batch2", "src", "source", "values", "y", "grid",
                 "theta", "input3", "mean", "std")
# Candidate values for PyTorch's required parameters, by name; tried in order, in PyTorch first.
CANDIDATES: dict[str, list] = {
    **{n: TENSOR_LIKE for n in _TENSOR_NAMES},
    "end": TENSOR_LIKE + [2.0], "value": TENSOR_LIKE + [0.0], "source": TENSOR_LIKE + [0],
    "target": [MATRIX, np.array([0, 1, 2]), np.array([0, 1]), TENSOR_LIKE[6]],
    "condition": [MATRIX > 1.0],
    "mask": [MATRIX > 1.0],
    "tensors": [[MATRIX, MATRIX]],
    "index": [np.zeros((3, 3), dtype=np.int64), np.array([0, 2, 1]), np.array([0, 1]),
              np.zeros((2, 3, 4, 4), np.int64), 0],
    "indices": [np.array([[0, 2, 4], [1, 3, 5], [0, 3, 5]]), np.zeros((3, 3), dtype=np.int64),
                np.array([0, 1])],  # distinct first: max_unpool with repeated indices is racy
    "sorted_sequence": [np.array([0.0, 1.0, 2.0])], "boundaries": [np.array([0.0, 1.0, 2.0])],
    **{n: [0, 1] for n in ("dim", "start_dim", "axis")},
    "dim0": [0], "dim1": [1], "axis0": [0], "axis1": [1], "dims": [(1, 0), (0,)], "k": [1],
    "chunks": [2], "sections": [2], "indices_or_sections": [2], "split_size_or_sections": [1],
    "split_size": [1], "repeats": [2], "shifts": [1], "shape": [(9,), (3, 3)],
    "size": [(3, 3), (9,), 2], "sizes": [(3, 3), (3, 1)], "num_groups": [1],
    "normalized_shape": [(3,), (4,)], "kernel_size": [2], "pad": [(1, 1)], "fill_value": [1.0],
    "n": [3], "start": [0], "steps": [3], "num_classes": [3], "q": [0.5], "p": [0.5],
    "running_mean": [None, VECTOR], "running_var": [None, VECTOR], "use_input_stats": [True],
    "momentum": [0.1], "eps": [1e-5], "cudnn_enabled": [False], "training": [True],
    "bias": [None, VECTOR], "equation": ["ij->ji"], "length": [1], "destination": [1],
    "upscale_factor": [1], "downscale_factor": [1], "groups": [1], "output_size": [(2, 2), 2],
    "diagonal": [0], "offset": [0], "lambd": [0.5], "threshold": [0.5], "min_val": [0.0],
    "max_val": [1.0], "decimals": [0], "weights": [VECTOR], "reduce": ["sum"], "alpha": [1.0],
    "beta": [1.0], "half_to_float": [False], "type1": [torch.int32], "type2": [torch.float32],
    "low": [0], "high": [3], "obj": [MATRIX], "data": [[1.0, 2.0]], "num_samples": [1],
    "norm_type": [2.0],
}
# Where PyTorch also takes a matrix for a batch of images (deprecated or loosely checked
# there, refused here): these start from the images. Shapes are outside this test's subject.
IMAGES_FIRST = {"instance_norm", "F.dropout2d", "F.dropout3d"}
_MAX_TRIES = 100


def _to(module, value):
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value.copy()) if module is torch else rg.from_numpy(value.copy())
    if isinstance(value, list) and value and isinstance(value[0], np.ndarray):
        return [_to(module, v) for v in value]
    if module is rg and isinstance(value, torch.dtype):
        return getattr(rg, str(value).rsplit(".", 1)[-1])
    return value


def _numpy(value):
    if isinstance(value, (torch.Tensor, rg.Tensor)):
        return value.detach().numpy()
    if isinstance(value, (tuple, list)):
        return type(value)(_numpy(v) for v in value) if not hasattr(value, "_fields") else \
            tuple(_numpy(v) for v in value)
    if isinstance(value, torch.dtype):
        return str(value).rsplit(".", 1)[-1]
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        return np.dtype(value).name
    return value


def _assert_same(ours, theirs, shapes_only, where):
    ours, theirs = _numpy(ours), _numpy(theirs)
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs), where
        for a, b in zip(ours, theirs):
            _assert_same(a, b, shapes_only, where)
    elif isinstance(theirs, np.ndarray):
        assert np.shape(ours) == theirs.shape, where
        if not shapes_only:
            np.testing.assert_allclose(np.asarray(ours, dtype=float), theirs.astype(float),
                                       rtol=1e-6, atol=1e-8, err_msg=where)
    elif not shapes_only:
        assert ours == theirs or (isinstance(theirs, float) and np.isclose(ours, theirs)), where


def _call(fn, args=(), kwargs=None):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **(kwargs or {})), None
    except Exception as e:  # noqa: BLE001 - outcomes are compared
        return None, e


def _first_torch_call(twin, signature, images_first=False):
    """(names, values, result) of the first candidate call PyTorch takes, with the required
    positional parameters passed by keyword; None when none works."""
    names = []
    for p in signature:
        if p.keyword_only or p.name.startswith("*") or p.optional:
            break
        names.append(p.name)
    if not names or any(n not in CANDIDATES for n in names):
        return None
    pools = [[IMAGES] if images_first and i == 0 else CANDIDATES[n] for i, n in enumerate(names)]
    for values in itertools.islice(itertools.product(*pools), _MAX_TRIES):
        result, error = _call(twin, kwargs=dict(zip(names, (_to(torch, v) for v in values))))
        if error is None:
            return names, values, result
    return None


def _keyword_call(name, twin):
    for signature in torch_signatures(twin, name.rsplit(".", 1)[-1],
                                      "linalg_" + name[7:] if name.startswith("linalg.") else None):
        found = _first_torch_call(twin, signature, name in IMAGES_FIRST)
        if found is not None:
            return found
    return None


CALLED = [p for p in FUNCTIONS if p.values[0] not in NOT_CALLED]
# Ops not called by keyword here: sizes or tensors given one by one (*args), nothing required, or
# required arguments CANDIDATES has no values for (pool kernel sizes, fold's output_size, ...).
NO_KEYWORD_CALL = {
    "arange", "atleast_1d", "atleast_2d", "broadcast_shapes", "broadcast_tensors", "clamp", "clip",
    "einsum", "empty", "get_default_dtype", "get_num_threads", "index_put", "is_grad_enabled",
    "is_inference_mode_enabled", "is_tensor", "meshgrid", "ones", "rand", "randint", "randn",
    "unique", "zeros", "F.adaptive_max_pool1d", "F.adaptive_max_pool2d", "F.adaptive_max_pool3d",
    "F.affine_grid", "F.fold", "F.interpolate", "F.max_pool1d", "F.max_pool2d", "F.max_pool3d",
    "F.max_unpool2d", "F.max_unpool3d", "F.upsample", "F.upsample_bilinear", "F.upsample_nearest",
}


@pytest.mark.parametrize("name,fn,twin,aten", CALLED)
def test_first_arguments_by_keyword_as_in_pytorch(name, fn, twin, aten):
    found = _keyword_call(name, twin)
    if name in NO_KEYWORD_CALL:
        assert found is None, f"{name} has candidate arguments now: take it off NO_KEYWORD_CALL"
        return
    assert found is not None, (f"{name}: no candidate arguments PyTorch takes; add values for its "
                               "parameters to CANDIDATES (or, if none can fit, to NO_KEYWORD_CALL)")
    names, values, theirs = found
    random = _is_random(twin, names, values)
    kwargs = dict(zip(names, (_to(rg, v) for v in values)))
    ours, error = _call(fn, kwargs=kwargs)
    assert error is None, f"{name}(**{list(kwargs)}) raised {error!r}; PyTorch takes it"
    _assert_same(ours, theirs, random, f"{name} by keyword")
    positional, error = _call(fn, args=[_to(rg, v) for v in values])
    assert error is None, f"{name}(*args) raised {error!r}"
    _assert_same(positional, ours, random, f"{name} by position and by keyword")


UNINITIALISED = {"empty", "empty_like"}  # values are whatever memory held: shapes only


def _is_random(twin, names, values):
    """Whether PyTorch's results differ between two seeds (then only shapes are compared)."""
    if twin.__name__ in UNINITIALISED:
        return True
    outcomes = []
    with torch.random.fork_rng():
        for seed in (0, 1):
            torch.manual_seed(seed)
            outcomes.append(_call(twin, kwargs=dict(zip(names, (_to(torch, v) for v in values))))[0])
    return not _same_outcome(*outcomes)


def _same_outcome(a, b):
    try:
        _assert_same(a, b, False, "")
    except AssertionError:
        return False
    return True


def test_everyday_keyword_calls():
    x, y = rg.tensor([[1.0, -2.0], [3.0, 0.5]]), rg.tensor([[0.5, 1.0], [2.0, 4.0]])
    F = rg.nn.functional
    assert rg.exp(input=x).allclose(x.exp())
    assert rg.add(input=x, other=y, alpha=2).allclose(x + 2 * y)
    assert rg.pow(input=y, exponent=2).allclose(y * y)
    assert F.relu(input=x).allclose(x.relu())
    assert rg.cat(tensors=[x, y], dim=0).shape == (4, 2)
    assert rg.sum(input=x, dim=1, keepdim=True).shape == (2, 1)
    assert rg.reshape(input=x, shape=(4,)).shape == (4,)
    assert rg.permute(input=x, dims=(1, 0)).allclose(x.t())
    assert rg.linalg.det(A=y).item() == pytest.approx(0.0)
    loss = F.cross_entropy(input=x, target=rg.tensor([0, 1]))
    assert loss.item() == pytest.approx(F.cross_entropy(x, rg.tensor([0, 1])).item())
    with pytest.raises(TypeError, match="must be Tensor"):  # tensor_args still checks by name
        rg.exp(input=2.0)
    with pytest.raises(TypeError, match="'other' \\(position 2\\) must be Tensor"):
        rg.maximum(input=x, other=2.0)
