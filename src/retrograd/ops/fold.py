"""F.unfold (sliding windows to columns, "im2col") and F.fold (columns summed back into an
image, "col2im"), as PyTorch's: each is the other's gradient.

unfold gathers the padded input at one index grid (one vectorised fancy-index); fold scatter-adds
into the same grid (overlapping windows accumulate) and crops the padding.
"""
from __future__ import annotations

from ..autograd.function import ShapeError
from ..backend import array_module
from ..tensor import Tensor
from .index import GetItem, ScatterAdd
from .padding import pad


def _pair(value, name: str, op: str, minimum: int) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or any(not isinstance(v, int) or v < minimum for v in pair):
        raise ValueError(f"{op}: {name} must be an int or a pair of ints >= {minimum}, got {value!r}")
    return pair


def _window_grid(xp, padded_hw, kernel, dilation, stride, op: str):
    """Index arrays (kh, 1, OH, 1) and (1, kw, 1, OW) into the padded image, and (OH, OW)."""
    blocks = []
    for size, k, d, s in zip(padded_hw, kernel, dilation, stride):
        count = (size - d * (k - 1) - 1) // s + 1
        if count < 1:
            raise RuntimeError(f"{op}: kernel {kernel} with dilation {dilation} does not fit the "
                               f"padded input of size {tuple(padded_hw)}")
        blocks.append((xp.arange(k) * d)[:, None] + (xp.arange(count) * s)[None, :])
    rows, cols = blocks
    return rows[:, None, :, None], cols[None, :, None, :], (rows.shape[1], cols.shape[1])


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sliding (kh, kw) blocks of (N, C, H, W) as columns: (N, C * kh * kw, L), L the number of
    blocks (row-major over the output grid). Unbatched (C, H, W) gives (C * kh * kw, L)."""
    if input.ndim == 3:
        return unfold(input.unsqueeze(0), kernel_size, dilation, padding, stride)[0]
    if input.ndim != 4:
        raise ShapeError(f"unfold: expected a 3-D or 4-D input (N, C, H, W), got shape {tuple(input.shape)}")
    op = "unfold"
    kernel, dil = _pair(kernel_size, "kernel_size", op, 1), _pair(dilation, "dilation", op, 1)
    pads, strides = _pair(padding, "padding", op, 0), _pair(stride, "stride", op, 1)
    x = pad(input, (pads[1], pads[1], pads[0], pads[0])) if any(pads) else input
    rows, cols, (oh, ow) = _window_grid(array_module(x.array), x.shape[2:], kernel, dil, strides, op)
    blocks = GetItem.apply(x, key=(slice(None), slice(None), rows, cols))  # (N, C, kh, kw, OH, OW)
    n, c = input.shape[:2]
    return blocks.reshape(n, c * kernel[0] * kernel[1], oh * ow)


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sum columns (N, C * kh * kw, L) back into images (N, C, *output_size): the adjoint of
    unfold (overlaps add up). Unbatched (C * kh * kw, L) gives (C, *output_size)."""
    if input.ndim == 2:
        return fold(input.unsqueeze(0), output_size, kernel_size, dilation, padding, stride)[0]
    if input.ndim != 3:
        raise ShapeError(f"fold: expected a 2-D or 3-D input (N, C * kh * kw, L), got shape "
                         f"{tuple(input.shape)}")
    op = "fold"
    size = _pair(output_size, "output_size", op, 1)
    kernel, dil = _pair(kernel_size, "kernel_size", op, 1), _pair(dilation, "dilation", op, 1)
    pads, strides = _pair(padding, "padding", op, 0), _pair(stride, "stride", op, 1)
    n, ck, length = input.shape
    if ck % (kernel[0] * kernel[1]):
        raise RuntimeError(f"fold: expected size of input's dimension 1 ({ck}) to be divisible by "
                           f"the product of kernel_size {kernel}")
    padded = (size[0] + 2 * pads[0], size[1] + 2 * pads[1])
    xp = array_module(input.array)
    rows, cols, (oh, ow) = _window_grid(xp, padded, kernel, dil, strides, op)
    if oh * ow != length:
        raise RuntimeError(f"fold: given output_size={size}, kernel_size={kernel}, dilation={dil}, "
                           f"padding={pads}, stride={strides}, expected size of input's dimension 2 "
                           f"to match the calculated number of sliding blocks {oh} * {ow} = "
                           f"{oh * ow}, but got input of shape {tuple(input.shape)}")
    c = ck // (kernel[0] * kernel[1])
    blocks = input.reshape(n, c, kernel[0], kernel[1], oh, ow)
    image = ScatterAdd.apply(blocks, key=(slice(None), slice(None), rows, cols),
                             shape=(n, c) + padded)
    return pad(image, (-pads[1], -pads[1], -pads[0], -pads[0])) if any(pads) else image


__all__ = ["unfold", "fold"]
