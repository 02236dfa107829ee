"""`retrograd export MODEL --onnx out.onnx`: a saved model file as ONNX, run by onnxruntime."""
from __future__ import annotations

import numpy as np
import pytest

import retrograd as rg
from retrograd.cli import main
from retrograd.models.registry import build_model
from retrograd.train.model_file import save_model_file

pytest.importorskip("onnx", reason="ONNX export needs the onnx extra: pip install 'retrograd[onnx]'")
ort = pytest.importorskip("onnxruntime", reason="the round trip runs onnxruntime")


def test_export_command_writes_a_model_onnxruntime_runs(tmp_path, capsys):
    rg.manual_seed(0)
    model = build_model("lenet5", 10, 1, 28)
    spec = {"name": "lenet5", "num_classes": 10, "in_channels": 1, "image_size": 28}
    path = save_model_file(model, str(tmp_path / "model.safetensors"), spec)
    out = tmp_path / "model.onnx"
    assert main(["export", path, "--onnx", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    x = rg.randn(3, 1, 28, 28)
    (got,) = ort.InferenceSession(str(out)).run(["logits"], {"input": x.numpy()})
    model.eval()
    with rg.no_grad():
        np.testing.assert_allclose(got, model(x).numpy(), atol=1e-4)


def test_export_of_a_missing_file_is_one_line(tmp_path, capsys):
    assert main(["export", str(tmp_path / "none.safetensors"), "--onnx", str(tmp_path / "o.onnx")]) == 2
    assert "not found" in capsys.readouterr().err
