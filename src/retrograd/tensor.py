"""Tensor: an n-dimensional array that can record the operations applied to it and
backpropagate through them. Methods and operators delegate to ``retrograd.ops``."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import backend


class _HookHandle:
    """Returned by the ``register_*hook`` methods: ``remove()`` unregisters the hook."""

    def __init__(self, hooks: list, hook: Callable) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


class Tensor:
    """An array with autograd. ``Tensor(data, dtype=None, requires_grad=False)``.

    Python floats become float32 (the default dtype); NumPy arrays keep their dtype.
    """

    __slots__ = ("array", "grad", "requires_grad", "grad_fn", "_hooks", "_retains_grad",
                 "_post_accumulate_hooks", "__weakref__")
    __array_ufunc__ = None  # NumPy defers to our reflected operators

    def __init__(self, data: Any, dtype=None, requires_grad: bool = False):
        if isinstance(data, Tensor):
            data = data.array
        self.array = backend.to_array(data, dtype)
        self.grad: Tensor | None = None
        self.grad_fn = None
        self._hooks: list = []
        self._retains_grad = False
        self._post_accumulate_hooks = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _from_op(cls, array, grad_fn) -> "Tensor":
        t = object.__new__(cls)
        t.array = array if type(array) is np.ndarray else backend.as_array(array)
        t.grad, t.grad_fn, t._hooks, t._retains_grad = None, grad_fn, [], False
        t._post_accumulate_hooks = None
        t.requires_grad = grad_fn is not None
        return t

    # ----- properties -----------------------------------------------------------------------
    @property
    def data(self) -> "Tensor":
        """This tensor's storage as a new tensor outside the graph (PyTorch's ``.data``): in-place
        changes to it change this tensor. The raw array is ``.array``."""
        return Tensor._from_op(self.array, None)

    @data.setter
    def data(self, value) -> None:
        self.array = value.array if isinstance(value, Tensor) else backend.to_array(value)

    shape = property(lambda self: self.array.shape)
    dtype = property(lambda self: self.array.dtype)
    ndim = property(lambda self: self.array.ndim)
    is_leaf = property(lambda self: self.grad_fn is None)
    T = property(lambda self: self.permute(tuple(range(self.ndim - 1, -1, -1))))
    mT = property(lambda self: self.transpose(-1, -2))
    device = property(lambda self: _CPU)

    def dim(self) -> int:
        return self.array.ndim

    def numel(self) -> int:
        return int(self.array.size)

    def size(self, dim: int | None = None):
        return self.array.shape if dim is None else self.array.shape[dim]

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def item(self):
        if self.array.size != 1:
            from .autograd.function import ShapeError  # RuntimeError as PyTorch, ValueError as before

            raise ShapeError(f"item(): only one-element tensors can be converted to a Python "
                             f"number, got shape {tuple(self.shape)}")
        return self.array.item()

    def numpy(self) -> np.ndarray:
        if self.requires_grad:
            raise RuntimeError("numpy(): cannot convert a tensor that requires grad; call "
                               ".detach().numpy()")
        return self.array

    def tolist(self):
        return self.array.tolist()

    def __repr__(self) -> str:
        body = np.array2string(self.array, separator=", ", prefix="tensor(", precision=4)
        extra = ""
        if self.array.dtype not in (backend.float32, backend.int64, backend.bool_):
            extra += f", dtype={self.array.dtype}"
        if self.grad_fn is not None:
            extra += f", grad_fn=<{self.grad_fn.name}Backward>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    def __bool__(self) -> bool:
        if self.array.size != 1:
            raise RuntimeError(f"the truth value of a tensor of shape {tuple(self.shape)} is ambiguous")
        return bool(self.array)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.kind not in "iu":
            raise TypeError("only integer tensors can be used as an index")
        return int(self.item())

    __hash__ = object.__hash__

    # ----- autograd ------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if requires_grad and self.array.dtype.kind not in "fc":
            raise RuntimeError(f"only floating point tensors can require gradients; this tensor's "
                               f"dtype is {self.array.dtype}")
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("requires_grad_(False) is only allowed on leaf tensors; use detach()")
        self.requires_grad = requires_grad
        return self

    def detach(self) -> "Tensor":
        """The same data, cut from the graph."""
        return Tensor._from_op(self.array, None)

    def retain_grad(self) -> None:
        if self.grad_fn is not None:
            self._retains_grad = True

    def register_hook(self, hook: Callable[["Tensor"], "Tensor | None"]):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor
        replaces the gradient. Returns a handle with ``remove()``."""
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that does not "
                               "require grad")
        self._hooks.append(hook)
        return _HookHandle(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook: Callable[["Tensor"], None]):
        """Call ``hook(tensor)`` on this leaf once backward has accumulated its ``.grad`` (as soon
        as no later node of the pass can add to it). Returns a handle with ``remove()``."""
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._post_accumulate_hooks is None:
            from .autograd.engine import PostAccumulateHooks

            PostAccumulateHooks.in_use = True
            self._post_accumulate_hooks = []
        self._post_accumulate_hooks.append(hook)
        return _HookHandle(self._post_accumulate_hooks, hook)

    def backward(self, gradient=None, retain_graph: bool | None = None, create_graph: bool = False,
                 inputs=None) -> None:
        """Backpropagate from this tensor, accumulating gradients into the leaves' ``.grad``."""
        from .autograd import backward as _backward

        _backward([self], None if gradient is None else [gradient], retain_graph, create_graph,
                  inputs=inputs)

    # ----- in-place updates on data (optimizers, initialisers) -----------------------------
    def _check_inplace(self, op: str):
        from .autograd.grad_mode import is_grad_enabled

        if is_grad_enabled() and self.requires_grad:
            raise RuntimeError(f"{op}: a tensor that requires grad cannot be modified in place "
                               "while grad mode is on; wrap the update in `with no_grad():`")

    def zero_(self) -> "Tensor":
        self._check_inplace("zero_")
        self.array[...] = 0
        return self

    def fill_(self, value) -> "Tensor":
        self._check_inplace("fill_")
        self.array[...] = value
        return self

    def copy_(self, src) -> "Tensor":
        self._check_inplace("copy_")
        src = src.array if isinstance(src, Tensor) else src
        try:
            self.array[...] = src
        except ValueError:
            raise ValueError(f"copy_: source of shape {tuple(np.shape(src))} does not broadcast to "
                             f"{tuple(self.shape)}") from None
        return self

    def add_(self, other, alpha: float = 1.0) -> "Tensor":
        self._check_inplace("add_")
        other = other.array if isinstance(other, Tensor) else other
        self.array += other if alpha == 1.0 else alpha * other
        return self

    def mul_(self, other) -> "Tensor":
        self._check_inplace("mul_")
        self.array *= other.array if isinstance(other, Tensor) else other
        return self

    def __setitem__(self, key, value) -> None:
        """In-place assignment (tensors that do not require grad, or under no_grad)."""
        self._check_inplace("__setitem__")
        if isinstance(key, Tensor):
            key = key.array
        self.array[key] = value.array if isinstance(value, Tensor) else value

    def sub_(self, other, alpha: float = 1.0) -> "Tensor":
        return self.add_(other, -alpha)

    def div_(self, other) -> "Tensor":
        self._check_inplace("div_")
        self.array /= other.array if isinstance(other, Tensor) else other
        return self

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    def clamp_(self, min=None, max=None) -> "Tensor":  # noqa: A002
        self._check_inplace("clamp_")
        backend.array_module(self.array).clip(self.array, min, max, out=self.array)
        return self

    # ----- dtype and device conversion -----------------------------------------------------
    def to(self, *args, **kwargs) -> "Tensor":
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)``, keywords
        ``dtype=``, ``device=``, ``copy=``: self when nothing changes (and ``copy`` is False).
        Float-to-float casts are differentiable; only the CPU exists."""
        from .device import parse_to

        _, dtype, copy = parse_to(args, kwargs)
        if dtype is None or dtype == self.array.dtype:
            return self.clone() if copy else self
        return _elementwise_cast(self, dtype)

    def type(self, dtype=None):
        """The dtype's name (no argument) or a cast (``type(rg.float64)``)."""
        if dtype is None:
            return f"retrograd.{_TYPE_NAMES.get(self.array.dtype.name, self.array.dtype.name)}"
        return self.to(dtype)

    def cpu(self) -> "Tensor":
        return self

    def cuda(self, device=None, non_blocking: bool = False) -> "Tensor":
        from .device import check_device

        check_device("cuda" if device is None else device, "cuda()")
        return self

    is_cuda = property(lambda self: False)
    is_cpu = property(lambda self: True)

    def is_floating_point(self) -> bool:
        return self.array.dtype.kind == "f"

    def is_complex(self) -> bool:
        return self.array.dtype.kind == "c"

    def element_size(self) -> int:
        return self.array.dtype.itemsize

    def float(self) -> "Tensor":
        return self.to(backend.float32)

    def double(self) -> "Tensor":
        return self.to(backend.float64)

    def half(self) -> "Tensor":
        return self.to(backend.float16)

    def long(self) -> "Tensor":
        return self.to(backend.int64)

    def int(self) -> "Tensor":
        return self.to(backend.int32)

    def short(self) -> "Tensor":
        return self.to(np.int16)

    def char(self) -> "Tensor":
        return self.to(np.int8)

    def byte(self) -> "Tensor":
        return self.to(backend.uint8)

    def bool(self) -> "Tensor":
        return self.to(backend.bool_)

    def __format__(self, spec: str) -> str:
        """``f"{loss:.3f}"`` formats a 0-d tensor's value; other tensors take no format spec
        (TypeError, as PyTorch) and print as ``str``."""
        if self.array.ndim == 0:
            return format(self.array.item(), spec)
        return object.__format__(self, spec)

    def contiguous(self) -> "Tensor":
        return self

    def clone(self) -> "Tensor":
        return self + 0 if self.requires_grad else Tensor(self.array.copy())

    # ----- comparisons (no gradient) -------------------------------------------------------
    def _cmp(self, other, name: str):
        other = other.array if isinstance(other, Tensor) else other
        fn = getattr(backend.array_module(self.array, other), name)
        try:
            return Tensor._from_op(fn(self.array, other), None)
        except ValueError:
            from .autograd.function import ShapeError

            raise ShapeError(f"{fn.__name__}: shapes {tuple(self.shape)} and "
                             f"{tuple(getattr(other, 'shape', ()))} do not broadcast") from None

    __eq__ = lambda self, o: self._cmp(o, "equal")  # noqa: E731
    __ne__ = lambda self, o: self._cmp(o, "not_equal")  # noqa: E731
    __lt__ = lambda self, o: self._cmp(o, "less")  # noqa: E731
    __le__ = lambda self, o: self._cmp(o, "less_equal")  # noqa: E731
    __gt__ = lambda self, o: self._cmp(o, "greater")  # noqa: E731
    __ge__ = lambda self, o: self._cmp(o, "greater_equal")  # noqa: E731

    def eq(self, other):
        return self == other

    def equal(self, other) -> bool:
        return isinstance(other, Tensor) and self.shape == other.shape and bool((self.array == other.array).all())

    def allclose(self, other, rtol=1e-5, atol=1e-8) -> bool:
        other = other.array if isinstance(other, Tensor) else other
        return bool(backend.array_module(self.array, other).allclose(self.array, other, rtol, atol))


def _elementwise_cast(t: Tensor, dtype) -> Tensor:
    from .ops.cast import cast

    return cast(t, dtype)


from .device import CPU as _CPU  # noqa: E402  (Tensor.device)

_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
               "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}
