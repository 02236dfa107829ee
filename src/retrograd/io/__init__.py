"""Saving and loading: safetensors state dicts with PyTorch's key names, and checkpoints.

* ``save(state_dict_or_module, path, metadata=None)`` / ``load(path)`` -> OrderedDict
* ``retrograd.save(obj, f)`` / ``retrograd.load(f, map_location=None, weights_only=True)``
  (``serialization.py``): torch.save's use, nested dicts/lists/tuples with tensors and numbers
* ``save_model(module, path)`` / ``load_model(module, path, strict=True)``
* ``save_checkpoint(path, model, optimizer, scheduler, epoch, extra, loader)`` /
  ``load_checkpoint(path, model, optimizer, scheduler, loader)`` -> dict

Files are plain safetensors (readable by ``safetensors.torch.load_file``); nothing is pickled,
and every write is atomic.
"""
from __future__ import annotations

from .checkpoint import load_checkpoint, save_checkpoint
from .safetensors_io import (CorruptFileError, load, load_metadata, load_model, save,
                             save_model)

__all__ = ["CorruptFileError", "load", "load_checkpoint", "load_metadata", "load_model", "save",
           "save_checkpoint", "save_model"]
