"""F.affine_grid and F.grid_sample (2-D): sample input (N, C, H, W) at the normalised (x, y)
positions of grid (N, Ho, Wo, 2), as PyTorch's (spatial transformer networks).

Sampling is differentiable ops only: corner values are gathered per sample (constant indices) and
blended with weights computed from the grid, so gradients reach both the input and the grid.
"""
from __future__ import annotations

from ..autograd.function import ShapeError
from ..backend import array_module
from ..tensor import Tensor
from .elementwise import where
from .index import gather
from .linalg import matmul

__all__ = ["affine_grid", "grid_sample"]


def affine_grid(theta: Tensor, size, align_corners: bool = False) -> Tensor:
    """theta (N, 2, 3) affine maps -> grid (N, H, W, 2) of the normalised source positions of an
    output of ``size`` (N, C, H, W)."""
    if len(size) != 4 or theta.ndim != 3 or tuple(theta.shape) != (size[0], 2, 3):
        raise ValueError(f"affine_grid: expected theta (N, 2, 3) and size (N, C, H, W) with one N, "
                         f"got theta {tuple(theta.shape)} and size {tuple(size)}")
    n, _, h, w = size
    xp = array_module(theta.array)

    def axis(steps):
        if steps == 1:
            return xp.zeros(1, dtype=theta.dtype)
        line = xp.linspace(-1, 1, steps, dtype=theta.dtype)
        return line if align_corners else line * (steps - 1) / steps

    ys, xs = xp.meshgrid(axis(h), axis(w), indexing="ij")
    base = xp.stack([xs, ys, xp.ones_like(xs)], axis=-1).reshape(1, h * w, 3)  # (1, H*W, 3)
    grid = matmul(Tensor(xp.broadcast_to(base, (n, h * w, 3)).copy()), theta.transpose(1, 2))
    return grid.reshape(n, h, w, 2)


def _source(coord: Tensor, size: int, align_corners: bool, padding_mode: str) -> Tensor:
    """Normalised coordinates in [-1, 1] -> pixel positions, then the padding rule."""
    pos = (coord + 1) * ((size - 1) / 2) if align_corners else ((coord + 1) * size - 1) / 2
    if padding_mode == "reflection":
        low, high = (0.0, size - 1.0) if align_corners else (-0.5, size - 0.5)
        pos = _reflect(pos, low, high)
    if padding_mode in ("border", "reflection"):
        pos = pos.clamp(0, size - 1)
    return pos


def _reflect(pos: Tensor, low: float, high: float) -> Tensor:
    """Positions mirrored into [low, high] (PyTorch's reflect_coordinates), differentiably."""
    span = high - low
    if span <= 0:
        return pos * 0.0
    xp = array_module(pos.array)
    distance = (pos - low).abs()
    flips = xp.floor(distance.array / span)
    extra = distance - flips * span
    return where((flips % 2) == 1, (high - extra), extra + low)


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners: bool | None = None) -> Tensor:
    """Output (N, C, Ho, Wo): input sampled at grid (N, Ho, Wo, 2), whose (x, y) in [-1, 1] map
    to the input's width and height. mode 'bilinear' or 'nearest'; padding_mode 'zeros', 'border'
    or 'reflection'."""
    if mode not in ("bilinear", "nearest"):
        raise NotImplementedError(f"grid_sample: mode {mode!r} is not supported (bilinear, nearest)")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"grid_sample: padding_mode must be 'zeros', 'border' or 'reflection', "
                         f"got {padding_mode!r}")
    if input.ndim != 4 or grid.ndim != 4 or grid.shape[-1] != 2 or grid.shape[0] != input.shape[0]:
        raise ShapeError(f"grid_sample: expected input (N, C, H, W) and grid (N, Ho, Wo, 2), got "
                         f"{tuple(input.shape)} and {tuple(grid.shape)}")
    align = bool(align_corners)
    n, c, h, w = input.shape
    out_hw = grid.shape[1:3]
    xp = array_module(input.array)
    x = _source(grid[..., 0], w, align, padding_mode)  # (N, Ho, Wo)
    y = _source(grid[..., 1], h, align, padding_mode)
    planes = input.reshape(n, c, h * w)

    def corner(ix, iy):
        """Values at integer positions (N, Ho, Wo) (0 outside) as (N, C, Ho, Wo)."""
        inside = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
        flat = (xp.clip(iy, 0, h - 1) * w + xp.clip(ix, 0, w - 1)).reshape(n, 1, -1)
        values = gather(planes, 2, xp.broadcast_to(flat, (n, c, flat.shape[-1])).copy())
        values = values.reshape(n, c, *out_hw)
        return where(inside[:, None], values, xp.zeros((), dtype=input.dtype))

    if mode == "nearest":  # round half to even, as PyTorch's nearbyint
        return corner(xp.rint(x.array).astype(xp.int64), xp.rint(y.array).astype(xp.int64))
    x0, y0 = xp.floor(x.array), xp.floor(y.array)
    wx1, wy1 = (x - x0).unsqueeze(1), (y - y0).unsqueeze(1)  # differentiable in the grid
    wx0, wy0 = 1 - wx1, 1 - wy1
    x0, y0 = x0.astype(xp.int64), y0.astype(xp.int64)
    return (corner(x0, y0) * (wx0 * wy0) + corner(x0 + 1, y0) * (wx1 * wy0)
            + corner(x0, y0 + 1) * (wx0 * wy1) + corner(x0 + 1, y0 + 1) * (wx1 * wy1))
