"""Worker seeds come from the DataLoader's ``generator``, as in PyTorch: the same generator seed
gives the same worker seeds (and so the same augmentations) whatever the global seed."""
import numpy as np
import pytest

import retrograd as rg
from retrograd.data import DataLoader, Dataset, get_worker_info


class Augmented(Dataset):
    """(worker seed, one draw from retrograd's global generator: a random augmentation)."""

    def __getitem__(self, i):
        info = get_worker_info()
        return (-1 if info is None else info.seed), float(rg.rand(()).item())

    def __len__(self):
        return 8


def _epoch(global_seed, **kw):
    rg.manual_seed(global_seed)
    rows = [r for batch in DataLoader(Augmented(), batch_size=2, num_workers=2, **kw)
            for r in zip(*batch)]
    return [int(s) for s, _ in rows], [float(a) for _, a in rows]


def test_same_generator_seed_same_worker_seeds_and_augmentations_any_global_seed():
    seeds_a, augment_a = _epoch(0, generator=rg.Generator().manual_seed(7))
    seeds_b, augment_b = _epoch(123, generator=rg.Generator().manual_seed(7))
    assert seeds_a == seeds_b and augment_a == augment_b
    seeds_c, augment_c = _epoch(0, generator=rg.Generator().manual_seed(8))
    assert seeds_c != seeds_a and augment_c != augment_a


def test_without_generator_worker_seeds_follow_the_global_seed():
    assert _epoch(5) == _epoch(5)
    assert _epoch(5)[0] != _epoch(6)[0]


def test_base_seed_is_drawn_from_the_generator_each_epoch_not_from_the_global_one():
    g = rg.Generator().manual_seed(3)
    loader = DataLoader(list(range(8)), batch_size=4, generator=g)  # no shuffle: only the seed
    rg.manual_seed(0)
    before = rg.get_rng_state().numpy().copy()
    state = g.get_state().numpy().copy()
    list(loader)  # in-process too, as PyTorch (a generator that shuffles is not advanced)
    assert not np.array_equal(g.get_state().numpy(), state)
    np.testing.assert_array_equal(rg.get_rng_state().numpy(), before)


@pytest.mark.parametrize("shuffle", [False, True])
def test_each_epoch_gets_new_worker_seeds_and_a_shuffle_keeps_its_order(shuffle):
    loader = DataLoader(Augmented(), batch_size=4, num_workers=2, shuffle=shuffle,
                        generator=rg.Generator().manual_seed(2))
    seeds = [{int(s) for b in loader for s in b[0]} for _ in range(2)]
    assert seeds[0] != seeds[1]
    if shuffle:  # the order is the generator's alone, as without workers
        order = [i for b in DataLoader(list(range(8)), batch_size=4, shuffle=True,
                                       generator=rg.Generator().manual_seed(2)) for i in b.tolist()]
        g = rg.Generator().manual_seed(2)
        assert order == g.permutation(8).tolist()


def test_matches_pytorch_where_its_base_seed_comes_from():
    """PyTorch draws the base seed from ``generator``: two loaders with one generator seed
    agree, whatever the global seed (checked on torch itself, the spec)."""
    torch = pytest.importorskip("torch")

    class Seeds(torch.utils.data.Dataset):
        def __getitem__(self, i):
            return torch.utils.data.get_worker_info().seed

        def __len__(self):
            return 4

    def seeds(global_seed):
        torch.manual_seed(global_seed)
        loader = torch.utils.data.DataLoader(Seeds(), batch_size=2, num_workers=2,
                                             generator=torch.Generator().manual_seed(7),
                                             multiprocessing_context="fork")
        return [int(s) for b in loader for s in b]

    assert seeds(0) == seeds(1)
    assert _epoch(0, generator=rg.Generator().manual_seed(7))[0] == \
        _epoch(1, generator=rg.Generator().manual_seed(7))[0]


@pytest.mark.parametrize("seeded", [False, True], ids=["global", "generator"])
def test_resuming_mid_epoch_keeps_the_epochs_worker_seeds(seeded):
    def make():
        kw = {"generator": rg.Generator().manual_seed(4)} if seeded else {}
        return DataLoader(Augmented(), batch_size=2, num_workers=2, shuffle=True, **kw)

    rg.manual_seed(9)
    loader = make()
    epoch = iter(loader)
    next(epoch)
    state, rng = loader.state_dict(), rg.get_rng_state()
    rest = {int(v) for b in epoch for v in b[0]}  # base + worker id (the workers' streams restart)
    after = rg.get_rng_state()
    again = make()
    again.load_state_dict(state)  # as load_checkpoint: the loader first, then the global state
    rg.set_rng_state(rng)
    assert {int(v) for b in again for v in b[0]} == rest and len(rest) == 2
    assert np.array_equal(rg.get_rng_state().numpy(), after.numpy())  # the seed not drawn again
