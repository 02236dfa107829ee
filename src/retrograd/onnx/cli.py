"""``retrograd export MODEL --onnx out.onnx``: a model file written by ``retrograd train`` as
ONNX, with a dynamic batch dimension (input ``input`` (N, C, H, W), output ``logits`` (N, K))."""
from __future__ import annotations


def add_export_parser(sub) -> None:
    """Register ``export`` on the ``retrograd`` command's subparsers."""
    from .export import DEFAULT_OPSET, MIN_OPSET

    p = sub.add_parser("export", help="export a trained model to ONNX",
                       description="Write a model file made by 'retrograd train' as an ONNX "
                                   "model with a dynamic batch dimension: input 'input' "
                                   "(N, C, H, W), output 'logits' (N, classes).")
    p.add_argument("model", help="a model file written by `retrograd train` (model.safetensors)")
    p.add_argument("--onnx", required=True, metavar="OUT", help="where to write the ONNX model")
    p.add_argument("--opset", type=int, default=None,
                   help=f"ONNX opset version, {MIN_OPSET} or later (default: {DEFAULT_OPSET})")
    p.set_defaults(run=run_export)


def run_export(args) -> int:
    """Export the model file ``args.model`` to ``args.onnx``."""
    import numpy as np

    from .. import tensor
    from ..train.model_file import load_model_file
    from . import ExportError, export

    model, spec = load_model_file(args.model)
    size, channels = spec["image_size"], spec["in_channels"]
    example = tensor(np.zeros((1, channels, size, size), dtype=np.float32))
    try:
        proto = export(model, example, args.onnx, input_names=["input"], output_names=["logits"],
                       opset_version=args.opset,
                       dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    except ExportError as e:
        raise ValueError(str(e)) from None
    print(f"wrote {args.onnx}: {spec['name']} as ONNX opset {proto.opset_import[0].version}, "
          f"{len(proto.graph.node)} nodes; input 'input' (N, {channels}, {size}, {size}), "
          f"output 'logits' (N, {spec['num_classes']})")
    return 0
