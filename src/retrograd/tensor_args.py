"""PyTorch's TypeError for a non-Tensor where an op takes a Tensor, checked in one place.

``retrograd.exp(2.0)`` raises ``TypeError: exp(): argument 'input' (position 1) must be Tensor,
not float``, as ``torch.exp(2.0)`` does, instead of failing deep inside the op (or silently
computing). ``guard`` wraps the public functions of a namespace (``retrograd``,
``retrograd.linalg``, ``nn.functional``) once, at import: each wrapper checks the arguments
PyTorch types as Tensor, then calls the op. Which arguments those are:

- the first, unless the op takes something else first (sizes, numbers, a file...): told by the
  name of its first parameter (``NOT_TENSOR_FIRST``) or listed in ``TAKES_NO_TENSOR_FIRST``; a
  first parameter named ``tensors`` must be a sequence of Tensors;
- in ``NUMBER_FIRST`` (``add(2, x)``, ``pow(2, x)``) the first may be a number when the second is
  a Tensor, as in PyTorch;
- the later ones in ``TENSOR_ARGUMENTS``: the arguments PyTorch 2.13 refuses a number for
  (``maximum(x, 2.0)`` raises there, ``add(x, 2.0)`` does not), read off its error messages.

Internal code and Tensor methods call the ops themselves, so they do not pay for the check; a
public call pays one ``isinstance`` in the common case (one Tensor argument).
"""
from __future__ import annotations

import functools
import inspect
from numbers import Number

from .tensor import Tensor

# First parameters that are not a Tensor in PyTorch either.
NOT_TENSOR_FIRST = frozenset({
    "size", "start", "end", "n", "data", "shapes", "equation", "array", "obj", "f", "seed", "args",
    "operands", "dtype", "new_state", "mean", "type1", "device", "mode", "enabled", "shape", "fn",
    "ndarray",
})
# Ops whose first parameter has another name and yet is not a Tensor-only argument in PyTorch.
TAKES_NO_TENSOR_FIRST = frozenset({"is_tensor", "result_type", "promote_types", "load", "save", "summary"})
# Ops whose first argument may be a Python number when the second is a Tensor.
NUMBER_FIRST = frozenset({"add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
                          "floor_divide", "pow", "remainder", "bitwise_and", "bitwise_or",
                          "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift", "bucketize"})

# Later arguments PyTorch types as Tensor (None allowed where the parameter defaults to None):
# op -> {position: PyTorch's name}. Positions count from 0.
_OTHER = {1: "other"}
TENSOR_ARGUMENTS: dict[str, dict[int, str]] = {
    **{op: _OTHER for op in ("allclose", "atan2", "arctan2", "cross", "equal", "hypot", "isclose",
                             "logaddexp", "logical_and", "logical_or", "logical_xor", "matmul",
                             "maximum", "minimum", "linalg.cross", "linalg.matmul")},
    "addcdiv": {1: "tensor1", 2: "tensor2"}, "addcmul": {1: "tensor1", 2: "tensor2"},
    "addmm": {1: "mat1", 2: "mat2"}, "baddbmm": {1: "batch1", 2: "batch2"},
    "bincount": {1: "weights"}, "bmm": {1: "mat2"}, "mm": {1: "mat2"}, "mv": {1: "vec"},
    "dot": {1: "tensor"}, "outer": {1: "vec2"}, "masked_select": {1: "mask"},
    "take": {1: "index"}, "take_along_dim": {1: "indices"}, "linalg.solve": {1: "B"},
    "bucketize": {1: "boundaries"},
    **{op: {1: "x2"} for op in ("cosine_similarity", "pairwise_distance", "F.cosine_similarity",
                                "F.pairwise_distance")},
    **{op: {1: "weight", 2: "bias"} for op in (
        "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "conv3d", "F.conv1d",
        "F.conv2d", "F.conv3d", "F.conv_transpose1d", "F.conv_transpose2d", "F.conv_transpose3d",
        "F.linear")},
    "instance_norm": {1: "weight", 2: "bias"}, "F.bilinear": {1: "input2", 2: "weight", 3: "bias"},
    "F.cross_entropy": {1: "target", 2: "weight"}, "F.nll_loss": {1: "target", 2: "weight"},
    "F.kl_div": {1: "target"}, "F.binary_cross_entropy_with_logits": {2: "weight"},
    "F.grid_sample": {1: "grid"}, "F.prelu": {1: "weight"}, "F.embedding": {1: "weight"},
    "F.scaled_dot_product_attention": {1: "key", 2: "value"},
}
_TORCH_FIRST_NAMES = frozenset({"input", "A", "x1", "input1", "theta", "logits", "query", "tensor",
                                "sorted_sequence", "condition", "tensors"})
_MISSING = object()


def _refuse(op: str, name: str, position: int, value, what: str = "Tensor") -> None:
    raise TypeError(f"{op}(): argument '{name}' (position {position + 1}) must be {what}, "
                    f"not {type(value).__name__}")


def _check_sequence(op: str, values) -> None:
    """A sequence of Tensors (``cat``'s ``tensors``), as PyTorch words its refusal."""
    if isinstance(values, Tensor) or not isinstance(values, (list, tuple)):
        _refuse(op, "tensors", 0, values, "tuple of Tensors")
    for i, v in enumerate(values):
        if not isinstance(v, Tensor):
            raise TypeError(f"{op}(): expected Tensor as element {i} in argument 0, but got "
                            f"{type(v).__name__}")


def _argument_checks(qualified: str, op: str, fn) -> list:
    """The checks ``fn`` needs, each ``check(args, kwargs)`` raising TypeError; [] for none.
    ``qualified``: the name in ``TENSOR_ARGUMENTS``; ``op``: the name messages give."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return []
    bare = qualified.rsplit(".", 1)[-1]
    checks = []
    first = params[0] if params else None
    if first is not None and first.name == "tensors":
        if first.kind is first.VAR_POSITIONAL:  # atleast_1d(x, y) or atleast_1d([x, y])
            checks.append(lambda args, kwargs: _check_sequence(
                op, args[0] if len(args) == 1 and not isinstance(args[0], Tensor) else args))
        else:
            checks.append(lambda args, kwargs: _check_sequence(
                op, args[0] if args else kwargs.get("tensors", [])))
        return checks
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if (positional and positional[0].name not in NOT_TENSOR_FIRST and bare not in TAKES_NO_TENSOR_FIRST
            and positional[0].default is inspect.Parameter.empty):
        name = positional[0].name
        shown = name if name in _TORCH_FIRST_NAMES else "input"
        number_ok = bare in NUMBER_FIRST and len(positional) > 1

        def first_check(args, kwargs, name=name, shown=shown, number_ok=number_ok, other=(
                positional[1].name if len(positional) > 1 else None)):
            value = args[0] if args else kwargs.get(name, _MISSING)
            if isinstance(value, Tensor) or value is _MISSING:
                return
            if number_ok and isinstance(value, Number):
                second = args[1] if len(args) > 1 else kwargs.get(other)
                if isinstance(second, Tensor):
                    return
            _refuse(op, shown, 0, value)
        first_check.plain = name if not number_ok else None  # _wrap inlines a plain first check
        checks.append(first_check)
    for position, torch_name in TENSOR_ARGUMENTS.get(qualified, {}).items():
        if position < len(positional):
            p = positional[position]

            def later_check(args, kwargs, position=position, torch_name=torch_name, name=p.name,
                            none_ok=p.default is None):
                value = args[position] if position < len(args) else kwargs.get(name, _MISSING)
                if not (isinstance(value, Tensor) or value is _MISSING or (none_ok and value is None)):
                    _refuse(op, torch_name, position, value)
            checks.append(later_check)
    return checks


def _wrap(fn, checks: list, module: str, name: str):
    first = getattr(checks[0], "plain", None) if len(checks) == 1 else None
    if first is not None:  # the common case, one Tensor argument: one isinstance before the call
        refuse = checks[0]

        def checked(*args, **kwargs):
            if not isinstance(args[0] if args else kwargs.get(first), Tensor):
                refuse(args, kwargs)
            return fn(*args, **kwargs)
    else:
        def checked(*args, **kwargs):
            for check in checks:
                check(args, kwargs)
            return fn(*args, **kwargs)
    functools.update_wrapper(checked, fn)
    checked.__module__, checked.__qualname__ = module, name  # pickles by its public name
    checked.tensor_checked = True
    return checked


def guard(namespace: dict, prefix: str = "") -> None:
    """Replace each public function in ``namespace`` (a module's globals) that takes a Tensor by
    a wrapper that checks its Tensor arguments first. ``prefix`` ("linalg.", "F.") qualifies
    names in ``TENSOR_ARGUMENTS``; messages name the op as PyTorch's do."""
    module = namespace["__name__"]
    for name in list(namespace):
        fn = namespace[name]
        if (name.startswith("_") or not inspect.isfunction(fn) or getattr(fn, "tensor_checked", False)
                or not (fn.__module__ or "").startswith("retrograd")):
            continue
        op = name if prefix == "F." else prefix + name  # torch.nn.functional's messages say relu()
        checks = _argument_checks(prefix + name, op, fn)
        if checks:  # one wrapper per name (aliases too), so messages and pickling use that name
            namespace[name] = _wrap(fn, checks, module, name)
