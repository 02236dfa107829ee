"""Image transforms on NumPy arrays: one sample (C, H, W) or a batch (N, C, H, W).

Random transforms draw per sample, vectorised over the batch (no Python loop over samples or
pixels). Each takes ``generator``: a ``numpy.random.Generator``, an int seed, or None to draw
from retrograd's global generator (so ``manual_seed`` makes them reproducible).
A transform given a Tensor returns a Tensor.

>>> t = Compose([ToFloat(), Normalize([0.5], [0.5])])
>>> t(np.full((1, 2, 2), 255, np.uint8))[0, 0, 0].item()
1.0
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._utils import as_generator, global_generator, is_tensor, to_tensor


def _pair(value: int | Sequence[int], what: str) -> tuple[int, int]:
    if isinstance(value, (int, np.integer)):
        return int(value), int(value)
    if len(value) != 2:
        raise ValueError(f"{what} must be an int or a pair (h, w), got {value!r}")
    return int(value[0]), int(value[1])


def _image_array(x: Any, who: str) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim not in (3, 4):
        raise ValueError(f"{who} expects an image (C, H, W) or a batch (N, C, H, W), "
                         f"got shape {x.shape}")
    return x


class Transform:
    """Base class: ``__call__`` unwraps a Tensor, calls ``apply`` on the array, rewraps."""

    batched = True  # apply() handles (N, C, H, W) batches as well as (C, H, W) samples

    def __init__(self, generator: np.random.Generator | int | None = None) -> None:
        self._generator = as_generator(generator)

    @property
    def generator(self) -> np.random.Generator:
        """This transform's generator, or retrograd's global one."""
        return self._generator if self._generator is not None else global_generator()

    def __call__(self, x: Any) -> Any:
        if is_tensor(x):
            return to_tensor(self.apply(x.numpy()))
        return self.apply(x)

    def apply(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({fields})"


class Compose:
    """Apply ``transforms`` in order. Batch-capable when all of them are."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    @property
    def batched(self) -> bool:
        return all(getattr(t, "batched", False) for t in self.transforms)

    def __call__(self, x: Any) -> Any:
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self) -> str:
        return "Compose([" + ", ".join(repr(t) for t in self.transforms) + "])"


class ToFloat(Transform):
    """Cast to ``dtype`` (float32) and multiply by ``scale``: uint8 [0, 255] -> [0, 1]."""

    def __init__(self, scale: float = 1 / 255, dtype: Any = np.float32) -> None:
        super().__init__()
        self.scale = scale
        self.dtype = np.dtype(dtype)

    def apply(self, x: np.ndarray) -> np.ndarray:
        out = np.asarray(x).astype(self.dtype)
        out *= self.dtype.type(self.scale)
        return out


class Normalize(Transform):
    """``(x - mean[c]) / std[c]`` per channel; the channel axis is -3 (CHW or NCHW).

    ``mean``/``std``: one value per channel, or a single value for all channels.
    Integer inputs are cast to float32; float inputs keep their dtype.
    """

    def __init__(self, mean: float | Sequence[float], std: float | Sequence[float]) -> None:
        super().__init__()
        self.mean = np.atleast_1d(np.asarray(mean, dtype=np.float64))
        self.std = np.atleast_1d(np.asarray(std, dtype=np.float64))
        if self.mean.ndim != 1 or self.std.ndim != 1:
            raise ValueError("Normalize: mean and std must be numbers or 1-D sequences")
        if np.any(self.std == 0):
            raise ValueError(f"Normalize: std must be non-zero, got {self.std.tolist()}")

    def apply(self, x: np.ndarray) -> np.ndarray:
        x = _image_array(x, "Normalize")
        channels = x.shape[-3]
        for name, v in (("mean", self.mean), ("std", self.std)):
            if v.size not in (1, channels):
                raise ValueError(f"Normalize: {name} has {v.size} values but the input has "
                                 f"{channels} channels (shape {x.shape})")
        dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
        mean = self.mean.astype(dtype).reshape(-1, 1, 1)
        std = self.std.astype(dtype).reshape(-1, 1, 1)
        return (x.astype(dtype, copy=False) - mean) / std


class RandomHorizontalFlip(Transform):
    """Mirror left-right (last axis) with probability ``p``, independently per sample."""

    def __init__(self, p: float = 0.5, generator: np.random.Generator | int | None = None) -> None:
        super().__init__(generator)
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"RandomHorizontalFlip: p must be in [0, 1], got {p}")
        self.p = p

    def apply(self, x: np.ndarray) -> np.ndarray:
        x = _image_array(x, "RandomHorizontalFlip")
        if x.ndim == 3:
            return x[..., ::-1].copy() if self.generator.random() < self.p else x.copy()
        flip = self.generator.random(x.shape[0]) < self.p
        return np.where(flip[:, None, None, None], x[..., ::-1], x)


class RandomCrop(Transform):
    """Pad by ``padding`` with ``fill``, then cut a random ``size`` window per sample.

    ``size``: int or (h, w); ``padding``: int or (pad_h, pad_w), added on both sides.
    (C, H, W) -> (C, h, w); (N, C, H, W) -> (N, C, h, w).
    """

    def __init__(self, size: int | Sequence[int], padding: int | Sequence[int] = 0,
                 fill: float = 0, generator: np.random.Generator | int | None = None) -> None:
        super().__init__(generator)
        self.size = _pair(size, "RandomCrop size")
        self.padding = _pair(padding, "RandomCrop padding")
        if min(self.size) < 1 or min(self.padding) < 0:
            raise ValueError(f"RandomCrop: size must be positive and padding non-negative, "
                             f"got size={size!r}, padding={padding!r}")
        self.fill = fill

    def apply(self, x: np.ndarray) -> np.ndarray:
        x = _image_array(x, "RandomCrop")
        single = x.ndim == 3
        batch = x[None] if single else x
        (ph, pw), (h, w) = self.padding, self.size
        if ph or pw:
            batch = np.pad(batch, ((0, 0), (0, 0), (ph, ph), (pw, pw)),
                           constant_values=np.asarray(self.fill).astype(batch.dtype))
        H, W = batch.shape[-2:]
        if h > H or w > W:
            raise ValueError(f"RandomCrop: crop size {(h, w)} is larger than the padded image "
                             f"{(H, W)}")
        n = batch.shape[0]
        top = self.generator.integers(0, H - h + 1, size=n)
        left = self.generator.integers(0, W - w + 1, size=n)
        windows = sliding_window_view(batch, (h, w), axis=(2, 3))  # (N, C, H-h+1, W-w+1, h, w)
        out = windows[np.arange(n), :, top, left]  # advanced indices first: (N, C, h, w)
        return out[0] if single else out


# Transforms for images as read from files (Pillow images, HWC arrays): torchvision's names.
from .image_transforms import CenterCrop, ColorJitter, Resize, ToTensor  # noqa: E402,F401
