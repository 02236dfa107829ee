"""DistributedSampler against PyTorch's rules: every epoch covers the data once across ranks,
padding or dropping to an equal share; set_epoch reshuffles; DataLoader(sampler=...)."""
import numpy as np
import pytest

from retrograd.data import DataLoader, DistributedSampler, TensorDataset


def _shares(n, replicas, **kwargs):
    samplers = [DistributedSampler(range(n), num_replicas=replicas, rank=r, **kwargs)
                for r in range(replicas)]
    return samplers, [list(s) for s in samplers]


@pytest.mark.parametrize("n,replicas", [(10, 3), (9, 3), (2, 3), (7, 2)])
def test_every_index_once_per_epoch_padded_to_equal_shares(n, replicas):
    samplers, shares = _shares(n, replicas, seed=5)
    size = -(-n // replicas)
    assert [len(s) for s in samplers] == [len(s) for s in shares] == [size] * replicas
    union = [i for s in shares for i in s]
    assert set(union) == set(range(n))
    assert len(union) - n == size * replicas - n  # only the padding repeats


@pytest.mark.parametrize("n,replicas", [(10, 3), (9, 3), (7, 2)])
def test_drop_last_gives_disjoint_shares(n, replicas):
    samplers, shares = _shares(n, replicas, drop_last=True)
    union = [i for s in shares for i in s]
    assert len(union) == len(set(union)) == (n // replicas) * replicas
    assert all(len(s) == n // replicas for s in samplers)


def test_matches_torch_without_shuffle():
    pytest.importorskip("torch")
    from torch.utils.data import DistributedSampler as TorchSampler

    for n, replicas, drop_last in [(10, 3, False), (10, 3, True), (2, 3, False), (11, 4, False)]:
        for r in range(replicas):
            ours = DistributedSampler(range(n), replicas, r, shuffle=False, drop_last=drop_last)
            theirs = TorchSampler(range(n), replicas, r, shuffle=False, drop_last=drop_last)
            assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_set_epoch_reshuffles_the_same_way_on_every_rank():
    samplers, first = _shares(20, 2, seed=1)
    assert first == [list(s) for s in samplers]  # same epoch, same order
    for s in samplers:
        s.set_epoch(1)
    second = [list(s) for s in samplers]
    assert second != first
    assert sorted(second[0] + second[1]) == list(range(20))


def test_bad_rank_is_refused():
    with pytest.raises(ValueError, match="Invalid rank 3"):
        DistributedSampler(range(4), num_replicas=3, rank=3)


def test_dataloader_takes_a_sampler():
    x = np.arange(10, dtype=np.float32)[:, None]
    dataset = TensorDataset(x, np.arange(10))
    sampler = DistributedSampler(dataset, num_replicas=2, rank=1, shuffle=False)
    loader = DataLoader(dataset, batch_size=2, sampler=sampler)
    assert len(loader) == 3
    assert [yb.tolist() for _, yb in loader] == [[1, 3], [5, 7], [9]]
    with pytest.raises(ValueError, match="mutually exclusive"):
        DataLoader(dataset, sampler=sampler, shuffle=True)


def test_docstring_example():
    import doctest

    import retrograd.data.distributed as module

    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
