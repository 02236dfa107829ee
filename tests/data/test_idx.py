import gzip

import numpy as np
import pytest

from retrograd.data.datasets.idx import IDXFormatError, idx_bytes, read_idx, write_idx


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32,
                                   np.float64])
@pytest.mark.parametrize("name", ["a.idx", "a.idx.gz"])
def test_roundtrip_every_dtype_raw_and_gzip(tmp_path, dtype, name):
    x = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
    write_idx(tmp_path / name, x)
    y = read_idx(tmp_path / name)
    assert y.dtype == np.dtype(dtype) and y.dtype.isnative
    np.testing.assert_array_equal(y, x)


def test_gzip_detected_by_magic_not_name(tmp_path):
    path = tmp_path / "no-extension"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(5, dtype=np.uint8))))
    np.testing.assert_array_equal(read_idx(path), np.arange(5))


def test_header_is_big_endian(tmp_path):
    data = idx_bytes(np.array([1, 256], dtype=np.int32))
    assert data[:4] == b"\x00\x00\x0c\x01" and data[4:8] == b"\x00\x00\x00\x02"
    assert data[8:] == b"\x00\x00\x00\x01\x00\x00\x01\x00"


def write(tmp_path, data, name="bad-idx"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


GOOD = idx_bytes(np.arange(12, dtype=np.uint8).reshape(3, 4))


@pytest.mark.parametrize("data,message", [
    (b"\x01\x00" + GOOD[2:], "magic"),
    (GOOD[:2] + b"\x07" + GOOD[3:], "dtype code 0x07"),
    (GOOD[:3] + b"\x00", "0 dimensions"),
    (GOOD[:3], "not an IDX file"),
    (GOOD[:9], "truncated IDX header"),
    (GOOD[:-1], "needs 12 payload bytes, found 11"),
    (GOOD + b"\x00", "data after"),
])
@pytest.mark.parametrize("compress", [False, True])
def test_corrupt_files_raise_naming_the_file(tmp_path, data, message, compress):
    path = write(tmp_path, gzip.compress(data) if compress else data)
    with pytest.raises(IDXFormatError, match=message) as err:
        read_idx(path)
    assert str(path) in str(err.value)


def test_truncated_gzip_stream(tmp_path):
    packed = gzip.compress(idx_bytes(np.random.default_rng(0).integers(0, 255, 5000, np.uint8)))
    path = write(tmp_path, packed[: len(packed) // 2], "cut.gz")
    with pytest.raises(IDXFormatError, match="cut.gz"):
        read_idx(path)


def test_corrupt_gzip_stream(tmp_path):
    packed = bytearray(gzip.compress(GOOD))
    packed[12:20] = b"\xff" * 8
    path = write(tmp_path, bytes(packed), "garbled.gz")
    with pytest.raises(IDXFormatError, match="garbled.gz"):
        read_idx(path)


def test_huge_declared_size_fails_cleanly(tmp_path):
    header = b"\x00\x00\x08\x03" + (60000).to_bytes(4, "big") * 3
    with pytest.raises(IDXFormatError, match="truncated"):
        read_idx(write(tmp_path, header + b"\x00" * 100))
