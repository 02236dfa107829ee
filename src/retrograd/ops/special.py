"""Special functions NumPy lacks, vectorised: erf to double precision."""
from __future__ import annotations

import math

from ..backend import array_module

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def erf(x):
    """The error function, element-wise; accurate to ~1e-15 (float64) in the whole range.

    |x| < 2.5: the series erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (2n+1)!!, whose
    terms are all positive (no cancellation). Beyond: erfc's continued fraction.
    """
    xp = array_module(x)
    x = xp.asarray(x)
    work = x.astype(xp.float64)
    a = xp.abs(work)
    out = xp.empty_like(work)
    small = a < 2.5
    if small.any():
        s = a[small]
        s2 = s * s
        term = s.copy()
        total = s.copy()
        for n in range(1, 60):
            term *= 2.0 * s2 / (2 * n + 1)
            total += term
        out[small] = _TWO_OVER_SQRT_PI * xp.exp(-s2) * total
    big = ~small
    if big.any():
        b = a[big]
        frac = b.copy()
        for k in range(60, 0, -1):
            frac = b + (k / 2.0) / frac
        out[big] = 1.0 - xp.exp(-b * b) / (math.sqrt(math.pi) * frac)
    return (xp.sign(work) * out).astype(x.dtype if x.dtype.kind == "f" else xp.float64)


def erfc(x):
    """1 - erf(x), without the cancellation of that difference for large x: erfc's continued
    fraction for |x| >= 2.5 (to ~1e-15 relative, float64), 1 - erf(x) below."""
    xp = array_module(x)
    x = xp.asarray(x)
    work = x.astype(xp.float64)
    out = 1.0 - erf(work)
    big = xp.abs(work) >= 2.5
    if big.any():
        b = xp.abs(work[big])
        frac = b.copy()
        for k in range(60, 0, -1):
            frac = b + (k / 2.0) / frac
        tail = xp.exp(-b * b) / (math.sqrt(math.pi) * frac)
        out[big] = xp.where(work[big] > 0, tail, 2.0 - tail)
    return out.astype(x.dtype if x.dtype.kind == "f" else xp.float64)
