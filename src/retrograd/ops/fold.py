"""F.unfold (sliding windows to columns, "im2col") and F.fold (columns summed back into an
image, "col2im"), as PyTorch's: each is the other's gradient.

Windows are separable: unfold gathers the padded input's rows at every (kernel row, output row)
pair, then its columns likewise (two 1-D gathers), and reorders to (C, kh, kw, L). fold runs the
same steps transposed: two sorted scatter-adds (overlapping windows accumulate), then crops the
padding.
"""
from __future__ import annotations

from ..autograd.function import ShapeError
from ..backend import array_module
from ..tensor import Tensor
from .axis_index import index_add_along_dim, take_along_dim
from .padding import pad


def _pair(value, name: str, op: str, minimum: int) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or any(not isinstance(v, int) or v < minimum for v in pair):
        raise ValueError(f"{op}: {name} must be an int or a pair of ints >= {minimum}, got {value!r}")
    return pair


def _window_rows(xp, padded_hw, kernel, dilation, stride, op: str):
    """Per spatial dim, the flat (k * out) source positions of every window tap, and (OH, OW)."""
    taps, counts = [], []
    for size, k, d, s in zip(padded_hw, kernel, dilation, stride):
        count = (size - d * (k - 1) - 1) // s + 1
        if count < 1:
            raise RuntimeError(f"{op}: kernel {kernel} with dilation {dilation} does not fit the "
                               f"padded input of size {tuple(padded_hw)}")
        taps.append(((xp.arange(k) * d)[:, None] + (xp.arange(count) * s)[None, :]).reshape(-1))
        counts.append(count)
    return taps, tuple(counts)


def _args(op, kernel_size, dilation, padding, stride):
    return (_pair(kernel_size, "kernel_size", op, 1), _pair(dilation, "dilation", op, 1),
            _pair(padding, "padding", op, 0), _pair(stride, "stride", op, 1))


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sliding (kh, kw) blocks of (N, C, H, W) as columns: (N, C * kh * kw, L), L the number of
    blocks (row-major over the output grid). Unbatched (C, H, W) gives (C * kh * kw, L)."""
    if input.ndim == 3:
        return unfold(input.unsqueeze(0), kernel_size, dilation, padding, stride)[0]
    if input.ndim != 4:
        raise ShapeError(f"unfold: expected a 3-D or 4-D input (N, C, H, W), got shape "
                         f"{tuple(input.shape)}")
    kernel, dil, pads, strides = _args("unfold", kernel_size, dilation, padding, stride)
    x = pad(input, (pads[1], pads[1], pads[0], pads[0])) if any(pads) else input
    xp = array_module(x.array)
    (rows, cols), (oh, ow) = _window_rows(xp, x.shape[2:], kernel, dil, strides, "unfold")
    blocks = take_along_dim(take_along_dim(x, 2, rows), 3, cols)  # (N, C, kh * OH, kw * OW)
    n, c = input.shape[:2]
    blocks = blocks.reshape(n, c, kernel[0], oh, kernel[1], ow).permute(0, 1, 2, 4, 3, 5)
    return blocks.reshape(n, c * kernel[0] * kernel[1], oh * ow)


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sum columns (N, C * kh * kw, L) back into images (N, C, *output_size): the adjoint of
    unfold (overlaps add up). Unbatched (C * kh * kw, L) gives (C, *output_size)."""
    if input.ndim == 2:
        return fold(input.unsqueeze(0), output_size, kernel_size, dilation, padding, stride)[0]
    if input.ndim != 3:
        raise ShapeError(f"fold: expected a 2-D or 3-D input (N, C * kh * kw, L), got shape "
                         f"{tuple(input.shape)}")
    size = _pair(output_size, "output_size", "fold", 1)
    kernel, dil, pads, strides = _args("fold", kernel_size, dilation, padding, stride)
    n, ck, length = input.shape
    if ck % (kernel[0] * kernel[1]):
        raise RuntimeError(f"fold: expected size of input's dimension 1 ({ck}) to be divisible by "
                           f"the product of kernel_size {kernel}")
    padded = (size[0] + 2 * pads[0], size[1] + 2 * pads[1])
    xp = array_module(input.array)
    (rows, cols), (oh, ow) = _window_rows(xp, padded, kernel, dil, strides, "fold")
    if oh * ow != length:
        raise RuntimeError(f"fold: given output_size={size}, kernel_size={kernel}, dilation={dil}, "
                           f"padding={pads}, stride={strides}, expected size of input's dimension 2 "
                           f"to match the calculated number of sliding blocks {oh} * {ow} = "
                           f"{oh * ow}, but got input of shape {tuple(input.shape)}")
    c = ck // (kernel[0] * kernel[1])
    blocks = input.reshape(n, c, kernel[0], kernel[1], oh, ow).permute(0, 1, 2, 4, 3, 5)
    blocks = blocks.reshape(n, c, kernel[0] * oh, kernel[1] * ow)
    image = index_add_along_dim(index_add_along_dim(blocks, 3, cols, padded[1]), 2, rows, padded[0])
    return pad(image, (-pads[1], -pads[1], -pads[0], -pads[0])) if any(pads) else image


__all__ = ["unfold", "fold"]
