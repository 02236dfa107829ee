"""Read and write IDX files, the format of MNIST and Fashion-MNIST (raw or gzip-compressed).

Layout: two zero bytes, a dtype code, the number of dimensions, one big-endian uint32 per
dimension, then the big-endian payload. Every field is checked; errors name the file.
"""
from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from typing import BinaryIO

import numpy as np

IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8"),
}
GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 22
MAX_DIMS = 32


class IDXFormatError(ValueError):
    """An IDX file is corrupt, truncated or not an IDX file."""


def _read_exact(stream: BinaryIO, n: int) -> bytearray:
    """Read up to ``n`` bytes in chunks (never allocating more than is really there)."""
    buf = bytearray()
    while len(buf) < n:
        chunk = stream.read(min(_CHUNK, n - len(buf)))
        if not chunk:
            break
        buf += chunk
    return buf


def _parse(stream: BinaryIO, name: str) -> np.ndarray:
    head = _read_exact(stream, 4)
    if len(head) < 4:
        raise IDXFormatError(f"{name}: not an IDX file (only {len(head)} bytes, the header "
                             "needs 4)")
    if head[0] != 0 or head[1] != 0:
        raise IDXFormatError(f"{name}: bad IDX magic number 0x{bytes(head).hex()} (expected "
                             "two zero bytes, a dtype code and the number of dimensions)")
    code, ndim = head[2], head[3]
    if code not in IDX_DTYPES:
        raise IDXFormatError(f"{name}: unknown IDX dtype code 0x{code:02x} (known: "
                             f"{', '.join(f'0x{c:02x}' for c in IDX_DTYPES)})")
    if ndim == 0:
        raise IDXFormatError(f"{name}: IDX header declares 0 dimensions")
    raw_dims = _read_exact(stream, 4 * ndim)
    if len(raw_dims) < 4 * ndim:
        raise IDXFormatError(f"{name}: truncated IDX header ({ndim} dimensions declared, "
                             f"{len(raw_dims)} of {4 * ndim} size bytes present)")
    if ndim > MAX_DIMS:
        raise IDXFormatError(f"{name}: IDX header declares {ndim} dimensions (at most "
                             f"{MAX_DIMS} are supported)")
    dims = struct.unpack(f">{ndim}I", raw_dims)
    dtype = IDX_DTYPES[code]
    if math.prod(max(d, 1) for d in dims) * dtype.itemsize >= 1 << 62:
        raise IDXFormatError(f"{name}: IDX header declares shape {dims}, too large for any "
                             "array (corrupt header)")
    expected = math.prod(dims) * dtype.itemsize  # Python ints: no overflow
    payload = _read_exact(stream, expected)
    if len(payload) < expected:
        raise IDXFormatError(f"{name}: truncated IDX file: shape {dims} of {dtype.name} needs "
                             f"{expected} payload bytes, found {len(payload)}")
    if stream.read(1):
        raise IDXFormatError(f"{name}: IDX file has data after the {expected} payload bytes "
                             f"of shape {dims} (corrupt header or wrong file)")
    array = np.frombuffer(payload, dtype=dtype).reshape(dims)
    return array if dtype.itemsize == 1 else array.astype(dtype.newbyteorder("="))


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (gzip detected by its magic bytes) into a native-endian array.

    Returns an array of the declared shape, e.g. uint8 (N, 28, 28) for MNIST images.
    Raises ``IDXFormatError`` naming the file if it is corrupt or truncated.
    """
    name = os.fspath(path)
    with open(name, "rb") as f:
        compressed = f.read(2) == GZIP_MAGIC
        f.seek(0)
        if not compressed:
            return _parse(f, name)
        try:
            with gzip.GzipFile(fileobj=f) as gz:
                return _parse(gz, name)
        except (EOFError, OSError, zlib.error) as err:  # BadGzipFile is an OSError
            raise IDXFormatError(f"{name}: corrupt or truncated gzip data ({err})") from err


def idx_bytes(array: np.ndarray) -> bytes:
    """The (uncompressed) IDX encoding of ``array``."""
    array = np.asarray(array)
    codes = {dt.newbyteorder("="): code for code, dt in IDX_DTYPES.items()}
    code = codes.get(array.dtype.newbyteorder("="))
    if code is None:
        raise TypeError(f"idx_bytes: dtype {array.dtype} has no IDX code")
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"idx_bytes: need 1 to 255 dimensions, got shape {array.shape}")
    return (struct.pack(">BBBB", 0, 0, code, array.ndim)
            + struct.pack(f">{array.ndim}I", *array.shape)
            + array.astype(IDX_DTYPES[code], copy=False).tobytes())


def write_idx(path: str | os.PathLike, array: np.ndarray, compress: bool | None = None) -> None:
    """Write ``array`` as an IDX file; gzip it when ``compress`` (default: name ends '.gz')."""
    data = idx_bytes(array)
    name = os.fspath(path)
    if compress if compress is not None else name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    with open(name, "wb") as f:
        f.write(data)
