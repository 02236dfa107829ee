"""Export networks to ONNX and check them with onnxruntime (needs: pip install 'retrograd[onnx]').

    python examples/export_onnx.py [--quick] [--out DIR]

Exports an MLP with BatchNorm and Dropout, LeNet-5 and ResNet-20 with a dynamic batch axis,
runs each ONNX file in onnxruntime at the example's batch size (2) and at another one (7), and
prints the largest difference from retrograd's own outputs (eval mode). --quick: LeNet-5 only.
"""
import argparse
import os

import numpy as np

import retrograd as rg
from retrograd import nn
from retrograd.models import MLP, LeNet5
from retrograd.models.resnet import CifarResNet
from retrograd.onnx import export

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--quick", action="store_true", help="LeNet-5 only")
parser.add_argument("--out", default=".", help="folder for the .onnx files")
args = parser.parse_args()

try:
    import onnxruntime
except ImportError:
    raise SystemExit("onnxruntime is not installed: pip install 'retrograd[onnx]'")

os.makedirs(args.out, exist_ok=True)
rg.manual_seed(0)
models = {"lenet5": (LeNet5(), (1, 28, 28))}
if not args.quick:
    models["mlp_bn_dropout"] = (MLP([784, 256, 10], dropout=0.2, batch_norm=True), (1, 28, 28))
    models["resnet20"] = (CifarResNet(20), (3, 32, 32))

for name, (model, shape) in models.items():
    for m in model.modules():  # running statistics away from (0, 1), as after training
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.running_mean.array[:] = np.random.default_rng(1).normal(size=m.num_features)
            m.running_var.array[:] = np.random.default_rng(2).uniform(0.5, 2, size=m.num_features)
    path = os.path.join(args.out, f"{name}.onnx")
    export(model, rg.randn(2, *shape), path, input_names=["input"], output_names=["logits"],
           dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    model.eval()
    for batch in (2, 7):
        x = rg.randn(batch, *shape)
        (got,) = session.run(None, {"input": x.numpy()})
        with rg.no_grad():
            want = model(x).numpy()
        print(f"{name:15s} batch {batch}: max |onnxruntime - retrograd| = {np.abs(got - want).max():.2e}")
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.2f} MB)")
