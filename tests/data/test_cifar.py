import builtins
import hashlib
import os
import pickle
import tarfile

import numpy as np
import pytest

from retrograd.data import DataLoader, DatasetNotFoundError, load_dataset
from retrograd.data.datasets import CIFAR10, CIFAR100, UnsafeFileError, safe_load


def batch(n, seed, label_key=b"labels", classes=10, **extra):
    rng = np.random.default_rng(seed)
    out = {b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
           label_key: rng.integers(0, classes, n).tolist(), b"batch_label": b"test batch"}
    out.update({k.encode(): v for k, v in extra.items()})
    return out


def write_cifar10(folder, per_batch=4):
    base = folder / "cifar-10-batches-py"
    base.mkdir(parents=True)
    batches = {f"data_batch_{i}": batch(per_batch, i) for i in range(1, 6)}
    batches["test_batch"] = batch(per_batch + 1, 99)
    for name, b in batches.items():
        (base / name).write_bytes(pickle.dumps(b, protocol=2))
    meta = {b"label_names": [f"class{i}".encode() for i in range(10)], b"num_vis": 3072}
    (base / "batches.meta").write_bytes(pickle.dumps(meta, protocol=2))
    return batches


def write_cifar100(folder):
    base = folder / "cifar-100-python"
    base.mkdir(parents=True)
    coarse = {"train": [1, 19, 0], "test": [5, 6]}
    for split, n in (("train", 3), ("test", 2)):
        b = batch(n, n, label_key=b"fine_labels", classes=100, coarse_labels=coarse[split])
        (base / split).write_bytes(pickle.dumps(b))
    meta = {b"fine_label_names": [f"f{i}".encode() for i in range(100)],
            b"coarse_label_names": [f"c{i}".encode() for i in range(20)]}
    (base / "meta").write_bytes(pickle.dumps(meta))


def make_tar(folder, archive, arcname):
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname=arcname)
    return archive


def test_cifar10_from_folder_layout_and_pixels(tmp_path):
    batches = write_cifar10(tmp_path)
    train = CIFAR10(root=tmp_path, train=True, download=False)
    assert train.data.shape == (20, 32, 32, 3) and train.data.dtype == np.uint8
    assert train.classes == [f"class{i}" for i in range(10)]
    row = batches["data_batch_2"][b"data"][1]  # sample 5: R plane, G plane, B plane
    for c, h, w in [(0, 0, 0), (1, 5, 7), (2, 31, 30)]:
        assert train.data[5, h, w, c] == row[c * 1024 + h * 32 + w]
    expected_labels = sum((batches[f"data_batch_{i}"][b"labels"] for i in range(1, 6)), [])
    np.testing.assert_array_equal(train.targets, expected_labels)
    assert train.targets.dtype == np.int64
    test = CIFAR10(root=tmp_path, train=False, download=False)
    assert len(test) == 5


def test_cifar10_samples_are_chw_unit_floats_and_match_batches(tmp_path):
    write_cifar10(tmp_path)
    ds = CIFAR10(root=tmp_path, download=False)
    image, label = ds[3]
    assert image.shape == (3, 32, 32) and image.dtype == np.float32 and isinstance(label, int)
    np.testing.assert_array_equal(image, ds.data[3].transpose(2, 0, 1) / np.float32(255))
    x, y = next(iter(DataLoader(ds, batch_size=20)))
    np.testing.assert_array_equal(x.numpy()[3], image)
    assert x.shape == (20, 3, 32, 32)


def test_cifar10_from_the_tar_gz_equals_folder(tmp_path):
    write_cifar10(tmp_path / "src")
    archive_root = tmp_path / "arch"
    archive_root.mkdir()
    make_tar(tmp_path / "src" / "cifar-10-batches-py", archive_root / "cifar-10-python.tar.gz",
             "cifar-10-batches-py")
    from_tar = CIFAR10(root=archive_root, download=False)
    from_dir = CIFAR10(root=tmp_path / "src", download=False)
    np.testing.assert_array_equal(from_tar.data, from_dir.data)
    np.testing.assert_array_equal(from_tar.targets, from_dir.targets)
    assert os.listdir(archive_root) == ["cifar-10-python.tar.gz"]  # nothing extracted


def test_cifar10_download_is_verified(tmp_path, serve, monkeypatch):
    write_cifar10(tmp_path / "src")
    blob = make_tar(tmp_path / "src" / "cifar-10-batches-py", tmp_path / "x.tar.gz",
                    "cifar-10-batches-py").read_bytes()
    monkeypatch.setattr(CIFAR10, "archive_sha256", hashlib.sha256(blob).hexdigest())
    serve({"https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz": blob})
    ds = CIFAR10(train=False)
    assert len(ds) == 5
    assert (tmp_path / "home" / "cifar10" / "cifar-10-python.tar.gz").read_bytes() == blob


def test_cifar_offline_names_archive_and_folder(tmp_path):
    with pytest.raises(DatasetNotFoundError) as err:
        CIFAR100(root=tmp_path / "c100")
    assert "cifar-100-python.tar.gz" in str(err.value) and str(tmp_path / "c100") in str(err.value)


def test_cifar100_fine_and_coarse_labels(tmp_path):
    write_cifar100(tmp_path)
    train = CIFAR100(root=tmp_path, download=False)
    assert len(train) == 3 and len(train.classes) == 100 and train.classes[7] == "f7"
    assert train.targets.max() < 100
    np.testing.assert_array_equal(train.coarse_targets, [1, 19, 0])
    assert type(load_dataset(tmp_path, train=False)) is CIFAR100


def test_python2_style_str_keys_are_accepted(tmp_path):
    base = tmp_path / "cifar-10-batches-py"
    base.mkdir()
    b = {"data": np.zeros((2, 3072), np.uint8), "labels": [4, 2]}
    for name in [f"data_batch_{i}" for i in range(1, 6)]:
        (base / name).write_bytes(pickle.dumps(b, protocol=2))
    np.testing.assert_array_equal(CIFAR10(root=tmp_path, download=False).targets[:2], [4, 2])


@pytest.mark.parametrize("bad,match", [
    ({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}, "uint8 array"),
    ({b"data": np.zeros((2, 3072), np.float32), b"labels": [0, 1]}, "uint8 array"),
    ({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0]}, "labels of shape"),
    ({b"labels": [0]}, "missing key"),
    ([1, 2, 3], "expected a dict"),
])
def test_malformed_batches_are_rejected(tmp_path, bad, match):
    write_cifar10(tmp_path)
    (tmp_path / "cifar-10-batches-py" / "data_batch_3").write_bytes(pickle.dumps(bad))
    with pytest.raises(ValueError, match=match) as err:
        CIFAR10(root=tmp_path, download=False)
    assert "data_batch_3" in str(err.value)


def test_bad_meta_file_is_rejected(tmp_path):
    write_cifar10(tmp_path)
    (tmp_path / "cifar-10-batches-py" / "batches.meta").write_bytes(pickle.dumps({b"x": 1}))
    with pytest.raises(ValueError, match="batches.meta.*label_names"):
        CIFAR10(root=tmp_path, download=False)


class RunsCode:
    """Unpickling this calls ``func(*args)``."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def exec_payload(marker):
    return pickle.dumps({b"data": RunsCode(builtins.exec, f"open({str(marker)!r}, 'w').close()"),
                         b"labels": [0]})


def test_the_exec_payload_really_runs_code_under_plain_pickle(tmp_path):
    marker = tmp_path / "control-marker"
    pickle.loads(exec_payload(marker))  # control: shows the payload is live
    assert marker.exists()


@pytest.mark.parametrize("kind", ["exec", "os.system", "eval"])
def test_malicious_batch_is_refused_without_running_code(tmp_path, kind):
    write_cifar10(tmp_path)
    marker = tmp_path / "pwned"
    payload = {
        "exec": exec_payload(marker),
        "os.system": pickle.dumps(RunsCode(os.system, f"touch {marker}")),
        "eval": pickle.dumps([RunsCode(builtins.eval, f"open({str(marker)!r}, 'w')")]),
    }[kind]
    (tmp_path / "cifar-10-batches-py" / "data_batch_1").write_bytes(payload)
    with pytest.raises(UnsafeFileError, match="data_batch_1.*refusing") as err:
        CIFAR10(root=tmp_path, download=False)
    assert ("exec" in str(err.value) or "system" in str(err.value) or "eval" in str(err.value))
    assert not marker.exists()


def test_safe_load_allows_arrays_and_containers_only():
    value = {"a": np.arange(6, dtype=np.int16).reshape(2, 3), "b": [1, 2.5, "x", b"y", (None,)]}
    out = safe_load(pickle.dumps(value))
    np.testing.assert_array_equal(out["a"], value["a"])
    assert out["b"] == value["b"]
    with pytest.raises(UnsafeFileError, match="collections.OrderedDict"):
        import collections
        safe_load(pickle.dumps(collections.OrderedDict(a=1)))
    with pytest.raises(pickle.UnpicklingError, match="corrupt"):
        safe_load(pickle.dumps(value)[:-5], "cut.pkl")


# A Python-2 protocol-2 pickle as in the official batches: byte strings as SHORT_BINSTRING,
# the array through numpy.core.multiarray._reconstruct + ndarray.__setstate__.
PY2_BATCH = (
    b"\x80\x02}q\x00(U\x04dataq\x01cnumpy.core.multiarray\n_reconstruct\nq\x02cnumpy\nndarray"
    b"\nq\x03K\x00\x85U\x01b\x87Rq\x04(K\x01K\x02K\x03\x86cnumpy\ndtype\nq\x05U\x02u1K\x00K\x01"
    b"\x87Rq\x06(K\x03U\x01|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tbI00\nU\x06\x01\x02\x03"
    b"\x04\x05\xfftbU\x06labelsq\x07]q\x08(K\x01K\x02eu.")


def test_python2_pickle_of_an_array_loads():
    out = safe_load(PY2_BATCH)
    np.testing.assert_array_equal(out["data"], [[1, 2, 3], [4, 5, 255]])
    assert out["data"].dtype == np.uint8 and out["labels"] == [1, 2]


def test_codecs_shim_only_decodes_latin1():
    payload = pickle.dumps(RunsCode(__import__("_codecs").encode, "x", "rot13"), protocol=2)
    with pytest.raises(UnsafeFileError, match="evil.pkl.*rot13"):
        safe_load(payload, "evil.pkl")
