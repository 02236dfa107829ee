"""A trained model as one safetensors file: the weights (PyTorch's key names) plus, in the
metadata, what is needed to rebuild it (model name and its arguments, class names).

Loading checks the description before building anything: every field's type and range, and
that the number of classes and input channels agree with the weights' shapes, so a malformed
or forged file raises ``CorruptFileError`` (a ``ValueError``) naming the file, never allocates
a model the file's weights could not fill.
"""
from __future__ import annotations

import json
import os
from typing import Any

MODEL_KEY = "retrograd_model"
MAX_CLASSES = 100_000
MAX_CHANNELS = 64
MAX_IMAGE_SIZE = 1024
_MAX_KWARG_INT = 1024
_MAX_KWARG_LIST = 8


def save_model_file(model, path: str, spec: dict) -> str:
    """Write ``model``'s state_dict to ``path`` with ``spec`` (name, num_classes, in_channels,
    image_size, classes) in the metadata. Atomic."""
    from ..io import save

    save(model.state_dict(), path, metadata={MODEL_KEY: json.dumps(spec)})
    return path


def _bad(path: str, reason: str) -> Exception:
    from ..io import CorruptFileError

    return CorruptFileError(f"{path} is not a valid retrograd model file: {reason}")


def _int_field(path: str, spec: dict, key: str, high: int) -> int:
    value = spec.get(key)
    if type(value) is not int or not 1 <= value <= high:
        raise _bad(path, f"'{key}' must be an int from 1 to {high}, got {value!r:.40}")
    return value


def _small_value(value: Any) -> bool:
    """A keyword argument a description may carry: a short string, a bool, a float, a small
    int, or a short list of small ints."""
    if isinstance(value, bool) or isinstance(value, float) or value is None:
        return True
    if isinstance(value, str):
        return len(value) <= 64
    if type(value) is int:
        return 0 <= value <= _MAX_KWARG_INT
    return (isinstance(value, list) and len(value) <= _MAX_KWARG_LIST
            and all(type(v) is int and 1 <= v <= _MAX_KWARG_INT for v in value))


def check_spec(path: str, spec: Any) -> dict:
    """``spec`` (the decoded description) checked field by field; raises CorruptFileError."""
    from ..models.registry import MODELS

    if not isinstance(spec, dict):
        raise _bad(path, "its description is not a JSON object")
    name = spec.get("name")
    if not isinstance(name, str) or name.lower().replace("-", "") not in MODELS:
        raise _bad(path, f"unknown model name {name!r:.40} (known: {', '.join(sorted(MODELS))})")
    num_classes = _int_field(path, spec, "num_classes", MAX_CLASSES)
    _int_field(path, spec, "in_channels", MAX_CHANNELS)
    _int_field(path, spec, "image_size", MAX_IMAGE_SIZE)
    classes = spec.get("classes")
    if classes is not None and (not isinstance(classes, list)
                                or not num_classes <= len(classes) <= MAX_CLASSES
                                or not all(isinstance(c, str) for c in classes)):
        raise _bad(path, f"'classes' must be a list of at least {num_classes} names")
    for key in ("dataset", "data_root"):
        if spec.get(key) is not None and not isinstance(spec[key], str):
            raise _bad(path, f"'{key}' must be a string")
    kwargs = spec.get("kwargs", {})
    if not isinstance(kwargs, dict) or not all(
            isinstance(k, str) and k.isidentifier() and _small_value(v) for k, v in kwargs.items()):
        raise _bad(path, f"'kwargs' must map names to small values (ints up to "
                         f"{_MAX_KWARG_INT}, lists of up to {_MAX_KWARG_LIST} of them)")
    return spec


def _check_shapes(path: str, spec: dict, state: dict) -> None:
    """The classifier's rows must be ``num_classes`` and the first layer must take
    ``in_channels`` (times image_size**2 for a first Linear layer)."""
    weights = [v.shape for k, v in state.items() if k.endswith("weight") and v.ndim in (2, 4)]
    matrices = [s for s in weights if len(s) == 2]
    if not weights or not matrices:
        raise _bad(path, "it holds no layer weights")
    first, c, size = weights[0], spec["in_channels"], spec["image_size"]
    inputs = c if len(first) == 4 else c * size * size
    if first[1] != inputs or matrices[-1][0] != spec["num_classes"]:
        raise _bad(path, f"its description ({spec['num_classes']} classes, input {c} x {size} "
                         f"x {size}) does not match its weights (first layer {first}, last "
                         f"{matrices[-1]})")


def read_spec(path: str) -> dict:
    """The checked model description stored in ``path``."""
    from ..io import load_metadata

    if not os.path.isfile(path):
        raise FileNotFoundError(f"model file not found: {path}")
    meta = load_metadata(path)
    if MODEL_KEY not in meta:
        raise ValueError(f"{path} holds weights but no retrograd model description; build the "
                         "model in Python and use retrograd.io.load_model instead")
    try:
        spec = json.loads(meta[MODEL_KEY])
    except (ValueError, RecursionError):
        raise _bad(path, "its description is not valid JSON") from None
    return check_spec(path, spec)


def load_model_file(path: str):
    """Rebuild the model described in ``path`` and load its weights; returns (model, spec).

    Raises ``FileNotFoundError``, or ``CorruptFileError`` (a ``ValueError``) for a file that is
    not a valid model file or whose description and weights disagree.
    """
    from ..io import load
    from ..models.registry import build_model

    spec = read_spec(path)
    state = load(path)
    _check_shapes(path, spec, state)
    try:
        model = build_model(spec["name"], spec["num_classes"], spec["in_channels"],
                            spec["image_size"], **spec.get("kwargs", {}))
        model.load_state_dict(state)
    except (TypeError, RuntimeError, ValueError, KeyError) as exc:
        reason = " ".join(str(exc).split())
        raise _bad(path, f"its description and weights disagree ({reason:.300})") from None
    model.eval()
    return model, spec
