"""ParameterList and ParameterDict: registration, names, conversion of tensors, indexing, errors,
optimisation through them, and state dicts loaded both ways with torch.nn."""
import numpy as np
import pytest

import retrograd as rg
import retrograd.nn as nn


class Holder(nn.Module):
    def __init__(self):
        super().__init__()
        self.plist = nn.ParameterList([rg.zeros(2, 3), nn.Parameter(rg.ones(4))])
        self.pdict = nn.ParameterDict({"scale": rg.ones(3), "shift": rg.zeros(3)})


def test_tensors_become_registered_parameters_with_torch_names():
    m = Holder()
    assert list(m.state_dict()) == ["plist.0", "plist.1", "pdict.scale", "pdict.shift"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in m.parameters())
    assert len(m.plist) == 2 and m.plist[-1].shape == (4,) and [p.shape for p in m.plist][0] == (2, 3)
    assert list(m.pdict) == ["scale", "shift"] and "scale" in m.pdict and m.pdict.get("x") is None


def test_list_and_dict_edit_like_python_containers():
    plist = nn.ParameterList()
    plist.append(rg.zeros(1))
    plist += [rg.ones(2), rg.ones(3)]
    plist[0] = rg.full((5,), 2.0)
    assert [p.shape for p in plist] == [(5,), (2,), (3,)] and len(plist[1:]) == 2
    with pytest.raises(IndexError, match="out of range"):
        plist[3]
    pdict = nn.ParameterDict()
    pdict["w"] = rg.zeros(2)
    pdict.update([("b", rg.ones(1))])
    assert pdict.pop("w").shape == (2,) and list(pdict.keys()) == ["b"]
    assert [n for n, _ in pdict.named_parameters()] == ["b"]
    with pytest.raises(KeyError):
        pdict["w"]


def test_gradients_reach_the_parameters():
    m = Holder()
    x = rg.randn(5, 3)
    (x * m.pdict["scale"] + m.pdict["shift"]).sum().backward()
    np.testing.assert_allclose(m.pdict["shift"].grad.array, np.full(3, 5.0))
    np.testing.assert_allclose(m.pdict["scale"].grad.array, x.array.sum(0), rtol=1e-6)


def test_state_dict_loads_both_ways_with_torch():
    torch = pytest.importorskip("torch")

    class TorchHolder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.plist = torch.nn.ParameterList([torch.randn(2, 3), torch.randn(4)])
            self.pdict = torch.nn.ParameterDict({"scale": torch.randn(3), "shift": torch.randn(3)})

    ours, theirs = Holder(), TorchHolder()
    ours.load_state_dict({k: rg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    for k, v in theirs.state_dict().items():
        np.testing.assert_array_equal(ours.state_dict()[k].array, v.numpy())
    fresh = TorchHolder()
    fresh.load_state_dict({k: torch.tensor(v.array) for k, v in ours.state_dict().items()})
    ours_repr = repr(nn.ParameterList([rg.zeros(2, 3), rg.ones(1)]))
    theirs_repr = repr(torch.nn.ParameterList([torch.zeros(2, 3), torch.ones(1)]))
    assert ours_repr.split() == theirs_repr.replace("torch.", "").split()  # torch indents by 4
