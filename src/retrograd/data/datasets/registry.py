"""``load_dataset``: a built-in dataset by name, or a folder of official files."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

from .cifar import CIFAR10, CIFAR100
from .download import ChecksumError, sha256_file
from .mnist import MNIST, FashionMNIST, MNISTSample, Transform

_BUILDERS: dict[str, Callable[..., Any]] = {
    "mnist-sample": lambda root, train, download, transform: MNISTSample(train, transform),
    "mnist": MNIST,
    "fashion-mnist": FashionMNIST,
    "cifar10": CIFAR10,
    "cifar100": CIFAR100,
}
_ALIASES = {"mnist_sample": "mnist-sample", "fashion_mnist": "fashion-mnist",
            "fashionmnist": "fashion-mnist", "cifar-10": "cifar10", "cifar-100": "cifar100",
            "cifar_10": "cifar10", "cifar_100": "cifar100"}
DATASET_NAMES = tuple(_BUILDERS)


def _idx_class(folder: Path) -> type[MNIST] | None:
    """MNIST or FashionMNIST if ``folder`` holds IDX image files (told apart by label digests)."""
    for where in (folder, folder / "MNIST" / "raw", folder / "FashionMNIST" / "raw"):
        for prefix in ("train", "t10k"):
            if any((where / f"{prefix}-images-idx3-ubyte{ext}").is_file() for ext in (".gz", "")):
                labels = where / f"{prefix}-labels-idx1-ubyte.gz"
                fashion = FashionMNIST.resources[labels.name]
                if where.name == "raw" and where.parent.name == "FashionMNIST":
                    return FashionMNIST
                if labels.is_file() and sha256_file(labels) == fashion:
                    return FashionMNIST
                return MNIST
    return None


def _cifar_class(folder: Path) -> type[CIFAR10] | None:
    """CIFAR10 or CIFAR100 if ``folder`` holds their batches or archive."""
    def has(*names: str) -> bool:
        return any((folder / n).exists() for n in names)

    if has(CIFAR10.base_folder, CIFAR10.archive, "data_batch_1", "test_batch", "batches.meta"):
        return CIFAR10
    if has(CIFAR100.base_folder, CIFAR100.archive) or (has("train", "test") and has("meta")):
        return CIFAR100
    return None


def dataset_key(name: str | os.PathLike) -> str | None:
    """The canonical name of a built-in dataset ('FashionMNIST' -> 'fashion-mnist'), or None."""
    key = str(name).strip().lower()
    key = _ALIASES.get(key, key)
    return key if key in _BUILDERS else None


def named_folder(key: str, root: str | os.PathLike) -> Path:
    """Where a named dataset lives under ``root``: ``root/<name>`` (as the default cache),
    or torchvision's ``root/<Class>/raw`` when only that exists."""
    root = Path(root).expanduser()
    folder = root / key
    cls = _BUILDERS[key]
    if not folder.exists() and isinstance(cls, type):
        torchvision = root / cls.__name__ / "raw"
        if torchvision.is_dir():
            return torchvision
    return folder


def verify_official_files(dataset: Any) -> None:
    """Check the files a named dataset was read from against their known SHA-256 digests.

    Raises ``ChecksumError`` naming the file (and the dataset it belongs to, when it is another
    known one's), e.g. MNIST digits found where Fashion-MNIST was asked for.
    """
    known = {digest: cls.__name__ for cls in (MNIST, FashionMNIST, MNISTSample)
             for digest in cls.resources.values()}
    for path in getattr(dataset, "source_files", ()):
        want = getattr(dataset, "resources", {}).get(Path(path).name)
        if want is None:
            continue
        got = sha256_file(path)
        if got != want:
            other = known.get(got)
            what = f"it is a file of {other}" if other else "it is not the official file"
            raise ChecksumError(f"{path}: SHA-256 {got} does not match the official "
                                f"{type(dataset).__name__} file ({what}); remove it or point "
                                "--data-root elsewhere")


def load_dataset(name: str | os.PathLike, root: str | os.PathLike | None = None,
                 train: bool = True, download: bool = True,
                 transform: Transform | None = None) -> Any:
    """A dataset by name or from a folder of official files.

    ``name``: one of 'mnist-sample', 'mnist', 'fashion-mnist', 'cifar10', 'cifar100', or a path
    to a folder holding the official IDX files (MNIST/Fashion-MNIST) or CIFAR python batches /
    archive (detected from the file names). ``root`` overrides the cache folder of a named
    dataset: it lives in ``root/<name>`` (e.g. ``root/fashion-mnist``; torchvision's
    ``root/FashionMNIST/raw`` also works), and its files are checked against the official
    SHA-256 digests (``ChecksumError`` otherwise). Raises ``ValueError`` listing the known names
    for anything else.

    >>> load_dataset("mnist-sample", train=False).data.shape
    (2000, 28, 28)
    """
    key = dataset_key(name)
    if key is not None:
        folder = named_folder(key, root) if root is not None else None
        dataset = _BUILDERS[key](folder, train, download, transform)
        verify_official_files(dataset)
        return dataset
    path = Path(name).expanduser()
    if path.is_file() and path.name in (CIFAR10.archive, CIFAR100.archive):
        path = path.parent
    if path.is_dir():
        cls = _idx_class(path) or _cifar_class(path)
        if cls is None:
            raise ValueError(f"load_dataset: found no MNIST-style IDX files "
                             f"(train-images-idx3-ubyte[.gz], ...) and no CIFAR batches "
                             f"(data_batch_1, test_batch, train/test/meta or the official "
                             f".tar.gz) in folder {path}; an image folder holds one subfolder "
                             f"of PNG/JPEG images per class (ImageFolder's layout)")
        return cls(root=path, train=train, download=False, transform=transform)
    raise ValueError(f"load_dataset: unknown dataset {str(name)!r}; known names: "
                     f"{', '.join(DATASET_NAMES)}, or a folder holding the official files")
