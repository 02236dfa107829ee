"""Load the pickled CIFAR batches without running code from the file.

A pickle can name any importable callable and call it while loading (``os.system``,
``builtins.eval``...). ``safe_load`` uses an unpickler whose ``find_class`` resolves only
NumPy's array reconstruction (``_reconstruct``, ``ndarray``, ``dtype``) and, for bytes in
protocol-2 pickles written by Python 3, ``_codecs.encode`` limited to latin-1 text. Dicts, lists,
tuples, strings, bytes and numbers need no globals. Anything else raises ``UnsafeFileError``.
"""
from __future__ import annotations

import io
import pickle
from typing import Any, BinaryIO

import numpy as np

_RECONSTRUCT = np.empty(0).__reduce__()[0]  # numpy(._)core.multiarray._reconstruct


class UnsafeFileError(pickle.UnpicklingError):
    """A pickle asked for a global outside the allow-list (it could run code)."""


def _latin1_encode(text: Any, encoding: str = "latin1") -> bytes:
    """What protocol-2 pickles mean by ``_codecs.encode(text, 'latin1')``, and nothing more."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise UnsafeFileError(f"refusing _codecs.encode with encoding {encoding!r}")
    return text.encode("latin1")


_ALLOWED: dict[tuple[str, str], Any] = {
    ("_codecs", "encode"): _latin1_encode,
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class RestrictedUnpickler(pickle.Unpickler):
    """``pickle.Unpickler`` that resolves only the NumPy array globals in ``_ALLOWED``."""

    def __init__(self, file: BinaryIO, name: str = "<pickle>") -> None:
        super().__init__(file, encoding="latin1")  # latin1: Python-2 pickles of NumPy arrays
        self.name = name

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise UnsafeFileError(
                f"{self.name}: refusing to load: the pickle references {module}.{name}, which "
                "is not a NumPy array type; this is not an official data file and loading it "
                "could run code") from None

    def persistent_load(self, pid: Any) -> Any:
        raise UnsafeFileError(f"{self.name}: refusing to load a pickle with persistent ids")


def safe_load(data: bytes | BinaryIO, name: str = "<pickle>") -> Any:
    """Unpickle ``data`` (bytes or a binary file) allowing only plain containers and arrays.

    Raises ``UnsafeFileError`` for any other global and ``pickle.UnpicklingError`` (naming
    ``name``) for corrupt data.
    """
    stream = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    try:
        return RestrictedUnpickler(stream, name).load()
    except UnsafeFileError as err:
        if str(err).startswith(name):
            raise
        raise UnsafeFileError(f"{name}: {err}") from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
            IndexError, KeyError, UnicodeDecodeError) as err:
        raise pickle.UnpicklingError(f"{name}: corrupt or truncated pickle ({err})") from err
