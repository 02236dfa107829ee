"""A trained model as one safetensors file: the weights (PyTorch's key names) plus, in the
metadata, what is needed to rebuild it (model name and its arguments, class names)."""
from __future__ import annotations

import json
import os

MODEL_KEY = "retrograd_model"


def save_model_file(model, path: str, spec: dict) -> str:
    """Write ``model``'s state_dict to ``path`` with ``spec`` (name, num_classes, in_channels,
    image_size, classes) in the metadata. Atomic."""
    from ..io import save

    save(model.state_dict(), path, metadata={MODEL_KEY: json.dumps(spec)})
    return path


def read_spec(path: str) -> dict:
    from safetensors import safe_open

    if not os.path.isfile(path):
        raise FileNotFoundError(f"model file not found: {path}")
    try:
        with safe_open(path, framework="np") as f:
            meta = f.metadata() or {}
    except Exception as e:  # safetensors raises its own error types for bad files
        raise ValueError(f"{path} is not a valid safetensors model file ({e})") from None
    if MODEL_KEY not in meta:
        raise ValueError(f"{path} holds weights but no retrograd model description; build the "
                         "model in Python and use retrograd.io.load_model instead")
    return json.loads(meta[MODEL_KEY])


def load_model_file(path: str):
    """Rebuild the model described in ``path`` and load its weights; returns (model, spec)."""
    from ..io import load
    from ..models.registry import build_model

    spec = read_spec(path)
    model = build_model(spec["name"], spec["num_classes"], spec["in_channels"], spec["image_size"],
                        **spec.get("kwargs", {}))
    model.load_state_dict(load(path))
    model.eval()
    return model, spec
