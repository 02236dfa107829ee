"""Inputs for ``retrograd predict``: images and ``.npy`` arrays, checked and scaled to [0, 1].

MNIST-style models learned light strokes on a dark background; people draw dark on light. An
image whose border is mostly light is inverted (``1 - x``), and the command says so, unless
``invert=False``. Every problem with a file raises ``InputFileError`` naming the file.
"""
from __future__ import annotations

import math
import os

import numpy as np

#: images with more pixels than this are refused before they are decoded (Pillow itself warns
#: above 89M pixels and refuses above 179M)
MAX_PIXELS = 1 << 26


class InputFileError(ValueError):
    """An input file cannot be read as an image or a numeric array of the model's shape."""


def _check_npy_header(path: str) -> None:
    """Refuse non-numeric dtypes and shapes larger than the file before anything is allocated."""
    from numpy.lib import format as npy

    readers = {(1, 0): npy.read_array_header_1_0, (2, 0): npy.read_array_header_2_0}
    with open(path, "rb") as f:
        version = npy.read_magic(f)
        if version not in readers:
            raise ValueError(f"unsupported .npy format version {version}")
        shape, _, dtype = readers[version](f)
        payload = os.fstat(f.fileno()).st_size - f.tell()
    if dtype.kind not in "biuf":
        raise InputFileError(f"{path}: holds {dtype} data; expected numbers")
    if math.prod(shape) * dtype.itemsize > payload:
        raise InputFileError(f"{path}: the header declares shape {shape} of {dtype}, more than "
                             f"the {payload} bytes the file holds (truncated or corrupt)")


def _read_npy(path: str) -> np.ndarray:
    try:
        _check_npy_header(path)
        arr = np.load(path, allow_pickle=False)
    except InputFileError:
        raise
    except (ValueError, OSError, EOFError) as err:
        raise InputFileError(f"{path}: not a NumPy .npy array file ({' '.join(str(err).split())})"
                             ) from None
    if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "biuf":
        raise InputFileError(f"{path}: holds {getattr(arr, 'dtype', type(arr).__name__)} data; "
                             "expected numbers")
    if arr.size == 0:
        raise InputFileError(f"{path}: the array is empty (shape {arr.shape})")
    arr = arr.astype(np.float32)
    if not np.isfinite(arr).all():
        raise InputFileError(f"{path}: the array holds NaN or infinite values")
    return arr / np.float32(255) if arr.max() > 1.5 else arr


def _read_image(path: str, channels: int, size: int) -> np.ndarray:
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("reading images needs Pillow: pip install 'retrograd[image]'") from None
    try:
        img = Image.open(path)  # reads the header only; Pillow refuses decompression bombs
        width, height = img.size
        if width * height > MAX_PIXELS:
            raise InputFileError(f"{path}: image of {width} x {height} pixels is too large "
                                 f"(at most {MAX_PIXELS:,} pixels)")
        img = img.convert("L" if channels == 1 else "RGB").resize((size, size))
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError) as err:
        if isinstance(err, InputFileError):
            raise
        raise InputFileError(f"{path}: cannot read the image ({' '.join(str(err).split())})"
                             ) from None
    arr = np.asarray(img, dtype=np.float32) / np.float32(255)
    return arr[None] if channels == 1 else arr.transpose(2, 0, 1)


def light_background(images: np.ndarray) -> np.ndarray:
    """Per image (N, C, H, W) in [0, 1]: True where the border's mean is above 0.5."""
    border = np.concatenate([images[..., 0, :], images[..., -1, :], images[..., 1:-1, 0],
                             images[..., 1:-1, -1]], axis=-1)
    return border.reshape(len(images), -1).mean(axis=1) > 0.5


def read_input(path: str, channels: int, size: int, invert: bool = True
               ) -> tuple[np.ndarray, np.ndarray]:
    """(images float32 (N, channels, size, size) in [0, 1], which were inverted (N,) bool).

    ``path`` is an ``.npy`` array ((H, W), (N, H, W), (C, H, W) or (N, C, H, W)) or an image
    file (resized to ``size``). Raises ``FileNotFoundError`` or ``InputFileError``.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"input file not found: {path}")
    arr = _read_npy(path) if path.endswith(".npy") else _read_image(path, channels, size)
    want = (channels, size, size)
    if channels == 1 and arr.shape[-2:] == want[1:] and arr.ndim in (2, 3):
        arr = arr.reshape(-1, 1, size, size)  # one (H, W) image or a stack (N, H, W)
    elif arr.shape == want:
        arr = arr[None]
    if arr.ndim != 4 or arr.shape[1:] != want:
        raise InputFileError(f"{path}: array of shape {arr.shape} does not fit the model's "
                             f"input {want} (or (N, {channels}, {size}, {size}))")
    flip = light_background(arr) if invert and channels == 1 else np.zeros(len(arr), bool)
    arr = np.where(flip[:, None, None, None], np.float32(1) - arr, arr)
    return arr.astype(np.float32, copy=False), flip
