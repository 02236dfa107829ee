"""Transforms for images as files give them (torchvision's): ``ToTensor``, ``Resize``,
``CenterCrop`` and ``ColorJitter``. They take a Pillow image, an (H, W[, C]) uint8 array (as
Pillow gives) or a (C, H, W) float array / Tensor; ``ToTensor`` turns the first two into a
float32 (C, H, W) Tensor in [0, 1], the layout the array transforms (``Normalize``,
``RandomCrop``, ``RandomHorizontalFlip``) work on.

>>> t = Compose([Resize(32), CenterCrop(28), ToTensor(), Normalize([0.5], [0.5])])  # doctest: +SKIP
"""
from __future__ import annotations

from numbers import Number
from typing import Any, Sequence

import numpy as np

from ._utils import is_tensor, to_tensor
from .color import adjust_brightness, adjust_contrast, adjust_hue, adjust_saturation
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


def _factor_range(value, name: str, center: float = 1.0, bound=(0.0, float("inf")),
                  clip_first_on_zero: bool = True) -> tuple[float, float] | None:
    """torchvision's check: a number v gives [center - v, center + v] (the low end at least 0
    for the factors), a pair is taken as (min, max), both within ``bound``; None when the range
    is just ``center`` (nothing to do)."""
    if isinstance(value, Number) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"ColorJitter: {name} as a single number must be non-negative, got {value}")
        low, high = center - float(value), center + float(value)
        if clip_first_on_zero:
            low = max(low, 0.0)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        low, high = float(value[0]), float(value[1])
    else:
        raise TypeError(f"ColorJitter: {name} should be a single number or a (min, max) pair, "
                        f"got {value!r}")
    if not bound[0] <= low <= high <= bound[1]:
        raise ValueError(f"ColorJitter: {name} values should be between {bound}, got {(low, high)}")
    return None if low == high == center else (low, high)


class ColorJitter(Transform):
    """Random brightness, contrast, saturation and hue, as torchvision's ``ColorJitter``:
    ``brightness=b`` draws a factor in [max(0, 1 - b), 1 + b] (likewise contrast and
    saturation), ``hue=h`` a factor in [-h, h] with h <= 0.5; or give a (min, max) pair (hue
    within [-0.5, 0.5]). The four adjustments run in a random order, with the factors drawn
    after the order (numbers from NumPy, not PyTorch). Works on float images in [0, 1]
    (C, H, W) with 1 or 3 channels (arrays or Tensors) and on Pillow images, through
    ``retrograd.data.color`` (torchvision's formulas and Pillow calls)."""

    batched = False
    _STEPS = (("brightness", adjust_brightness), ("contrast", adjust_contrast),
              ("saturation", adjust_saturation), ("hue", adjust_hue))

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0, generator=None) -> None:
        super().__init__(generator)
        self.brightness = _factor_range(brightness, "brightness")
        self.contrast = _factor_range(contrast, "contrast")
        self.saturation = _factor_range(saturation, "saturation")
        self.hue = _factor_range(hue, "hue", center=0.0, bound=(-0.5, 0.5), clip_first_on_zero=False)

    def _draw(self) -> list:
        """The adjustments to run, in this call's order, each with its factor."""
        order = self.generator.permutation(4)
        factors = {name: None if getattr(self, name) is None
                   else float(self.generator.uniform(*getattr(self, name))) for name, _ in self._STEPS}
        return [(fn, factors[name]) for name, fn in (self._STEPS[k] for k in order)
                if factors[name] is not None]

    def __call__(self, img: Any):
        if _is_pil(img):
            for fn, factor in self._draw():
                img = fn(img, factor)
            return img
        return super().__call__(img)

    def apply(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        out = x if x.dtype.kind == "f" else x.astype(np.float32)
        for fn, factor in self._draw():
            out = fn(out, factor)
        return out
