"""Malformed safetensors headers, checkpoints and model files raise the documented
CorruptFileError naming the file, never TypeError, RecursionError or MemoryError."""
import json
import struct

import pytest

import retrograd as rg
from retrograd import nn, optim
from retrograd.io import CorruptFileError, load, load_checkpoint, save, save_checkpoint
from retrograd.io.safetensors_io import read_file
from retrograd.models.registry import build_model
from retrograd.train.model_file import load_model_file, save_model_file

DEEP = "[" * 50_000 + "]" * 50_000


def _rewrite_metadata(path, key, value):
    data = path.read_bytes()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    header["__metadata__"][key] = value
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + data[8 + n:])


@pytest.mark.parametrize("key_order", ["[1, 2]", '["w", 3]', "{}", DEEP, "not json"])
def test_bad_key_order_metadata(tmp_path, key_order):
    path = tmp_path / "w.safetensors"
    save({"w": rg.ones(2), "v": rg.zeros(1)}, path)
    _rewrite_metadata(path, "retrograd.key_order", key_order)
    with pytest.raises(CorruptFileError, match="w.safetensors.*key_order"):
        load(path)


def test_deeply_nested_header(tmp_path):
    path = tmp_path / "deep.safetensors"
    path.write_bytes(struct.pack("<Q", len(DEEP)) + DEEP.encode())
    with pytest.raises(CorruptFileError, match="deep.safetensors"):
        load(path)


@pytest.mark.parametrize("change", [{"model_keys": [1]}, {"epoch": "x"}, {"extra": DEEP},
                                    {"optimizer": [1]},
                                    {"extra": {"__rg__": "dict", "items": [[[1], 2]]}}])
def test_malformed_checkpoint_document(tmp_path, change):
    path = tmp_path / "c.safetensors"
    model = nn.Linear(2, 1)
    save_checkpoint(path, model, optim.SGD(model.parameters(), lr=0.1))
    doc = json.loads(read_file(path)[1]["retrograd.checkpoint"])
    text = json.dumps({**doc, **change})
    if change.get("extra") == DEEP:
        text = text.replace(json.dumps(DEEP), DEEP)
    _rewrite_metadata(path, "retrograd.checkpoint", text)
    with pytest.raises(CorruptFileError, match="c.safetensors"):
        load_checkpoint(path, model, optim.SGD(model.parameters(), lr=0.1))


@pytest.mark.parametrize("change,needle", [({"num_classes": 10**12}, "num_classes"),
                                           ({"name": 5}, "model name"),
                                           ({"kwargs": {"hidden": [10**9]}}, "kwargs"),
                                           ({"kwargs": {"evil": 1}}, "disagree"),
                                           ({"in_channels": 3}, "does not match"),
                                           ({"image_size": 10**9}, "image_size")])
def test_model_file_description_is_checked_before_building(tmp_path, change, needle):
    path = tmp_path / "m.safetensors"
    spec = {"name": "mlp", "num_classes": 10, "in_channels": 1, "image_size": 28,
            "kwargs": {"hidden": [4]}}
    save_model_file(build_model("mlp", 10, 1, 28, hidden=[4]), str(path), spec)
    assert load_model_file(str(path))[1]["num_classes"] == 10
    _rewrite_metadata(path, "retrograd_model", json.dumps({**spec, **change}))
    with pytest.raises(CorruptFileError, match=f"m.safetensors.*{needle}"):
        load_model_file(str(path))
