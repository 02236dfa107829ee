import gzip
import hashlib
import http.client
import io
import os
import urllib.error

import numpy as np
import pytest

from retrograd.data.datasets import (MNIST, ChecksumError, DatasetNotFoundError, download_file,
                                     idx_bytes)

URL = "https://example.invalid/files/blob.bin"
PAYLOAD = bytes(range(256)) * 5000


def sha(data):
    return hashlib.sha256(data).hexdigest()


def test_success_writes_atomically_and_verifies(tmp_path, serve):
    dest = tmp_path / "cache" / "blob.bin"
    seen_during = {}

    class Response(io.BytesIO):
        def read(self, n=-1):  # look at the folder while the download is in flight
            seen_during["dest_exists"] = dest.exists()
            seen_during["parts"] = [p.name for p in dest.parent.iterdir()]
            return super().read(n)

    serve({URL: lambda: Response(PAYLOAD)})
    assert download_file(URL, dest, sha256=sha(PAYLOAD)) == dest
    assert dest.read_bytes() == PAYLOAD
    assert seen_during["dest_exists"] is False
    assert len(seen_during["parts"]) == 1 and seen_during["parts"][0].endswith(".part")
    assert os.listdir(dest.parent) == ["blob.bin"]


def test_hash_mismatch_raises_and_leaves_no_file(tmp_path, serve):
    serve({URL: PAYLOAD})
    dest = tmp_path / "blob.bin"
    with pytest.raises(ChecksumError, match="SHA-256 mismatch"):
        download_file(URL, dest, sha256=sha(b"something else"))
    assert os.listdir(tmp_path) == []


def test_interrupted_download_leaves_no_file(tmp_path, serve):
    class Broken(io.BytesIO):
        def read(self, n=-1):
            raise http.client.IncompleteRead(b"partial")

    serve({URL: lambda: Broken(PAYLOAD)})
    with pytest.raises(DatasetNotFoundError, match="blob.bin"):
        download_file(URL, tmp_path / "blob.bin", sha256=sha(PAYLOAD))
    assert os.listdir(tmp_path) == []


def test_falls_back_to_the_next_mirror(tmp_path, serve):
    first, second = "https://a.invalid/blob.bin", "http://b.invalid/blob.bin"
    calls = serve({first: urllib.error.URLError("down"), second: PAYLOAD})
    download_file([first, second], tmp_path / "blob.bin", sha256=sha(PAYLOAD))
    assert calls == [first, second]
    assert (tmp_path / "blob.bin").read_bytes() == PAYLOAD


def test_offline_error_names_files_and_folder(tmp_path):
    root = tmp_path / "mnist-here"
    with pytest.raises(DatasetNotFoundError) as err:
        MNIST(root=root, train=False, download=True)
    text = str(err.value)
    assert "t10k-images-idx3-ubyte.gz" in text and "t10k-labels-idx1-ubyte.gz" in text
    assert str(root) in text and "network disabled" in text
    assert not any(root.iterdir())


def test_mnist_downloads_verifies_and_loads(tmp_path, serve, monkeypatch):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    labels = np.array([3, 1, 4, 1, 5], np.uint8)
    files = {"t10k-images-idx3-ubyte.gz": gzip.compress(idx_bytes(images)),
             "t10k-labels-idx1-ubyte.gz": gzip.compress(idx_bytes(labels))}
    monkeypatch.setattr(MNIST, "resources", {k: sha(v) for k, v in files.items()})
    primary, fallback = MNIST.mirrors
    calls = serve({fallback + name: data for name, data in files.items()})  # primary is down

    ds = MNIST(train=False)  # default root: $RETROGRAD_HOME/mnist
    np.testing.assert_array_equal(ds.data, images)
    np.testing.assert_array_equal(ds.targets, labels)
    assert sorted(os.listdir(tmp_path / "home" / "mnist")) == sorted(files)
    assert calls[0].startswith(primary) and calls[1].startswith(fallback)

    serve({})  # already cached: no network needed
    assert len(MNIST(train=False)) == 5


def test_mnist_download_with_bad_digest_raises(tmp_path, serve):
    serve({m + n: b"not the file" for m in MNIST.mirrors for n in MNIST.resources})
    with pytest.raises(ChecksumError):
        MNIST(root=tmp_path, train=False)
    assert os.listdir(tmp_path) == []

