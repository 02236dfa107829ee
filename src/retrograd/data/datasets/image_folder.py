"""ImageFolder (torchvision's layout: ``root/<class>/<image>``, classes sorted by name) and the
loading of such a folder into arrays for ``retrograd train --dataset FOLDER``."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import numpy as np

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp", ".gif")
SPLITS = {True: ("train",), False: ("test", "val", "valid", "validation")}


def pil_loader(path: str):
    """The image at ``path`` as an RGB Pillow image (torchvision's default loader)."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("ImageFolder needs Pillow: pip install 'retrograd[image]'") from None
    with open(path, "rb") as f:
        return Image.open(f).convert("RGB")


def _has_image_ext(name: str) -> bool:
    return name.lower().endswith(IMG_EXTENSIONS)


class ImageFolder:
    """Images in one subfolder per class: ``root/cat/1.png``, ``root/dog/a.jpg``, ...

    ``classes`` (sorted subfolder names), ``class_to_idx``, ``samples`` [(path, class index)],
    ``targets``. Item ``i`` is ``(transform(loader(path)), target_transform(index))``; the
    default loader gives an RGB Pillow image (``loader=`` changes it, e.g. to grayscale).
    """

    def __init__(self, root: str | os.PathLike, transform: Callable | None = None,
                 target_transform: Callable | None = None, loader: Callable[[str], Any] = pil_loader,
                 is_valid_file: Callable[[str], bool] | None = None,
                 allow_empty: bool = False) -> None:
        self.root = str(root)
        self.transform, self.target_transform, self.loader = transform, target_transform, loader
        self.classes, self.class_to_idx = self.find_classes(self.root)
        valid = is_valid_file or _has_image_ext
        self.samples: list[tuple[str, int]] = []
        for name in self.classes:
            found = [os.path.join(dirpath, f)
                     for dirpath, _, files in sorted(os.walk(os.path.join(self.root, name)))
                     for f in sorted(files) if valid(os.path.join(dirpath, f))]
            if not found and not allow_empty:
                raise FileNotFoundError(f"ImageFolder: found no valid image file in class folder "
                                        f"{os.path.join(self.root, name)} (extensions: "
                                        f"{', '.join(IMG_EXTENSIONS)})")
            self.samples += [(path, self.class_to_idx[name]) for path in found]
        self.imgs = self.samples
        self.targets = [t for _, t in self.samples]

    @staticmethod
    def find_classes(directory: str) -> tuple[list[str], dict[str, int]]:
        """Sorted class subfolder names and their indices."""
        if not os.path.isdir(directory):
            raise FileNotFoundError(f"ImageFolder: no folder {directory}")
        classes = sorted(e.name for e in os.scandir(directory) if e.is_dir() and not e.name.startswith("."))
        if not classes:
            raise FileNotFoundError(f"ImageFolder: found no class subfolders in {directory} "
                                    f"(expected root/<class>/<image files>)")
        return classes, {c: i for i, c in enumerate(classes)}

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int):
        path, target = self.samples[index]
        image = self.loader(path)
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __repr__(self) -> str:
        return (f"ImageFolder(root={self.root!r}, {len(self)} images, {len(self.classes)} classes"
                f"{', transform=' + repr(self.transform) if self.transform else ''})")


def is_image_folder(path: str | os.PathLike) -> bool:
    """True if ``path`` is a folder of class subfolders holding images, or holds such a folder
    as ``train/`` (with ``test/`` or ``val/``)."""
    path = Path(path)
    root = path / "train" if (path / "train").is_dir() else path
    if not root.is_dir():
        return False
    subdirs = [d for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")]
    return bool(subdirs) and any(_has_image_ext(f.name) for d in subdirs for f in d.iterdir())


def image_folder_arrays(path: str | os.PathLike, train: bool, image_size: int | None = None,
                        seed: int = 0, test_fraction: float = 0.2):
    """A split of an image folder as arrays: (images float32 (N, C, S, S) in [0, 1], labels
    int64 (N,), classes). Uses ``train/`` and ``test/`` (or ``val/``) subfolders when present,
    else a seeded split holding out ``test_fraction`` of each class. Grayscale when every image
    is, else RGB; each image resized to S = ``image_size`` (default 28 grey, 32 RGB)."""
    from PIL import Image

    path = Path(path)
    split = next((path / s for s in SPLITS[train] if (path / s).is_dir()), None)
    if (path / "train").is_dir() and split is None:
        raise FileNotFoundError(f"image folder {path}: has train/ but no test/ or val/ folder")
    folder = ImageFolder(split or path, loader=lambda p: Image.open(p))
    if (path / "train").is_dir():
        reference = ImageFolder.find_classes(str(path / "train"))[0]
        if folder.classes != reference:
            raise ValueError(f"image folder {path}: {split.name}/ has classes {folder.classes} "
                             f"but train/ has {reference}")
    samples = folder.samples
    if split is None:  # one folder: hold out a fixed, seeded fraction per class
        rng = np.random.default_rng(seed)
        picked = []
        for c in range(len(folder.classes)):
            idx = [i for i, (_, t) in enumerate(samples) if t == c]
            order = rng.permutation(len(idx))
            n_test = max(1, int(round(len(idx) * test_fraction))) if len(idx) > 1 else 0
            chosen = order[:n_test] if not train else order[n_test:]
            picked += [samples[idx[k]] for k in sorted(chosen)]
        samples = picked
    images = []
    for p, _ in samples:
        with Image.open(p) as img:
            images.append(img.copy())
    grey = all(img.mode in ("1", "L", "I;16", "I", "F", "LA") for img in images)
    size = image_size or (28 if grey else 32)
    arrays = [np.asarray(img.convert("L" if grey else "RGB").resize((size, size), Image.Resampling.BILINEAR))
              for img in images]
    x = np.stack(arrays).astype(np.float32) / 255 if arrays else np.zeros((0, size, size), np.float32)
    x = x[:, None] if grey else x.transpose(0, 3, 1, 2)
    y = np.array([t for _, t in samples], dtype=np.int64)
    return np.ascontiguousarray(x), y, folder.classes
