"""DataLoader worker processes: the same batches as in-process loading, IterableDataset
sharding with get_worker_info, seeds, worker_init_fn, persistent workers, errors, timeouts and
dead workers. Module-level classes, so that they pickle under every start method."""
import multiprocessing
import os
import random
import time

import numpy as np
import pytest

import retrograd as rg
from retrograd import nn
from retrograd.data import DataLoader, Dataset, IterableDataset, TensorDataset, get_worker_info


class Squares(Dataset):
    """Per-sample path (no get_batch): (x, x**2, the worker's pid)."""

    def __init__(self, n=23):
        self.n = n

    def __getitem__(self, i):
        return np.float32(i), i * i

    def __len__(self):
        return self.n


class WhoAmI(Dataset):
    def __getitem__(self, i):
        info = get_worker_info()
        return os.getpid(), info.id, info.num_workers, info.seed, random.random()

    def __len__(self):
        return 8


class Shards(IterableDataset):
    """0..n-1, split between workers by get_worker_info (PyTorch's documented pattern)."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))


class Failing(Dataset):
    def __getitem__(self, i):
        if i == 5:
            raise KeyError(f"sample {i} is broken")
        return i

    def __len__(self):
        return 10


class Slow(Dataset):
    def __getitem__(self, i):
        time.sleep(1.2)
        return i

    def __len__(self):
        return 4


class Dies(Dataset):
    def __getitem__(self, i):
        os._exit(3)

    def __len__(self):
        return 4


class Convolved(Dataset):
    """Runs a convolution big enough to be split over threads, and reports the thread count."""

    def __init__(self):
        self.conv = nn.Conv2d(3, 8, 3)

    def __getitem__(self, i):
        with rg.no_grad():
            out = self.conv(rg.randn(16, 3, 32, 32))
        return out.numpy()[0, 0, 0, 0], rg.get_num_threads()

    def __len__(self):
        return 2


def failing_init(worker_id):
    raise OSError(f"no device for worker {worker_id}")


def record_init(worker_id):
    random.seed(1000 + worker_id)


def _batches(loader):
    return [[t.numpy().copy() for t in batch] for batch in loader]


@pytest.mark.parametrize("context", [None, "spawn"])
def test_workers_give_the_same_batches_as_in_process(context):
    kw = dict(batch_size=4, shuffle=True)
    ours = _batches(DataLoader(Squares(), generator=3, **kw))
    workers = _batches(DataLoader(Squares(), generator=3, num_workers=2,
                                  multiprocessing_context=context, **kw))
    assert len(ours) == len(workers) == 6
    for a, b in zip(ours, workers):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
    assert multiprocessing.active_children() == []  # workers stopped after the epoch


def test_fast_path_batches_and_many_batches_in_flight():
    x = np.random.default_rng(0).standard_normal((200, 3)).astype(np.float32)
    ds = TensorDataset(x, np.arange(200))
    ours = _batches(DataLoader(ds, batch_size=7, drop_last=True))
    theirs = _batches(DataLoader(ds, batch_size=7, drop_last=True, num_workers=2,
                                 prefetch_factor=4))
    assert len(theirs) == 28
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a[0], b[0])


def test_worker_info_seeds_and_init_fn():
    rows = [r for batch in DataLoader(WhoAmI(), batch_size=2, num_workers=2,
                                      worker_init_fn=record_init) for r in zip(*batch)]
    pids = {int(r[0]) for r in rows}
    assert len(pids) == 2 and os.getpid() not in pids
    assert [int(r[1]) for r in rows] == [0, 0, 1, 1, 0, 0, 1, 1]  # batches go round robin
    assert {int(r[2]) for r in rows} == {2}
    seeds = {int(r[1]): int(r[3]) for r in rows}
    assert seeds[1] == seeds[0] + 1  # base_seed + worker id, as PyTorch
    random.seed(1000)
    first = random.random()
    assert float(rows[0][4]) == pytest.approx(first)  # worker_init_fn ran in worker 0


def test_iterable_dataset_sharded_between_workers():
    loader = DataLoader(Shards(10), batch_size=2, num_workers=2)
    batches = [b.tolist() for b in loader]
    assert sorted(v for b in batches for v in b) == list(range(10))
    assert batches == [[0, 2], [1, 3], [4, 6], [5, 7], [8], [9]]


@pytest.mark.filterwarnings("ignore:This DataLoader will create 3 worker processes:UserWarning")
def test_iterable_order_matches_torch():
    torch = pytest.importorskip("torch")

    class TorchShards(torch.utils.data.IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            info = torch.utils.data.get_worker_info()
            return iter(range(info.id, self.n, info.num_workers))

    ours = [b.tolist() for b in DataLoader(Shards(11), batch_size=2, num_workers=3)]
    theirs = [b.tolist() for b in torch.utils.data.DataLoader(
        TorchShards(11), batch_size=2, num_workers=3, multiprocessing_context="fork")]
    assert ours == theirs == [[0, 3], [1, 4], [2, 5], [6, 9], [7, 10], [8]]


def test_persistent_workers_live_across_epochs():
    loader = DataLoader(WhoAmI(), batch_size=4, num_workers=2, persistent_workers=True)
    first = {int(p) for batch in loader for p in batch[0]}
    second = {int(p) for batch in loader for p in batch[0]}
    assert first == second and len(first) == 2
    for _ in DataLoader(WhoAmI(), batch_size=4, num_workers=2):
        break  # an epoch abandoned mid-way: its workers go when the iterator does
    partial = iter(loader)
    next(partial)
    del partial  # abandon an epoch: the next one still gets all its batches
    assert len(list(loader)) == 2
    loader._pool.shutdown()


def test_worker_error_is_reraised_with_its_type():
    with pytest.raises(KeyError, match="(?s)worker process.*sample 5 is broken"):
        list(DataLoader(Failing(), batch_size=2, num_workers=2))
    assert multiprocessing.active_children() == []


def test_timeout_and_dead_worker():
    with pytest.raises(RuntimeError, match="timed out after 0.3 seconds"):
        list(DataLoader(Slow(), batch_size=1, num_workers=1, timeout=0.3))
    with pytest.raises(RuntimeError, match="exited unexpectedly"):
        list(DataLoader(Dies(), batch_size=1, num_workers=1))
    assert multiprocessing.active_children() == []


def test_forked_worker_runs_threaded_ops_after_the_parent_did():
    """A forked worker must not wait on the parent's op thread pool (its threads are not
    inherited): workers run ops on one thread, as PyTorch's do."""
    before = rg.get_num_threads()
    rg.set_num_threads(2)
    try:
        data = Convolved()
        with rg.no_grad():
            data.conv(rg.randn(16, 3, 32, 32))  # the parent's pool now exists
        batches = list(DataLoader(data, batch_size=2, num_workers=1, timeout=60,
                                  multiprocessing_context="fork"))
        assert batches[0][1].tolist() == [1, 1] and rg.get_num_threads() == 2
    finally:
        rg.set_num_threads(before)


def test_out_of_order_and_unbatched_loading():
    loose = [b[1].tolist() for b in DataLoader(Squares(), batch_size=5, num_workers=2,
                                                 in_order=False)]
    assert sorted(v for b in loose for v in b) == [i * i for i in range(23)]
    single = list(DataLoader(Squares(6), batch_size=None, num_workers=2))
    assert [int(y) for _, y in single] == [0, 1, 4, 9, 16, 25]
    stream = list(DataLoader(Shards(5), batch_size=None, num_workers=2))
    assert sorted(int(v) for v in stream) == [0, 1, 2, 3, 4]


def test_worker_init_fn_error_is_reraised():
    with pytest.raises(OSError, match="(?s)worker process 0.*no device for worker 0"):
        list(DataLoader(Squares(4), batch_size=2, num_workers=1, worker_init_fn=failing_init))
