"""Devices as PyTorch names them. Only the CPU exists until a GPU backend does: ``device("cuda")``
can be named (as in PyTorch), but placing a tensor there raises an error that says so.

>>> import retrograd as rg
>>> rg.device("cpu"), rg.cuda.is_available()
(device(type='cpu'), False)
"""
from __future__ import annotations

import numpy as np

_KNOWN = ("cpu", "cuda", "mps", "xpu", "meta")


class device:  # noqa: N801 - PyTorch's name
    """``device("cpu")``, ``device("cuda:0")``, ``device("cuda", 0)``."""

    __slots__ = ("type", "index")

    def __init__(self, type: "str | device", index: int | None = None):  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a string such as 'cpu', got {type!r}")
        name, _, number = type.partition(":")
        if name not in _KNOWN:
            raise RuntimeError(f"device(): unknown device type {name!r}; expected one of {_KNOWN}")
        if number:
            if index is not None or not number.isdigit():
                raise RuntimeError(f"device(): invalid device string {type!r}")
            index = int(number)
        self.type, self.index = name, index

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        extra = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{extra})"


CPU = device("cpu")


def check_device(where, op: str = "to()") -> device:
    """``where`` (a string or device, None meaning cpu) as a device this build can use."""
    dev = CPU if where is None else device(where) if not isinstance(where, device) else where
    if dev.type != "cpu":
        raise RuntimeError(f"{op}: device {str(dev)!r} is not available: retrograd has no "
                           f"{dev.type} backend yet (retrograd.cuda.is_available() is False); "
                           "use 'cpu'")
    return dev


def _is_device_like(a) -> bool:
    if isinstance(a, device):
        return True
    return isinstance(a, str) and a.partition(":")[0] in _KNOWN


def parse_to(args, kwargs) -> tuple:
    """(device or None, dtype or None, copy) from ``to(...)``'s PyTorch forms: ``to(dtype)``,
    ``to(device, dtype=None)``, ``to(tensor)``, with keywords device=, dtype=, copy=,
    non_blocking= (ignored: there is one device)."""
    from .tensor import Tensor

    unknown = set(kwargs) - {"device", "dtype", "copy", "non_blocking", "memory_format"}
    if unknown:
        raise TypeError(f"to(): unexpected keyword argument(s) {sorted(unknown)}")
    dev, dtype = kwargs.get("device"), kwargs.get("dtype")
    args = list(args)
    if args and isinstance(args[0], Tensor):
        other = args.pop(0)
        dev, dtype = other.device, other.dtype
    elif args and (_is_device_like(args[0]) or isinstance(args[0], int) and not isinstance(args[0], bool)):
        dev = args.pop(0)
    if args and not isinstance(args[0], bool):
        dtype = args.pop(0)
    if args:  # to(dtype, non_blocking, copy) or to(device, dtype, non_blocking, copy)
        kwargs = {**kwargs, "copy": args[1] if len(args) > 1 else kwargs.get("copy", False)}
    if dev is not None:
        dev = check_device(f"cuda:{dev}" if isinstance(dev, int) else dev)
    return dev, (None if dtype is None else np.dtype(dtype)), bool(kwargs.get("copy", False))


class _Cuda:
    """``retrograd.cuda``: what PyTorch's CPU build answers."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def device_count() -> int:
        return 0

    @staticmethod
    def manual_seed(seed: int) -> None:
        """Nothing to seed without a GPU (PyTorch ignores it too)."""

    manual_seed_all = manual_seed

    @staticmethod
    def synchronize(device=None) -> None:
        pass

    @staticmethod
    def is_bf16_supported() -> bool:
        return False

    @staticmethod
    def current_device() -> int:
        raise RuntimeError("retrograd.cuda: no CUDA device (retrograd has no GPU backend yet)")


class _Accelerator:
    """``retrograd.accelerator``: the current accelerator, None on a CPU-only build."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def current_accelerator(check_available: bool = False):
        return None

    @staticmethod
    def device_count() -> int:
        return 0


cuda = _Cuda()
accelerator = _Accelerator()
