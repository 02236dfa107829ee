"""A model's graph for TensorBoard's Graphs tab: a ``GraphDef`` with one node per layer call
(leaf modules, named by their module path so TensorBoard groups them in scopes) and per op
between layers, traced on an example input."""
from __future__ import annotations

from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto.versions_pb2 import VersionDef

from ...autograd.trace import topological, trace, traceable, value_key


def graph_def(model, example) -> GraphDef:
    inputs = traceable(example)
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        outputs, calls = trace(model, inputs, lambda m: not any(True for _ in m.children()))
    finally:
        for m, mode in modes:
            m.training = mode
    outputs = list(outputs) if isinstance(outputs, (tuple, list)) else [outputs]
    root = type(model).__name__
    names: dict[int, str] = {value_key(x): f"input/input.{i}" for i, x in enumerate(inputs)}
    nodes = [NodeDef(name=names[value_key(x)], op="IO Node", attr=_shape(x)) for x in inputs]
    counts: dict[str, int] = {}
    for t in topological(outputs, calls, set(names)):
        if value_key(t) in names:
            continue
        call = calls.get(value_key(t))
        if call is not None:
            op, operands = type(call.module).__name__, call.args
            name = f"{root}/{call.name.replace('.', '/')}/{op}"
        elif t.grad_fn is not None:
            op, operands = t.grad_fn.name, [x for x in t.grad_fn.inputs if hasattr(x, "grad_fn")]
            name = f"{root}/{op}"
        else:  # a parameter, buffer or constant: not drawn
            continue
        counts[name] = counts.get(name, 0) + 1
        if counts[name] > 1:
            name = f"{name}_{counts[name] - 1}"
        names[value_key(t)] = name
        nodes.append(NodeDef(name=name, op=op, input=[names[value_key(x)] for x in operands
                                                      if value_key(x) in names],
                             attr=_shape(t)))
    for i, o in enumerate(outputs):
        nodes.append(NodeDef(name=f"output/output.{i}", op="IO Node", input=[names[value_key(o)]],
                             attr=_shape(o)))
    return GraphDef(node=nodes, versions=VersionDef(producer=22))


def _shape(t) -> dict:
    shape = AttrValue.ListValue(shape=[_shape_proto(t.shape)])
    return {"_output_shapes": AttrValue(list=shape)}


def _shape_proto(shape):
    from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto

    return TensorShapeProto(dim=[TensorShapeProto.Dim(size=int(s)) for s in shape])
