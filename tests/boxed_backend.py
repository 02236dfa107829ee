"""A test-only array backend that, like a GPU array library, refuses NumPy: ``Boxed`` wraps an
ndarray but has no ``__array__``, NumPy's functions and ufuncs reject it, and it mixes with no
plain ndarray. Its array module and kernels unwrap, run NumPy or the CPU kernels, and wrap the
results again. An op that reaches for NumPy instead of its inputs' module fails on it, or
returns a plain ndarray where a ``Boxed`` should be."""
from __future__ import annotations

import collections
import operator
import types

import numpy as np


class MixedArrays(TypeError):
    """A plain NumPy array met a Boxed one (what a GPU library refuses too)."""


def unbox(value, allow_numpy: bool = False):
    """``value`` with every Boxed replaced by its ndarray (recursing into lists, tuples, dicts)."""
    if type(value) is Boxed:
        return value.a
    if isinstance(value, np.ndarray):
        if not allow_numpy:
            raise MixedArrays(f"a plain numpy array {value.shape} {value.dtype} met a Boxed array")
        return value
    if isinstance(value, (list, tuple)):
        items = [unbox(v, allow_numpy) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if isinstance(value, dict):
        return {k: unbox(v, allow_numpy) for k, v in value.items()}
    return value


def box(value):
    """NumPy results as Boxed (scalars as 0-d arrays, as a GPU library returns them)."""
    if isinstance(value, np.ndarray):
        return Boxed(value)
    if isinstance(value, np.generic):
        return Boxed(np.asarray(value))
    if isinstance(value, tuple):
        return tuple(box(v) for v in value)
    if isinstance(value, list):
        return [box(v) for v in value]
    return value


class Boxed:
    """An array that only its own module (``BOXED_NUMPY``) and operators may touch."""

    __slots__ = ("a",)
    __array_ufunc__ = None  # np.exp(boxed), np.add(boxed, ...) raise TypeError
    __hash__ = None

    def __init__(self, array: np.ndarray):
        self.a = array

    def __array__(self, *args, **kwargs):
        raise TypeError("Boxed: no implicit conversion to a NumPy array (use its module)")

    def __array_function__(self, func, types_, args, kwargs):
        return NotImplemented  # np.zeros_like(boxed), np.concatenate([...]) raise TypeError

    def __getattr__(self, name):
        if name.startswith("__"):  # no __array_interface__ etc.: NumPy must not see the buffer
            raise AttributeError(name)
        value = getattr(self.a, name)
        if callable(value):
            return lambda *args, **kwargs: box(value(*unbox(args), **unbox(kwargs)))
        return box(value)

    def __getitem__(self, key):
        return box(self.a[unbox(key)])

    def __setitem__(self, key, value):
        self.a[unbox(key)] = unbox(value)

    def __len__(self):
        return len(self.a)

    def __iter__(self):
        return (box(row) for row in self.a)

    def __bool__(self):
        return bool(self.a)

    def __float__(self):
        return float(self.a)

    def __int__(self):
        return int(self.a)

    def __index__(self):
        return operator.index(self.a)

    def __repr__(self):
        return f"Boxed({self.a!r})"


_OPERANDS = (Boxed, np.ndarray, np.generic, int, float, complex, bool)  # others: NotImplemented


def _binary(fn):
    def method(self, other):
        if not isinstance(other, _OPERANDS):
            return NotImplemented  # e.g. a Tensor, whose reflected operator takes over
        return box(fn(self.a, unbox(other)))
    return method


def _reflected(fn):
    def method(self, other):
        if not isinstance(other, _OPERANDS):
            return NotImplemented
        return box(fn(unbox(other), self.a))
    return method


def _inplace(fn):
    def method(self, other):
        self.a = fn(self.a, unbox(other))
        return self
    return method


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or",
              "xor", "lshift", "rshift"):
    _fn = getattr(operator, _name + "_" if _name in ("and", "or") else _name)
    setattr(Boxed, f"__{_name}__", _binary(_fn))
    setattr(Boxed, f"__r{_name}__", _reflected(_fn))
    setattr(Boxed, f"__i{_name}__", _inplace(getattr(operator, f"i{_name}")))
for _name in ("eq", "ne", "lt", "le", "gt", "ge"):
    setattr(Boxed, f"__{_name}__", _binary(getattr(operator, _name)))
for _name in ("neg", "pos", "abs", "invert"):
    setattr(Boxed, f"__{_name}__", (lambda fn: lambda self: box(fn(self.a)))(getattr(operator, _name)))


_CONVERTERS = {"asarray", "array", "asanyarray", "ascontiguousarray"}  # host data may come in


class Namespace:
    """NumPy (or a kernels module) with Boxed in and out; counts the calls made through it."""

    def __init__(self, target, calls: collections.Counter):
        self._target, self._calls = target, calls

    def __getattr__(self, name):
        value = getattr(self._target, name)
        if isinstance(value, types.ModuleType):
            return Namespace(value, self._calls)
        if isinstance(value, type) or not callable(value):
            return value  # dtypes, errstate, constants
        return _Call(value, name, self._calls)


class _Call:
    def __init__(self, fn, name, calls):
        self._fn, self._name, self._calls = fn, name, calls

    def __call__(self, *args, **kwargs):
        self._calls[self._name] += 1
        allow = self._name in _CONVERTERS
        return box(self._fn(*unbox(args, allow), **unbox(kwargs, allow)))

    def __getattr__(self, name):  # ufunc methods: np.add.at, np.maximum.reduceat
        value = getattr(self._fn, name)
        return _Call(value, f"{self._name}.{name}", self._calls) if callable(value) else value


CALLS: collections.Counter = collections.Counter()
BOXED_NUMPY = Namespace(np, CALLS)


def boxed_kernels():
    from retrograd.backends import cpu

    return Namespace(cpu, CALLS)
