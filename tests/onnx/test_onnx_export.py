"""ONNX export: onnx.checker accepts the models and onnxruntime reproduces retrograd's outputs
within 1e-4, at the example's batch size and at another one (dynamic batch axis)."""
from __future__ import annotations

import io

import numpy as np
import pytest

import retrograd as rg
from retrograd import nn
from retrograd.models import MLP, LeNet5
from retrograd.models.resnet import CifarResNet

onnx = pytest.importorskip("onnx", reason="ONNX export needs the onnx extra: pip install 'retrograd[onnx]'")
ort = pytest.importorskip("onnxruntime", reason="the round trips run onnxruntime: pip install onnxruntime")

from retrograd.onnx import ExportError, export  # noqa: E402

DYNAMIC = {"input": {0: "batch"}, "output": {0: "batch"}}


def _round_trip(model, example, other, **kwargs):
    """Export, check, run both batches through onnxruntime; returns the ModelProto."""
    buf = io.BytesIO()
    proto = export(model, example, buf, input_names=["input"], output_names=["output"],
                   dynamic_axes=DYNAMIC, **kwargs)
    onnx.checker.check_model(onnx.load_from_string(buf.getvalue()), full_check=True)
    model.exported_in_training_mode = model.training
    session = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])
    model.eval()
    for x in (example, other):
        with rg.no_grad():
            want = model(x).numpy()
        (got,) = session.run(None, {"input": x.numpy()})
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, atol=1e-4, rtol=1e-4)
    return proto


def _randomize_batch_norm(model):
    """Running statistics away from (0, 1), so that eval-mode BatchNorm is really tested."""
    rng = np.random.default_rng(0)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.running_mean.array[:] = rng.normal(size=m.num_features)
            m.running_var.array[:] = rng.uniform(0.5, 2.0, size=m.num_features)
            m.bias.array[:] = rng.normal(size=m.num_features)
    return model


def test_mlp_with_batch_norm_and_dropout():
    rg.manual_seed(0)
    model = _randomize_batch_norm(MLP([784, 32, 16, 10], dropout=0.3, batch_norm=True))
    model.train()
    proto = _round_trip(model, rg.randn(4, 1, 28, 28), rg.randn(9, 1, 28, 28))
    ops = [n.op_type for n in proto.graph.node]
    assert ops.count("BatchNormalization") == 2 and "Dropout" not in ops
    assert model.exported_in_training_mode  # the export's eval mode is undone
    names = {i.name for i in proto.graph.initializer}
    assert {"1.weight", "1.bias", "2.running_mean", "2.running_var"} <= names  # state_dict keys


def test_lenet5():
    rg.manual_seed(1)
    _round_trip(LeNet5(), rg.randn(2, 1, 28, 28), rg.randn(5, 1, 28, 28))


def test_resnet20_residual_additions_and_strided_shortcut():
    rg.manual_seed(2)
    model = _randomize_batch_norm(CifarResNet(20))
    proto = _round_trip(model, rg.randn(2, 3, 32, 32), rg.randn(3, 3, 32, 32))
    ops = [n.op_type for n in proto.graph.node]
    assert ops.count("Add") == 9 and "Slice" in ops and "Pad" in ops  # 9 blocks, shortcut A


class Mixed(nn.Module):
    """Every layer kind and the glue ops: grouped and dilated convs, transposed conv, pools,
    LayerNorm, activations, permute, cat, slicing, reshape, reductions."""

    def __init__(self):
        super().__init__()
        self.conv1d = nn.Conv1d(4, 8, 3, padding=2, dilation=2, groups=2)
        self.conv = nn.Conv2d(3, 6, 3, padding="same", padding_mode="reflect")
        self.grouped = nn.Conv2d(6, 6, 3, stride=2, padding=1, groups=3, bias=False)
        self.up = nn.ConvTranspose2d(6, 4, 3, stride=2, padding=1, output_padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)  # 8 -> 5
        self.avg = nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)  # 8 -> 4
        self.adaptive = nn.AdaptiveAvgPool2d((2, 2))  # from 5 x 5: uneven windows
        self.pool1d = nn.MaxPool1d(2)
        self.avg1d = nn.AvgPool1d(2)
        self.global1d = nn.AdaptiveAvgPool1d(1)
        self.norm = nn.LayerNorm(24)
        self.acts = nn.Sequential(nn.ELU(), nn.GELU(), nn.SiLU(), nn.Softplus(beta=2.0),
                                  nn.LeakyReLU(0.1), nn.Tanh(), nn.Sigmoid())
        self.gelu_tanh = nn.GELU(approximate="tanh")
        self.drop = nn.Dropout2d(0.5)
        self.head = nn.Linear(24, 5)
        self.out = nn.LogSoftmax(dim=1)

    def forward(self, x):
        n = x.shape[0]
        seq = x[:, :, 0, :].reshape(n, 4, 6)  # (N, 3, 8) -> (N, 4, 6): slicing, reshape
        s = self.pool1d(self.conv1d(seq))  # (N, 8, 3)
        s = rg.cat([self.avg1d(s[..., :2]), self.global1d(s)], dim=2).flatten(1)  # (N, 16)
        y = self.drop(self.grouped(self.conv(x).relu()))  # (N, 6, 4, 4)
        y = self.bn(self.up(y))  # (N, 4, 8, 8)
        a = self.adaptive(self.pool(y)).flatten(1)  # (N, 16)
        b = self.avg(y).permute(0, 2, 3, 1).mean(dim=(1, 2))  # (N, 4)
        b = b + rg.nn.functional.avg_pool2d(y, 2, divisor_override=3).amin(dim=(2, 3))
        z = rg.cat([a[:, :12], b, s[:, ::2]], dim=1) * 0.5 + 1.0  # (N, 24)
        z = self.acts(self.norm(z)) - self.gelu_tanh(z).clamp(-1, 1) / 2
        return self.out(self.head(z) + z.amax(dim=1, keepdim=True))


@pytest.mark.parametrize("opset", [13, 17, 18])
def test_mixed_conv_net_covers_every_layer_and_the_glue_ops(opset):
    rg.manual_seed(3)
    model = _randomize_batch_norm(Mixed())
    proto = _round_trip(model, rg.randn(2, 3, 8, 8), rg.randn(6, 3, 8, 8), opset_version=opset)
    assert proto.opset_import[0].version == opset
    ops = {n.op_type for n in proto.graph.node}
    assert {"Conv", "ConvTranspose", "MaxPool", "AveragePool", "GlobalAveragePool", "MatMul",
            "Concat", "Transpose", "Slice", "Gather", "Clip", "ReduceMin"} <= ops
    assert ("LayerNormalization" in ops) == (opset >= 17)


def test_functional_convolutions():
    class Functional(nn.Module):
        def __init__(self):
            super().__init__()
            self.w2 = nn.Parameter(rg.randn(4, 1, 3, 3).array)
            self.w1 = nn.Parameter(rg.randn(2, 4, 3).array)

        def forward(self, x):
            y = rg.nn.functional.conv2d(x, self.w2, None, stride=2, padding=(1, 2), groups=1)
            return rg.nn.functional.conv1d(y.flatten(2), self.w1, dilation=2)

    rg.manual_seed(6)
    _round_trip(Functional(), rg.randn(2, 1, 7, 6), rg.randn(3, 1, 7, 6))


def test_embedding_with_integer_input():
    rg.manual_seed(4)
    model = nn.Sequential(nn.Embedding(20, 6), nn.Flatten(), nn.Linear(18, 2))
    _round_trip(model, rg.tensor(np.array([[1, 5, 19], [0, 2, 3]])),
                rg.tensor(np.array([[7, 7, 7]] * 5)))


def test_functional_lookup_reads_the_input_indices():
    class Lookup(nn.Module):
        def __init__(self):
            super().__init__()
            self.table = nn.Parameter(rg.randn(10, 3).array)

        def forward(self, idx):
            return self.table[idx].sum(1)

    _round_trip(Lookup(), rg.tensor(np.array([[1, 2], [3, 4]])), rg.tensor(np.array([[9, 0]] * 3)))


def test_static_shape_without_dynamic_axes_and_opset_16_layer_norm(tmp_path):
    rg.manual_seed(5)
    model = nn.Sequential(nn.Linear(4, 8), nn.LayerNorm(8), nn.ReLU())
    x = rg.randn(3, 4)
    path = tmp_path / "m.onnx"
    export(model, x, str(path), opset_version=16)
    proto = onnx.load(str(path))
    assert proto.opset_import[0].version == 16
    dims = [d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim]
    assert dims == [3, 4] and proto.graph.input[0].name == "input"
    (got,) = ort.InferenceSession(str(path)).run(None, {"input": x.numpy()})
    with rg.no_grad():
        np.testing.assert_allclose(got, model(x).numpy(), atol=1e-5)


def test_index_select_and_gather():
    class Picks(nn.Module):
        def forward(self, x):
            return rg.gather(x.index_select(1, rg.tensor(np.array([0, 2]))), 1,
                             rg.tensor(np.array([[1], [0]])))

    x = rg.randn(2, 3)
    buf = io.BytesIO()
    export(Picks(), x, buf)
    (got,) = ort.InferenceSession(buf.getvalue()).run(None, {"input": x.numpy()})
    np.testing.assert_array_equal(got, x.numpy()[[0, 1], [2, 0]][:, None])


def test_an_op_without_converter_is_named():
    from retrograd.autograd.function import Function

    class Cube(Function):
        def forward(self, x):
            return x ** 3

        def backward(self, g):
            return g * 3 * self.inputs[0] ** 2

    class Odd(nn.Module):
        def forward(self, x):
            return Cube.apply(x.relu())

    with pytest.raises(ExportError, match="'Cube'"):
        export(Odd(), rg.randn(2, 3), io.BytesIO())


def test_bad_arguments():
    with pytest.raises(TypeError, match="must be Tensors"):
        export(nn.Linear(2, 2), np.zeros((1, 2)), io.BytesIO())
    with pytest.raises(ValueError, match="opset_version"):
        export(nn.Linear(2, 2), rg.randn(1, 2), io.BytesIO(), opset_version=9)
