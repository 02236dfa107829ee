"""The sizes of one convolution or pooling, computed once and shared by every backend's
kernels (pure arithmetic: no arrays)."""
from __future__ import annotations

from functools import cached_property
from typing import NamedTuple

__all__ = ["ConvGeometry", "PoolGeometry"]


class _ConvSizes(NamedTuple):

    n: int
    c: int
    h: int
    w: int
    o: int
    kh: int
    kw: int
    sh: int
    sw: int
    pt: int
    pb: int
    pl: int
    pr: int
    dh: int
    dw: int
    groups: int


class ConvGeometry(_ConvSizes):
    """Every size of one 2-D convolution: input (n, c, h, w), weight (o, c/groups, kh, kw),
    padding (top, bottom, left, right), output (n, o, oh, ow). Derived sizes are computed once
    (the kernels read them per batch chunk)."""

    @cached_property
    def hp(self):
        return self.h + self.pt + self.pb

    @cached_property
    def wp(self):
        return self.w + self.pl + self.pr

    @cached_property
    def oh(self):
        return (self.hp - self.dh * (self.kh - 1) - 1) // self.sh + 1

    @cached_property
    def ow(self):
        return (self.wp - self.dw * (self.kw - 1) - 1) // self.sw + 1

    @cached_property
    def flat(self):
        """Read windows as contiguous runs of whole padded rows: stride 1 and at most one column
        computed in vain (the Wp - OW that straddle the right edge) per two kept."""
        return self.sh == 1 and self.sw == 1 and 2 * (self.wp - self.ow) <= self.ow

    @cached_property
    def wc(self):
        """Row width of the columns layout (padded width when flat, else the output width)."""
        return self.wp if self.flat else self.ow

    @cached_property
    def extra_rows(self):
        """Rows added below the padded input so flat windows stay inside the buffer."""
        return 1 if self.flat and self.kw > 1 else 0

    @cached_property
    def sample_macs(self):
        """Multiply-adds of the forward pass per sample (each gradient takes as many)."""
        return self.o * self.c // self.groups * self.kh * self.kw * self.oh * self.ow


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
