"""The machinery under convolution on the CPU: padded strided windows (im2col) and their
transpose (col2im) and the GEMMs of forward and backward; large temporaries come from the
array pool (``pool.py``), which reuses them once they are dropped. ``ops/conv.py`` builds the
differentiable ops on them; the sizes come in a ``backends.geometry.ConvGeometry``.

Layout: ``cols`` is (groups, C/groups * kH * kW, N * OH * Wc), so a GEMM can run over all samples
at once. For stride 1 the windows are usually read "flat": each kernel offset is one contiguous
run of OH rows of the padded width Wc = Wp, so im2col copies long runs instead of short rows;
the Wp - OW columns per row that straddle the right edge are computed and cropped. Otherwise
Wc = OW. The input gradient of a stride-1 convolution is split by direction (a GEMM over
horizontal shifts, then kh row-shifted adds; ``_grad_input_by_rows``), of a strided one it is
col2im.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..geometry import ConvGeometry
from .pool import empty
from .threads import hold_blas_threads, release_blas_threads, split_run


# ----- array kernels ----------------------------------------------------------------------------
# "CN" layout puts channels before the batch, (channels, N, rows, cols): the columns (and wide
# GEMM outputs) live in it, so a GEMM is one 2-D BLAS call over all samples (per group).
def _padded(x, geo: ConvGeometry):
    """A buffer (N, C, Hp + extra_rows, Wp) holding x inside zero borders; x itself (made
    contiguous) when nothing is added."""
    if not _pads(geo):
        return np.ascontiguousarray(x)
    n, c = x.shape[:2]
    rows, top, left = geo.hp + geo.extra_rows, geo.pt, geo.pl
    buf = empty((n, c, rows, geo.wp), x.dtype)
    buf[:, :, :top] = 0
    buf[:, :, top + geo.h:] = 0
    buf[:, :, top:top + geo.h, :left] = 0
    buf[:, :, top:top + geo.h, left + geo.w:] = 0
    buf[:, :, top:top + geo.h, left:left + geo.w] = x
    return buf


def _pads(geo: ConvGeometry) -> bool:
    return bool(geo.pt or geo.pb or geo.pl or geo.pr or geo.extra_rows)


def _im2col(x, geo: ConvGeometry):
    """Columns (G, Cg*kh*kw, N*OH*Wc): every window of the padded NCHW input. A 1x1 stride-1
    unpadded conv's columns are x itself."""
    buf = _padded(x, geo)
    n, g, cg = buf.shape[0], geo.groups, geo.c // geo.groups
    s_n, s_c, s_h, s_w = buf.strides
    head = (g, cg, geo.kh, geo.kw, n)
    head_strides = (cg * s_c, s_c, geo.dh * s_h, geo.dw * s_w, s_n)
    if geo.flat:
        tail, tail_strides = (geo.oh * geo.wp,), (s_w,)
    else:
        tail, tail_strides = (geo.oh, geo.ow), (geo.sh * s_h, geo.sw * s_w)
    win = as_strided(buf, head + tail, head_strides + tail_strides, writeable=False)
    shape = (g, cg * geo.kh * geo.kw, win.size // (g * cg * geo.kh * geo.kw))
    if g == 1 and cg == 1 and geo.kh * geo.kw == 1 and not _pads(geo) and geo.flat:
        return win.reshape(shape)  # a view of x
    cols = empty(shape, x.dtype)
    np.copyto(cols.reshape(win.shape), win)
    return cols


def _to_cn(gy, geo: ConvGeometry):
    """An output gradient (N, O, OH, OW) as a pooled (O, N, OH, OW) and its (G, O/G, N*OH*OW)
    view (strided convolutions: their columns are never flat)."""
    n, o = gy.shape[:2]
    cn = empty((o, n, geo.oh, geo.ow), gy.dtype)
    cn[...] = gy.transpose(1, 0, 2, 3)
    return cn, cn.reshape(geo.groups, o // geo.groups, -1)


def _to_nhwc(gy, geo: ConvGeometry):
    """An output gradient (N, O, OH, OW) as a pooled (N, OH, Wc, O) and its (G, N*OH*Wc, O/G)
    view, zero in the cropped columns: the weight-gradient GEMM is fastest with it."""
    n, o = gy.shape[:2]
    nhwc = empty((n, geo.oh, geo.wc, o), gy.dtype)
    nhwc[:, :, geo.ow:] = 0
    nhwc[:, :, :geo.ow] = gy.transpose(0, 2, 3, 1)
    g = geo.groups
    return nhwc, nhwc.reshape(-1, g, o // g).transpose(1, 0, 2)


def _by_sample_transposed(gy, geo: ConvGeometry):
    """An output gradient (N, O, OH, OW) as a pooled array and its (N, G, OH*Wc, O/G) view,
    zero in the cropped columns, for per-sample weight-gradient GEMMs. Channels-last when each
    group has 8 or more channels (the GEMM is faster on it); with fewer, the transposing copy
    writes rows shorter than a SIMD register and costs more than it saves, so gy stays
    channels-first and the view is transposed."""
    n, o = gy.shape[:2]
    g = geo.groups
    if o // g >= 8:
        nhwc, view = _to_nhwc(gy, geo)
        return nhwc, view.reshape(g, n, -1, o // g).swapaxes(0, 1)
    nchw = empty((n, o, geo.oh, geo.wc), gy.dtype)
    nchw[..., geo.ow:] = 0
    nchw[..., :geo.ow] = gy
    return nchw, nchw.reshape(n, g, o // g, -1).swapaxes(2, 3)


def _from_cn(arr, out, width: int):
    """(channels, n, rows, width) in CN layout -> ``out`` (n, channels, rows, cols), cropping the
    columns past ``cols``."""
    n, channels, rows, cols = out.shape
    np.copyto(out, arr.reshape(channels, n, rows, width)[..., :cols].transpose(1, 0, 2, 3))


# The batch is processed in chunks whose columns take about this many bytes, so that each chunk's
# columns are written, multiplied and dropped while they are still in cache (the whole batch's
# columns go to memory and back, several times slower per op; benchmarks/README.md has the
# sizes tried). Chunks are also the unit of work shared among threads. Columns are never kept for backward: rebuilding is cheaper.
CHUNK_BYTES = 1 << 21


# Convolutions with fewer multiply-adds than this per sample run on the calling thread: below it
# a chunk is too small to pay for handing it to another thread. Splitting pays in a training
# step only while BLAS keeps mid-sized products on one thread (``threads.hold_blas_threads``):
# otherwise OpenBLAS's idle threads spin on the cores the split needs (benchmarks/README.md).
SPLIT_MIN_SAMPLE_MACS = 100_000


def _each_chunk(body, n: int, geo: ConvGeometry, itemsize: int) -> list:
    """``[body(start, stop) for each chunk]`` over sample ranges of about CHUNK_BYTES of columns
    each, the chunks shared among threads when the op is large enough (in order, so results do
    not depend on the thread count)."""
    per_sample = geo.c * geo.kh * geo.kw * geo.oh * geo.wc * itemsize
    step = max(1, CHUNK_BYTES // max(per_sample, 1))
    ranges = [(s, min(n, s + step)) for s in range(0, n, step)]
    held = hold_blas_threads(n * geo.sample_macs)  # for chunks run on this thread
    try:
        if geo.sample_macs < SPLIT_MIN_SAMPLE_MACS:
            return [body(s, e) for s, e in ranges]
        parts = split_run(lambda run: [body(s, e) for s, e in run], ranges)
    finally:
        release_blas_threads(held)
    return [result for part in parts for result in part]


# Per-sample GEMMs smaller than this (M*N*K) run unthreaded in OpenBLAS (on <= 2 threads) and
# beat one wide GEMM when the reduction is short; larger ones go as one wide GEMM per chunk.
_PER_SAMPLE_GEMM = 1 << 19


def conv_forward(x, w, geo: ConvGeometry, b=None):
    """x (N, C, H, W), w (O, C/G, kh, kw), b (O,) or None -> y (N, O, OH, OW), chunk by chunk
    (chunks spread over threads): y = W @ im2col(x) (+ b)."""
    n, g, og = x.shape[0], geo.groups, geo.o // geo.groups
    y = empty((n, geo.o, geo.oh, geo.ow), x.dtype)
    wm = w.reshape(g, og, -1)
    run = geo.oh * geo.wc
    per_sample = og * wm.shape[-1] * run < _PER_SAMPLE_GEMM

    def chunk(s, e):
        cols = _im2col(x[s:e], geo)
        ys = y[s:e]
        if per_sample:  # (G, O/G, K) @ (nc, G, K, L) -> (nc, G, O/G, L)
            by_sample = cols.reshape(g, -1, e - s, run).transpose(2, 0, 1, 3)
            if geo.wc == geo.ow:
                np.matmul(wm, by_sample, out=ys.reshape(e - s, g, og, run))
            else:
                ys[...] = np.matmul(wm, by_sample).reshape(ys.shape[:3] + (geo.wc,))[..., :geo.ow]
        else:
            out = empty((g, og, cols.shape[-1]), cols.dtype)
            np.matmul(wm, cols, out=out)  # (G, O/G, nc*OH*Wc)
            _from_cn(out, ys, geo.wc)
        if b is not None:
            ys += b[:, None, None]

    _each_chunk(chunk, n, geo, x.itemsize)
    return y


def _col2im(dcols, geo: ConvGeometry, out):
    """Scatter-add (G, Cg*kh*kw, n*OH*OW) window gradients onto ``out`` (n, C, H, W): one
    strided add per kernel offset (strided convolutions only; see ``_grad_input``)."""
    n = out.shape[0]
    buf = empty((geo.c, n, geo.hp, geo.wp), dcols.dtype)
    buf.fill(0)
    d = dcols.reshape(geo.c, geo.kh, geo.kw, n, geo.oh, geo.ow)
    h_end, w_end = geo.sh * (geo.oh - 1) + 1, geo.sw * (geo.ow - 1) + 1
    for i in range(geo.kh):
        for j in range(geo.kw):
            r, c = i * geo.dh, j * geo.dw
            buf[:, :, r:r + h_end:geo.sh, c:c + w_end:geo.sw] += d[:, i, j]
    np.copyto(out, buf[:, :, geo.pt:geo.pt + geo.h, geo.pl:geo.pl + geo.w].transpose(1, 0, 2, 3))


def conv_grad_input(gy, w, geo: ConvGeometry):
    """gy (N, O, OH, OW), w (O, C/G, kh, kw) -> dL/dx (N, C, H, W)."""
    if geo.sh == 1 and geo.sw == 1:
        return _grad_input_by_rows(gy, w, geo)
    n, g = gy.shape[0], geo.groups
    wt = w.reshape(g, geo.o // g, -1).swapaxes(1, 2)  # (G, Cg*kh*kw, O/G)
    dx = empty((n, geo.c, geo.h, geo.w), gy.dtype)

    def chunk(s, e):
        _, gy_cn = _to_cn(gy[s:e], geo)
        dcols = empty((g, wt.shape[1], gy_cn.shape[-1]), gy.dtype)
        np.matmul(wt, gy_cn, out=dcols)
        _col2im(dcols, geo, dx[s:e])

    _each_chunk(chunk, n, geo, gy.itemsize)
    return dx


def _grad_input_by_rows(gy, w, geo: ConvGeometry):
    """The input gradient of a stride-1 convolution, split into its two directions.

    Along a row it is a 1-D transposed convolution: with gy laid out in rows of the padded width
    Wp (zeros past OW, and dw*(kw-1) zeros ahead), the kw horizontal shifts of gy are plain
    offsets into one buffer, and one GEMM gives z[(c, i), (n, y, x)] = sum over o, j of
    w[o, c, i, j] * gy[n, o, y, x - j*dw], what padded input row y + i*dh receives through kernel
    row i. The kh parts are then added at row offsets i*dh. Compared with col2im this writes kh
    times fewer GEMM outputs and adds kh, not kh*kw, times, and the GEMM's reduction is O*kw long
    instead of O."""
    n, o, c, g = gy.shape[0], geo.o, geo.c, geo.groups
    kh, kw, oh, ow, wp = geo.kh, geo.kw, geo.oh, geo.ow, geo.wp
    run, lead = oh * wp, geo.dw * (kw - 1)
    # Wr[g, (c, i), (o, j')] = w[o, c, i, kw-1-j'] within each group
    wr = w.reshape(g, o // g, c // g, kh, kw)[..., ::-1].transpose(0, 2, 3, 1, 4)
    wr = np.ascontiguousarray(wr).reshape(g, c // g * kh, o // g * kw)
    dx = empty((n, c, geo.h, geo.w), gy.dtype)

    def chunk(s, e):
        nc = e - s
        rows = empty((o, nc, lead + run), gy.dtype)  # gy in rows of width Wp
        rows[:, :, :lead] = 0
        grid = rows[:, :, lead:].reshape(o, nc, oh, wp)
        grid[..., ow:] = 0
        grid[..., :ow] = gy[s:e].transpose(1, 0, 2, 3)
        s_o, s_n, s_q = rows.strides
        # shifted[o, j', n, q] = rows[o, n, j' * dw + q]: the kw horizontal shifts of gy
        shifted = empty((o, kw, nc, run), gy.dtype)
        np.copyto(shifted, as_strided(rows, shifted.shape, (s_o, geo.dw * s_q, s_n, s_q),
                                      writeable=False))
        z = empty((c, kh, nc, run), gy.dtype)
        np.matmul(wr, shifted.reshape(g, -1, nc * run), out=z.reshape(g, -1, nc * run))
        dxp = empty((c, nc, geo.hp * wp), gy.dtype)  # gradient of the padded input
        np.copyto(dxp[:, :, :run], z[:, 0])
        dxp[:, :, run:] = 0
        for i in range(1, kh):
            dxp[:, :, i * geo.dh * wp:][:, :, :run] += z[:, i]
        inner = dxp.reshape(c, nc, geo.hp, wp)[:, :, geo.pt:geo.pt + geo.h, geo.pl:geo.pl + geo.w]
        np.copyto(dx[s:e], inner.transpose(1, 0, 2, 3))

    _each_chunk(chunk, n, geo, gy.itemsize)
    return dx


def conv_grad_weight(x, gy, geo: ConvGeometry):
    """x (N, C, H, W), gy (N, O, OH, OW) -> dL/dw (O, C/G, kh, kw) = the sum over chunks of
    im2col(x) @ gy (columns rebuilt chunk by chunk)."""
    n, g, og = x.shape[0], geo.groups, geo.o // geo.groups
    ckk = geo.c // g * geo.kh * geo.kw
    run = geo.oh * geo.wc
    per_sample = ckk * run * og < _PER_SAMPLE_GEMM

    def chunk(s, e):  # -> this chunk's (G, Cg*kh*kw, O/G)
        nc = e - s
        cols = _im2col(x[s:e], geo)
        if per_sample:  # (nc, G, Cg*kh*kw, L) @ (nc, G, L, O/G), summed over samples
            _, g_t = _by_sample_transposed(gy[s:e], geo)
            part = np.matmul(cols.reshape(g, ckk, nc, run).transpose(2, 0, 1, 3), g_t).sum(0)
        else:
            _, g_t = _to_nhwc(gy[s:e], geo)
            part = np.matmul(cols, g_t)
        return part

    gw_t = sum(_each_chunk(chunk, n, geo, x.itemsize))
    return np.ascontiguousarray(gw_t.swapaxes(1, 2)).reshape(geo.o, geo.c // g, geo.kh, geo.kw)
