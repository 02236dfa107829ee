"""Files are interchangeable with PyTorch: same key names, dtypes and values (torch optional)."""
from __future__ import annotations

import numpy as np
import pytest

import retrograd as rg
import retrograd.io as rio
from retrograd import nn

torch = pytest.importorskip("torch")
safetensors_torch = pytest.importorskip("safetensors.torch")


def _rg_model():
    return nn.Sequential(nn.Linear(5, 4), nn.BatchNorm1d(4), nn.Linear(4, 3))


def _torch_model():
    tnn = torch.nn
    return tnn.Sequential(tnn.Linear(5, 4), tnn.BatchNorm1d(4), tnn.Linear(4, 3))


def _x() -> np.ndarray:
    return np.random.default_rng(3).standard_normal((6, 5)).astype(np.float32)


def _rg_out(model) -> np.ndarray:
    model.eval()
    with rg.no_grad():
        return model(rg.Tensor(_x())).numpy()


def _torch_out(model) -> np.ndarray:
    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(_x())).numpy()


def test_key_names_and_dtypes_match_pytorch():
    ours, theirs = _rg_model().state_dict(), _torch_model().state_dict()
    assert list(ours) == list(theirs)
    for key in theirs:
        assert ours[key].shape == tuple(theirs[key].shape), key
        assert str(ours[key].dtype) == str(theirs[key].dtype).replace("torch.", ""), key


def test_retrograd_file_loads_into_torch(tmp_path):
    model = _rg_model()
    model.train()
    for _ in range(3):  # move BatchNorm's running stats and num_batches_tracked off their init
        model(rg.Tensor(_x() * 2 + 1))
    path = tmp_path / "rg.safetensors"
    rio.save_model(model, path)
    loaded = safetensors_torch.load_file(str(path))
    assert loaded["1.num_batches_tracked"].dtype == torch.int64
    assert int(loaded["1.num_batches_tracked"]) == 3
    tmodel = _torch_model()
    tmodel.load_state_dict(loaded, strict=True)
    np.testing.assert_allclose(_torch_out(tmodel), _rg_out(model), rtol=1e-5, atol=1e-6)


def test_torch_file_loads_into_retrograd(tmp_path):
    torch.manual_seed(0)
    tmodel = _torch_model()
    tmodel.train()
    with torch.no_grad():
        for _ in range(2):
            tmodel(torch.from_numpy(_x() * 3 - 1))
    path = tmp_path / "torch.safetensors"
    safetensors_torch.save_file(tmodel.state_dict(), str(path), metadata={"format": "pt"})
    model = _rg_model()
    rio.load_model(model, path, strict=True)
    sd = model.state_dict()
    assert sd["1.num_batches_tracked"].dtype == np.int64
    assert int(sd["1.num_batches_tracked"].item()) == 2
    np.testing.assert_array_equal(sd["1.running_var"].numpy(),
                                  tmodel.state_dict()["1.running_var"].numpy())
    np.testing.assert_allclose(_rg_out(model), _torch_out(tmodel), rtol=1e-5, atol=1e-6)
    assert rio.load_metadata(path) == {"format": "pt"}


def test_float64_and_int_tensors_cross_over(tmp_path):
    path = tmp_path / "mixed.safetensors"
    rio.save({"d": np.linspace(0, 1, 7), "i": np.arange(4, dtype=np.int32)}, path)
    loaded = safetensors_torch.load_file(str(path))
    assert loaded["d"].dtype == torch.float64 and loaded["i"].dtype == torch.int32
    np.testing.assert_array_equal(loaded["d"].numpy(), np.linspace(0, 1, 7))


def test_bfloat16_from_torch_is_refused_clearly(tmp_path):
    path = tmp_path / "bf16.safetensors"
    safetensors_torch.save_file({"w": torch.ones(2, dtype=torch.bfloat16)}, str(path))
    with pytest.raises(ValueError, match=r"bf16\.safetensors.*'w'.*BF16"):
        rio.load(path)
