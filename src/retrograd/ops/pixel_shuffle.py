"""F.pixel_shuffle and F.pixel_unshuffle: channels to space and back (sub-pixel convolution),
as one reshape and permute each (so the gradient is the other's)."""
from __future__ import annotations

from ..autograd.function import ShapeError
from ..tensor import Tensor


def _check(op: str, input: Tensor, factor: int) -> None:
    if input.ndim < 3:
        raise ShapeError(f"{op}: expected input (*, C, H, W) of at least 3 dims, got shape "
                         f"{tuple(input.shape)}")
    if not isinstance(factor, int) or factor < 1:
        raise ValueError(f"{op}: the factor must be a positive int, got {factor!r}")


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r), r = upscale_factor."""
    _check("pixel_shuffle", input, upscale_factor)
    r = upscale_factor
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible "
                           f"by the square of upscale_factor, but input.size(-3)={c} is not "
                           f"divisible by {r * r}")
    n = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)  # (*, C, H, r, W, r)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W), r = downscale_factor."""
    _check("pixel_unshuffle", input, downscale_factor)
    r = downscale_factor
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError(f"pixel_unshuffle expects height ({h}) and width ({w}) to be divisible "
                           f"by downscale_factor ({r})")
    n = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)  # (*, C, r, r, H, W)
    return x.reshape(*lead, c * r * r, h // r, w // r)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """(N, C, *) with channels (groups, C / groups) reordered to (C / groups, groups) (ShuffleNet)."""
    if input.ndim < 3:
        raise ShapeError(f"channel_shuffle: expected input (N, C, *) of at least 3 dims, got shape "
                         f"{tuple(input.shape)}")
    n, c = input.shape[:2]
    if not isinstance(groups, int) or groups < 1 or c % groups:
        raise RuntimeError(f"channel_shuffle: number of channels ({c}) must be divisible by groups "
                           f"({groups})")
    rest = input.shape[2:]
    return input.reshape(n, groups, c // groups, *rest).transpose(1, 2).reshape(n, c, *rest)


__all__ = ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle"]
