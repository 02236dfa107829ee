"""``load_dataset``: a built-in dataset by name, or a folder of official files."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

from .cifar import CIFAR10, CIFAR100
from .download import sha256_file
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


def load_dataset(name: str | os.PathLike, root: str | os.PathLike | None = None,
                 train: bool = True, download: bool = True,
                 transform: Transform | None = None) -> Any:
    """A dataset by name or from a folder of official files.

    ``name``: one of 'mnist-sample', 'mnist', 'fashion-mnist', 'cifar10', 'cifar100', or a path
    to a folder holding the official IDX files (MNIST/Fashion-MNIST) or CIFAR python batches /
    archive (detected from the file names). ``root`` overrides the cache folder of a named
    dataset. Raises ``ValueError`` listing the known names for anything else.

    >>> load_dataset("mnist-sample", train=False).data.shape
    (2000, 28, 28)
    """
    key = str(name).strip().lower()
    key = _ALIASES.get(key, key)
    if key in _BUILDERS:
        return _BUILDERS[key](root, train, download, transform)
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
