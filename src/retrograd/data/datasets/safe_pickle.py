"""Load the pickled CIFAR batches without running code and with bounded work and memory.

``safe_load`` does not use ``pickle.Unpickler``: it runs its own small pickle machine over the
opcodes (read by ``pickletools.genops``), which understands containers, numbers, strings and
bytes, and three NumPy globals only as recipes, never as calls:

* ``numpy.core.multiarray._reconstruct`` + ``BUILD`` and ``numpy.core.numeric._frombuffer``:
  an array whose dtype is a plain number type (bool, int, uint, float, complex), whose shape is
  a tuple of non-negative ints, and whose raw bytes have exactly the size that shape needs. The
  array is copied out, so it owns its data.
* ``numpy.dtype(name)`` + ``BUILD``: only the names of those number types, only byte order in
  the state (no fields, no subarrays, no object flags).
* ``_codecs.encode(text, 'latin1')`` (bytes in protocol-2 pickles written by Python 3).

What comes out is a tree (shared references are copied) of dicts, lists, tuples, str, bytes,
int, float, bool, None and such arrays, at most ``MAX_DEPTH`` deep and of at most one value
per byte of the file (plus ``NODE_ALLOWANCE``), so a "billion laughs" file is refused instead
of expanding; arrays and bytes built while loading total at most twice the file's size (plus
``BYTE_ALLOWANCE``), so data cannot be multiplied by reusing it. Anything else raises ``UnsafeFileError`` naming the file; corrupt or truncated
data raises ``pickle.UnpicklingError`` naming the file.
"""
from __future__ import annotations

import io
import math
import pickle
import pickletools
from typing import Any, BinaryIO, Callable

import numpy as np

MAX_DEPTH = 32
NODE_ALLOWANCE = 1024
BYTE_ALLOWANCE = 1 << 16
_MAX_DIM = 1 << 40
#: the NumPy dtype names a pickle may use (plain numbers; what ``np.dtype(...).str[1:]`` gives)
_NUMBER_DTYPES = frozenset(["b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4",
                            "f8", "c8", "c16"])
_CORE = ("numpy.core", "numpy._core")
_GLOBALS: dict[tuple[str, str], str] = {
    **{(f"{c}.multiarray", "_reconstruct"): "reconstruct" for c in _CORE},
    **{(f"{c}.numeric", "_frombuffer"): "frombuffer" for c in _CORE},
    ("numpy", "ndarray"): "ndarray",
    ("numpy", "dtype"): "dtype",
    ("_codecs", "encode"): "encode",
    ("__builtin__", "bytes"): "bytes",
    ("builtins", "bytes"): "bytes",
}


class UnsafeFileError(pickle.UnpicklingError):
    """A pickle holds something other than plain data and numeric arrays (it could run code,
    crash the process or exhaust memory)."""


class _Corrupt(Exception):
    """Internal: the opcode stream does not make sense (reported as UnpicklingError)."""


class _Global:
    """An allow-listed global: a name the machine recognises in REDUCE, never a callable."""

    def __init__(self, kind: str, qualname: str) -> None:
        self.kind, self.qualname = kind, qualname


class _PendingArray:
    """``_reconstruct(ndarray, ...)`` waiting for its BUILD state."""

    value: np.ndarray | None = None


class _PendingDtype:
    """``dtype(name)``; BUILD may set its byte order."""

    def __init__(self, dtype: np.dtype) -> None:
        self.dtype = dtype


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin1")
    if not isinstance(value, str):
        raise UnsafeFileError(f"expected a string, got {type(value).__name__}")
    return value


def _dtype(value: Any) -> np.dtype:
    if not isinstance(value, _PendingDtype):
        raise UnsafeFileError(f"an array's dtype must be a pickled numpy.dtype, got "
                              f"{type(value).__name__}")
    return value.dtype


def _shape(value: Any) -> tuple[int, ...]:
    if not isinstance(value, tuple) or len(value) > MAX_DEPTH or not all(
            type(d) is int and 0 <= d <= _MAX_DIM for d in value):
        raise UnsafeFileError(f"an array's shape must be a tuple of at most {MAX_DEPTH} "
                              f"non-negative ints, got {value!r:.80}")
    return value


def _array(raw: Any, dtype: np.dtype, shape: tuple[int, ...], fortran: bool,
           spend: Callable[[int], None]) -> np.ndarray:
    """A native-endian array that owns a copy of ``raw``, after checking its size exactly."""
    if isinstance(raw, str):
        raw = raw.encode("latin1")  # Python-2 pickles keep array bytes in a str
    if not isinstance(raw, (bytes, bytearray)):
        raise UnsafeFileError(f"array data must be bytes, got {type(raw).__name__} (object "
                              "arrays are refused)")
    need = math.prod(shape) * dtype.itemsize
    if len(raw) != need:
        raise UnsafeFileError(f"array of shape {shape} and dtype {dtype} needs {need} bytes, "
                              f"the pickle holds {len(raw)}")
    spend(need)
    flat = np.frombuffer(bytes(raw), dtype=dtype) if need else np.empty(0, dtype)
    out = flat.reshape(shape, order="F" if fortran else "C")
    return out.astype(dtype.newbyteorder("="), order="K", copy=True)


def _reduce(func: Any, args: Any, spend: Callable[[int], None]) -> Any:
    """What REDUCE means for an allow-listed global; every other call is refused."""
    if not isinstance(func, _Global):
        raise UnsafeFileError(f"refusing to call a {type(func).__name__} (only allow-listed "
                              "NumPy globals may appear)")
    if not isinstance(args, tuple):
        raise _Corrupt("REDUCE arguments are not a tuple")
    if func.kind == "reconstruct":
        if len(args) != 3 or not (isinstance(args[0], _Global) and args[0].kind == "ndarray"):
            raise UnsafeFileError("_reconstruct may only rebuild a plain numpy.ndarray")
        return _PendingArray()
    if func.kind == "dtype":
        name = _text(args[0]) if args else ""
        if name not in _NUMBER_DTYPES:
            raise UnsafeFileError(f"refusing dtype {name!r:.40}: only plain number types "
                                  f"({', '.join(sorted(_NUMBER_DTYPES))}) are allowed")
        return _PendingDtype(np.dtype(name))
    if func.kind == "encode":
        if len(args) != 2 or not isinstance(args[0], str) or args[1] not in ("latin1",
                                                                                "latin-1"):
            raise UnsafeFileError(f"refusing _codecs.encode with encoding "
                                  f"{(args[1:] or [None])[0]!r:.40}")
        spend(len(args[0]))
        return args[0].encode("latin1")
    if func.kind == "bytes" and args == ():
        return b""
    if func.kind == "frombuffer" and len(args) == 4:
        buf, dtype, shape, order = args
        return _array(buf, _dtype(dtype), _shape(shape), _text(order) == "F", spend)
    raise UnsafeFileError(f"refusing to call {func.qualname} with these arguments")


def _build(target: Any, state: Any, spend: Callable[[int], None]) -> None:
    """BUILD: the state of a pending array or dtype; nothing else may be built."""
    if not isinstance(state, tuple):
        raise UnsafeFileError(f"refusing a BUILD state of type {type(state).__name__}")
    if isinstance(target, _PendingArray) and target.value is None:
        if len(state) == 5:
            state = state[1:]
        if len(state) != 4:
            raise UnsafeFileError("array state must be (shape, dtype, fortran, data)")
        shape, dtype, fortran, raw = state
        target.value = _array(raw, _dtype(dtype), _shape(shape), bool(fortran), spend)
    elif isinstance(target, _PendingDtype):
        order = _text(state[1]) if len(state) > 1 else "|"
        if order not in "<>|=" or any(s is not None for s in state[2:5]):
            raise UnsafeFileError("refusing a dtype state with fields, subarrays or an unknown "
                                  "byte order")
        if order in "<>" and target.dtype.itemsize > 1:
            target.dtype = target.dtype.newbyteorder(order)
    else:
        raise UnsafeFileError(f"refusing to BUILD a {type(target).__name__}")


_PLAIN = (str, bytes, int, float, bool, type(None), complex)


def _copy_tree(value: Any, limit: int) -> Any:
    """The output as a plain tree: pending arrays resolved, shared references copied, at most
    ``limit`` values and ``MAX_DEPTH`` levels (cycles and "billion laughs" exceed them)."""
    count = 0

    def copy(v: Any, depth: int) -> Any:
        nonlocal count
        count += 1
        if count > limit:
            raise UnsafeFileError(f"the pickle expands to more than {limit} values (shared "
                                  "references); refusing it")
        if depth > MAX_DEPTH:
            raise UnsafeFileError(f"the pickle nests deeper than {MAX_DEPTH} levels")
        if isinstance(v, _PLAIN) or isinstance(v, np.ndarray):
            return v
        if isinstance(v, _PendingArray):
            if v.value is None:
                raise UnsafeFileError("an array was never given its data")
            return v.value
        if isinstance(v, list):
            return [copy(x, depth + 1) for x in v]
        if isinstance(v, tuple):
            return tuple(copy(x, depth + 1) for x in v)
        if isinstance(v, dict):
            return {k: copy(x, depth + 1) for k, x in v.items()}
        raise UnsafeFileError(f"refusing a {type(v).__name__} in the result")

    return copy(value, 0)


_CONSTANTS = {"NONE": None, "NEWTRUE": True, "NEWFALSE": False}
_SCALARS = frozenset(["INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4", "FLOAT",
                      "BINFLOAT", "UNICODE", "BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8",
                      "BINBYTES", "SHORT_BINBYTES", "BINBYTES8"])
_PY2_STRINGS = frozenset(["STRING", "BINSTRING", "SHORT_BINSTRING"])
_MEMO_PUT = frozenset(["PUT", "BINPUT", "LONG_BINPUT"])
_MEMO_GET = frozenset(["GET", "BINGET", "LONG_BINGET"])
_IGNORED = frozenset(["PROTO", "FRAME"])


class _Machine:
    """The pickle machine: a stack, a stack of marks and a memo, over allow-listed opcodes."""

    def __init__(self, byte_budget: int) -> None:
        self.stack: list[Any] = []
        self.marks: list[list[Any]] = []
        self.memo: dict[int, Any] = {}
        self.bytes_left = byte_budget

    def spend(self, n: int) -> None:
        """Count ``n`` bytes of new data (arrays, encoded bytes) against the budget."""
        self.bytes_left -= n
        if self.bytes_left < 0:
            raise UnsafeFileError("the pickle builds more data than it holds (the same bytes "
                                  "reused many times); refusing it")

    def pop_mark(self) -> list[Any]:
        items, self.stack = self.stack, self.marks.pop()
        return items

    def run(self, stream: BinaryIO) -> Any:
        for op, arg, _ in pickletools.genops(stream):
            name = op.name
            push = self.stack.append
            if name in _SCALARS:
                push(arg)
            elif name in _PY2_STRINGS:
                push(arg.decode("latin1") if isinstance(arg, bytes) else arg)
            elif name in _CONSTANTS:
                push(_CONSTANTS[name])
            elif name == "BYTEARRAY8":
                push(bytes(arg))
            elif name in _MEMO_PUT:
                self.memo[arg] = self.stack[-1]
            elif name == "MEMOIZE":
                self.memo[len(self.memo)] = self.stack[-1]
            elif name in _MEMO_GET:
                push(self.memo[arg])
            elif name not in _IGNORED:
                self.structure(name, arg)
        if not self.stack:
            raise _Corrupt("the pickle ends without a value")
        return self.stack[-1]

    def structure(self, name: str, arg: Any) -> None:
        stack = self.stack
        if name == "STOP":
            return
        if name == "MARK":
            self.marks.append(stack)
            self.stack = []
        elif name in ("EMPTY_LIST", "EMPTY_DICT", "EMPTY_TUPLE"):
            stack.append({"EMPTY_LIST": list, "EMPTY_DICT": dict, "EMPTY_TUPLE": tuple}[name]())
        elif name in ("LIST", "TUPLE"):
            items = self.pop_mark()
            self.stack.append(items if name == "LIST" else tuple(items))
        elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
            n = int(name[-1])
            if len(stack) < n:
                raise _Corrupt(f"{name} on a stack of {len(stack)}")
            items = tuple(stack[-n:])
            del stack[-n:]
            stack.append(items)
        elif name == "DICT":
            items = self.pop_mark()
            self.stack.append(_pairs({}, items))
        elif name in ("APPEND", "APPENDS"):
            items = [stack.pop()] if name == "APPEND" else self.pop_mark()
            target = self.stack[-1]
            if not isinstance(target, list):
                raise UnsafeFileError(f"refusing to append to a {type(target).__name__}")
            target.extend(items)
        elif name in ("SETITEM", "SETITEMS"):
            items = stack[-2:] if name == "SETITEM" else self.pop_mark()
            if name == "SETITEM":
                del stack[-2:]
            target = self.stack[-1]
            if not isinstance(target, dict):
                raise UnsafeFileError(f"refusing to set items of a {type(target).__name__}")
            _pairs(target, items)
        elif name == "POP":
            stack.pop()
        elif name == "POP_MARK":
            self.pop_mark()
        elif name == "DUP":
            stack.append(stack[-1])
        elif name in ("GLOBAL", "STACK_GLOBAL"):
            if name == "GLOBAL":
                module, _, attr = arg.partition(" ")
            else:
                attr, module = stack.pop(), stack.pop()
            stack.append(_resolve(module, attr))
        elif name == "REDUCE":
            args, func = stack.pop(), stack.pop()
            stack.append(_reduce(func, args, self.spend))
        elif name == "BUILD":
            state = stack.pop()
            _build(stack[-1], state, self.spend)
        elif name in ("PERSID", "BINPERSID"):
            raise UnsafeFileError("refusing to load a pickle with persistent ids")
        else:
            raise UnsafeFileError(f"refusing pickle opcode {name} (only plain data and NumPy "
                                  "arrays are allowed)")


_KEY_TYPES = (str, bytes, int, float, bool, type(None))


def _pairs(target: dict, items: list[Any]) -> dict:
    if len(items) % 2:
        raise _Corrupt("odd number of items for a dict")
    for key, value in zip(items[::2], items[1::2]):
        if not isinstance(key, _KEY_TYPES):
            raise UnsafeFileError(f"refusing a dict key of type {type(key).__name__}")
        target[key] = value
    return target


def _resolve(module: Any, attr: Any) -> _Global:
    if not isinstance(module, str) or not isinstance(attr, str):
        raise _Corrupt("STACK_GLOBAL needs two strings")
    kind = _GLOBALS.get((module, attr))
    if kind is None:
        raise UnsafeFileError(f"refusing to load: the pickle references {module:.80}."
                              f"{attr:.80}, which is not a NumPy array type; this is not an "
                              "official data file and loading it could run code")
    return _Global(kind, f"{module}.{attr}")


def safe_load(data: bytes | BinaryIO, name: str = "<pickle>") -> Any:
    """Unpickle ``data`` (bytes or a binary file) allowing only plain data and numeric arrays.

    Raises ``UnsafeFileError`` (naming ``name``) for anything else, and
    ``pickle.UnpicklingError`` (naming ``name``) for corrupt or truncated data.
    """
    raw = bytes(data) if isinstance(data, (bytes, bytearray, memoryview)) else data.read()
    try:
        value = _Machine(BYTE_ALLOWANCE + 2 * len(raw)).run(io.BytesIO(raw))
        return _copy_tree(value, NODE_ALLOWANCE + len(raw))
    except UnsafeFileError as err:
        raise UnsafeFileError(f"{name}: {err}") from None
    except (_Corrupt, ValueError, EOFError, IndexError, KeyError, TypeError, OverflowError,
            UnicodeError) as err:
        raise pickle.UnpicklingError(f"{name}: corrupt or truncated pickle "
                                     f"({type(err).__name__}: {str(err):.200})") from None
