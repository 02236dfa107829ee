"""retrograd.Generator and the default generator, as torch.Generator and torch.random."""
from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import retrograd as rg
from retrograd import nn
from retrograd.utils.data import DataLoader, RandomSampler, TensorDataset, random_split


def _draws(generator):
    """One draw from each sampling function that takes ``generator=``."""
    probs = rg.tensor([[0.2, 0.3, 0.5]])
    return [rg.rand(4, generator=generator), rg.randn(2, 3, generator=generator),
            rg.randint(0, 9, (5,), generator=generator), rg.randperm(6, generator=generator),
            rg.bernoulli(rg.full((4,), 0.5), generator=generator),
            rg.multinomial(probs, 2, generator=generator),
            rg.normal(0.0, 1.0, (3,), generator=generator),
            rg.empty(3).uniform_(generator=generator), rg.empty(3).normal_(generator=generator),
            rg.empty(3).exponential_(generator=generator), rg.empty(3).random_(0, 9, generator=generator),
            rg.rand_like(probs, generator=generator), rg.randn_like(probs, generator=generator),
            rg.randint_like(probs, 5, generator=generator),
            nn.init.normal_(rg.empty(2, 2), generator=generator),
            nn.init.kaiming_uniform_(rg.empty(2, 2), generator=generator),
            nn.init.orthogonal_(rg.empty(2, 2), generator=generator)]


def _same(a, b) -> bool:
    return all(np.array_equal(x.numpy(), y.numpy()) for x, y in zip(a, b, strict=True))


def test_same_seed_same_draws_in_every_sampling_function():
    assert _same(_draws(rg.Generator().manual_seed(7)), _draws(rg.Generator().manual_seed(7)))
    assert not _same(_draws(rg.Generator().manual_seed(7)), _draws(rg.Generator().manual_seed(8)))


def test_state_round_trip_restores_the_stream():
    g = rg.Generator().manual_seed(3)
    rg.rand(5, generator=g)
    state = g.get_state()
    assert state.dtype == rg.uint8 and state.ndim == 1
    first = _draws(g)
    assert g.set_state(state) is g
    assert _same(first, _draws(g))
    g.manual_seed(5).random(dtype=np.float32)  # PCG64 keeps the other half of the 64-bit word
    state = g.get_state()
    odd = g.random(3, dtype=np.float32)  # starts with the kept half word
    assert np.array_equal(odd, g.set_state(state).random(3, dtype=np.float32))


def test_generators_are_independent_of_the_default_one():
    rg.manual_seed(0)
    expected = rg.rand(4)
    g = rg.Generator().manual_seed(0)
    rg.manual_seed(0)
    rg.rand(10, generator=g)
    assert rg.rand(4).tolist() == expected.tolist()  # g's draws did not move the default stream
    rg.manual_seed(0)
    rg.rand(100)
    assert rg.rand(4, generator=rg.Generator().manual_seed(0)).tolist() == expected.tolist()
    a, b = rg.Generator().manual_seed(1), rg.Generator().manual_seed(1)
    first = rg.randn(3, generator=a)
    rg.randn(50, generator=b)  # b's draws do not move a
    assert rg.randn(3, generator=a).tolist() == rg.randn(6, generator=rg.Generator().manual_seed(1))[3:].tolist()
    assert first.tolist() != rg.randn(3, generator=a).tolist()


def test_torch_api_shape():
    g = rg.Generator(device="cpu")
    assert g.initial_seed() == 67280421310721 and g.device == rg.device("cpu")  # as PyTorch
    assert g.manual_seed(5) is g and g.initial_seed() == 5
    assert g.manual_seed(-1).initial_seed() == 2**64 - 1
    seed = g.seed()
    assert isinstance(seed, int) and g.initial_seed() == seed
    twin = g.clone_state()
    assert twin is not g and rg.rand(3, generator=twin).tolist() == rg.rand(3, generator=g).tolist()
    assert isinstance(g, np.random.Generator)  # also goes where NumPy generators went
    for value in (1.5, "3", True):
        with pytest.raises(RuntimeError, match="expected a long"):
            g.manual_seed(value)
    with pytest.raises(ValueError):
        g.manual_seed(2**64)
    with pytest.raises(RuntimeError, match="cuda"):
        rg.Generator("cuda")
    with pytest.raises(TypeError, match="uint8 Tensor"):
        g.set_state([1, 2])
    with pytest.raises(RuntimeError, match="bytes"):
        g.set_state(rg.zeros(3, dtype=rg.uint8))
    with pytest.raises(TypeError, match="generator must be"):
        rg.rand(2, generator=3)


def test_pickle_and_deepcopy_keep_the_class_and_the_stream():
    g = rg.Generator().manual_seed(11)
    for twin in (copy.deepcopy(g), pickle.loads(pickle.dumps(g))):
        assert type(twin) is rg.Generator and twin.initial_seed() == 11
        assert twin.random() == copy.deepcopy(g).random()


def test_module_level_functions_use_the_default_generator():
    assert rg.manual_seed(4) is rg.default_generator and rg.initial_seed() == 4
    state = rg.get_rng_state()
    a = rg.randn(5)
    rg.set_rng_state(state)
    assert rg.randn(5).tolist() == a.tolist()
    with rg.random.fork_rng():
        rg.rand(50)
        rg.manual_seed(99)
    assert rg.initial_seed() == 4 and rg.randn(3).tolist() != a[:3].tolist()
    rg.set_rng_state(state)
    with rg.random.fork_rng():
        rg.randn(7)
    assert rg.randn(5).tolist() == a.tolist()
    seed = rg.seed()
    assert rg.initial_seed() == seed


def test_pytorch_style_data_snippet_runs_with_imports_renamed():
    torch = rg  # import retrograd as torch
    ds = torch.utils.data.TensorDataset(torch.arange(20.0).reshape(10, 2), torch.arange(10))
    g = torch.Generator().manual_seed(0)
    train, val = torch.utils.data.random_split(ds, [0.8, 0.2], generator=g)
    assert (len(train), len(val)) == (8, 2)
    again = random_split(ds, [0.8, 0.2], generator=torch.Generator().manual_seed(0))
    assert list(map(int, train.indices)) == list(map(int, again[0].indices))

    def order(seed):
        loader = DataLoader(ds, batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(seed))
        return [int(i) for _, y in loader for i in y]
    assert order(1) == order(1) != order(2)
    assert sorted(order(1)) == list(range(10))
    sampler = RandomSampler(range(6), generator=torch.Generator().manual_seed(1))
    assert list(sampler) == list(RandomSampler(range(6), generator=torch.Generator().manual_seed(1)))


def test_transforms_take_a_generator():
    from retrograd.data import transforms

    flip = [transforms.RandomHorizontalFlip(generator=rg.Generator().manual_seed(s)) for s in (2, 2)]
    images = np.arange(2 * 1 * 2 * 3, dtype=np.float32).reshape(2, 1, 2, 3)
    assert np.array_equal(flip[0](images), flip[1](images))


def test_numpy_generators_and_int_seeds_still_accepted():
    assert rg.rand(3, generator=np.random.default_rng(1)).tolist() == \
        rg.rand(3, generator=np.random.default_rng(1)).tolist()
    a, _ = random_split(TensorDataset(rg.arange(10)), [5, 5], generator=0)
    b, _ = random_split(TensorDataset(rg.arange(10)), [5, 5], generator=0)
    assert list(a.indices) == list(b.indices)
