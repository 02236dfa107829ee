"""retrograd.io.save / load: round trips, errors, atomicity, and no code execution."""
from __future__ import annotations

import ast
import doctest
import importlib
import os
import pickle
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
import safetensors.numpy

import retrograd as rg
import retrograd.io as rio
from retrograd.io import safetensors_io

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int8", "uint8", "bool"]
SHAPES = [(), (0,), (3,), (2, 3), (2, 0, 4), (1, 2, 3, 4)]


def _array(dtype: str, shape: tuple) -> np.ndarray:
    rng = np.random.default_rng(1)
    return (rng.standard_normal(shape) * 50).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_round_trip_keeps_dtype_shape_and_values(tmp_path, dtype, shape):
    arr = _array(dtype, shape)
    path = tmp_path / "t.safetensors"
    rio.save({"x": rg.Tensor(arr)}, path)
    out = rio.load(path)["x"]
    assert isinstance(out, rg.Tensor)
    assert out.dtype == np.dtype(dtype) and out.shape == shape
    np.testing.assert_array_equal(out.numpy(), arr)


def test_load_returns_ordered_dict_in_saved_order_and_writable(tmp_path):
    sd = OrderedDict([("z.weight", rg.ones(2)), ("a.bias", rg.zeros(3, dtype=rg.float64)),
                      ("m.num_batches_tracked", rg.tensor(np.array(7, dtype=np.int64)))])
    rio.save(sd, tmp_path / "o.safetensors")
    out = rio.load(tmp_path / "o.safetensors")
    assert isinstance(out, OrderedDict) and list(out) == list(sd)
    assert out["m.num_batches_tracked"].dtype == np.int64
    assert out["m.num_batches_tracked"].shape == ()
    out["z.weight"].array += 1  # loaded arrays are ordinary writable arrays
    assert out["z.weight"].numpy().tolist() == [2.0, 2.0]


def test_numpy_arrays_noncontiguous_and_big_endian_are_stored_correctly(tmp_path):
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    sd = {"t": base.T, "s": base[::2, 1::2], "be": np.arange(5, dtype=">i8"),
          "grad": rg.Tensor(base, requires_grad=True)}
    rio.save(sd, tmp_path / "n.safetensors")
    out = rio.load(tmp_path / "n.safetensors")
    for key in ("t", "s", "be"):
        np.testing.assert_array_equal(out[key].numpy(), sd[key])
    assert out["be"].dtype == np.int64
    np.testing.assert_array_equal(out["grad"].numpy(), base)
    assert not out["grad"].requires_grad


def test_metadata_round_trip_and_validation(tmp_path):
    path = tmp_path / "m.safetensors"
    rio.save({"x": rg.ones(1)}, path, metadata={"epoch": "3", "note": "hi"})
    assert rio.load_metadata(path) == {"epoch": "3", "note": "hi"}
    with pytest.raises(TypeError, match="epoch"):
        rio.save({"x": rg.ones(1)}, path, metadata={"epoch": 3})
    with pytest.raises(ValueError, match="reserved"):
        rio.save({"x": rg.ones(1)}, path, metadata={safetensors_io.KEY_ORDER: "[]"})


@pytest.mark.parametrize("value", [3, 1.5, None, [1.0, 2.0], "text", {"a": rg.ones(1)}])
def test_non_tensor_values_refused_with_key_named(tmp_path, value):
    path = tmp_path / "bad.safetensors"
    with pytest.raises(TypeError, match="'layer.odd'"):
        rio.save({"ok": rg.ones(2), "layer.odd": value}, path)
    assert not path.exists() and os.listdir(tmp_path) == []


def test_unsupported_dtype_and_bad_keys_refused(tmp_path):
    with pytest.raises(TypeError, match="'c'.*complex128"):
        rio.save({"c": np.zeros(2, np.complex128)}, tmp_path / "c.safetensors")
    with pytest.raises(TypeError, match="keys must be strings"):
        rio.save({0: rg.ones(1)}, tmp_path / "k.safetensors")
    with pytest.raises(ValueError, match="__metadata__"):
        rio.save({"__metadata__": rg.ones(1)}, tmp_path / "k.safetensors")
    with pytest.raises(TypeError, match="state dict"):
        rio.save([rg.ones(1)], tmp_path / "k.safetensors")


def test_files_written_by_safetensors_numpy_load(tmp_path):
    path = tmp_path / "ext.safetensors"
    arrays = {"b": np.arange(3, dtype=np.int64), "a": np.ones((2, 2), np.float64)}
    safetensors.numpy.save_file(arrays, str(path))
    out = rio.load(path)
    assert sorted(out) == ["a", "b"]
    for k, v in arrays.items():
        np.testing.assert_array_equal(out[k].numpy(), v)
        assert out[k].dtype == v.dtype


def test_written_files_are_plain_safetensors(tmp_path):
    path = tmp_path / "p.safetensors"
    rio.save({"w": rg.ones(2, 2), "n": rg.tensor(np.array(1, np.int64))}, path)
    plain = safetensors.numpy.load_file(str(path))
    assert plain["w"].dtype == np.float32 and plain["n"].dtype == np.int64


def test_missing_file_raises_file_not_found_naming_path(tmp_path):
    path = tmp_path / "nope.safetensors"
    with pytest.raises(FileNotFoundError, match="nope.safetensors"):
        rio.load(path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        rio.save({"x": rg.ones(1)}, tmp_path / "no_dir" / "x.safetensors")


def _good_bytes() -> bytes:
    return safetensors_io.to_bytes({"w": rg.ones(4, 4), "b": rg.zeros(4)})


@pytest.mark.parametrize("content", [
    pytest.param(lambda b: b[:-5], id="truncated-data"),
    pytest.param(lambda b: b[:40], id="truncated-header"),
    pytest.param(lambda b: b[:5], id="shorter-than-length"),
    pytest.param(lambda b: b"", id="empty"),
    pytest.param(lambda b: b"this is not a safetensors file at all" * 3, id="garbage-text"),
    pytest.param(lambda b: bytes(np.random.default_rng(0).integers(0, 256, 500, np.uint8)),
                 id="random-bytes"),
    pytest.param(lambda b: (20).to_bytes(8, "little") + b"{not json at all!!!}", id="bad-json"),
    pytest.param(lambda b: (2).to_bytes(8, "little") + b"[]", id="json-not-object"),
    pytest.param(lambda b: b + b"trailing", id="trailing-bytes"),
])
def test_corrupt_files_raise_corrupt_file_error_naming_path(tmp_path, content):
    path = tmp_path / "broken.safetensors"
    path.write_bytes(content(_good_bytes()))
    with pytest.raises(rio.CorruptFileError, match="broken.safetensors") as info:
        rio.load(path)
    assert "not a valid safetensors file" in str(info.value)
    assert isinstance(info.value, ValueError)


class _Trap:
    """Unpickling this creates the marker file: proof that code ran."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def test_pickle_renamed_to_safetensors_is_refused_not_unpickled(tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps({"w": _Trap(str(marker))})
    sanity = tmp_path / "sanity.pkl"
    sanity.write_bytes(payload)
    pickle.loads(sanity.read_bytes())  # the trap works when unpickled ...
    assert marker.exists()
    marker.unlink()
    path = tmp_path / "model.safetensors"
    path.write_bytes(payload)
    with pytest.raises(rio.CorruptFileError, match="model.safetensors"):
        rio.load(path)
    with pytest.raises(rio.CorruptFileError, match="model.safetensors"):
        rio.load_checkpoint(path, model=_NoModel())
    assert not marker.exists()  # ... and was never unpickled by retrograd


class _NoModel:
    def load_state_dict(self, sd, strict=True):  # pragma: no cover - never reached
        raise AssertionError("should not get this far")


def test_io_package_imports_no_deserializer_that_runs_code():
    unsafe = {"pickle", "_pickle", "cPickle", "dill", "marshal", "shelve", "joblib", "torch"}
    folder = Path(safetensors_io.__file__).parent
    for source in folder.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not {n.split(".")[0] for n in names} & unsafe, (source, names)


def _fail_midway(f, data):
    f.write(data[: len(data) // 2])
    f.flush()
    raise OSError("simulated disk failure mid-write")


def test_save_is_atomic_when_the_writer_fails(tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"
    rio.save({"w": rg.ones(3)}, path)
    before = path.read_bytes()
    monkeypatch.setattr(safetensors_io, "_write_all", _fail_midway)
    with pytest.raises(OSError, match="simulated"):
        rio.save({"w": rg.zeros(300), "extra": rg.ones(50)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.safetensors"]  # no temp file left behind
    np.testing.assert_array_equal(rio.load(path)["w"].numpy(), np.ones(3, np.float32))


def test_save_is_atomic_when_interrupted(tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"
    rio.save({"w": rg.ones(3)}, path)
    before = path.read_bytes()

    def interrupt(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(safetensors_io.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        rio.save({"w": rg.zeros(3)}, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["model.safetensors"]


def test_save_overwrites_and_keeps_normal_permissions(tmp_path):
    path = tmp_path / "w.safetensors"
    rio.save({"w": rg.ones(1)}, path)
    rio.save({"w": rg.zeros(2)}, str(path))
    assert rio.load(path)["w"].shape == (2,)
    umask = os.umask(0)
    os.umask(umask)
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize("name", ["retrograd.io.safetensors_io", "retrograd.io.checkpoint"])
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
