"""Data loading: datasets, ``DataLoader``, transforms (PyTorch's ``torch.utils.data`` shape).

>>> from retrograd.data import DataLoader, mnist_sample
>>> loader = DataLoader(mnist_sample(train=False), batch_size=500, shuffle=True, generator=0)
>>> images, labels = next(iter(loader))
>>> images.shape, labels.dtype
((500, 1, 28, 28), dtype('int64'))
"""
from . import transforms
from .dataloader import DataLoader, default_collate, default_convert
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, Subset,
                      TensorDataset, random_split)
from .samplers import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                       SubsetRandomSampler, WeightedRandomSampler)
from .worker import WorkerInfo, get_worker_info
from .datasets import (CIFAR10, CIFAR100, MNIST, ChecksumError, DatasetNotFoundError,
                       FashionMNIST, IDXFormatError, MNISTSample, UnsafeFileError, load_dataset,
                       mnist_sample, read_idx)
from .datasets import ImageFolder
from .distributed import DistributedSampler
from .datasets.sequence import ADDING_BASELINE_MSE, adding_problem, adding_problem_arrays

__all__ = [
    "CIFAR10", "CIFAR100", "ChecksumError", "ConcatDataset", "DataLoader", "Dataset",
    "DatasetNotFoundError", "FashionMNIST", "IDXFormatError", "MNIST", "MNISTSample", "Subset",
    "TensorDataset", "UnsafeFileError", "default_collate", "load_dataset", "mnist_sample",
    "random_split", "read_idx", "transforms",
    "ImageFolder",
    "DistributedSampler",
    "BatchSampler", "ChainDataset", "IterableDataset", "RandomSampler", "Sampler",
    "SequentialSampler", "SubsetRandomSampler", "WeightedRandomSampler", "WorkerInfo",
    "default_convert", "get_worker_info",
    "ADDING_BASELINE_MSE", "adding_problem", "adding_problem_arrays",
]
