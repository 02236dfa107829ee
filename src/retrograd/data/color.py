"""Colour adjustments as torchvision.transforms.functional has them: ``adjust_brightness``,
``adjust_contrast``, ``adjust_saturation``, ``adjust_hue`` and ``rgb_to_grayscale``.

Each takes a float image (..., C, H, W) in [0, 1] with C = 1 or 3 (an array or a Tensor; the
dtype is kept) or a Pillow image, and computes what torchvision computes: on arrays its tensor
formulas (saturation blends with the grey image, hue turns the hue channel in HSV), on Pillow
images the same Pillow calls it makes (``ImageEnhance``, a shift of the 8-bit H channel).

>>> import numpy as np
>>> red = np.zeros((3, 1, 1)); red[0] = 1
>>> adjust_hue(red, 1 / 3).ravel().round(4).tolist(), adjust_saturation(red, 0).ravel().tolist()
([0.0, 1.0, 0.0], [0.2989, 0.2989, 0.2989])
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._utils import is_tensor, to_tensor

GREY_WEIGHTS = (0.2989, 0.587, 0.114)  # torchvision's (and TensorFlow's) luma weights


def _is_pil(x: Any) -> bool:
    return type(x).__module__.startswith("PIL.")


def _image(x: Any, op: str) -> np.ndarray:
    array = np.asarray(x)
    if array.ndim < 3 or array.shape[-3] not in (1, 3):
        raise TypeError(f"{op}: expected an image (..., C, H, W) with 1 or 3 channels, got shape "
                        f"{array.shape}")
    return array if array.dtype.kind == "f" else array.astype(np.float32)


def _apply(img: Any, on_array, on_pil):
    """``on_pil(img)`` for a Pillow image, else ``on_array`` on the array (a Tensor comes back
    as a Tensor)."""
    if _is_pil(img):
        return on_pil(img)
    if is_tensor(img):
        return to_tensor(on_array(img.numpy()))
    return on_array(img)


def _enhance(kind: str, factor: float):
    """torchvision's Pillow path: ``ImageEnhance.<kind>(img).enhance(factor)``."""
    def run(img):
        from PIL import ImageEnhance

        return getattr(ImageEnhance, kind)(img).enhance(factor)
    return run


def _blend(image: np.ndarray, other, ratio: float) -> np.ndarray:
    """ratio * image + (1 - ratio) * other, clipped to [0, 1], in image's dtype."""
    ratio = float(ratio)
    return np.clip(ratio * image + (1.0 - ratio) * other, 0, 1).astype(image.dtype, copy=False)


def _check_factor(factor: float, name: str, op: str) -> None:
    if factor < 0:
        raise ValueError(f"{op}: {name} ({factor}) is not non-negative")


def rgb_to_grayscale(img: Any) -> np.ndarray:
    """(..., 3, H, W) -> (..., 1, H, W): 0.2989 R + 0.587 G + 0.114 B; one channel is copied."""
    x = _image(img, "rgb_to_grayscale")
    if x.shape[-3] == 1:
        return x.copy()
    r, g, b = x[..., 0:1, :, :], x[..., 1:2, :, :], x[..., 2:3, :, :]
    return (GREY_WEIGHTS[0] * r + GREY_WEIGHTS[1] * g + GREY_WEIGHTS[2] * b).astype(x.dtype)


def adjust_brightness(img: Any, brightness_factor: float) -> Any:
    """The image scaled by ``brightness_factor`` (0: black, 1: unchanged), clipped to [0, 1]."""
    _check_factor(brightness_factor, "brightness_factor", "adjust_brightness")
    return _apply(img, lambda x: _blend(_image(x, "adjust_brightness"), 0.0, brightness_factor),
                  _enhance("Brightness", brightness_factor))


def adjust_contrast(img: Any, contrast_factor: float) -> Any:
    """The image blended with its mean grey level (0: flat grey, 1: unchanged)."""
    _check_factor(contrast_factor, "contrast_factor", "adjust_contrast")
    return _apply(img, lambda x: _contrast(x, contrast_factor), _enhance("Contrast", contrast_factor))


def adjust_saturation(img: Any, saturation_factor: float) -> Any:
    """The image blended with its grey image (0: grey, 1: unchanged, 2: twice as saturated);
    a one-channel image is returned as is."""
    _check_factor(saturation_factor, "saturation_factor", "adjust_saturation")
    return _apply(img, lambda x: _saturation(x, saturation_factor),
                  _enhance("Color", saturation_factor))


def adjust_hue(img: Any, hue_factor: float) -> Any:
    """The hue turned by ``hue_factor`` of a full turn, in [-0.5, 0.5] (0: unchanged); a
    one-channel (or Pillow "L", "1", "I", "F") image is returned as is."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"adjust_hue: hue_factor ({hue_factor}) is not in [-0.5, 0.5]")
    return _apply(img, lambda x: _hue(x, hue_factor), lambda im: _pil_hue(im, hue_factor))


def _contrast(img, factor):
    x = _image(img, "adjust_contrast")
    mean = rgb_to_grayscale(x).mean(axis=(-3, -2, -1), keepdims=True, dtype=x.dtype)
    return _blend(x, mean, factor)


def _saturation(img, factor):
    x = _image(img, "adjust_saturation")
    return x if x.shape[-3] == 1 else _blend(x, rgb_to_grayscale(x), factor)


def _hue(img, factor):
    x = _image(img, "adjust_hue")
    if x.shape[-3] == 1:
        return x
    h, s, v = rgb_to_hsv(x.astype(np.float32, copy=False))  # torchvision turns hue in float32
    return hsv_to_rgb(np.mod(h + np.float32(factor), np.float32(1.0)), s, v).astype(x.dtype)


def rgb_to_hsv(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(h, s, v), each (..., H, W), of an RGB image (..., 3, H, W) in [0, 1]; h in [0, 1).
    Grey pixels (max = min) get h = s = 0 (no division by zero), as Pillow and torchvision."""
    r, g, b = x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    maxc, minc = x.max(axis=-3), x.min(axis=-3)
    grey = maxc == minc
    chroma = maxc - minc
    one = np.ones_like(maxc)
    s = chroma / np.where(grey, one, maxc)
    divisor = np.where(grey, one, chroma)
    rc, gc, bc = (maxc - r) / divisor, (maxc - g) / divisor, (maxc - b) / divisor
    h = ((maxc == r) * (bc - gc) + ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
         + ((maxc != g) & (maxc != r)) * (4.0 + gc - rc))
    return np.fmod(h / 6.0 + 1.0, 1.0).astype(x.dtype), s, maxc


def hsv_to_rgb(h: np.ndarray, s: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The RGB image (..., 3, H, W) of hue, saturation and value planes (..., H, W)."""
    sector = np.floor(h * 6.0)
    f = h * 6.0 - sector
    sector = sector.astype(np.int32) % 6
    p = np.clip(v * (1.0 - s), 0.0, 1.0)
    q = np.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = np.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    r = np.choose(sector, (v, q, p, p, t, v))
    g = np.choose(sector, (t, v, v, q, p, p))
    b = np.choose(sector, (p, p, t, v, v, q))
    return np.stack((r, g, b), axis=-3)


def _pil_hue(img, hue_factor: float):
    """torchvision's Pillow hue: shift the 8-bit H channel (wrapping round) and convert back."""
    if img.mode in {"L", "1", "I", "F"}:
        return img
    from PIL import Image

    h, s, v = img.convert("HSV").split()
    shifted = np.array(h, dtype=np.uint8)
    shifted += np.int32(hue_factor * 255).astype(np.uint8)  # overflows round, as intended
    return Image.merge("HSV", (Image.fromarray(shifted, "L"), s, v)).convert(img.mode)


__all__ = ["adjust_brightness", "adjust_contrast", "adjust_hue", "adjust_saturation",
           "hsv_to_rgb", "rgb_to_grayscale", "rgb_to_hsv"]
