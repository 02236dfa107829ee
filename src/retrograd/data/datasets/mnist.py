"""MNIST, Fashion-MNIST and the built-in MNIST sample (8,000 train / 2,000 test digits).

Samples are ``(image, label)``: image float32 (1, 28, 28) in [0, 1] (then ``transform``, if
any), label an int. ``get_batch`` / ``arrays`` serve whole batches for ``DataLoader``'s fast path.

>>> ds = mnist_sample(train=False)
>>> len(ds), ds.data.shape, ds[0][0].shape, ds[0][0].dtype
(2000, (2000, 28, 28), (1, 28, 28), dtype('float32'))
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import numpy as np

from ..dataset import Dataset
from .download import DatasetNotFoundError, dataset_folder, ensure_files, missing_message
from .idx import read_idx

SAMPLE_FOLDER = Path(__file__).resolve().parent / "sample"

Transform = Callable[[np.ndarray], np.ndarray]


def _to_unit(images: np.ndarray) -> np.ndarray:
    """uint8 [0, 255] -> float32 [0, 1]; shared by the per-sample and the batch path."""
    return images.astype(np.float32, order="C") / np.float32(255)


def _apply(transform: Transform | None, images: np.ndarray) -> np.ndarray:
    """Apply ``transform`` to a batch (N, C, H, W): at once if it is batch-capable."""
    if transform is None:
        return images
    if getattr(transform, "batched", False):
        return np.asarray(transform(images))
    return np.stack([np.asarray(transform(im)) for im in images]) if len(images) else images


class ImageArrayDataset(Dataset):
    """Base of the built-in image datasets: ``data`` uint8 images, ``targets`` int64 labels.

    Subclasses set ``data`` (N, H, W) or (N, H, W, C) and ``targets`` (N,).
    """

    data: np.ndarray
    targets: np.ndarray
    classes: list[str] = []
    transform: Transform | None = None

    def _chw(self, images: np.ndarray) -> np.ndarray:
        """uint8 (B, H, W[, C]) -> (B, C, H, W) without converting."""
        return images[:, None] if images.ndim == 3 else images.transpose(0, 3, 1, 2)

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: int) -> tuple[np.ndarray, int]:
        image = _to_unit(self._chw(self.data[index][None])[0])
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.targets[index])

    def get_batch(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Images float32 (B, C, H, W) in [0, 1] after ``transform``, labels int64 (B,)."""
        images = _to_unit(self._chw(self.data[indices]))
        return _apply(self.transform, images), self.targets[indices]

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The whole dataset as one batch: images float32 (N, C, H, W), labels int64 (N,)."""
        return self.get_batch(np.arange(len(self)))

    def __repr__(self) -> str:
        split = "train" if getattr(self, "train", True) else "test"
        return (f"{type(self).__name__}(split={split}, samples={len(self)}, "
                f"root={str(getattr(self, 'root', ''))!r})")


class MNIST(ImageArrayDataset):
    """The MNIST handwritten digits: 60,000 train / 10,000 test images, 28 x 28 uint8.

    Args:
        root: folder holding the four official IDX files (``.gz`` or uncompressed), directly or
            in ``<root>/MNIST/raw`` (torchvision's layout). Default: ``~/.cache/retrograd/mnist``
            (``$RETROGRAD_HOME/mnist``).
        train: the training split, else the test split.
        download: fetch missing files from the official mirrors (SHA-256 checked).
        transform: applied to each image (1, 28, 28) float32 in [0, 1].
    """

    name = "mnist"
    mirrors = ("https://ossci-datasets.s3.amazonaws.com/mnist/",
               "http://yann.lecun.com/exdb/mnist/")
    resources = {  # SHA-256 of the official files
        "train-images-idx3-ubyte.gz":
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "train-labels-idx1-ubyte.gz":
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "t10k-images-idx3-ubyte.gz":
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "t10k-labels-idx1-ubyte.gz":
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    }
    classes = [str(d) for d in range(10)]

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True,
                 download: bool = True, transform: Transform | None = None) -> None:
        self.root = Path(root).expanduser() if root is not None else dataset_folder(self.name)
        self.train = bool(train)
        self.transform = transform
        prefix = "train" if self.train else "t10k"
        names = [f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz"]
        paths = self._locate(names)
        if paths is None:
            if not download:
                raise DatasetNotFoundError(missing_message(type(self).__name__, self.root, names,
                                                           self.mirrors))
            ensure_files(type(self).__name__, self.root, {n: self.resources.get(n) for n in names},
                         self.mirrors, download=True)
            paths = [self.root / n for n in names]
        self.source_files = list(paths)
        images, labels = (read_idx(p) for p in paths)
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(f"{type(self).__name__}: {paths[0]} and {paths[1]} do not match: "
                             f"images {images.shape} (want (N, H, W)), labels {labels.shape} "
                             "(want (N,))")
        self.data = images.astype(np.uint8, copy=False)
        self.targets = labels.astype(np.int64)

    def _locate(self, names: list[str]) -> list[Path] | None:
        """Paths of ``names`` (``.gz`` or not) in root or root/<Class>/raw, or None."""
        for folder in (self.root, self.root / type(self).__name__ / "raw"):
            found = []
            for name in names:
                candidates = [folder / name, folder / name.removesuffix(".gz")]
                found.append(next((c for c in candidates if c.is_file()), None))
            if all(found):
                return found
        return None


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: ten clothing classes, same format and sizes as ``MNIST``.

    Default folder: ``~/.cache/retrograd/fashion-mnist``.
    """

    name = "fashion-mnist"
    mirrors = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)
    resources = {
        "train-images-idx3-ubyte.gz":
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "train-labels-idx1-ubyte.gz":
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "t10k-images-idx3-ubyte.gz":
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "t10k-labels-idx1-ubyte.gz":
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    }
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]


class MNISTSample(MNIST):
    """The MNIST sample shipped with retrograd: 8,000 train / 2,000 test real digits.

    Works offline; ``data`` uint8 (N, 28, 28), ``targets`` int64 (N,).
    """

    name = "mnist-sample"
    resources = {
        "train-images-idx3-ubyte.gz":
            "ab77c843ee3fc04e655c06cb63371f419138dbc87ad3829d28de4fd932b33f42",
        "train-labels-idx1-ubyte.gz":
            "3bf82c0d64cc4bcf7f0b1a5ffd5dd90a20d1f3a6b4caf9468cb9d4cd8246a3fb",
        "t10k-images-idx3-ubyte.gz":
            "00ba707a7e14d859ca5e483a28e3bc1fa08a5f2cae206a1b778f586543c2827b",
        "t10k-labels-idx1-ubyte.gz":
            "a0c2c913ed152e81dcfd62f1da6f23035df874bdf20a80fe0f97e59ea00ea821",
    }

    def __init__(self, train: bool = True, transform: Transform | None = None) -> None:
        super().__init__(root=SAMPLE_FOLDER, train=train, download=False, transform=transform)


def mnist_sample(train: bool = True, transform: Transform | None = None) -> MNISTSample:
    """The built-in MNIST sample: 8,000 training or 2,000 test digits (see ``MNISTSample``)."""
    return MNISTSample(train=train, transform=transform)
