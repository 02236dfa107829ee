"""save_checkpoint / load_checkpoint: the codec, errors, atomicity, and exact resumption."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections import Counter, OrderedDict
from pathlib import Path

import numpy as np
import pytest
import safetensors.numpy

import retrograd as rg
import retrograd.io as rio
from retrograd import nn, optim
from retrograd.data import DataLoader, TensorDataset
from retrograd.io import checkpoint, safetensors_io

N_SAMPLES, STEPS, CKPT_STEP = 16, 4, 2


# ----- an exactly reproducible little training run ---------------------------------------------
def _build(seed: int, opt_name: str, batch_size: int):
    """Model, optimizer, scheduler and shuffling loader, all initialised from ``seed``."""
    rg.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.3),
                          nn.Linear(8, 1))
    if opt_name == "adam":
        opt = optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.95))
    else:
        opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
    sched = optim.lr_scheduler.MultiStepLR(opt, milestones=[1, 3, 3], gamma=0.5)
    data = np.random.default_rng(7)  # the data itself never changes
    x = data.standard_normal((N_SAMPLES, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.1).astype(np.float32)
    loader = DataLoader(TensorDataset(rg.Tensor(x), rg.Tensor(y)), batch_size=batch_size,
                        shuffle=True)  # its generator is spawned from the global one
    return model, opt, sched, loader


def _train(model, opt, sched, loader, step: int, stop: int, ckpt_path=None) -> dict[int, float]:
    """Train from ``step`` to ``stop``; save a checkpoint after step CKPT_STEP if asked."""
    losses: dict[int, float] = {}
    model.train()
    while step < stop:
        for xb, yb in loader:
            step += 1
            keep = (rg.rand(*xb.shape) > 0.2).float()  # dropout-like noise, global generator
            out = model(xb * keep)
            loss = ((out - yb) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            losses[step] = float(loss.item())
            if ckpt_path is not None and step == CKPT_STEP:
                rio.save_checkpoint(ckpt_path, model, opt, sched, epoch=0, loader=loader,
                                    extra={"step": step, "losses": losses})
            if step == stop:
                break
    return losses


def _params(model) -> dict[str, np.ndarray]:
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def _resume(path, opt_name: str, batch_size: int) -> tuple[dict, dict, dict]:
    model, opt, sched, loader = _build(12345, opt_name, batch_size)  # different everything
    info = rio.load_checkpoint(path, model, opt, sched, loader=loader)
    assert info["extra"]["step"] == CKPT_STEP
    losses = _train(model, opt, sched, loader, CKPT_STEP, STEPS)
    return losses, _params(model), opt.state_dict()


@pytest.mark.parametrize("opt_name", ["sgd", "adam"])
@pytest.mark.parametrize("batch_size", [4, 8], ids=["mid-epoch", "epoch-end"])
def test_resume_is_bit_for_bit_identical(tmp_path, opt_name, batch_size):
    path = tmp_path / "ckpt.safetensors"
    model, opt, sched, loader = _build(0, opt_name, batch_size)
    full = _train(model, opt, sched, loader, 0, STEPS, ckpt_path=path)
    full_params, full_opt = _params(model), opt.state_dict()

    fresh, _, _, _ = _build(12345, opt_name, batch_size)
    assert not np.array_equal(_params(fresh)["0.weight"], full_params["0.weight"])
    losses, params, opt_state = _resume(path, opt_name, batch_size)

    assert sorted(losses) == [3, 4]
    assert all(losses[s] == full[s] for s in (3, 4)), (losses, full)
    assert params.keys() == full_params.keys()
    for key in full_params:
        assert params[key].dtype == full_params[key].dtype
        np.testing.assert_array_equal(params[key], full_params[key], err_msg=key)
    assert params["1.num_batches_tracked"] == STEPS
    for i, state in full_opt["state"].items():
        for name, value in state.items():
            got = opt_state["state"][i][name]
            np.testing.assert_array_equal(np.asarray(getattr(got, "data", got)),
                                          np.asarray(getattr(value, "data", value)))


def test_resume_in_a_fresh_python_process(tmp_path):
    path, out = tmp_path / "ckpt.safetensors", tmp_path / "resumed.safetensors"
    model, opt, sched, loader = _build(0, "adam", 4)
    full = _train(model, opt, sched, loader, 0, STEPS, ckpt_path=path)
    script = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
              f"import numpy as np, retrograd.io as rio, test_io_checkpoint as t\n"
              f"losses, params, _ = t._resume({str(path)!r}, 'adam', 4)\n"
              f"params['__losses__'] = np.array([losses[3], losses[4]])\n"
              f"rio.save(params, {str(out)!r})\n")
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    resumed = rio.load(out)
    assert resumed.pop("__losses__").numpy().tolist() == [full[3], full[4]]
    for key, value in _params(model).items():
        np.testing.assert_array_equal(resumed[key].numpy(), value, err_msg=key)


# ----- what the file holds ---------------------------------------------------------------------
def test_checkpoint_layout(tmp_path):
    path = tmp_path / "c.safetensors"
    model, opt, sched, loader = _build(0, "adam", 4)
    _train(model, opt, sched, loader, 0, CKPT_STEP, ckpt_path=path)
    arrays = safetensors.numpy.load_file(str(path))
    for key in model.state_dict():
        assert "model." + key in arrays
    assert arrays["model.1.num_batches_tracked"].dtype == np.int64
    assert {"optim.state.0.exp_avg", "optim.state.0.exp_avg_sq"} <= set(arrays)
    with open(path, "rb") as f:
        header = json.loads(f.read(int.from_bytes(f.read(8), "little")))
    doc = json.loads(header["__metadata__"][checkpoint.META_KEY])
    assert doc["epoch"] == 0 and doc["rng"]["bit_generator"] == "PCG64"
    assert doc["loader"]["state"]["generator_state"]["bit_generator"] == "PCG64"
    assert "param_groups" in doc["optimizer"]
    # plain load sees the same tensors; a checkpoint is an ordinary safetensors file
    assert set(rio.load(path)) == set(arrays)


def test_codec_round_trips_python_types_exactly():
    value = {"t": (1, 2.5, None), "c": Counter({2: 1, 4: 2}), "od": OrderedDict(b=1, a=2),
             "ints": {0: "a", 3: [True, False]}, "tuplekey": {(1, "x"): 2},
             "np": [np.float32(0.1), np.int64(2**40), np.bool_(True)], "nan": math.nan,
             "inf": -math.inf, "big": 2**127 + 3, "arr": np.arange(3, dtype=np.int16),
             "tensor": rg.Tensor(np.ones((2, 2), np.float64)), "tag": {"__rg__": "x"},
             "dotted": {"a.b": rg.ones(1), "a": {"b": rg.zeros(1)}}}
    enc = checkpoint._Encoder()
    text = json.dumps(enc.encode(value, "extra"))
    arrays = {k: np.asarray(getattr(v, "data", v)) for k, v in enc.tensors.items()}
    out = checkpoint._decode(json.loads(text), arrays, "mem")
    assert out["t"] == (1, 2.5, None) and type(out["t"]) is tuple
    assert type(out["c"]) is Counter and out["c"] == value["c"] and out["c"][3] == 0
    assert type(out["od"]) is OrderedDict and list(out["od"]) == ["b", "a"]
    assert out["ints"] == {0: "a", 3: [True, False]} and out["tuplekey"] == {(1, "x"): 2}
    for got, want in zip(out["np"], value["np"]):
        assert type(got) is type(want) and got == want
    assert math.isnan(out["nan"]) and out["inf"] == -math.inf and out["big"] == 2**127 + 3
    assert out["arr"].dtype == np.int16 and out["arr"].tolist() == [0, 1, 2]
    assert isinstance(out["tensor"], rg.Tensor) and out["tensor"].dtype == np.float64
    assert out["tag"] == {"__rg__": "x"}
    assert out["dotted"]["a.b"].numpy().tolist() == [1.0]
    assert out["dotted"]["a"]["b"].numpy().tolist() == [0.0]


@pytest.mark.parametrize("bad", [lambda: 0, object(), b"bytes", {1, 2}])
def test_unstorable_extra_is_refused_with_its_path(tmp_path, bad):
    model, opt, sched, _ = _build(0, "sgd", 4)
    path = tmp_path / "c.safetensors"
    with pytest.raises(TypeError, match=r"extra\.cfg\.fn"):
        rio.save_checkpoint(path, model, opt, extra={"cfg": {"fn": bad}})
    assert os.listdir(tmp_path) == []


def test_model_only_checkpoint_and_restore_rng(tmp_path):
    path = tmp_path / "m.safetensors"
    model, _, _, _ = _build(0, "sgd", 4)
    rg.manual_seed(99)
    expected = rg.rand(3).numpy().copy()
    rg.manual_seed(99)
    rio.save_checkpoint(path, model, epoch=5, extra={"acc": 0.75})
    other, _, _, _ = _build(1, "sgd", 4)
    info = rio.load_checkpoint(path, other)
    assert info["epoch"] == 5 and info["extra"] == {"acc": 0.75} and info["optimizer"] is None
    np.testing.assert_array_equal(rg.rand(3).numpy(), expected)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(other.state_dict()[key].numpy(), value.numpy())
    rg.manual_seed(3)
    state = rg.default_generator.bit_generator.state
    rio.load_checkpoint(path, other, restore_rng=False)
    assert rg.default_generator.bit_generator.state == state


def test_load_checkpoint_errors(tmp_path):
    model, opt, sched, loader = _build(0, "sgd", 4)
    path = tmp_path / "m.safetensors"
    rio.save_checkpoint(path, model)
    with pytest.raises(ValueError, match="no optimizer state"):
        rio.load_checkpoint(path, model, opt)
    with pytest.raises(ValueError, match="no loader state"):
        rio.load_checkpoint(path, model, loader=loader)
    plain = tmp_path / "plain.safetensors"
    rio.save(model, plain)
    with pytest.raises(ValueError, match="not a retrograd checkpoint"):
        rio.load_checkpoint(plain, model)
    with pytest.raises(FileNotFoundError, match="missing.safetensors"):
        rio.load_checkpoint(tmp_path / "missing.safetensors", model)
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(path.read_bytes()[:-4])
    with pytest.raises(rio.CorruptFileError, match="broken.safetensors"):
        rio.load_checkpoint(broken, model)
    bad_json = tmp_path / "badjson.safetensors"
    bad_json.write_bytes(safetensors.numpy.save({"model.x": np.ones(1)},
                                                {checkpoint.META_KEY: "{oops"}))
    with pytest.raises(rio.CorruptFileError, match="badjson.safetensors"):
        rio.load_checkpoint(bad_json, model)


def test_save_checkpoint_is_atomic(tmp_path, monkeypatch):
    model, opt, sched, loader = _build(0, "adam", 4)
    path = tmp_path / "ckpt.safetensors"
    rio.save_checkpoint(path, model, opt, epoch=1)
    before = path.read_bytes()

    def fail(f, data):
        f.write(data[: len(data) // 3])
        raise OSError("simulated crash")

    monkeypatch.setattr(safetensors_io, "_write_all", fail)
    with pytest.raises(OSError, match="simulated"):
        rio.save_checkpoint(path, model, opt, epoch=2)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["ckpt.safetensors"]
    monkeypatch.undo()
    assert rio.load_checkpoint(path, model, opt)["epoch"] == 1
