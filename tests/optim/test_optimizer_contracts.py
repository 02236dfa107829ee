"""Optimizer arguments and base-class paths the trajectory tests did not reach (holes a mutation
run of retrograd.optim found), against torch.optim: every non-negative hyperparameter refused
when negative, the defaults, trajectories at boundary values (weight_decay=1, momentum=1,
rho=0 or 1, centered RMSprop, ASGD's averaging), the step count in the state, zero_grad without
None, required options, and load_state_dict's dtype, copies and missing options."""
import numpy as np
import pytest

import retrograd as rg
from retrograd import optim

torch = pytest.importorskip("torch")

NONNEG = {
    "SGD": ["lr", "momentum", "weight_decay"],
    "Adam": ["lr", "eps", "weight_decay"],
    "AdamW": ["lr", "eps", "weight_decay"],
    "Adagrad": ["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"],
    "RMSprop": ["lr", "alpha", "eps", "weight_decay", "momentum"],
    "Adadelta": ["lr", "eps", "weight_decay"],
    "Adamax": ["lr", "eps", "weight_decay"],
    "NAdam": ["lr", "eps", "weight_decay", "momentum_decay"],
    "RAdam": ["lr", "eps", "weight_decay"],
    "ASGD": ["lr", "weight_decay"],
    "LBFGS": ["lr"],
}


@pytest.mark.parametrize("name, key", [(n, k) for n, keys in NONNEG.items() for k in keys])
def test_negative_hyperparameters_are_refused_like_torch(name, key):
    with pytest.raises(ValueError):
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **{key: -0.5})
    with pytest.raises(ValueError, match=rf"{name}: invalid {key}"):
        getattr(optim, name)([rg.zeros(2, requires_grad=True)], **{key: -0.5})


@pytest.mark.parametrize("name", sorted(NONNEG))
def test_defaults_are_torchs(name):
    ours = getattr(optim, name)([rg.zeros(2, requires_grad=True)], **(
        {"lr": 0.1} if name == "SGD" else {})).defaults
    theirs = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **(
        {"lr": 0.1} if name == "SGD" else {})).defaults
    shared = set(ours) & set(theirs) - {"foreach", "differentiable", "capturable", "fused"}
    assert {"lr"} <= shared
    assert {k: ours[k] for k in shared} == {k: tuple(v) if isinstance(v, tuple) else v
                                            for k, v in theirs.items() if k in shared}


BOUNDARY = [
    ("SGD", dict(lr=0.1, momentum=1.0, weight_decay=1.0)),
    ("SGD", dict(lr=0.1, momentum=0.5, dampening=0.5, weight_decay=1.0)),
    ("Adam", dict(lr=0.01, weight_decay=1.0)),
    ("Adagrad", dict(lr=0.1, weight_decay=1.0, lr_decay=0.1)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9, weight_decay=1.0)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("Adadelta", dict(lr=0.5, rho=0.0, weight_decay=1.0)),
    ("Adadelta", dict(lr=0.5, rho=1.0)),
    ("Adamax", dict(lr=0.01, weight_decay=1.0)),
    ("NAdam", dict(lr=0.01, weight_decay=1.0)),
    ("RAdam", dict(lr=0.01, weight_decay=1.0)),
    ("ASGD", dict(lr=0.05, t0=2, lambd=0.1, alpha=0.5, weight_decay=1.0)),
]


@pytest.mark.parametrize("name, kw", BOUNDARY, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BOUNDARY)])
def test_boundary_values_follow_torch(name, kw):
    rng = np.random.default_rng(0)
    start = rng.normal(size=(3, 2))
    grads = [rng.normal(size=(3, 2)) for _ in range(8)]
    ours_p = rg.tensor(start, dtype=rg.float64, requires_grad=True)
    theirs_p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    ours, theirs = getattr(optim, name)([ours_p], **kw), getattr(torch.optim, name)([theirs_p], **kw)
    for g in grads:
        ours_p.grad = rg.tensor(g, dtype=rg.float64)
        theirs_p.grad = torch.tensor(g, dtype=torch.float64)
        ours.step()
        theirs.step()
        # rtol 1e-6: PyTorch keeps scalar state (NAdam's mu_product, ASGD's eta) in float32
        np.testing.assert_allclose(ours_p.array, theirs_p.detach().numpy(), rtol=1e-6, atol=1e-8)
    ours_state, theirs_state = ours.state_dict()["state"][0], theirs.state_dict()["state"][0]
    if "step" in theirs_state:
        assert int(ours_state["step"]) == int(theirs_state["step"]) == len(grads)
    for key in ("eta", "mu"):
        if key in theirs_state:
            assert float(ours_state[key]) == pytest.approx(float(theirs_state[key]), rel=1e-6)
    if "ax" in theirs_state:  # ASGD's running average
        np.testing.assert_allclose(ours_state["ax"].array, theirs_state["ax"].numpy(), rtol=1e-6,
                                   atol=1e-8)


def test_zero_grad_without_none_replaces_graph_and_read_only_gradients():
    p = rg.tensor([1.0, 2.0], requires_grad=True)
    q = rg.tensor([3.0], requires_grad=True)
    opt = optim.SGD([p, q], lr=0.1)
    (p * p).sum().backward(create_graph=True)  # p.grad has a grad_fn
    shared = np.ones(1)
    shared.flags.writeable = False
    q.grad = rg.Tensor(shared)  # a read-only array
    kept = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is not kept and p.grad.grad_fn is None and not p.grad.requires_grad
    np.testing.assert_array_equal(p.grad.array, [0.0, 0.0])
    np.testing.assert_array_equal(q.grad.array, [0.0])
    np.testing.assert_array_equal(shared, [1.0])  # not written through
    q.grad = rg.tensor([5.0])
    buffer = q.grad.array
    opt.zero_grad(set_to_none=False)
    assert q.grad.array is buffer and buffer[0] == 0.0  # a plain gradient is zeroed in place
    opt.step()  # zero gradients move nothing, and maximize defaults to False
    np.testing.assert_array_equal(p.array, [1.0, 2.0])


def test_required_options_and_repr():
    from retrograd.optim.optimizer import Optimizer, required

    p, q = rg.tensor([1.0], requires_grad=True), rg.tensor([2.0], requires_grad=True)
    with pytest.raises(ValueError, match="required optimization parameter lr"):
        Optimizer([{"params": [p]}], {"lr": required, "momentum": 0.0})
    opt = Optimizer([{"params": [p], "lr": 0.5}, {"params": [q], "lr": 0.1}],
                    {"lr": required, "momentum": 0.3})
    assert [(g["lr"], g["momentum"]) for g in opt.param_groups] == [(0.5, 0.3), (0.1, 0.3)]
    assert repr(required) == "<required parameter>"
    assert repr(opt).splitlines()[1:4] == ["Parameter Group 0", "    lr: 0.5", "    momentum: 0.3"]
    assert "params" not in repr(opt)


def test_load_state_dict_casts_copies_and_fills_missing_options():
    p = rg.tensor([1.0, 2.0], dtype=rg.float32, requires_grad=True)
    opt = optim.Adam([p], lr=0.01)
    state = {"state": {0: {"step": np.array(3.0), "exp_avg": np.array([0.1, 0.2]),
                           "exp_avg_sq": rg.tensor(np.array([0.01, 0.04]))}},
             "param_groups": [{"lr": 0.02, "params": [0]}]}  # an older dict without betas etc.
    opt.load_state_dict(state)
    s = opt.state[p]
    assert s["step"] == 3 and isinstance(s["step"], int)
    assert s["exp_avg"].dtype == rg.float32 and s["exp_avg_sq"].dtype == rg.float32
    state["state"][0]["exp_avg"][0] = 99.0  # the caller's arrays are not the optimizer's
    state["state"][0]["exp_avg_sq"].array[0] = 99.0
    np.testing.assert_allclose(s["exp_avg"].array, [0.1, 0.2], rtol=1e-6)
    np.testing.assert_allclose(s["exp_avg_sq"].array, [0.01, 0.04], rtol=1e-6)
    group = opt.param_groups[0]
    assert group["lr"] == 0.02 and group["betas"] == (0.9, 0.999) and group["eps"] == 1e-8
    assert group["params"] == [p]


@pytest.mark.parametrize("name", ["Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad",
                                  "Adadelta"])
def test_tiny_gradients_where_eps_matters_follow_torch(name):
    rng = np.random.default_rng(1)
    start = rng.normal(size=4)
    ours_p = rg.tensor(start, dtype=rg.float64, requires_grad=True)
    theirs_p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    ours, theirs = getattr(optim, name)([ours_p], lr=0.01), getattr(torch.optim, name)([theirs_p], lr=0.01)
    for _ in range(8):
        g = rng.normal(size=4) * 1e-7  # comparable with eps
        ours_p.grad, theirs_p.grad = rg.tensor(g, dtype=rg.float64), torch.tensor(g)
        ours.step()
        theirs.step()
    np.testing.assert_allclose(ours_p.array, theirs_p.detach().numpy(), rtol=1e-6, atol=1e-10)


def test_parameters_without_gradients_do_not_stop_the_loop():
    a, b = rg.tensor([1.0], requires_grad=True), rg.tensor([2.0], requires_grad=True)
    opt = optim.SGD([a, b], lr=0.5)
    b.grad = rg.tensor([1.0])
    opt.step()  # a has no gradient; b is still updated
    assert (a.array[0], b.array[0]) == (1.0, 1.5)
    b.grad = rg.tensor([3.0], requires_grad=True)  # a leaf that requires grad, no graph
    opt.zero_grad(set_to_none=False)
    assert b.grad.array[0] == 0.0 and not b.grad.requires_grad


def test_state_dicts_with_missing_entries_and_zero_dimensional_parameters():
    w, s = rg.tensor(np.ones(3), requires_grad=True), rg.tensor(2.0, requires_grad=True)
    opt = optim.Adam([w, s], lr=0.1)
    s.grad = rg.tensor(1.0)
    opt.step()
    saved = opt.state_dict()
    assert 0 not in saved["state"] and saved["state"][1]["exp_avg"].array.ndim == 0
    fresh = optim.Adam([rg.tensor(np.ones(3), requires_grad=True),
                        rg.tensor(2.0, requires_grad=True)], lr=0.1)
    fresh.load_state_dict(saved)  # no state for the first parameter: made on its first step
    for p, g in zip(fresh.param_groups[0]["params"], (np.ones(3), np.array(1.0))):
        p.grad = rg.tensor(g)
    fresh.step()
    assert fresh.state[fresh.param_groups[0]["params"][1]]["step"] == 2
    optim.Adam([w], betas=(0.0, 0.99))  # beta1 = 0 is allowed, as in PyTorch
