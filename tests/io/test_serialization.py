"""retrograd.save / retrograd.load: nested containers over safetensors (never pickle), the
plain state-dict layout kept, map_location and weights_only accepted, the .pt note."""
import doctest
import io
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import retrograd as rg
from retrograd import nn, optim
from retrograd.io import serialization


def _trained():
    rg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = optim.Adam(model.parameters(), lr=0.01)
    model(rg.randn(5, 3)).sum().backward()
    opt.step()
    return model, opt


def test_checkpoint_dict_round_trip_resumes_training(tmp_path):
    model, opt = _trained()
    path = tmp_path / "ckpt.safetensors"
    rg.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3,
             "history": [0.5, 0.25], "note": "run a", "best": None, "done": False}, path)
    ckpt = rg.load(path)
    assert ckpt["epoch"] == 3 and ckpt["history"] == [0.5, 0.25] and ckpt["note"] == "run a"
    assert ckpt["best"] is None and ckpt["done"] is False
    assert isinstance(ckpt["model"], OrderedDict) and list(ckpt["model"]) == \
        list(model.state_dict())
    fresh = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    fresh.load_state_dict(ckpt["model"])
    fresh_opt = optim.Adam(fresh.parameters(), lr=0.5)
    fresh_opt.load_state_dict(ckpt["optimizer"])
    assert fresh_opt.param_groups[0]["lr"] == 0.01
    x = rg.randn(5, 3)
    for m, o in ((model, opt), (fresh, fresh_opt)):
        o.zero_grad()
        m(x).sum().backward()
        o.step()
    for a, b in zip(model.parameters(), fresh.parameters()):
        np.testing.assert_array_equal(a.array, b.array)


def test_containers_keep_their_types_and_tensors_their_dtype(tmp_path):
    obj = {"t": (rg.tensor([1, 2]), [rg.tensor(2.5, dtype=rg.float64)]), 7: "int key",
           "nested": {"a": {"b": [np.arange(3, dtype=np.int32), np.float32(1.5)]}},
           "grad": rg.tensor([1.0], requires_grad=True)}
    rg.save(obj, tmp_path / "o.safetensors")
    back = rg.load(tmp_path / "o.safetensors")
    assert set(back) == {"t", 7, "nested", "grad"} and back[7] == "int key"
    assert isinstance(back["t"], tuple) and isinstance(back["t"][1], list)
    assert back["t"][0].dtype == np.int64 and back["t"][0].tolist() == [1, 2]
    assert back["t"][1][0].dtype == np.float64 and back["t"][1][0].shape == ()
    arr, scalar = back["nested"]["a"]["b"]
    assert isinstance(arr, np.ndarray) and arr.dtype == np.int32
    assert scalar == np.float32(1.5) and scalar.dtype == np.float32
    assert back["grad"].requires_grad and not back["t"][0].requires_grad


def test_single_tensor_and_module(tmp_path):
    rg.save(rg.arange(6).reshape(2, 3), tmp_path / "t.safetensors")
    t = rg.load(tmp_path / "t.safetensors")
    assert isinstance(t, rg.Tensor) and t.shape == (2, 3)
    model, _ = _trained()
    rg.save(model, tmp_path / "m.safetensors")  # a Module is saved as its state_dict
    assert list(rg.load(tmp_path / "m.safetensors")) == list(model.state_dict())


def test_state_dicts_stay_plain_safetensors(tmp_path):
    """A flat state dict keeps its key names, for safetensors and retrograd.io readers."""
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    model, _ = _trained()
    rg.save(model.state_dict(), tmp_path / "sd.safetensors")
    assert sorted(safetensors_numpy.load_file(str(tmp_path / "sd.safetensors"))) == \
        sorted(model.state_dict())
    assert list(rg.io.load(tmp_path / "sd.safetensors")) == list(model.state_dict())
    rg.save({"model": model.state_dict(), "epoch": 1}, tmp_path / "ck.safetensors")
    names = sorted(safetensors_numpy.load_file(str(tmp_path / "ck.safetensors")))
    assert names == sorted("model." + k for k in model.state_dict())


def test_file_objects(tmp_path):
    buffer = io.BytesIO()
    rg.save({"w": rg.ones(2), "step": 4}, buffer)
    buffer.seek(0)
    back = rg.load(buffer)
    assert back["step"] == 4 and back["w"].tolist() == [1.0, 1.0]


def test_unsupported_values_are_named(tmp_path):
    with pytest.raises(TypeError, match=r"'\.layers\.1'.*Linear"):
        rg.save({"layers": [1, nn.Linear(2, 2)]}, tmp_path / "bad.safetensors")
    with pytest.raises(TypeError, match="set"):
        rg.save({"s": {1, 2}}, tmp_path / "bad.safetensors")
    assert not (tmp_path / "bad.safetensors").exists()


def test_map_location_and_weights_only(tmp_path):
    path = tmp_path / "w.safetensors"
    rg.save({"w": rg.ones(2), "n": 1}, path)
    for where in (None, "cpu", {"cuda:0": "cpu"}):
        assert rg.load(path, map_location=where, weights_only=True)["w"].tolist() == [1.0, 1.0]
    assert rg.load(path, weights_only=False)["n"] == 1  # nothing to unpickle either way
    doubled = rg.load(path, map_location=lambda t, loc: t * 2)
    assert doubled["w"].tolist() == [2.0, 2.0] and doubled["n"] == 1
    with pytest.raises(RuntimeError, match="cuda.*CPU"):
        rg.load(path, map_location="cuda:0")
    with pytest.raises(TypeError, match="never unpickled"):
        rg.load(path, pickle_module=object())


def test_pt_suffix_gets_a_one_time_note(tmp_path, monkeypatch):
    monkeypatch.setattr(serialization, "_noted_pickle_suffix", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rg.save({"w": rg.ones(1)}, tmp_path / "a.pt")
        rg.save({"w": rg.ones(1)}, tmp_path / "b.pth")
        rg.save({"w": rg.ones(1)}, tmp_path / "c.safetensors")
    notes = [w for w in caught if "safetensors, not as a pickle" in str(w.message)]
    assert len(notes) == 1 and "a.pt" in str(notes[0].message)
    assert rg.load(tmp_path / "b.pth")["w"].tolist() == [1.0]


def test_torch_pickles_are_refused_with_advice(tmp_path):
    torch = pytest.importorskip("torch")
    torch.save({"w": torch.ones(2)}, tmp_path / "real.pt")
    with pytest.raises(ValueError, match="torch.save.*never unpickles.*safetensors.torch"):
        rg.load(tmp_path / "real.pt")
    (tmp_path / "bare.pt").write_bytes(b"\x80\x04K\x01.")  # pickle.dumps(1)
    with pytest.raises(ValueError, match="never unpickles"):
        rg.load(tmp_path / "bare.pt")
    with pytest.raises(FileNotFoundError, match="missing.pt"):
        rg.load(tmp_path / "missing.pt")


def test_header_length_starting_like_a_pickle_still_loads():
    """A safetensors header length whose low byte is 0x80 (a pickle's first byte) is fine."""
    buffer = io.BytesIO()
    rg.save({"k" * 10: rg.ones(1)}, buffer)
    assert buffer.getvalue()[:1] == b"\x80"
    buffer.seek(0)
    assert rg.load(buffer)["k" * 10].tolist() == [1.0]


def test_corrupt_structure_is_reported(tmp_path):
    from retrograd.io.safetensors_io import atomic_write, to_bytes
    path = tmp_path / "bad.safetensors"
    atomic_write(path, to_bytes({"a": rg.ones(1)}, {serialization.OBJECT_KEY: "{not json"},
                                reserved_ok=True))
    with pytest.raises(ValueError, match="not valid JSON"):
        rg.load(path)


def test_docstring_example():
    result = doctest.testmod(serialization)
    assert result.attempted > 0 and result.failed == 0
