"""The sizes of one pooling and its padded buffer, shared by max and average pooling."""
from __future__ import annotations

from typing import NamedTuple

from ..backend import xp


class PoolGeometry(NamedTuple):
    """Sizes of one pooling: input (h, w), kernel, stride, padding, dilation, output (oh, ow)."""

    h: int
    w: int
    kh: int
    kw: int
    sh: int
    sw: int
    ph: int
    pw: int
    dh: int
    dw: int
    oh: int
    ow: int

    @property
    def buffer(self):
        """(rows, cols) of a padded buffer that holds every window (ceil_mode may overhang)."""
        return (max(self.h + 2 * self.ph, (self.oh - 1) * self.sh + self.dh * (self.kh - 1) + 1),
                max(self.w + 2 * self.pw, (self.ow - 1) * self.sw + self.dw * (self.kw - 1) + 1))

    def windows(self):
        """One (rows, cols) slice per kernel offset, row-major like PyTorch's window order."""
        for i in range(self.kh):
            for j in range(self.kw):
                yield (Ellipsis, self.rows(i), self.cols(j))

    def rows(self, i):
        r = i * self.dh
        return slice(r, r + self.sh * (self.oh - 1) + 1, self.sh)

    def cols(self, j):
        c = j * self.dw
        return slice(c, c + self.sw * (self.ow - 1) + 1, self.sw)

    @property
    def disjoint(self):
        """No two windows share an input position: the gradient can be written, not added."""
        return self.sh >= self.dh * (self.kh - 1) + 1 and self.sw >= self.dw * (self.kw - 1) + 1

    @property
    def tiling(self):
        """Disjoint windows that cover the whole buffer."""
        return (self.disjoint and self.buffer == (self.oh * self.sh, self.ow * self.sw)
                and (self.kh, self.kw) == (self.sh, self.sw))

    def inner(self):
        return (Ellipsis, slice(self.ph, self.ph + self.h), slice(self.pw, self.pw + self.w))


def _padded(x, geo: PoolGeometry, fill):
    rows, cols = geo.buffer
    if (rows, cols) == (geo.h, geo.w):
        return x
    buf = xp.full(x.shape[:-2] + (rows, cols), fill, dtype=x.dtype)
    buf[geo.inner()] = x
    return buf


def _unpadded(buf, geo: PoolGeometry):
    if buf.shape[-2:] == (geo.h, geo.w):
        return buf
    return xp.ascontiguousarray(buf[geo.inner()])


def _lowest(dtype):
    return -xp.inf if dtype.kind == "f" else xp.iinfo(dtype).min
