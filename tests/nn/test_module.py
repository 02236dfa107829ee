"""Module API: registration, iteration, modes, state_dict, hooks, dtype casts, containers, repr."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import retrograd as rg
import retrograd.nn as nn
from retrograd.nn import Parameter


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.bn = nn.BatchNorm1d(3)
        self.scale = Parameter(rg.ones(3))
        self.register_buffer("steps", rg.zeros(1))
        self.register_buffer("cache", rg.zeros(2), persistent=False)
        self.note = "not registered"

    def forward(self, x):
        return self.bn(self.fc(x)) * self.scale


def test_parameter_is_a_tensor_that_requires_grad():
    p = Parameter(rg.zeros(2, 3))
    assert isinstance(p, rg.Tensor) and p.requires_grad and p.shape == (2, 3)
    assert not Parameter(rg.zeros(2), requires_grad=False).requires_grad
    assert "Parameter containing" in repr(p)
    t = rg.zeros(3)
    assert Parameter(t).array is t.array  # shares memory, like torch


def test_registration_and_iteration():
    m = Block()
    assert [n for n, _ in m.named_parameters()] == ["scale", "fc.weight", "fc.bias", "bn.weight", "bn.bias"]
    assert [n for n, _ in m.named_buffers()] == ["steps", "cache", "bn.running_mean", "bn.running_var",
                                                 "bn.num_batches_tracked"]
    assert [n for n, _ in m.named_children()] == ["fc", "bn"]
    assert [n for n, _ in m.named_modules()] == ["", "fc", "bn"]
    assert len(list(m.parameters(recurse=False))) == 1
    assert len(list(m.modules())) == 3 and list(m.children())[0] is m.fc
    assert m.note == "not registered" and "note" not in dict(m.named_parameters())


def test_shared_parameters_are_listed_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(seq.parameters())) == 2
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_setattr_rules():
    m = Block()
    with pytest.raises(TypeError, match="parameter 'scale'"):
        m.scale = rg.ones(3)
    m.scale = None
    assert "scale" not in dict(m.named_parameters())
    m.steps = rg.ones(1)  # a buffer can be reassigned with a plain tensor
    assert dict(m.named_buffers())["steps"].array[0] == 1
    with pytest.raises(TypeError, match="buffer 'steps'"):
        m.steps = 3
    m.fc = nn.Linear(4, 3)  # replacing a child keeps its place
    assert [n for n, _ in m.named_children()] == ["fc", "bn"]
    del m.bn
    assert [n for n, _ in m.named_children()] == ["fc"]
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        m.nope


def test_assigning_before_init_is_a_clear_error():
    class Bad(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Bad()


def test_forward_missing_and_call():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(rg.zeros(1))


def test_train_eval_propagate():
    m = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(), nn.BatchNorm1d(2)))
    assert all(x.training for x in m.modules())
    assert m.eval() is m
    assert not any(x.training for x in m.modules())
    m.train()
    assert all(x.training for x in m.modules())
    with pytest.raises(ValueError):
        m.train("no")


def test_zero_grad_and_requires_grad():
    m = nn.Linear(3, 2)
    m(rg.randn(4, 3)).sum().backward()
    assert m.weight.grad is not None
    m.zero_grad(set_to_none=False)
    assert np.all(m.weight.grad.array == 0)
    m.zero_grad()
    assert m.weight.grad is None and m.bias.grad is None
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())


def test_apply_visits_every_module():
    seen = []
    m = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU()))
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Linear", "ReLU", "Sequential", "Sequential"]


def test_state_dict_keys_values_and_round_trip():
    m = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2))
    sd = m.state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                        "1.num_batches_tracked", "3.weight", "3.bias"]
    assert all(isinstance(v, rg.Tensor) and not v.requires_grad for v in sd.values())
    assert sd["1.num_batches_tracked"].dtype == rg.int64 and sd["1.num_batches_tracked"].shape == ()
    assert list(Block().state_dict()) == ["scale", "steps", "fc.weight", "fc.bias", "bn.weight", "bn.bias",
                                          "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"]

    m(rg.randn(8, 4))  # move the running stats
    other = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2))
    w_before = other[0].weight
    result = other.load_state_dict(m.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert other[0].weight is w_before  # copied in place: optimizers keep their references
    for (k, a), b in zip(m.state_dict().items(), other.state_dict().values()):
        np.testing.assert_array_equal(a.array, b.array, err_msg=k)
    x = rg.randn(5, 4)
    m.eval(), other.eval()
    np.testing.assert_array_equal(m(x).array, other(x).array)


def test_state_dict_shares_memory_and_load_copies():
    m = nn.Linear(2, 2)
    sd = m.state_dict()
    assert sd["weight"].array is m.weight.array
    arrays = {k: v.array.copy() + 1 for k, v in sd.items()}
    m.load_state_dict(arrays)  # NumPy arrays are accepted
    np.testing.assert_array_equal(m.weight.array, arrays["weight"])
    assert m.weight.dtype == rg.float32
    m.load_state_dict({k: v.astype(np.float64) for k, v in arrays.items()})
    assert m.weight.dtype == rg.float32  # values are cast to the parameter's dtype


def test_load_state_dict_errors():
    m = nn.Sequential(nn.Linear(4, 3))
    sd = m.state_dict()
    bad = dict(sd, **{"0.weight": rg.zeros(3, 5)})
    with pytest.raises(RuntimeError, match=r"size mismatch for 0.weight: .*\(3, 5\).*\(3, 4\)"):
        m.load_state_dict(bad)
    with pytest.raises(RuntimeError, match=r"size mismatch"):
        m.load_state_dict(bad, strict=False)  # shape errors are never ignored
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "0.bias"'):
        m.load_state_dict({"0.weight": sd["0.weight"]})
    with pytest.raises(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "extra"'):
        m.load_state_dict(dict(sd, extra=rg.zeros(1)))
    result = m.load_state_dict({"0.weight": sd["0.weight"], "extra": rg.zeros(1)}, strict=False)
    assert result.missing_keys == ["0.bias"] and result.unexpected_keys == ["extra"]
    assert repr(m.load_state_dict(sd)) == "<All keys matched successfully>"


def test_to_casts_in_place_and_keeps_parameter_objects():
    m = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    w = m[0].weight
    assert m.double() is m
    assert m[0].weight is w and w.dtype == rg.float64
    assert m[1].running_mean.dtype == rg.float64
    assert m[1].num_batches_tracked.dtype == rg.int64  # integer buffers untouched
    assert m(rg.randn(4, 3, dtype=rg.float64)).dtype == rg.float64
    m.to(rg.float32)
    assert w.dtype == rg.float32
    assert m.to("cpu") is m
    with pytest.raises(RuntimeError, match="cuda"):
        m.to("cuda")


def test_forward_hooks_and_pre_hooks():
    m = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    records = []
    h = m[0].register_forward_hook(lambda mod, args, out: records.append((type(mod).__name__,
                                                                           args[0].shape, out.shape)))
    m(rg.randn(5, 2))
    assert records == [("Linear", (5, 2), (5, 3))]
    h.remove()
    m(rg.randn(5, 2))
    assert len(records) == 1
    with m[1].register_forward_hook(lambda mod, args, out: out * 0):
        assert np.all(m(rg.randn(2, 2)).array == 0)  # a returned value replaces the output
    assert not np.all(m(rg.ones(2, 2) * 10).array == 0)
    m[0].register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    np.testing.assert_allclose(m(rg.randn(2, 2)).array, np.maximum(m[0].bias.array, 0)[None].repeat(2, 0))


def test_repr_tree():
    m = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Sequential(nn.Dropout(0.2)))
    text = repr(m)
    assert "(0): Linear(in_features=4, out_features=3, bias=True)" in text
    assert "(1): ReLU()" in text
    assert "(2): Sequential(\n    (0): Dropout(p=0.2, inplace=False)\n  )" in text
    assert repr(nn.Linear(2, 5, bias=False)) == "Linear(in_features=2, out_features=5, bias=False)"
    assert repr(nn.ModuleList([nn.Tanh(), nn.Tanh(), nn.ReLU()])) == \
        "ModuleList(\n  (0-1): 2 x Tanh()\n  (2): ReLU()\n)"


def test_repr_matches_torch():
    torch = pytest.importorskip("torch")
    ours = nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.BatchNorm1d(3, momentum=None), nn.ReLU(),
                         nn.Dropout(0.2), nn.LayerNorm(3), nn.Embedding(10, 3, padding_idx=0),
                         nn.Unflatten(1, (1, 3)), nn.Softmax(dim=1), nn.LogSoftmax(dim=1), nn.Softplus(),
                         nn.GELU(), nn.ELU(), nn.LeakyReLU(0.2), nn.Identity(), nn.Dropout2d(), nn.SiLU(),
                         nn.Sigmoid(), nn.Tanh(), nn.BatchNorm2d(3, affine=False))
    tn = torch.nn
    theirs = tn.Sequential(tn.Flatten(), tn.Linear(4, 3), tn.BatchNorm1d(3, momentum=None), tn.ReLU(),
                           tn.Dropout(0.2), tn.LayerNorm(3), tn.Embedding(10, 3, padding_idx=0),
                           tn.Unflatten(1, (1, 3)), tn.Softmax(dim=1), tn.LogSoftmax(dim=1), tn.Softplus(),
                           tn.GELU(), tn.ELU(), tn.LeakyReLU(0.2), tn.Identity(), tn.Dropout2d(), tn.SiLU(),
                           tn.Sigmoid(), tn.Tanh(), tn.BatchNorm2d(3, affine=False))
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_sequential_container_behaviour():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    seq = nn.Sequential(a, b, c)
    assert len(seq) == 3 and seq[0] is a and seq[-1] is c and list(seq) == [a, b, c]
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and list(head) == [a, b]
    assert head(rg.randn(4, 2)).shape == (4, 3)
    seq.append(nn.Sigmoid())
    assert len(seq) == 4 and "3.weight" not in seq.state_dict() and seq(rg.randn(2, 2)).shape == (2, 1)
    del seq[1]
    assert [n for n, _ in seq.named_children()] == ["0", "1", "2"] and seq[1] is c
    with pytest.raises(IndexError):
        seq[7]
    named = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 4)), ("act", nn.Tanh())]))
    assert list(named.state_dict()) == ["hidden.weight", "hidden.bias"] and named.hidden is named[0]


def test_module_list_and_dict_register_children():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    layers.append(nn.Linear(2, 1))
    assert len(layers) == 4 and len(list(layers.parameters())) == 8
    assert list(layers.state_dict())[-1] == "3.bias"
    assert isinstance(layers[1:], nn.ModuleList) and len(layers[1:]) == 3
    d = nn.ModuleDict({"enc": nn.Linear(2, 2), "act": nn.ReLU()})
    d["dec"] = nn.Linear(2, 1)
    assert list(d) == ["enc", "act", "dec"] and "act" in d and d["dec"].out_features == 1
    assert list(d.state_dict()) == ["enc.weight", "enc.bias", "dec.weight", "dec.bias"]


def test_deepcopy_and_pickle_round_trip():
    m = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    for clone in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert isinstance(clone[0].weight, Parameter) and clone[0].weight.requires_grad
        assert clone[0].weight is not m[0].weight
        np.testing.assert_array_equal(clone[0].weight.array, m[0].weight.array)
        clone[0].weight.array += 1
        assert not np.array_equal(clone[0].weight.array, m[0].weight.array)


def test_get_submodule():
    m = nn.Sequential(nn.Sequential(nn.Linear(2, 2)))
    assert m.get_submodule("0.0") is m[0][0]
    with pytest.raises(AttributeError, match="no submodule"):
        m.get_submodule("0.5")


@pytest.mark.parametrize("name", ["retrograd.nn.parameter", "retrograd.nn.module",
                                  "retrograd.nn.layers.linear", "retrograd.nn.layers.embedding",
                                  "retrograd.nn.layers.container", "retrograd.models.mlp"])
def test_docstring_examples_run(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
