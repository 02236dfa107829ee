"""Checking and normalising ``dim`` arguments, with errors in the user's terms."""
from __future__ import annotations


def normalize_dim(dim: int, ndim: int, op: str = "op", tensor_ndim: int | None = None) -> int:
    """A dim in [-ndim, ndim) as a non-negative int; IndexError naming the op otherwise
    (``tensor_ndim``: the tensor's own rank, when the op allows one more dim, as unsqueeze)."""
    size = max(ndim, 1)
    if not isinstance(dim, (int,)) or isinstance(dim, bool):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    if not -size <= dim < size:
        shown = ndim if tensor_ndim is None else tensor_ndim
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor of {shown} dimension(s) "
                         f"(expected a dim in [{-size}, {size - 1}])")
    return dim % size if ndim else 0


def normalize_dims(dim, ndim: int, op: str = "op") -> tuple[int, ...]:
    """``dim`` as None (all dims), an int or a tuple, returned as a sorted tuple of dims."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, int):
        dim = (dim,)
    if ndim == 0:  # a 0-d tensor takes dim 0 or -1 (as PyTorch) and has nothing to reduce
        for d in dim:
            normalize_dim(d, 0, op)
        return ()
    dims = tuple(sorted({normalize_dim(d, ndim, op) for d in dim}))
    if len(dims) != len(dim):
        raise ValueError(f"{op}: dim {tuple(dim)} names a dimension twice")
    return dims


def numpy_aliases(fn):
    """Accept NumPy's ``axis=`` and ``keepdims=`` for ``dim=`` and ``keepdim=``, as PyTorch does."""
    import functools

    @functools.wraps(fn)
    def with_aliases(*args, **kwargs):
        if kwargs:
            if "axis" in kwargs:
                kwargs["dim"] = kwargs.pop("axis")
            if "keepdims" in kwargs:
                kwargs["keepdim"] = kwargs.pop("keepdims")
        return fn(*args, **kwargs)

    return with_aliases
