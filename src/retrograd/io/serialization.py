"""``retrograd.save(obj, f)`` / ``retrograd.load(f, map_location=None, weights_only=True)``:
torch.save's everyday use (``{"model": ..., "optimizer": ..., "epoch": 3}``) over safetensors.

What can be saved: Tensors, NumPy arrays and scalars, numbers, strings, bools, None, and
dicts (also OrderedDict, int keys), lists and tuples of them, nested to any depth; a Module is
saved as its ``state_dict()``. Two layouts, both plain safetensors files:

* a flat ``{name: Tensor}`` (a state dict, or a Module) is written as it is, so
  ``safetensors.torch.load_file`` and ``retrograd.io.load`` read it with its key names;
* anything else stores its tensors under their dotted paths (``model.fc.weight``,
  ``optimizer.state.0.exp_avg``) and the structure as JSON in the header metadata
  (``retrograd.object``), never pickle. ``load`` rebuilds the same containers.

Files are written atomically. A ``.pt``/``.pth`` name is fine; the first such save notes once
that the file is safetensors, not a pickle, so ``torch.load`` will not read it.

>>> import os, tempfile
>>> import retrograd as rg
>>> path = os.path.join(tempfile.mkdtemp(), "ckpt.safetensors")
>>> rg.save({"w": rg.ones(2), "epoch": 3, "best": (0.5, None)}, path)
>>> ckpt = rg.load(path)
>>> ckpt["epoch"], ckpt["best"], ckpt["w"].tolist()
(3, (0.5, None), [1.0, 1.0])
"""
from __future__ import annotations

import io
import json
import os
import warnings
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Callable, Union

import numpy as np

from ..tensor import Tensor
from .checkpoint import _decode, _Encoder
from .safetensors_io import (CorruptFileError, PathLike, _ordered_names, atomic_write,
                             parse_bytes, read_file, to_bytes)

#: header metadata key holding the JSON structure of a saved object
OBJECT_KEY = "retrograd.object"
FileLike = Union[PathLike, io.IOBase]
_SAVE, _LOAD = "retrograd.save", "retrograd.load"
_noted_pickle_suffix = False


def _is_state_dict(obj: Any) -> bool:
    return (isinstance(obj, Mapping) and len(obj) > 0
            and all(isinstance(k, str) and k != "__metadata__" for k in obj)
            and all(isinstance(v, (Tensor, np.ndarray)) for v in obj.values()))


def _note_pickle_suffix(f: Any) -> None:
    """Say once per process that a .pt/.pth file written here is safetensors."""
    global _noted_pickle_suffix
    if _noted_pickle_suffix or not isinstance(f, (str, os.PathLike)):
        return
    if os.fspath(f).lower().endswith((".pt", ".pth")):
        _noted_pickle_suffix = True
        warnings.warn(f"retrograd.save: '{os.fspath(f)}' is written as safetensors, not as a "
                      "pickle: retrograd.load and safetensors read it; torch.load does not "
                      "(use safetensors.torch.load_file there)", UserWarning, stacklevel=3)


def save(obj: Any, f: FileLike, pickle_module: Any = None, pickle_protocol: int | None = None,
         *, metadata: Mapping[str, str] | None = None) -> None:
    """Save ``obj`` (see the module docstring) to the path or binary file object ``f``.

    ``metadata``: optional str -> str map stored in the header (``retrograd.io.load_metadata``
    reads it back). Raises ``TypeError`` naming the path of a value that cannot be stored.
    ``pickle_module`` and ``pickle_protocol`` exist for PyTorch's signature; nothing is pickled.
    """
    if pickle_module is not None:
        raise TypeError(f"{_SAVE}: retrograd files are safetensors and never pickled; "
                        "pickle_module is not supported")
    if callable(getattr(obj, "state_dict", None)) and not isinstance(obj, Mapping):
        obj = obj.state_dict()  # a Module (PyTorch would pickle the whole object)
    if _is_state_dict(obj):
        data = to_bytes(obj, metadata, _SAVE)
    else:
        enc = _Encoder(_SAVE)
        structure = json.dumps(enc.encode(obj, ""), separators=(",", ":"))
        meta = dict(metadata or {})
        if OBJECT_KEY in meta:
            raise ValueError(f"{_SAVE}: metadata key '{OBJECT_KEY}' is reserved by retrograd")
        meta[OBJECT_KEY] = structure
        data = to_bytes(enc.tensors, meta, _SAVE)
    if hasattr(f, "write"):
        f.write(data)
        return
    _note_pickle_suffix(f)
    atomic_write(f, data, _SAVE)


def _mapper(map_location: Any) -> Callable[[Tensor], Tensor] | None:
    """Check ``map_location`` (only the CPU exists) and return a per-tensor function, or None."""
    if map_location is None:
        return None
    if callable(map_location) and not isinstance(map_location, (str, dict)):
        def apply(t: Tensor) -> Tensor:
            out = map_location(t, "cpu")  # PyTorch's (storage, location) convention
            return out if isinstance(out, Tensor) else t
        return apply
    targets = map_location.values() if isinstance(map_location, dict) else [map_location]
    for target in targets:
        name = str(getattr(target, "type", target)).split(":")[0]
        if name != "cpu":
            raise RuntimeError(f"{_LOAD}: map_location={map_location!r} asks for device "
                               f"'{target}', but retrograd has only the CPU backend (no GPU "
                               "backend is installed); use map_location='cpu' or None")
    return None


def _map_tensors(value: Any, fn: Callable[[Tensor], Tensor]) -> Any:
    if isinstance(value, Tensor):
        return fn(value)
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        return type(value)(_map_tensors(v, fn) for v in value)
    if isinstance(value, dict):
        out = type(value)() if type(value) in (dict, OrderedDict) else dict()
        for k, v in value.items():
            out[k] = _map_tensors(v, fn)
        return out
    return value


def load(f: FileLike, map_location: Any = None, pickle_module: Any = None, *,
         weights_only: bool | None = True, mmap: bool | None = None, **pickle_load_args) -> Any:
    """Load what ``save`` wrote (or any safetensors file: then a name -> Tensor OrderedDict).

    ``map_location``: None, ``'cpu'``, a device, a dict of locations or a function
    ``(tensor, location) -> tensor``; a GPU location raises ``RuntimeError`` (CPU only).
    ``weights_only`` is accepted for PyTorch's signature: nothing is ever unpickled, so
    every load is weights-only. ``pickle_module`` must be None.
    """
    if pickle_module is not None or pickle_load_args:
        raise TypeError(f"{_LOAD}: retrograd files are safetensors and never unpickled; "
                        "pickle_module and pickle arguments are not supported")
    mapper = _mapper(map_location)
    if hasattr(f, "read"):
        name, data = str(getattr(f, "name", "<file object>")), f.read()
    else:
        name = os.fspath(f)
        if not os.path.isfile(name):
            read_file(name, _LOAD)  # raises FileNotFoundError / IsADirectoryError, naming it
        with open(name, "rb") as file:
            data = file.read()
    try:
        arrays, metadata, order = parse_bytes(data, name, _LOAD)
    except CorruptFileError:
        if data[:4] == b"PK\x03\x04" or data[:1] == b"\x80":  # torch.save's zip, a pickle
            raise ValueError(f"{_LOAD}: '{name}' looks written by torch.save (a pickle), which "
                             "retrograd never unpickles; in PyTorch, save the tensors with "
                             "safetensors.torch.save_file(state_dict, path) and load that "
                             "file") from None
        raise
    if OBJECT_KEY in metadata:
        try:
            structure = json.loads(metadata[OBJECT_KEY])
        except ValueError as exc:
            raise ValueError(f"{_LOAD}: '{name}': its '{OBJECT_KEY}' metadata is not valid "
                             f"JSON ({exc})") from None
        obj = _decode(structure, arrays, str(name))
    else:
        obj = OrderedDict((k, Tensor(arrays[k]))
                          for k in _ordered_names(str(name), arrays, metadata, order))
    return obj if mapper is None else _map_tensors(obj, mapper)
