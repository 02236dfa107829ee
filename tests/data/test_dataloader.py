from collections import namedtuple

import numpy as np
import pytest

import retrograd as rg
from retrograd.data import DataLoader, Dataset, Subset, TensorDataset, default_collate, mnist_sample
from retrograd.data.transforms import Normalize, RandomCrop
from retrograd.tensor import Tensor


class PerSample(Dataset):
    """Hides ``get_batch`` so the loader must use __getitem__ + default_collate."""

    def __init__(self, inner):
        self.inner = inner

    def __getitem__(self, i):
        return self.inner[i]

    def __len__(self):
        return len(self.inner)


def indices_dataset(n):
    return TensorDataset(np.arange(n), np.arange(n) * 2)


def epoch_order(loader):
    return np.concatenate([b[0].numpy() for b in loader])


@pytest.mark.parametrize("drop_last,sizes", [(False, [3, 3, 3, 1]), (True, [3, 3, 3])])
def test_batch_sizes_len_and_drop_last(drop_last, sizes):
    loader = DataLoader(indices_dataset(10), batch_size=3, drop_last=drop_last)
    assert len(loader) == len(sizes)
    assert [len(x.numpy()) for x, _ in loader] == sizes


def test_batches_are_tensors_in_order_without_shuffle():
    batches = list(DataLoader(indices_dataset(5), batch_size=2))
    assert all(isinstance(t, Tensor) for b in batches for t in b)
    np.testing.assert_array_equal(np.concatenate([y.numpy() for _, y in batches]),
                                  np.arange(5) * 2)


def test_mnist_batches_dtypes_and_shapes():
    images, labels = next(iter(DataLoader(mnist_sample(False), batch_size=64, shuffle=True,
                                          generator=0)))
    assert images.shape == (64, 1, 28, 28) and images.dtype == np.float32
    assert labels.shape == (64,) and labels.dtype == np.int64
    assert 0.0 <= images.numpy().min() and images.numpy().max() <= 1.0


@pytest.mark.parametrize("wrap", [False, True])
def test_shuffle_covers_every_index_once_and_reshuffles(wrap):
    ds = indices_dataset(103)
    loader = DataLoader(PerSample(ds) if wrap else ds, batch_size=10, shuffle=True, generator=1)
    first, second = epoch_order(loader), epoch_order(loader)
    for order in (first, second):
        np.testing.assert_array_equal(np.sort(order), np.arange(103))
    assert not np.array_equal(first, np.arange(103))
    assert not np.array_equal(first, second)


def test_same_seed_same_orders_other_seed_other_orders():
    a = DataLoader(indices_dataset(50), batch_size=7, shuffle=True, generator=5)
    b = DataLoader(indices_dataset(50), batch_size=7, shuffle=True, generator=5)
    c = DataLoader(indices_dataset(50), batch_size=7, shuffle=True, generator=6)
    for _ in range(3):
        oa, ob, oc = epoch_order(a), epoch_order(b), epoch_order(c)
        np.testing.assert_array_equal(oa, ob)
        assert not np.array_equal(oa, oc)


def test_without_generator_follows_global_seed():
    orders = []
    for _ in range(2):
        rg.manual_seed(11)
        orders.append(epoch_order(DataLoader(indices_dataset(40), batch_size=8, shuffle=True)))
    np.testing.assert_array_equal(*orders)


def test_generator_state_restores_the_order():
    loader = DataLoader(indices_dataset(30), batch_size=4, shuffle=True, generator=2)
    epoch_order(loader)
    saved = loader.generator.bit_generator.state
    expected = [epoch_order(loader), epoch_order(loader)]
    fresh = DataLoader(indices_dataset(30), batch_size=4, shuffle=True, generator=999)
    fresh.generator.bit_generator.state = saved
    np.testing.assert_array_equal(epoch_order(fresh), expected[0])
    np.testing.assert_array_equal(epoch_order(fresh), expected[1])


def test_state_dict_resumes_mid_epoch():
    loader = DataLoader(indices_dataset(30), batch_size=4, shuffle=True, generator=8)
    it = iter(loader)
    seen = [next(it)[0].numpy() for _ in range(3)]
    state = loader.state_dict()
    rest = np.concatenate([b[0].numpy() for b in it])
    next_epoch = epoch_order(loader)

    resumed = DataLoader(indices_dataset(30), batch_size=4, shuffle=True, generator=0)
    resumed.load_state_dict(state)
    assert resumed.state_dict()["batches_done"] == 3  # a checkpoint before resuming keeps it
    np.testing.assert_array_equal(epoch_order(resumed), rest)
    np.testing.assert_array_equal(epoch_order(resumed), next_epoch)
    assert len(np.concatenate(seen)) + len(rest) == 30


def test_state_dict_resumes_mid_epoch_without_shuffle():
    loader = DataLoader(indices_dataset(10), batch_size=3)
    it = iter(loader)
    next(it)
    resumed = DataLoader(indices_dataset(10), batch_size=3)
    resumed.load_state_dict(loader.state_dict())
    np.testing.assert_array_equal(epoch_order(resumed), np.arange(3, 10))
    np.testing.assert_array_equal(epoch_order(resumed), np.arange(10))


def test_fast_path_equals_per_sample_path():
    ds = Subset(mnist_sample(False, transform=Normalize([0.1307], [0.3081])), np.arange(0, 2000, 3))
    fast = DataLoader(ds, batch_size=50, shuffle=True, generator=4)
    slow = DataLoader(PerSample(ds), batch_size=50, shuffle=True, generator=4)
    n = 0
    for (xf, yf), (xs, ys) in zip(fast, slow):
        np.testing.assert_array_equal(xf.numpy(), xs.numpy())
        np.testing.assert_array_equal(yf.numpy(), ys.numpy())
        assert xf.dtype == xs.dtype == np.float32 and yf.dtype == ys.dtype == np.int64
        n += 1
    assert n == len(fast) == 14


def test_fast_path_does_not_call_getitem():
    class Spy(TensorDataset):
        def __getitem__(self, i):
            raise AssertionError("per-sample path used")

    x, _ = next(iter(DataLoader(Spy(np.ones((6, 2)), np.arange(6)), batch_size=6)))
    assert x.shape == (6, 2)


def test_per_sample_transform_still_applied_on_fast_path():
    ds = mnist_sample(False, transform=lambda im: im * 0 + 7)  # not batch-capable
    x, _ = next(iter(DataLoader(ds, batch_size=4)))
    assert np.all(x.numpy() == 7)


def test_loader_transform_applies_to_inputs_only():
    loader = DataLoader(mnist_sample(False), batch_size=8,
                        transform=RandomCrop(20, generator=0))
    x, y = next(iter(loader))
    assert x.shape == (8, 1, 20, 20) and y.shape == (8,)


def test_custom_collate_fn_gets_samples_and_output_is_yielded_as_is():
    loader = DataLoader(indices_dataset(5), batch_size=2, collate_fn=lambda s: len(s))
    assert list(loader) == [2, 2, 1]


def test_default_collate_nested_structures():
    Point = namedtuple("Point", "x y")
    batch = default_collate([{"a": np.ones(2, np.float32), "b": (1, 0.5, "s"), "p": Point(1, 2)},
                             {"a": np.zeros(2, np.float32), "b": (2, 1.5, "t"), "p": Point(3, 4)}])
    assert batch["a"].shape == (2, 2) and batch["a"].dtype == np.float32
    ints, floats, strings = batch["b"]
    assert ints.dtype == np.int64 and floats.dtype == rg.get_default_dtype()
    assert strings == ["s", "t"]
    assert isinstance(batch["p"], Point)
    np.testing.assert_array_equal(batch["p"].y.numpy(), [2, 4])


def test_default_collate_refuses_ragged_samples():
    with pytest.raises(ValueError, match="different shapes"):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(TypeError, match="not supported"):
        default_collate([object(), object()])


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_bad_batch_size_rejected(bad):
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(indices_dataset(3), batch_size=bad)
