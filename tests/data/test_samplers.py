"""Samplers and the DataLoader options around them (sampler, batch_sampler, batch_size=None,
shuffle, drop_last), against torch.utils.data where the result is deterministic."""
import numpy as np
import pytest

import retrograd as rg
from retrograd.data import (BatchSampler, DataLoader, Dataset, IterableDataset, RandomSampler,
                            Sampler, SequentialSampler, SubsetRandomSampler, TensorDataset,
                            WeightedRandomSampler)
from retrograd.utils import data as utils_data


def test_utils_data_is_the_same_package():
    assert utils_data.DataLoader is DataLoader and utils_data.Sampler is Sampler
    assert rg.utils.data.get_worker_info() is None  # the main process


@pytest.mark.parametrize("n,batch,drop_last", [(10, 3, False), (10, 3, True), (9, 3, True),
                                               (2, 5, False), (2, 5, True)])
def test_batch_sampler_matches_torch(n, batch, drop_last):
    torch = pytest.importorskip("torch")
    ours = BatchSampler(SequentialSampler(range(n)), batch, drop_last)
    theirs = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(n)), batch,
                                           drop_last)
    assert list(ours) == list(theirs) and len(ours) == len(theirs)
    plain = BatchSampler(list(range(n)), batch, drop_last)  # any iterable: the list path
    assert list(plain) == list(theirs) and all(isinstance(b, list) for b in plain)


def test_random_sampler_permutes_and_draws_with_replacement():
    perm = list(RandomSampler(range(50), generator=0))
    assert sorted(perm) == list(range(50)) and perm != list(range(50))
    assert perm == list(RandomSampler(range(50), generator=0))
    long = list(RandomSampler(range(10), num_samples=25, generator=1))
    assert len(long) == 25 and sorted(long[:10]) == list(range(10))  # whole permutations first
    assert sorted(long[20:]) != list(range(5))[:0] and len(set(long[20:])) == 5
    drawn = list(RandomSampler(range(3), replacement=True, num_samples=300, generator=2))
    assert len(drawn) == 300 and set(drawn) == {0, 1, 2} and len(set(drawn[:10])) < 10
    with pytest.raises(ValueError, match="num_samples"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(TypeError, match="replacement"):
        RandomSampler(range(3), replacement=1)


def test_random_sampler_follows_the_global_seed():
    rg.manual_seed(3)
    a = list(RandomSampler(range(20)))
    rg.manual_seed(3)
    assert list(RandomSampler(range(20))) == a


def test_subset_random_sampler():
    out = list(SubsetRandomSampler([4, 8, 15, 16, 23, 42], generator=0))
    assert sorted(out) == [4, 8, 15, 16, 23, 42] and len(SubsetRandomSampler([1, 2])) == 2


def test_weighted_random_sampler_follows_the_weights():
    drawn = np.array(list(WeightedRandomSampler([0.0, 1.0, 3.0], 4000, generator=0)))
    counts = np.bincount(drawn, minlength=3)
    assert counts[0] == 0 and 2.6 < counts[2] / counts[1] < 3.4
    once = list(WeightedRandomSampler([1, 1, 1, 5], 4, replacement=False, generator=1))
    assert sorted(once) == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="1d"):
        WeightedRandomSampler([[1.0]], 1)
    with pytest.raises(ValueError, match="num_samples"):
        WeightedRandomSampler([1.0], 0)
    with pytest.raises(RuntimeError, match="without replacement"):
        WeightedRandomSampler([1.0, 0.0], 2, replacement=False)


class LengthOnly:
    """A sampler-like object that is not a Sampler (as a DistributedSampler from elsewhere)."""

    def __init__(self, indices):
        self.indices = indices

    def __iter__(self):
        return iter(self.indices)

    def __len__(self):
        return len(self.indices)


def _data(n=10):
    return TensorDataset(np.arange(n) * 10, np.arange(n))


def test_loader_takes_any_sampler_like_iterable():
    loader = DataLoader(_data(), batch_size=3, sampler=LengthOnly([9, 0, 5, 5, 2]))
    assert [y.tolist() for _, y in loader] == [[9, 0, 5], [5, 2]] and len(loader) == 2
    loader = DataLoader(_data(), batch_size=2, sampler=[1, 3, 7])
    assert [y.tolist() for _, y in loader] == [[1, 3], [7]]


def test_loader_batch_sampler_and_no_batching():
    loader = DataLoader(_data(), batch_sampler=[[0, 1, 2], [7], [3, 3]])
    assert [y.tolist() for _, y in loader] == [[0, 1, 2], [7], [3, 3]] and len(loader) == 3
    single = DataLoader(TensorDataset(rg.arange(4) * 10, rg.arange(4)), batch_size=None)
    items = list(single)
    assert len(single) == 4 and [int(y) for _, y in items] == [0, 1, 2, 3]
    assert items[1][0].shape == () and isinstance(items[1][0], rg.Tensor)


def test_loader_matches_torch_loader_on_fixed_orders():
    torch = pytest.importorskip("torch")
    x, y = np.arange(22, dtype=np.float32).reshape(11, 2), np.arange(11)
    for kw in (dict(batch_size=4), dict(batch_size=4, drop_last=True),
               dict(batch_sampler=[[3, 1], [0]]), dict(batch_size=3, sampler=[5, 4, 3, 2])):
        ours = DataLoader(TensorDataset(x, y), **kw)
        theirs = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y)), **kw)
        assert len(ours) == len(theirs)
        for (a, b), (c, d) in zip(ours, theirs, strict=True):
            np.testing.assert_array_equal(a.numpy(), c.numpy())
            np.testing.assert_array_equal(b.numpy(), d.numpy())
            assert a.dtype == np.float32 and b.dtype == np.int64


class Count(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def test_iterable_dataset_in_process():
    loader = DataLoader(Count(7), batch_size=3)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]] and len(loader) == 3
    assert [b.tolist() for b in DataLoader(Count(7), batch_size=3, drop_last=True)] == \
        [[0, 1, 2], [3, 4, 5]]
    assert [int(b) for b in DataLoader(Count(3), batch_size=None)] == [0, 1, 2]
    with pytest.raises(TypeError, match="IterableDataset"):
        Count(3)[0]
    with pytest.raises(TypeError, match="without __len__"):
        len(DataLoader(IterableDataset(), batch_size=2))  # as PyTorch: no length, TypeError
    chained = Count(2) + Count(3)
    assert list(chained) == [0, 1, 0, 1, 2] and len(chained) == 5
    assert [b.tolist() for b in DataLoader(chained, batch_size=4)] == [[0, 1, 0, 1], [2]]


@pytest.mark.parametrize("kw,match", [
    (dict(shuffle=True, sampler=[0]), "mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler option is mutually exclusive"),
    (dict(batch_size=None, drop_last=True), "batch_size=None"),
    (dict(num_workers=-1), "num_workers"),
    (dict(timeout=-1), "timeout"),
    (dict(prefetch_factor=2), "prefetch_factor"),
    (dict(persistent_workers=True), "persistent_workers"),
])
def test_loader_option_errors(kw, match):
    with pytest.raises(ValueError, match=match):
        DataLoader(_data(), **kw)
    with pytest.raises(ValueError, match="IterableDataset"):
        DataLoader(Count(3), shuffle=True)


def test_loader_attributes_follow_torch():
    loader = DataLoader(_data(), batch_size=4, shuffle=True, pin_memory=True, generator=0)
    assert isinstance(loader.sampler, RandomSampler)
    assert isinstance(loader.batch_sampler, BatchSampler) and loader.batch_sampler.batch_size == 4
    assert loader.sampler.generator is loader.generator and loader.pin_memory
    assert loader.collate_fn is rg.data.default_collate
    assert isinstance(DataLoader(_data()).sampler, SequentialSampler)
    assert DataLoader(_data(), num_workers=2).prefetch_factor == 2


class Plain(Dataset):
    def __getitem__(self, i):
        return {"x": np.full(2, i, np.float32), "label": i}

    def __len__(self):
        return 5


def test_shuffled_loader_visits_every_sample_once_with_a_user_sampler_generator():
    rng = np.random.default_rng(7)
    loader = DataLoader(Plain(), batch_size=2, sampler=RandomSampler(Plain(), generator=rng))
    labels = np.concatenate([b["label"].numpy() for b in loader])
    assert sorted(labels.tolist()) == [0, 1, 2, 3, 4] and loader.generator is rng
