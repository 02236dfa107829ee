"""Datasets: MNIST, Fashion-MNIST, CIFAR-10/100, the built-in MNIST sample, IDX files,
verified downloads and ``load_dataset``."""
from .cifar import CIFAR10, CIFAR100
from .download import (ChecksumError, DatasetNotFoundError, data_home, dataset_folder,
                       download_file, sha256_file)
from .idx import IDXFormatError, idx_bytes, read_idx, write_idx
from .mnist import MNIST, FashionMNIST, ImageArrayDataset, MNISTSample, mnist_sample
from .registry import DATASET_NAMES, load_dataset
from .image_folder import ImageFolder, image_folder_arrays, is_image_folder
from .safe_pickle import UnsafeFileError, safe_load

__all__ = [
    "CIFAR10", "CIFAR100", "ChecksumError", "DATASET_NAMES", "DatasetNotFoundError",
    "FashionMNIST", "IDXFormatError", "ImageArrayDataset", "MNIST", "MNISTSample",
    "UnsafeFileError", "data_home", "dataset_folder", "download_file", "idx_bytes",
    "load_dataset", "mnist_sample", "read_idx", "safe_load", "sha256_file", "write_idx",
    "ImageFolder", "image_folder_arrays", "is_image_folder",
]
