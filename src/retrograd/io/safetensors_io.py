"""Saving and loading state dicts as safetensors files, with PyTorch's key names.

A safetensors file is an 8-byte little-endian header length, a JSON header (names, dtypes,
shapes, byte offsets, and a ``__metadata__`` map of strings) and the raw tensor bytes. Loading
parses data only; nothing in the file is ever executed (no pickle anywhere).

Writes are atomic: the bytes go to a temporary file in the target folder, are flushed and
fsynced, then ``os.replace``-d over the target, so a crash mid-save leaves the old file intact.

Example (any Module works in place of the dict; keys are PyTorch's, e.g. ``0.weight``):

    >>> import os, tempfile
    >>> import retrograd as rg, retrograd.io as rio
    >>> path = os.path.join(tempfile.mkdtemp(), "w.safetensors")
    >>> rio.save({"w": rg.ones(2, 3), "n": rg.tensor(4)}, path, metadata={"note": "demo"})
    >>> sd = rio.load(path)
    >>> list(sd), sd["w"].shape, sd["n"].dtype
    (['w', 'n'], (2, 3), dtype('int64'))
    >>> rio.load_metadata(path)
    {'note': 'demo'}
"""
from __future__ import annotations

import errno
import json
import os
import re
import secrets
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Union

import numpy as np
import safetensors
import safetensors.numpy

from ..tensor import Tensor

PathLike = Union[str, os.PathLike]

#: metadata key under which ``save`` records the original key order (hidden by ``load_metadata``)
KEY_ORDER = "retrograd.key_order"
_RESERVED = (KEY_ORDER,)
_HEADER_LIMIT = 100 * 1024 * 1024  # safetensors refuses headers above 100 MB
_CHUNK = 64 * 1024 * 1024
#: safetensors dtype codes NumPy can hold, and the NumPy dtypes that can be written
_NUMPY_CODES = set(safetensors.numpy._TYPES)
_SAVABLE = {np.dtype(t) for t in safetensors.numpy._TYPES.values()}


class CorruptFileError(ValueError):
    """A file that is truncated, corrupted, or not a safetensors file at all."""


# ----- writing --------------------------------------------------------------------------------
def _write_all(f, data: bytes) -> None:
    """Write ``data`` to the open binary file ``f`` in chunks (tests patch this to fail)."""
    view = memoryview(data)
    for start in range(0, len(view), _CHUNK):
        f.write(view[start:start + _CHUNK])


def _fsync_dir(folder: str) -> None:
    """Make the rename itself durable on POSIX (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: PathLike, data: bytes, who: str = "retrograd.io.save") -> None:
    """Write ``data`` to ``path`` so readers see either the old file or the whole new one.

    The temporary file sits in the same folder (so ``os.replace`` is a rename on one file
    system), is created with the usual umask-governed permissions, and is removed on failure.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(errno.ENOENT, f"{who}: cannot save '{path}': folder "
                                f"'{folder}' does not exist", folder)
    if os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, f"{who}: cannot save to '{path}': it is a "
                                f"folder", path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as f:
            _write_all(f, data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(folder)


_TEMP_NAME = re.compile(r"^\..+\.[0-9a-f]{12}\.tmp$")


def remove_stale_temp_files(folder: PathLike) -> list[str]:
    """Remove the temporary files that writes killed mid-way (``kill -9``) left in ``folder``
    (only names ``atomic_write`` makes: ``.<name>.<12 hex digits>.tmp``); returns their paths.
    Call it when no other process is writing there, e.g. when a run starts."""
    removed = []
    for entry in os.scandir(folder):
        if _TEMP_NAME.match(entry.name) and entry.is_file(follow_symlinks=False):
            try:
                os.unlink(entry.path)
            except FileNotFoundError:
                continue
            removed.append(entry.path)
    return removed


def _as_array(value: Any, key: str, who: str) -> np.ndarray:
    """The contiguous little-endian array to store for ``value`` (a Tensor or an ndarray)."""
    if isinstance(value, Tensor):
        arr = value.array
    elif isinstance(value, np.ndarray):
        arr = value
    else:
        raise TypeError(f"{who}: value for key '{key}' is a {type(value).__name__}, not a "
                        f"Tensor or numpy array; safetensors files hold tensors only")
    arr = np.asarray(arr)  # a CuPy-like backend would need a host copy here
    if arr.dtype.newbyteorder("=") not in _SAVABLE:
        raise TypeError(f"{who}: tensor '{key}' has dtype {arr.dtype}, which safetensors cannot "
                        f"store (supported: {', '.join(sorted(str(d) for d in _SAVABLE))})")
    return arr if arr.flags.c_contiguous else arr.copy(order="C")  # (keeps 0-d arrays 0-d)


def _state_dict_of(obj: Any, who: str) -> Mapping:
    if isinstance(obj, Mapping):
        return obj
    state_dict = getattr(obj, "state_dict", None)
    if callable(state_dict):
        return state_dict()
    raise TypeError(f"{who}: expected a state dict (mapping name -> Tensor) or a Module, got "
                    f"{type(obj).__name__}")


def to_bytes(tensors: Mapping[str, Any], metadata: Mapping[str, str] | None = None,
             who: str = "retrograd.io.save", reserved_ok: bool = False) -> bytes:
    """Serialize name -> Tensor/array plus string metadata into safetensors bytes."""
    arrays: dict[str, np.ndarray] = {}
    for key, value in tensors.items():
        if not isinstance(key, str):
            raise TypeError(f"{who}: keys must be strings, got {key!r} "
                            f"({type(key).__name__})")
        if key == "__metadata__":
            raise ValueError(f"{who}: '__metadata__' is reserved by the safetensors format and "
                             f"cannot be a tensor name")
        arrays[key] = _as_array(value, key, who)
    meta: dict[str, str] = {}
    for key, value in (metadata or {}).items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"{who}: metadata must map str to str; entry {key!r} -> "
                            f"{type(value).__name__} is not (json.dumps it first)")
        if key in _RESERVED and not reserved_ok:
            raise ValueError(f"{who}: metadata key '{key}' is reserved by retrograd")
        meta[key] = value
    meta.setdefault(KEY_ORDER, json.dumps(list(arrays)))
    try:
        return safetensors.numpy.save(arrays, metadata=meta)
    except Exception as exc:  # safetensors' own refusal, reworded with our context
        raise ValueError(f"{who}: safetensors could not serialize the tensors: {exc}") from exc


def save(state_dict_or_module: Any, path: PathLike,
         metadata: Mapping[str, str] | None = None) -> None:
    """Save a state dict (name -> Tensor or ndarray) or a Module's ``state_dict()`` to ``path``.

    Tensors keep their dtype (e.g. BatchNorm's ``num_batches_tracked`` stays int64) and shape;
    ``metadata`` is an optional str -> str map stored in the header. The write is atomic.
    Non-tensor values are refused with a ``TypeError`` naming their key.
    """
    tensors = _state_dict_of(state_dict_or_module, "retrograd.io.save")
    atomic_write(path, to_bytes(tensors, metadata), "retrograd.io.save")


def save_model(module: Any, path: PathLike, metadata: Mapping[str, str] | None = None) -> None:
    """Save ``module.state_dict()`` to ``path`` (see ``save``)."""
    if not callable(getattr(module, "state_dict", None)):
        raise TypeError(f"retrograd.io.save_model: expected a Module, got "
                        f"{type(module).__name__}")
    save(module.state_dict(), path, metadata)


# ----- reading --------------------------------------------------------------------------------
def _corrupt(path: str, reason: str) -> CorruptFileError:
    return CorruptFileError(f"'{path}' is not a valid safetensors file: {reason}")


def read_file(path: PathLike, who: str = "retrograd.io.load"
              ) -> tuple[dict[str, np.ndarray], dict[str, str], list[str]]:
    """Read and check a safetensors file: (arrays by name, metadata, names in header order).

    Raises ``FileNotFoundError`` for a missing file, ``CorruptFileError`` for anything that is
    not a complete, well-formed safetensors file, and ``ValueError`` for a tensor dtype NumPy
    cannot hold (e.g. bfloat16).
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(errno.ENOENT, f"{who}: no such file: '{path}'", path)
    if os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, f"{who}: '{path}' is a folder, not a file", path)
    with open(path, "rb") as f:
        data = f.read()
    return parse_bytes(data, path, who)


def parse_bytes(data: bytes, path: str, who: str = "retrograd.io.load"
                ) -> tuple[dict[str, np.ndarray], dict[str, str], list[str]]:
    """``read_file`` on bytes already read (``path`` names them in errors)."""
    if len(data) < 8:
        raise _corrupt(path, f"it is {len(data)} bytes long, too short to hold the 8-byte "
                             f"header length")
    n = int.from_bytes(data[:8], "little")
    if n > _HEADER_LIMIT or n > len(data) - 8:
        raise _corrupt(path, f"its first 8 bytes give a header of {n} bytes, but the file has "
                             f"{len(data) - 8} more bytes (truncated, or another format)")
    try:
        header = json.loads(data[8:8 + n].decode("utf-8"))
    except RecursionError:
        raise _corrupt(path, "its header nests too deeply to be a safetensors header") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise _corrupt(path, f"its header is not valid JSON ({exc})") from None
    if not isinstance(header, dict):
        raise _corrupt(path, "its header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise _corrupt(path, "its __metadata__ is not a map of strings")
    for name, info in header.items():
        code = info.get("dtype") if isinstance(info, dict) else None
        if not isinstance(code, str):
            raise _corrupt(path, f"entry '{name}' in its header has no dtype")
        if code not in _NUMPY_CODES:
            raise ValueError(f"{who}: '{path}': tensor '{name}' has dtype {code}, which NumPy "
                             f"cannot hold; convert it (e.g. to float32) before saving")
    try:
        arrays = safetensors.numpy.load(data)
    except Exception as exc:  # SafetensorError: offsets, sizes or shapes do not add up
        raise _corrupt(path, str(exc)) from None
    for name, arr in arrays.items():
        if not arr.flags.writeable:
            arrays[name] = arr.copy()
    order = sorted(arrays, key=lambda k: tuple(header[k]["data_offsets"]))
    return arrays, metadata, order


def _ordered_names(path: str, arrays: Mapping, metadata: Mapping[str, str],
                   order: list[str]) -> list[str]:
    saved = metadata.get(KEY_ORDER)
    if saved is not None:
        try:
            names = json.loads(saved)
        except (ValueError, RecursionError):
            raise _corrupt(path, f"its '{KEY_ORDER}' metadata is not valid JSON") from None
        if not isinstance(names, list) or not all(isinstance(k, str) for k in names):
            raise _corrupt(path, f"its '{KEY_ORDER}' metadata is not a list of names")
        if sorted(names) == sorted(arrays):
            return names
    return order


def load(path: PathLike) -> "OrderedDict[str, Tensor]":
    """Load a safetensors file as an ``OrderedDict`` name -> Tensor (in the saved order).

    Works for files written by ``save`` and by ``safetensors.torch.save_file``; tensors keep
    their dtype. Raises ``FileNotFoundError`` or ``CorruptFileError`` (see ``read_file``).
    """
    path = os.fspath(path)
    arrays, metadata, order = read_file(path, "retrograd.io.load")
    return OrderedDict((k, Tensor(arrays[k])) for k in _ordered_names(path, arrays, metadata,
                                                                         order))


def load_metadata(path: PathLike) -> dict[str, str]:
    """The user metadata stored by ``save(..., metadata=...)`` (retrograd's own keys hidden)."""
    _, metadata, _ = read_file(path, "retrograd.io.load_metadata")
    return {k: v for k, v in metadata.items() if k not in _RESERVED}


def load_model(module: Any, path: PathLike, strict: bool = True) -> Any:
    """Load the state dict in ``path`` into ``module``; returns ``load_state_dict``'s result."""
    if not callable(getattr(module, "load_state_dict", None)):
        raise TypeError(f"retrograd.io.load_model: expected a Module, got "
                        f"{type(module).__name__}")
    return module.load_state_dict(load(path), strict=strict)
