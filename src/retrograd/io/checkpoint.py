"""Training checkpoints: model, optimizer, scheduler, RNG and data-order state in one file.

The file is an ordinary safetensors file. Tensors sit under flat names:

* ``model.<key>``                 the model's ``state_dict()`` (PyTorch key names)
* ``optim.state.<id>.<name>``     optimizer state tensors (``exp_avg``, ``momentum_buffer``...)
* ``scheduler.<...>``, ``extra.<...>``, ``rng.<...>``  any tensors found in those parts

Everything else (param_groups, scalar state such as ``step``, the scheduler's state, the epoch,
retrograd's global RNG state, the DataLoader's shuffling state, user extras) is one JSON string
in the header metadata under ``retrograd.checkpoint``. In that JSON, tensors are references
by name, and Python types JSON lacks are tagged objects ``{"__rg__": tag, ...}``: tuples,
dicts whose keys are not strings (the optimizer's ``{0: {...}}``), OrderedDict and Counter
(e.g. MultiStepLR milestones), numpy scalars. Decoding rebuilds the same types, so training
resumes bit for bit.

Example (pass ``scheduler=`` and ``loader=`` too, to resume the lr schedule and data order)::

    >>> import os, tempfile
    >>> from retrograd import nn, optim
    >>> from retrograd.io import load_checkpoint, save_checkpoint
    >>> model = nn.Linear(3, 1)
    >>> opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.safetensors")
    >>> save_checkpoint(path, model, opt, epoch=3, extra={"best_acc": 0.91})
    >>> fresh = nn.Linear(3, 1)
    >>> info = load_checkpoint(path, fresh, optim.SGD(fresh.parameters(), lr=0.1, momentum=0.9))
    >>> info["epoch"] + 1, info["extra"]
    (4, {'best_acc': 0.91})
"""
from __future__ import annotations

import json
import os
from collections import Counter, OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..random import default_generator
from ..tensor import Tensor
from .safetensors_io import CorruptFileError, PathLike, atomic_write, read_file, to_bytes

META_KEY = "retrograd.checkpoint"
FORMAT_VERSION = 1
_TAG = "__rg__"
_SCALAR_KEYS = (str, int, float, bool, type(None))
_SAVE = "retrograd.io.save_checkpoint"
_LOAD = "retrograd.io.load_checkpoint"


# ----- JSON encoding with tensors set aside ---------------------------------------------------
class _Encoder:
    """Turns a nested value into JSON-able data, moving tensors into ``self.tensors``."""

    def __init__(self, who: str = _SAVE) -> None:
        self.tensors: dict[str, Any] = {}
        self.who = who  # the function named in error messages

    def _name(self, name: str) -> str:
        unique, n = name, 0
        while unique in self.tensors:
            n += 1
            unique = f"{name}#{n}"
        return unique

    def _stash(self, value: Any, name: str) -> str:
        name = self._name(name.lstrip(".") or "tensor")  # paths from the root start with "."
        self.tensors[name] = value
        return name

    def _key(self, key: Any, where: str) -> Any:
        if isinstance(key, tuple):
            return {_TAG: "tuple", "items": [self._key(k, where) for k in key]}
        if isinstance(key, _SCALAR_KEYS):
            return key
        raise TypeError(f"{self.who}: dict key {key!r} at '{where}' is a {type(key).__name__}; "
                        f"checkpoint dict keys must be str, int, float, bool, None or tuples")

    def encode(self, value: Any, where: str) -> Any:
        """JSON-able form of ``value``; ``where`` is its dotted path (used to name tensors)."""
        if value is None or isinstance(value, (bool, str)):
            return value
        if type(value) in (int, float):
            return value
        if isinstance(value, Tensor):
            tag = {_TAG: "tensor", "name": self._stash(value.array, where)}
            return {**tag, "requires_grad": True} if value.requires_grad else tag
        if isinstance(value, np.ndarray):
            return {_TAG: "ndarray", "name": self._stash(value, where)}
        if isinstance(value, np.generic):  # stored as a 0-d array: exact, keeps its dtype
            return {_TAG: "npscalar", "name": self._stash(np.asarray(value), where)}
        if isinstance(value, tuple):
            return {_TAG: "tuple",
                    "items": [self.encode(v, f"{where}.{i}") for i, v in enumerate(value)]}
        if isinstance(value, list):
            return [self.encode(v, f"{where}.{i}") for i, v in enumerate(value)]
        if isinstance(value, Mapping):
            return self._encode_mapping(value, where)
        raise TypeError(f"{self.who}: cannot store '{where}', a {type(value).__name__}; "
                        f"files hold tensors, arrays, numbers, strings, None, and "
                        f"lists, tuples and dicts of those")

    def _encode_mapping(self, value: Mapping, where: str) -> Any:
        kind = {dict: "dict", OrderedDict: "OrderedDict", Counter: "Counter"}.get(type(value))
        if kind is None:
            raise TypeError(f"{self.who}: cannot store '{where}', a {type(value).__name__}; "
                            f"use a dict, OrderedDict or Counter")
        if kind == "dict" and all(isinstance(k, str) for k in value) and _TAG not in value:
            return {k: self.encode(v, f"{where}.{k}") for k, v in value.items()}
        return {_TAG: kind, "items": [[self._key(k, where), self.encode(v, f"{where}.{k}")]
                                      for k, v in value.items()]}


def _decode(value: Any, tensors: Mapping[str, np.ndarray], path: str) -> Any:
    """Inverse of ``_Encoder.encode``: rebuild tuples, int-keyed dicts, tensors..."""
    if isinstance(value, list):
        return [_decode(v, tensors, path) for v in value]
    if not isinstance(value, dict):
        return value
    tag = value.get(_TAG)
    if tag is None:
        return {k: _decode(v, tensors, path) for k, v in value.items()}
    if tag in ("tensor", "ndarray", "npscalar"):
        name = value.get("name")
        if name not in tensors:
            raise CorruptFileError(f"'{path}' is not a valid retrograd checkpoint: its JSON "
                                   f"refers to tensor {name!r}, which the file lacks")
        arr = tensors[name]
        if tag == "tensor":
            return Tensor(arr, requires_grad=bool(value.get("requires_grad", False)))
        return arr if tag == "ndarray" else arr[()]
    items = value.get("items")
    if not isinstance(items, list):
        raise CorruptFileError(f"'{path}' is not a valid retrograd checkpoint: tagged value "
                               f"{tag!r} has no item list")
    if tag == "tuple":
        return tuple(_decode(v, tensors, path) for v in items)
    kinds = {"dict": dict, "OrderedDict": OrderedDict, "Counter": Counter}
    if tag not in kinds:
        raise CorruptFileError(f"'{path}' is not a valid retrograd checkpoint: unknown tag "
                               f"{tag!r}")
    out = kinds[tag]()
    for k, v in items:
        out[_decode(k, tensors, path)] = _decode(v, tensors, path)
    return out


# ----- the loader's shuffling state ----------------------------------------------------------
def _loader_state(loader: Any) -> dict:
    """The DataLoader's ``state_dict()`` (mid-epoch aware), else its generator's state."""
    if callable(getattr(loader, "state_dict", None)):
        return {"kind": "state_dict", "state": loader.state_dict()}
    generator = getattr(loader, "generator", None)
    if not isinstance(generator, np.random.Generator):
        raise TypeError(f"{_SAVE}: loader must have a state_dict() or a numpy Generator "
                        f"'generator', got {type(loader).__name__}")
    return {"kind": "bit_generator", "state": generator.bit_generator.state}


def _restore_loader(loader: Any, saved: dict, path: str) -> None:
    if saved.get("kind") == "state_dict" and callable(getattr(loader, "load_state_dict", None)):
        loader.load_state_dict(saved["state"])
        return
    state = saved.get("state", {})
    if saved.get("kind") == "state_dict":
        state = state.get("generator_state")
    if not isinstance(state, dict):
        raise CorruptFileError(f"'{path}' is not a valid retrograd checkpoint: its loader "
                               f"state holds no generator state")
    loader.generator.bit_generator.state = state


# ----- save / load ----------------------------------------------------------------------------
def save_checkpoint(path: PathLike, model: Any, optimizer: Any = None, scheduler: Any = None,
                    epoch: int = 0, extra: Any = None, loader: Any = None) -> None:
    """Save everything needed to resume training exactly into one safetensors file, atomically.

    Stores ``model.state_dict()``, ``optimizer.state_dict()`` and ``scheduler.state_dict()``
    (when given), ``epoch``, ``extra`` (JSON-like data, may contain tensors), retrograd's
    global RNG state and, when ``loader`` is given, its shuffling state.
    """
    path = os.fspath(path)
    if not callable(getattr(model, "state_dict", None)):
        raise TypeError(f"{_SAVE}: model must be a Module, got {type(model).__name__}")
    enc = _Encoder()
    model_sd = model.state_dict()
    for key in model_sd:
        if not isinstance(key, str):
            raise TypeError(f"{_SAVE}: model state_dict key {key!r} is not a string")
        enc.tensors["model." + key] = model_sd[key]
    doc: dict[str, Any] = {"version": FORMAT_VERSION, "model_keys": list(model_sd)}
    doc["optimizer_class"] = None if optimizer is None else type(optimizer).__name__
    doc["optimizer"] = None if optimizer is None else enc.encode(optimizer.state_dict(), "optim")
    doc["scheduler"] = (None if scheduler is None
                        else enc.encode(scheduler.state_dict(), "scheduler"))
    doc["epoch"] = enc.encode(epoch, "epoch")
    doc["extra"] = enc.encode(extra, "extra")
    # The loader first: creating its generator draws from the global one, so the RNG state
    # must be read after it to match what the uninterrupted run continues with.
    doc["loader"] = None if loader is None else enc.encode(_loader_state(loader), "loader")
    doc["rng"] = enc.encode(default_generator.bit_generator.state, "rng")
    text = json.dumps(doc, separators=(",", ":"))
    atomic_write(path, to_bytes(enc.tensors, {META_KEY: text}, _SAVE), _SAVE)


def _read_doc(path: str) -> tuple[dict, dict[str, np.ndarray]]:
    arrays, metadata, _ = read_file(path, _LOAD)
    if META_KEY not in metadata:
        raise ValueError(f"{_LOAD}: '{path}' is a safetensors file but not a retrograd "
                         f"checkpoint (no '{META_KEY}' metadata); for a plain state dict use "
                         f"retrograd.io.load")
    try:
        doc = json.loads(metadata[META_KEY])
    except (ValueError, RecursionError) as exc:
        raise CorruptFileError(f"'{path}' is not a valid retrograd checkpoint: its "
                               f"'{META_KEY}' metadata is not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("model_keys"), list) or not all(
            isinstance(k, str) for k in doc["model_keys"]):
        raise CorruptFileError(f"'{path}' is not a valid retrograd checkpoint: its "
                               f"'{META_KEY}' metadata lacks the model key list")
    if doc.get("version") != FORMAT_VERSION:
        raise ValueError(f"{_LOAD}: '{path}' has checkpoint format version "
                         f"{doc.get('version')!r}; this retrograd reads version {FORMAT_VERSION}")
    return doc, arrays


def _restore(path: str, doc: dict, arrays: dict, model: Any, optimizer: Any, scheduler: Any,
             loader: Any, strict: bool) -> dict:
    """Decode the document and load model, optimizer, scheduler and loader; the parts."""
    parts = {k: _decode(doc.get(k), arrays, path)
             for k in ("optimizer", "scheduler", "loader", "rng", "epoch", "extra")}
    for name, obj in (("optimizer", optimizer), ("scheduler", scheduler), ("loader", loader)):
        if obj is not None and parts[name] is None:
            raise ValueError(f"{_LOAD}: '{path}' holds no {name} state, but a {name} was given")
    if not isinstance(parts["epoch"], (int, np.integer)) or parts["epoch"] < 0:
        raise CorruptFileError(f"'{path}' is not a valid retrograd checkpoint: epoch "
                               f"{parts['epoch']!r:.40} is not a non-negative int")
    missing = [k for k in doc["model_keys"] if "model." + k not in arrays]
    if missing:
        raise CorruptFileError(f"'{path}' is not a valid retrograd checkpoint: model tensors "
                               f"{missing[:5]} are missing")
    model.load_state_dict(OrderedDict((k, Tensor(arrays["model." + k]))
                                      for k in doc["model_keys"]), strict=strict)
    if optimizer is not None:
        optimizer.load_state_dict(parts["optimizer"])
    if scheduler is not None:
        scheduler.load_state_dict(parts["scheduler"])
    if loader is not None:
        _restore_loader(loader, parts["loader"], path)
    return parts


def load_checkpoint(path: PathLike, model: Any, optimizer: Any = None, scheduler: Any = None,
                    loader: Any = None, strict: bool = True, restore_rng: bool = True) -> dict:
    """Restore a checkpoint written by ``save_checkpoint`` into the given objects.

    Loads the model (``strict`` as in ``load_state_dict``), the optimizer, scheduler and loader
    when given (it is an error to pass one the checkpoint lacks), and retrograd's global RNG
    state (unless ``restore_rng=False``), last, so nothing done while loading disturbs it.

    Returns a dict with ``epoch``, ``extra``, and the raw ``optimizer``, ``scheduler``,
    ``loader`` and ``rng_state`` states (None where absent).
    """
    path = os.fspath(path)
    if not callable(getattr(model, "load_state_dict", None)):
        raise TypeError(f"{_LOAD}: model must be a Module, got {type(model).__name__}")
    doc, arrays = _read_doc(path)
    saved_class = doc.get("optimizer_class")
    if optimizer is not None and saved_class not in (None, type(optimizer).__name__):
        raise ValueError(f"{_LOAD}: '{path}' holds the state of a {saved_class} optimizer; "
                         f"refusing to load it into {type(optimizer).__name__}")
    try:
        parts = _restore(path, doc, arrays, model, optimizer, scheduler, loader, strict)
        if restore_rng and parts["rng"] is not None:
            default_generator.bit_generator.state = parts["rng"]
    except (TypeError, KeyError, AttributeError, IndexError, RecursionError,
            OverflowError) as exc:  # a JSON document of the wrong shape
        raise CorruptFileError(f"'{path}' is not a valid retrograd checkpoint: its state does "
                               f"not have the expected structure ({type(exc).__name__}: "
                               f"{str(exc):.200})") from None
    return {"epoch": parts["epoch"], "extra": parts["extra"], "optimizer": parts["optimizer"],
            "scheduler": parts["scheduler"], "loader": parts["loader"],
            "rng_state": parts["rng"]}
