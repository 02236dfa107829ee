"""``retrograd.utils.data``, the twin of ``torch.utils.data``: the same objects as
``retrograd.data`` (the short name), under PyTorch's import path.

>>> from retrograd.utils.data import DataLoader, TensorDataset
>>> import retrograd as rg
>>> loader = DataLoader(TensorDataset(rg.arange(6.0).reshape(3, 2), rg.arange(3)), batch_size=2)
>>> [tuple(x.shape) for x, _ in loader]
[(2, 2), (1, 2)]
"""
from ...data import (BatchSampler, ChainDataset, ConcatDataset, DataLoader, Dataset,
                     IterableDataset, RandomSampler, Sampler, SequentialSampler, Subset,
                     SubsetRandomSampler, TensorDataset, WeightedRandomSampler, WorkerInfo,
                     default_collate, default_convert, get_worker_info, random_split)

__all__ = ["BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset",
           "IterableDataset", "RandomSampler", "Sampler", "SequentialSampler", "Subset",
           "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler", "WorkerInfo",
           "default_collate", "default_convert", "get_worker_info", "random_split"]
