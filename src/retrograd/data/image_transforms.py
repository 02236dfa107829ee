"""Transforms for images as files give them (torchvision's): ``ToTensor``, ``Resize``,
``CenterCrop`` and ``ColorJitter``. They take a Pillow image, an (H, W[, C]) uint8 array (as
Pillow gives) or a (C, H, W) float array / Tensor; ``ToTensor`` turns the first two into a
float32 (C, H, W) Tensor in [0, 1], the layout the array transforms (``Normalize``,
``RandomCrop``, ``RandomHorizontalFlip``) work on.

>>> t = Compose([Resize(32), CenterCrop(28), ToTensor(), Normalize([0.5], [0.5])])  # doctest: +SKIP
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ._utils import is_tensor, to_tensor
from .transforms import Transform, _pair


def _is_pil(x: Any) -> bool:
    return type(x).__module__.startswith("PIL.")


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("image transforms need Pillow: pip install 'retrograd[image]'") from None
    return Image


class ToTensor:
    """Pillow image or (H, W[, C]) uint8 array -> float32 Tensor (C, H, W) in [0, 1]; a float
    (H, W, C) array is only transposed (torchvision's ToTensor)."""

    def __call__(self, pic: Any):
        array = np.asarray(pic.convert("RGB") if _is_pil(pic) and pic.mode not in ("L", "RGB", "RGBA")
                           else pic)
        if array.ndim == 2:
            array = array[:, :, None]
        if array.ndim != 3:
            raise ValueError(f"ToTensor: expected an image (H, W) or (H, W, C), got shape {array.shape}")
        chw = np.ascontiguousarray(array.transpose(2, 0, 1))
        if chw.dtype == np.uint8:
            chw = chw.astype(np.float32) / np.float32(255)
        return to_tensor(chw.astype(np.float32, copy=False))

    def __repr__(self) -> str:
        return "ToTensor()"


def _as_chw(x: Any) -> tuple[np.ndarray, bool]:
    """An array (C, H, W) or (N, C, H, W) and whether it came as a Tensor."""
    if is_tensor(x):
        return x.numpy(), True
    array = np.asarray(x)
    if array.ndim not in (3, 4):
        raise ValueError(f"expected an image (C, H, W), a batch (N, C, H, W) or a Pillow image, "
                         f"got shape {array.shape}")
    return array, False


class Resize:
    """Resize to ``size``: an int resizes the shorter side to it (keeping the aspect ratio),
    (h, w) resizes exactly. Bilinear by default (Pillow's resampling, with antialiasing)."""

    def __init__(self, size: int | Sequence[int], interpolation: str = "bilinear") -> None:
        names = {"nearest": "NEAREST", "bilinear": "BILINEAR", "bicubic": "BICUBIC"}
        key = getattr(interpolation, "value", interpolation)
        if str(key).lower() not in names:
            raise ValueError(f"Resize: interpolation must be one of {sorted(names)}, got {interpolation!r}")
        self.size, self.interpolation = size, str(key).lower()
        self._filter = names[self.interpolation]

    def _target(self, h: int, w: int) -> tuple[int, int]:
        if isinstance(self.size, (int, np.integer)):
            s = int(self.size)
            return (s, max(1, round(w * s / h))) if h <= w else (max(1, round(h * s / w)), s)
        return _pair(self.size, "Resize size")

    def __call__(self, img: Any):
        Image = _pil()
        resample = getattr(Image.Resampling, self._filter)
        if _is_pil(img):
            h, w = self._target(img.height, img.width)
            return img.resize((w, h), resample)
        array, was_tensor = _as_chw(img)
        h, w = self._target(*array.shape[-2:])
        planes = array.reshape(-1, *array.shape[-2:]).astype(np.float32)
        out = np.stack([np.asarray(Image.fromarray(p, mode="F").resize((w, h), resample))
                        for p in planes]).reshape(*array.shape[:-2], h, w)
        out = out.astype(array.dtype if array.dtype.kind == "f" else np.float32)
        return to_tensor(out) if was_tensor else out

    def __repr__(self) -> str:
        return f"Resize(size={self.size}, interpolation={self.interpolation})"


class CenterCrop:
    """Cut the central (h, w) window (``size`` int or pair); an image smaller than that is
    padded with zeros first (torchvision's behaviour)."""

    def __init__(self, size: int | Sequence[int]) -> None:
        self.size = _pair(size, "CenterCrop size")

    def __call__(self, img: Any):
        h, w = self.size
        if _is_pil(img):
            left, top = (img.width - w) // 2, (img.height - h) // 2
            return img.crop((left, top, left + w, top + h))
        array, was_tensor = _as_chw(img)
        H, W = array.shape[-2:]
        ph, pw = max(h - H, 0), max(w - W, 0)
        if ph or pw:
            widths = [(0, 0)] * (array.ndim - 2) + [(ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2)]
            array = np.pad(array, widths)
            H, W = array.shape[-2:]
        top, left = int(round((H - h) / 2)), int(round((W - w) / 2))
        out = array[..., top:top + h, left:left + w].copy()
        return to_tensor(out) if was_tensor else out

    def __repr__(self) -> str:
        return f"CenterCrop(size={self.size})"


def _factor_range(value, name: str) -> tuple[float, float] | None:
    if value is None or value == 0:
        return None
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"ColorJitter: {name} must be non-negative, got {value}")
        return max(0.0, 1.0 - value), 1.0 + value
    lo, hi = value
    if not 0 <= lo <= hi:
        raise ValueError(f"ColorJitter: {name} range must satisfy 0 <= min <= max, got {value}")
    return float(lo), float(hi)


class ColorJitter(Transform):
    """Random brightness and contrast (torchvision's factors: ``brightness=b`` draws a factor
    in [max(0, 1 - b), 1 + b], or give a (min, max) pair), applied in random order.
    Brightness scales the image; contrast blends it with its mean grey level. Works on float
    images in [0, 1] (C, H, W) or Pillow images; saturation and hue are not supported."""

    batched = False

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0, generator=None) -> None:
        super().__init__(generator)
        if saturation or hue:
            raise NotImplementedError("ColorJitter: saturation and hue are not supported; use "
                                      "brightness and contrast")
        self.brightness = _factor_range(brightness, "brightness")
        self.contrast = _factor_range(contrast, "contrast")

    def __call__(self, img: Any):
        if _is_pil(img):
            Image = _pil()
            mode = img.mode
            chw = np.asarray(img, dtype=np.float32) / 255
            chw = chw[None] if chw.ndim == 2 else chw.transpose(2, 0, 1)
            out = np.clip(self.apply(chw) * 255 + 0.5, 0, 255).astype(np.uint8)
            return Image.fromarray(out[0] if mode == "L" else out.transpose(1, 2, 0), mode)
        return super().__call__(img)

    def apply(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
        out = x.astype(dtype)
        steps = [s for s in (("brightness", self.brightness), ("contrast", self.contrast)) if s[1]]
        for k in self.generator.permutation(len(steps)):
            name, (lo, hi) = steps[k]
            factor = dtype.type(self.generator.uniform(lo, hi))
            if name == "brightness":
                out = out * factor
            else:
                grey = out.mean(axis=-3) if out.shape[-3] == 1 else (
                    0.299 * out[..., 0, :, :] + 0.587 * out[..., 1, :, :] + 0.114 * out[..., 2, :, :])
                mean = grey.mean(axis=(-2, -1), keepdims=True)[..., None, :, :]
                out = (out - mean) * factor + mean
            out = np.clip(out, 0, 1).astype(dtype)
        return out
