"""Random tensors: rand, randn, randint, randperm, the ``*_like`` forms, bernoulli, multinomial,
normal. All draw from retrograd's default generator (``manual_seed``) unless ``generator=`` (a
``retrograd.Generator`` or NumPy Generator) is given; sampling is vectorised (no loop over elements or rows)."""
from __future__ import annotations

import numpy as np

from . import backend
from .creation import _float, _shape, finish
from .random import generator_or_default
from .tensor import Tensor


_rng = generator_or_default


def rand(*size, generator=None, dtype=None, device=None, requires_grad: bool = False, **options) -> Tensor:
    """Uniform on [0, 1)."""
    values = _rng(generator).random(_shape(size, options.get("size")))
    return finish(values.astype(_float(dtype)), device, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad: bool = False, **options) -> Tensor:
    """Standard normal."""
    values = _rng(generator).standard_normal(_shape(size, options.get("size")))
    return finish(values.astype(_float(dtype)), device, requires_grad)


def randint(*args, size=None, generator=None, dtype=None, device=None, requires_grad: bool = False,
            low=None, high=None) -> Tensor:
    """Integers in [low, high): ``randint(high, size)``, ``randint(low, high, size)`` or keywords
    (``randint(low=0, high=10, size=(3,))``); int64 unless ``dtype`` says otherwise."""
    args = list(args)
    if size is None and args and isinstance(args[-1], (tuple, list)):
        size = args.pop()
    if high is None:
        high = args.pop() if args else None
    if low is None:
        low = args.pop() if args else 0
    if high is None or size is None or args:
        raise TypeError("randint: expected randint(high, size), randint(low, high, size) or keywords "
                        "low=, high=, size=")
    if high <= low:
        raise RuntimeError(f"randint: expected low < high, got low={low}, high={high}")
    values = _rng(generator).integers(low, high, size=_shape((size,)))
    return finish(values.astype(backend.int64 if dtype is None else dtype), device, requires_grad)


def randperm(n: int, *, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0 .. n-1."""
    return finish(_rng(generator).permutation(n).astype(backend.int64 if dtype is None else dtype),
                  device, requires_grad)


def _like(input: Tensor, sample: Tensor, device) -> Tensor:  # noqa: A002
    """``sample`` (drawn on the host) moved to ``input``'s array module unless ``device`` is given."""
    if device is None:
        sample.array = backend.array_module(input.array).asarray(sample.array)
    return sample


def rand_like(input: Tensor, *, generator=None, dtype=None, device=None, requires_grad: bool = False,  # noqa: A002
              **_) -> Tensor:
    """Uniform samples on [0, 1) shaped like input (its dtype unless given)."""
    return _like(input, rand(input.shape, generator=generator, dtype=dtype or input.dtype,
                             device=device, requires_grad=requires_grad), device)


def randn_like(input: Tensor, *, generator=None, dtype=None, device=None, requires_grad: bool = False,  # noqa: A002
               **_) -> Tensor:
    """Standard normal samples shaped like input (its dtype unless given)."""
    return _like(input, randn(input.shape, generator=generator, dtype=dtype or input.dtype,
                              device=device, requires_grad=requires_grad), device)


def randint_like(input: Tensor, low=0, high=None, *, generator=None, dtype=None, device=None,  # noqa: A002
                 requires_grad: bool = False, **_) -> Tensor:
    """Integers in [low, high) shaped like input, in input's dtype (``randint_like(x, high)``)."""
    if high is None:
        low, high = 0, low
    sample = randint(low, high, input.shape, generator=generator, dtype=dtype or input.dtype,
                     device=device, requires_grad=requires_grad)
    return _like(input, sample, device)


def bernoulli(input: Tensor, p: float | None = None, *, generator=None) -> Tensor:  # noqa: A002
    """1 with probability ``input`` (or ``p``) element-wise, else 0, in input's dtype."""
    probs = input.array if p is None else np.full(input.shape, p)
    if probs.size and (probs.min() < 0 or probs.max() > 1):
        raise RuntimeError("bernoulli: probabilities must be in [0, 1]")
    return Tensor((_rng(generator).random(input.shape) < probs).astype(input.dtype))


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,  # noqa: A002
                generator=None) -> Tensor:
    """Indices drawn by the (unnormalised) weights in each row of input (1-D or 2-D). Without
    replacement: the Gumbel top-k trick (each draw is the largest log-weight plus Gumbel noise)."""
    weights = input.array.astype(np.float64)
    if weights.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: input must be 1-D or 2-D, got shape {tuple(input.shape)}")
    rows = weights.reshape(-1, weights.shape[-1])
    if (rows < 0).any() or not np.isfinite(rows).all() or (rows.sum(1) <= 0).any():
        raise RuntimeError("multinomial: weights must be non-negative, finite and have a non-zero sum")
    n = rows.shape[1]
    if not replacement and num_samples > n:
        raise RuntimeError(f"multinomial: cannot draw {num_samples} samples without replacement from "
                           f"{n} categories")
    rng = _rng(generator)
    if replacement:
        cdf = np.cumsum(rows / rows.sum(1, keepdims=True), axis=1)
        u = rng.random((rows.shape[0], num_samples, 1))
        draws = np.minimum((u >= cdf[:, None, :]).sum(-1), n - 1)
    else:
        with np.errstate(divide="ignore"):
            keys = np.log(rows) + rng.gumbel(size=rows.shape)
        draws = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    return Tensor(draws.reshape(weights.shape[:-1] + (num_samples,)).astype(backend.int64))


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad: bool = False) -> Tensor:
    """Normal samples: ``mean`` and ``std`` are numbers (with ``size``) or tensors (broadcast)."""
    arrays = [v.array for v in (mean, std) if isinstance(v, Tensor)]
    if arrays:
        shape = np.broadcast_shapes(*[a.shape for a in arrays])
        dtype = dtype or next(a.dtype for a in arrays)
    else:
        shape = _shape((() if size is None else size,))
        dtype = _float(dtype)
    m = mean.array if isinstance(mean, Tensor) else mean
    s = std.array if isinstance(std, Tensor) else std
    if np.any(np.asarray(s) < 0):
        raise RuntimeError("normal: std must be non-negative")
    values = m + s * _rng(generator).standard_normal(shape)
    return finish(np.asarray(values).astype(dtype), device, requires_grad)


# ----- in-place fills (w.data.normal_(0, 0.02), as initialisers in user code do) -------------------
def _fill(t: Tensor, values, op: str) -> Tensor:
    t._check_inplace(op)
    t.array[...] = backend.array_module(t.array).asarray(values)  # drawn on the host
    return t


def uniform_(t: Tensor, a: float = 0.0, b: float = 1.0, *, generator=None) -> Tensor:
    return _fill(t, _rng(generator).uniform(a, b, t.shape), "uniform_")


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    return _fill(t, _rng(generator).normal(mean, std, t.shape), "normal_")


def bernoulli_(t: Tensor, p: float = 0.5, *, generator=None) -> Tensor:
    return _fill(t, _rng(generator).random(t.shape) < (p.array if isinstance(p, Tensor) else p), "bernoulli_")


def exponential_(t: Tensor, lambd: float = 1.0, *, generator=None) -> Tensor:
    return _fill(t, _rng(generator).exponential(1.0 / lambd, t.shape), "exponential_")


def random_(t: Tensor, from_: int = 0, to: int | None = None, *, generator=None) -> Tensor:
    """Integers in [from_, to) (to: 2**mantissa bits for floats, the dtype's max for integers)."""
    if to is None:
        to = 2 ** (np.finfo(t.dtype).nmant + 1) if t.dtype.kind == "f" else int(np.iinfo(t.dtype).max) + 1
    return _fill(t, _rng(generator).integers(from_, to, t.shape), "random_")
