"""``export``: trace one forward pass and write it as an ONNX model (``torch.onnx.export``).

How the graph is found: the model runs once on the example inputs with grad mode on, so every
op records its autograd ``Function`` node (``Function.apply``, which knows the op and its
arguments). Layers with a converter in ``layers.py`` (Conv2d, BatchNorm2d, ...) are caught by a
forward hook and exported as one ONNX node each; the glue between them (residual additions,
reshape, permute, cat, slicing, activations called as functions) is exported node by node from
the autograd graph by the converters in ``ops.py``. ``register_module`` / ``register_op`` add
converters for new layers or ops (``recurrent.py``: RNN, LSTM and GRU).
"""
from __future__ import annotations

import os
import tempfile
from typing import Callable, Sequence

from ..autograd.trace import Call, topological, trace, traceable, value_key
from ..tensor import Tensor
from .graph import ExportError, GraphBuilder, onnx_dtype

DEFAULT_OPSET = 17
MIN_OPSET = 13

_MODULE_CONVERTERS: dict[type, Callable] = {}
_OP_CONVERTERS: dict[type, Callable] = {}


def register_module(*classes: type) -> Callable:
    """Decorator: ``fn(g, call) -> output name`` exports each call of a layer of ``classes``
    as ONNX nodes (``call.module``, ``call.inputs`` names, ``call.args`` Tensors, ``call.output``).
    A layer returning several Tensors (``call.outputs``) returns a list of names, one each.
    """
    def decorate(fn):
        for cls in classes:
            _MODULE_CONVERTERS[cls] = fn
        return fn
    return decorate


def register_op(*functions: type) -> Callable:
    """Decorator: ``fn(g, node, inputs, output) -> output name`` exports an autograd Function
    node (``inputs`` are the names of its operands, constants included)."""
    def decorate(fn):
        for cls in functions:
            _OP_CONVERTERS[cls] = fn
        return fn
    return decorate


def _module_converter(cls: type):
    for base in cls.__mro__:
        if base in _MODULE_CONVERTERS:
            return _MODULE_CONVERTERS[base]
    return None


def _emit(g: GraphBuilder, t: Tensor, calls: dict[int, Call]) -> str:
    call = calls.get(value_key(t))
    if call is not None:
        call.inputs = [g.values[value_key(a)] for a in call.args]
        produced = _module_converter(type(call.module))(g, call)
        if isinstance(produced, str):
            return produced
        for o, name in zip(call.outputs, produced):  # a tuple output: one name per Tensor
            g.values[value_key(o)] = name
        return g.values[value_key(t)]
    fn = t.grad_fn
    if fn is None:
        return g.tensor(t)
    convert = _OP_CONVERTERS.get(type(fn))
    if convert is None:
        raise ExportError(f"onnx export: the op {fn.name!r} ({type(fn).__module__}) has no ONNX "
                          f"converter; register one with retrograd.onnx.register_op")
    operands = [g.operand(x, t.dtype) for x in fn.inputs]
    return convert(g, fn, operands, t)


def _flat(outputs) -> list:
    """Nested tuples of outputs (LSTM's (output, (h_n, c_n))) as one list, as PyTorch's."""
    if isinstance(outputs, (tuple, list)):
        return [o for item in outputs for o in _flat(item)]
    return [outputs]


def _value_info(name: str, t: Tensor, dynamic: dict[int, str] | None):
    import onnx.helper

    if dynamic is None:  # sizes unknown (depend on a dynamic input); the rank is known
        return onnx.helper.make_tensor_value_info(name, onnx_dtype(t.dtype), [None] * t.ndim)
    dims = [dynamic.get(i, s) for i, s in enumerate(t.shape)]
    return onnx.helper.make_tensor_value_info(name, onnx_dtype(t.dtype), dims)


def _dynamic_dims(dynamic_axes, name: str) -> dict[int, str]:
    axes = (dynamic_axes or {}).get(name, {})
    if isinstance(axes, dict):
        return {int(k): str(v) for k, v in axes.items()}
    return {int(a): f"{name}_dynamic_axes_{i + 1}" for i, a in enumerate(axes)}


def _names(given, n: int, default: str) -> list[str]:
    given = list(given or [])
    return given[:n] + [default if n == 1 else f"{default}_{i}" for i in range(len(given), n)]


def _bind_outputs(g: GraphBuilder, produced: list[str], names: list[str]) -> None:
    """Give each output value its requested name (renaming the producing node's output when
    nothing else reads it, else through an Identity node)."""
    for value, name in zip(produced, names):
        producer = next((n for n in g.nodes if value in n.output), None)
        used = any(value in n.input for n in g.nodes) or produced.count(value) > 1
        if producer is None or used or value in names:
            g.node("Identity", [value], hint=name)
            g.nodes[-1].output[0] = name
        else:
            producer.output[list(producer.output).index(value)] = name


def _write(proto, f) -> None:
    data = proto.SerializeToString()
    if hasattr(f, "write"):
        f.write(data)
        return
    path = os.fspath(f)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".onnx-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def export(model, args, f, export_params: bool = True, verbose: bool = False,
           input_names: Sequence[str] | None = None, output_names: Sequence[str] | None = None,
           opset_version: int | None = None, dynamic_axes: dict | None = None):
    """Export ``model`` (run in eval mode on the example ``args``: a Tensor or a tuple of them)
    to ONNX, written to ``f`` (a path, written atomically, or a binary file object).

    ``dynamic_axes`` maps an input or output name to the axes whose size may change
    (``{"input": {0: "batch"}, "output": {0: "batch"}}`` or ``{"input": [0]}``), as in
    ``torch.onnx.export``. Returns the ``onnx.ModelProto``, checked by ``onnx.checker``.

    >>> export(model, retrograd.randn(1, 1, 28, 28), "model.onnx",
    ...        input_names=["input"], output_names=["logits"],
    ...        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})  # doctest: +SKIP
    """
    try:
        import onnx
    except ImportError:
        raise ImportError("ONNX export needs the onnx package: pip install 'retrograd[onnx]'") from None
    from . import layers, ops, recurrent  # noqa: F401  (registers the converters)

    if not export_params:
        raise NotImplementedError("onnx export: export_params=False is not supported")
    opset = DEFAULT_OPSET if opset_version is None else int(opset_version)
    if opset < MIN_OPSET:
        raise ValueError(f"onnx export: opset_version must be at least {MIN_OPSET}, got {opset}")
    inputs = traceable(args)
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        outputs, calls = trace(model, inputs, lambda m: _module_converter(type(m)) is not None)
    finally:
        for m, mode in modes:
            m.training = mode
    outputs = _flat(outputs)
    if not all(isinstance(o, Tensor) for o in outputs):
        raise ExportError("onnx export: the model must return a Tensor or a tuple of Tensors")

    g = GraphBuilder(opset)
    in_names = _names(input_names, len(inputs), "input")
    out_names = _names(output_names, len(outputs), "output")
    for name in in_names + out_names:
        g.reserve(name)
    for x, name in zip(inputs, in_names):
        g.values[value_key(x)] = name
        g.input_arrays[id(x.array)] = name
    g.tensor_names = {id(t): k for k, t in list(model.named_parameters()) + list(model.named_buffers())}
    for t in topological(outputs, calls, {value_key(x) for x in inputs}):
        if value_key(t) not in g.values:  # graph inputs are named already
            g.values[value_key(t)] = _emit(g, t, calls)
    _bind_outputs(g, [g.values[value_key(o)] for o in outputs], out_names)

    any_dynamic = any(_dynamic_dims(dynamic_axes, n) for n in in_names)
    graph = onnx.helper.make_graph(
        g.nodes, type(model).__name__,
        [_value_info(n, x, _dynamic_dims(dynamic_axes, n)) for x, n in zip(inputs, in_names)],
        [_value_info(n, o, _dynamic_dims(dynamic_axes, n)
                     if n in (dynamic_axes or {}) or not any_dynamic else None)
         for o, n in zip(outputs, out_names)],
        g.initializers)
    proto = onnx.helper.make_model(graph, producer_name="retrograd",
                                   opset_imports=[onnx.helper.make_opsetid("", opset)])
    proto.ir_version = min(proto.ir_version, 9)  # readable by onnxruntime releases of 2023 on
    onnx.checker.check_model(proto, full_check=True)
    if verbose:
        print(onnx.helper.printable_graph(proto.graph))
    _write(proto, f)
    return proto

