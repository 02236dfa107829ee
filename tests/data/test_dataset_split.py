import numpy as np
import pytest

import retrograd as rg
from retrograd.data import ConcatDataset, Subset, TensorDataset, random_split
from retrograd.tensor import Tensor


def test_tensor_dataset_rows_and_length():
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    y = np.array([3, 1, 4, 1])
    ds = TensorDataset(x, y)
    assert len(ds) == 4
    xi, yi = ds[2]
    np.testing.assert_array_equal(xi, x[2])
    assert yi == 4


def test_tensor_dataset_keeps_tensors_as_tensors():
    ds = TensorDataset(Tensor(np.ones((3, 2), np.float32)), np.arange(3))
    xi, yi = ds[1]
    assert isinstance(xi, Tensor) and xi.shape == (2,)
    assert isinstance(yi, np.integer)


def test_tensor_dataset_shape_mismatch_names_shapes():
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(5,\)"):
        TensorDataset(np.zeros((4, 3)), np.zeros(5))


def test_subset_and_concat_index_through():
    ds = TensorDataset(np.arange(10) * 10)
    sub = Subset(ds, [7, 2, 5])
    assert len(sub) == 3 and sub[0][0] == 70 and sub[-1][0] == 50
    cat = ConcatDataset([sub, TensorDataset(np.array([-1, -2]))])
    assert len(cat) == 5
    assert [int(cat[i][0]) for i in range(5)] == [70, 20, 50, -1, -2]
    with pytest.raises(IndexError):
        cat[5]


def test_subset_get_batch_goes_through_parent_indices():
    ds = TensorDataset(np.arange(10) * 10, np.arange(10))
    sub = Subset(ds, [9, 0, 4])
    a, b = sub.get_batch(np.array([2, 0]))
    np.testing.assert_array_equal(a, [40, 90])
    np.testing.assert_array_equal(b, [4, 9])


def test_random_split_int_lengths_partition_the_dataset():
    ds = TensorDataset(np.arange(20))
    parts = random_split(ds, [12, 5, 3], generator=0)
    assert [len(p) for p in parts] == [12, 5, 3]
    everything = np.concatenate([p.indices for p in parts])
    np.testing.assert_array_equal(np.sort(everything), np.arange(20))


def test_random_split_fractions_floor_then_hand_out_remainder():
    ds = TensorDataset(np.arange(11))
    assert [len(p) for p in random_split(ds, [0.5, 0.5], generator=0)] == [6, 5]
    assert [len(p) for p in random_split(ds, [0.8, 0.1, 0.1], generator=0)] == [9, 1, 1]


def test_random_split_reproducible_and_seed_dependent():
    ds = TensorDataset(np.arange(50))
    a = random_split(ds, [25, 25], generator=np.random.default_rng(3))
    b = random_split(ds, [25, 25], generator=3)
    c = random_split(ds, [25, 25], generator=4)
    np.testing.assert_array_equal(a[0].indices, b[0].indices)
    assert not np.array_equal(a[0].indices, c[0].indices)


def test_random_split_default_uses_global_seed():
    ds = TensorDataset(np.arange(50))
    rg.manual_seed(7)
    a = random_split(ds, [10, 40])
    rg.manual_seed(7)
    b = random_split(ds, [10, 40])
    np.testing.assert_array_equal(a[0].indices, b[0].indices)


@pytest.mark.parametrize("lengths", [[5, 4], [5, 6], [0.5, 0.4], [0.7, 0.7], [-1, 11]])
def test_random_split_rejects_bad_lengths(lengths):
    with pytest.raises(ValueError):
        random_split(TensorDataset(np.arange(10)), lengths)
