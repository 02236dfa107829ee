"""CIFAR-10 and CIFAR-100 from the official "python version" batches.

The batches are pickles; they are read with ``safe_pickle.safe_load``, which refuses every global
except NumPy's array reconstruction, so a crafted file cannot run code. They may sit in a folder
(``root/cifar-10-batches-py/`` or ``root/``) or stay inside the official ``.tar.gz``, which is
read in memory and never extracted.

Samples are ``(image, label)``: image float32 (3, 32, 32) in [0, 1] (then ``transform``), label
an int. ``data`` is uint8 (N, 32, 32, 3) as in torchvision; ``targets`` int64 (N,).
"""
from __future__ import annotations

import os
import tarfile
import zlib
from pathlib import Path

import numpy as np

from .download import DatasetNotFoundError, dataset_folder, ensure_files, missing_message
from .mnist import ImageArrayDataset, Transform
from .safe_pickle import safe_load

_MAX_MEMBER_BYTES = 1 << 30


def _key(d: dict, *names: str) -> object:
    """``d[name]`` for the first name present, as str or bytes key."""
    for name in names:
        for k in (name, name.encode()):
            if k in d:
                return d[k]
    raise KeyError(names[0])


class CIFAR10(ImageArrayDataset):
    """CIFAR-10: 50,000 train / 10,000 test colour images, 32 x 32, ten classes.

    Args:
        root: folder holding ``cifar-10-batches-py/`` (or its files directly, or the official
            ``cifar-10-python.tar.gz``). Default: ``~/.cache/retrograd/cifar10``
            (``$RETROGRAD_HOME/cifar10``).
        train: the training split (data_batch_1..5), else ``test_batch``.
        download: fetch the official archive (SHA-256 checked) when nothing is found.
        transform: applied to each image (3, 32, 32) float32 in [0, 1].
    """

    name = "cifar10"
    mirrors = ("https://www.cs.toronto.edu/~kriz/",)
    archive = "cifar-10-python.tar.gz"
    archive_sha256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
    base_folder = "cifar-10-batches-py"
    train_files = tuple(f"data_batch_{i}" for i in range(1, 6))
    test_files = ("test_batch",)
    meta_file = "batches.meta"
    label_keys = ("labels",)
    names_key = "label_names"

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True,
                 download: bool = True, transform: Transform | None = None) -> None:
        self.root = Path(root).expanduser() if root is not None else dataset_folder(self.name)
        self.train = bool(train)
        self.transform = transform
        wanted = list(self.train_files if self.train else self.test_files)
        blobs = self._read_members(wanted + [self.meta_file], download)
        batches = [self._parse_batch(blobs[n], n) for n in wanted]
        self.data = np.concatenate([b[0] for b in batches])
        self.targets = np.concatenate([b[1] for b in batches])
        self._extra_labels = {k: np.concatenate([b[2][k] for b in batches])
                              for k in batches[0][2] if all(k in b[2] for b in batches)}
        self.classes: list[str] = []
        if self.meta_file in blobs:
            where = self._where(self.meta_file)
            meta = safe_load(blobs[self.meta_file], where)
            try:
                names = _key(meta, self.names_key) if isinstance(meta, dict) else None
            except KeyError:
                names = None
            if not isinstance(names, list):
                raise ValueError(f"{where}: expected a dict with a {self.names_key!r} list")
            self.classes = [n.decode() if isinstance(n, bytes) else str(n) for n in names]

    @property
    def resources(self) -> dict[str, str]:
        """The official archive's name -> SHA-256 (checked by ``load_dataset``)."""
        return {self.archive: self.archive_sha256}

    def _where(self, member: str) -> str:
        return str(getattr(self, "_source", self.root) / member)

    def _read_members(self, names: list[str], download: bool) -> dict[str, bytes]:
        """Bytes of each batch file: from a folder if complete, else from the archive."""
        for folder in (self.root / self.base_folder, self.root):
            if all((folder / n).is_file() for n in names[:-1]):
                self._source = folder
                return {n: (folder / n).read_bytes() for n in names if (folder / n).is_file()}
        archive = self.root / self.archive
        if not archive.is_file():
            if not download:
                raise DatasetNotFoundError(missing_message(
                    type(self).__name__, self.root, [self.archive, f"or {self.base_folder}/"],
                    self.mirrors))
            ensure_files(type(self).__name__, self.root, {self.archive: self.archive_sha256},
                         self.mirrors, download=True)
        self._source = archive
        self.source_files = [archive]
        found: dict[str, bytes] = {}
        try:
            with tarfile.open(archive, "r:gz") as tar:
                for member in tar:
                    base = member.name.rsplit("/", 1)[-1]
                    if base in names and member.isfile() and member.size <= _MAX_MEMBER_BYTES:
                        found[base] = tar.extractfile(member).read()
        except (tarfile.TarError, EOFError, OSError, zlib.error) as err:
            raise ValueError(f"{archive}: corrupt or truncated archive ({err})") from err
        missing = [n for n in names[:-1] if n not in found]
        if missing:
            raise DatasetNotFoundError(f"{archive}: archive lacks {', '.join(missing)}; "
                                       f"is it the official {self.archive}?")
        return found

    def _parse_batch(self, blob: bytes, member: str) -> tuple[np.ndarray, np.ndarray, dict]:
        """(images uint8 (n, 32, 32, 3), labels int64 (n,), other label arrays) of one batch."""
        where = self._where(member)
        batch = safe_load(blob, where)
        if not isinstance(batch, dict):
            raise ValueError(f"{where}: expected a dict, got {type(batch).__name__}")
        try:
            data = _key(batch, "data")
            labels = np.asarray(_key(batch, *self.label_keys))
        except KeyError as err:
            raise ValueError(f"{where}: missing key {err} (keys: {list(batch)})") from None
        if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 \
                or data.shape[1] != 3072:
            raise ValueError(f"{where}: 'data' must be a uint8 array (n, 3072), got "
                             f"{getattr(data, 'dtype', type(data).__name__)} "
                             f"{getattr(data, 'shape', '')}")
        if labels.shape != (len(data),) or labels.dtype.kind not in "iu":
            raise ValueError(f"{where}: {len(data)} images but labels of shape {labels.shape} "
                             f"and dtype {labels.dtype}")
        extra = {}
        for k in self._extra_keys():
            if k in batch or k.encode() in batch:
                extra[k] = np.asarray(_key(batch, k), dtype=np.int64).reshape(-1)
        images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        return np.ascontiguousarray(images), labels.astype(np.int64), extra

    def _extra_keys(self) -> tuple[str, ...]:
        return ()


class CIFAR100(CIFAR10):
    """CIFAR-100: 50,000 train / 10,000 test images, 100 fine classes (``targets``), plus the
    20 superclasses in ``coarse_targets``. Default folder ``~/.cache/retrograd/cifar100``."""

    name = "cifar100"
    archive = "cifar-100-python.tar.gz"
    archive_sha256 = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"
    base_folder = "cifar-100-python"
    train_files = ("train",)
    test_files = ("test",)
    meta_file = "meta"
    label_keys = ("fine_labels",)
    names_key = "fine_label_names"

    def _extra_keys(self) -> tuple[str, ...]:
        return ("coarse_labels",)

    @property
    def coarse_targets(self) -> np.ndarray:
        """Superclass labels, int64 (N,)."""
        if "coarse_labels" not in self._extra_labels:
            raise AttributeError(f"{self._where(self.train_files[0])}: no coarse_labels")
        return self._extra_labels["coarse_labels"]
