"""Optimizers: 10-step trajectories against hand-written NumPy versions of the published update
rules (and torch.optim when installed), state_dict round trips, in-place updates, groups."""
import copy
import doctest
import importlib
import math

import numpy as np
import pytest

import retrograd as rg
from retrograd import optim
from retrograd.optim import SGD, Adagrad, Adam, AdamW, RMSprop

SHAPES = [(3, 2), (2,)]
STEPS = 10


def _problem(seed=0):
    """Initial values and a gradient function: a quadratic plus a fixed per-step perturbation."""
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s) for s in SHAPES]
    mats = [np.diag(rng.uniform(0.5, 2.0, int(np.prod(s)))) for s in SHAPES]
    noise = [[rng.standard_normal(s) * 0.1 for s in SHAPES] for _ in range(2 * STEPS)]

    def grad(i, values, t):
        return (mats[i] @ values[i].ravel()).reshape(values[i].shape) - 0.3 + noise[t][i]

    return init, grad


# ----- the published rules, written independently of retrograd ---------------------------------
def ref_sgd(p, g, s, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
            maximize=False):
    g = -g if maximize else g
    g = g + weight_decay * p
    if momentum:
        s["b"] = g.copy() if "b" not in s else momentum * s["b"] + (1 - dampening) * g
        g = g + momentum * s["b"] if nesterov else s["b"]
    return p - lr * g


def ref_adagrad(p, g, s, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                eps=1e-10, maximize=False):
    g = -g if maximize else g
    s["t"] = s.get("t", 0) + 1
    g = g + weight_decay * p
    s["sum"] = s.get("sum", np.full_like(p, initial_accumulator_value)) + g * g
    return p - lr / (1 + (s["t"] - 1) * lr_decay) * g / (np.sqrt(s["sum"]) + eps)


def ref_rmsprop(p, g, s, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                centered=False, maximize=False):
    g = -g if maximize else g
    g = g + weight_decay * p
    s["v"] = alpha * s.get("v", 0.0) + (1 - alpha) * g * g
    v = s["v"]
    if centered:
        s["m"] = alpha * s.get("m", 0.0) + (1 - alpha) * g
        v = v - s["m"] ** 2
    step = g / (np.sqrt(v) + eps)
    if momentum:
        s["b"] = momentum * s.get("b", 0.0) + step
        step = s["b"]
    return p - lr * step


def ref_adam(p, g, s, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
             maximize=False, decoupled=False):
    g = -g if maximize else g
    b1, b2 = betas
    s["t"] = t = s.get("t", 0) + 1
    if decoupled:
        p = p * (1 - lr * weight_decay)
    else:
        g = g + weight_decay * p
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
    v = s["v"]
    if amsgrad:
        s["vmax"] = v = np.maximum(s.get("vmax", 0.0), v)
    m_hat, v_hat = s["m"] / (1 - b1 ** t), v / (1 - b2 ** t)
    return p - lr * m_hat / (np.sqrt(v_hat) + eps)


def ref_adamw(p, g, s, weight_decay=1e-2, **kw):
    return ref_adam(p, g, s, weight_decay=weight_decay, decoupled=True, **kw)


CASES = [
    (SGD, ref_sgd, dict(lr=0.1)),
    (SGD, ref_sgd, dict(lr=0.1, momentum=0.9)),
    (SGD, ref_sgd, dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    (SGD, ref_sgd, dict(lr=0.1, momentum=0.9, nesterov=True)),
    (SGD, ref_sgd, dict(lr=0.05, momentum=0.5, nesterov=True, weight_decay=0.1, maximize=True)),
    (SGD, ref_sgd, dict(lr=0.1, weight_decay=0.2, maximize=True)),
    (Adagrad, ref_adagrad, dict(lr=0.1)),
    (Adagrad, ref_adagrad, dict(lr=0.1, lr_decay=0.1, weight_decay=0.1)),
    (Adagrad, ref_adagrad, dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-3, maximize=True)),
    (RMSprop, ref_rmsprop, dict(lr=0.01)),
    (RMSprop, ref_rmsprop, dict(lr=0.01, momentum=0.9, alpha=0.9)),
    (RMSprop, ref_rmsprop, dict(lr=0.01, centered=True, weight_decay=0.1)),
    (RMSprop, ref_rmsprop, dict(lr=0.01, centered=True, momentum=0.5, maximize=True)),
    (Adam, ref_adam, dict(lr=0.1)),
    (Adam, ref_adam, dict(lr=0.1, betas=(0.8, 0.9), weight_decay=0.1)),
    (Adam, ref_adam, dict(lr=0.1, amsgrad=True, eps=1e-3)),
    (Adam, ref_adam, dict(lr=0.1, amsgrad=True, weight_decay=0.1, maximize=True)),
    (AdamW, ref_adamw, dict(lr=0.1)),
    (AdamW, ref_adamw, dict(lr=0.1, weight_decay=0.5, amsgrad=True)),
    (AdamW, ref_adamw, dict(lr=0.1, maximize=True, betas=(0.5, 0.6))),
]
IDS = [f"{c.__name__}-" + "-".join(f"{k}={v}" for k, v in kw.items()) for c, _, kw in CASES]


def _run(cls, kwargs, steps=STEPS, params=None, grad=None, opt=None, start=0):
    init, default_grad = _problem()
    grad = grad or default_grad
    params = params or [rg.tensor(a, dtype=rg.float64, requires_grad=True) for a in init]
    opt = opt or cls(params, **kwargs)
    history = []
    for t in range(start, start + steps):
        values = [p.array.copy() for p in params]
        for i, p in enumerate(params):
            p.grad = rg.tensor(grad(i, values, t))
        opt.step()
        history.append([p.array.copy() for p in params])
    return history, params, opt


@pytest.mark.parametrize("cls,ref,kwargs", CASES, ids=IDS)
def test_trajectory_matches_the_published_rule(cls, ref, kwargs):
    history, _, _ = _run(cls, kwargs)
    init, grad = _problem()
    values, states = [a.copy() for a in init], [{} for _ in init]
    for t in range(STEPS):
        grads = [grad(i, values, t) for i in range(len(values))]
        values = [ref(v, g, s, **kwargs) for v, g, s in zip(values, grads, states)]
        for ours, theirs in zip(history[t], values):
            np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("cls,ref,kwargs", CASES, ids=IDS)
def test_trajectory_matches_torch(cls, ref, kwargs):
    torch = pytest.importorskip("torch")
    history, _, opt = _run(cls, kwargs)
    init, grad = _problem()
    params = [torch.tensor(a, requires_grad=True) for a in init]
    topt = getattr(torch.optim, cls.__name__)(params, **kwargs)
    for t in range(STEPS):
        values = [p.detach().numpy().copy() for p in params]
        for i, p in enumerate(params):
            p.grad = torch.tensor(grad(i, values, t))
        topt.step()
        for ours, theirs in zip(history[t], params):
            np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-6, atol=1e-12)
    # the same state entries, under the same names
    for ours, theirs in zip(opt.state_dict()["state"].values(), topt.state_dict()["state"].values()):
        assert set(ours) == set(theirs)


@pytest.mark.parametrize("cls,ref,kwargs", CASES[::2], ids=IDS[::2])
def test_state_dict_round_trip_continues_the_same_trajectory(cls, ref, kwargs):
    full, _, _ = _run(cls, kwargs, steps=8)
    _, params, opt = _run(cls, kwargs, steps=4)
    saved = opt.state_dict()
    snapshot = copy.deepcopy(saved)
    assert sorted(saved) == ["param_groups", "state"]
    assert saved["param_groups"][0]["params"] == [0, 1]
    _run(cls, kwargs, steps=2, params=params, opt=opt, start=4)  # the original moves on
    for key, entry in snapshot["state"].items():  # ... without changing what was saved
        for name, value in entry.items():
            np.testing.assert_array_equal(np.asarray(getattr(value, "data", value)),
                                          np.asarray(getattr(saved["state"][key][name], "data",
                                                             saved["state"][key][name])))
    fresh = [rg.tensor(a, dtype=rg.float64, requires_grad=True) for a in _problem()[0]]
    new_opt = cls(fresh, lr=123.0)
    for p, values in zip(fresh, full[3]):
        p.array[...] = values
    new_opt.load_state_dict(saved)
    assert new_opt.param_groups[0]["lr"] == kwargs["lr"]
    resumed, _, _ = _run(cls, kwargs, steps=4, params=fresh, opt=new_opt, start=4)
    for ours, theirs in zip(resumed, full[4:]):
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("cls,kwargs", [
    (SGD, dict(lr=0.1, momentum=0.9, weight_decay=0.1, nesterov=True)),
    (Adagrad, dict(weight_decay=0.1)),
    (RMSprop, dict(momentum=0.9, centered=True, weight_decay=0.1)),
    (Adam, dict(amsgrad=True, weight_decay=0.1)),
    (AdamW, dict(amsgrad=True)),
], ids=lambda v: v.__name__ if isinstance(v, type) else "")
def test_updates_are_in_place(cls, kwargs):
    _, params, opt = _run(cls, kwargs, steps=1)
    arrays = [p.array for p in params]
    state = [{k: v.array for k, v in opt.state[p].items() if isinstance(v, rg.Tensor)}
             for p in params]
    assert all(state)
    _run(cls, kwargs, steps=5, params=params, opt=opt, start=1)
    for p, arr, st in zip(params, arrays, state):
        assert p.array is arr
        for k, v in st.items():
            assert opt.state[p][k].array is v, k


def test_float32_parameters_stay_float32():
    p = rg.tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    for cls in (SGD, Adagrad, RMSprop, Adam, AdamW):
        opt = cls([p], lr=0.1)
        p.grad = rg.tensor(np.full(3, 0.5, dtype=np.float32))
        opt.step()
        assert p.dtype == np.float32
        assert all(v.dtype == np.float32 for v in opt.state[p].values() if isinstance(v, rg.Tensor))


def test_params_without_grad_are_skipped_and_get_no_state():
    a = rg.tensor([1.0, 2.0], requires_grad=True)
    b = rg.tensor([3.0], requires_grad=True)
    opt = Adam([a, b], lr=0.1)
    a.grad = rg.tensor([1.0, 1.0])
    opt.step()
    np.testing.assert_array_equal(b.array, [3.0])
    assert b not in opt.state and a in opt.state


def test_param_groups_take_their_own_options_and_defaults():
    a = rg.tensor([1.0], requires_grad=True)
    b = rg.tensor([1.0], requires_grad=True)
    opt = SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.0)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[1]["lr"] == 0.5
    assert opt.param_groups[1]["momentum"] == 0.0
    a.grad, b.grad = rg.tensor([1.0]), rg.tensor([1.0])
    opt.step()
    np.testing.assert_allclose([a.item(), b.item()], [0.9, 0.5])
    c = rg.tensor([2.0], requires_grad=True)
    opt.add_param_group({"params": [c], "weight_decay": 1.0})
    assert opt.param_groups[2]["lr"] == 0.1 and opt.param_groups[2]["weight_decay"] == 1.0


def test_multiple_groups_match_torch():
    torch = pytest.importorskip("torch")
    init, grad = _problem()
    ours = [rg.tensor(a, dtype=rg.float64, requires_grad=True) for a in init]
    theirs = [torch.tensor(a, requires_grad=True) for a in init]
    make = lambda ps, mod: mod.Adam([{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.01,  # noqa
                                                            "amsgrad": True}], lr=0.1)
    opt, topt = make(ours, optim), make(theirs, torch.optim)
    for t in range(STEPS):
        for i, (p, q) in enumerate(zip(ours, theirs)):
            g = grad(i, [x.array for x in ours], t)
            p.grad, q.grad = rg.tensor(g), torch.tensor(g)
        opt.step()
        topt.step()
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.array, q.detach().numpy(), rtol=1e-6)


def test_zero_grad():
    p = rg.tensor([1.0, 2.0], requires_grad=True)
    opt = SGD([p], lr=0.1)
    (p * p).sum().backward()
    grad = p.grad.array
    opt.zero_grad(set_to_none=False)
    assert p.grad.array is grad and not grad.any()
    opt.zero_grad()
    assert p.grad is None


def test_step_with_closure_returns_the_loss():
    p = rg.tensor([3.0], requires_grad=True)
    opt = SGD([p], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    for _ in range(3):
        loss = opt.step(closure)
    assert loss.item() == pytest.approx(0.75 ** 2)  # p: 3 -> 1.5 -> 0.75 -> 0.375
    assert p.item() == pytest.approx(0.375)


def test_training_a_least_squares_model_converges():
    rg.manual_seed(0)
    x = rg.randn(64, 3)
    w_true = rg.tensor([[1.0], [-2.0], [0.5]])
    y = x @ w_true + 0.3
    w = rg.zeros(3, 1, requires_grad=True)
    b = rg.zeros(1, requires_grad=True)
    opt = Adam([w, b], lr=0.1)
    for _ in range(300):
        opt.zero_grad()
        loss = (((x @ w + b) - y) ** 2).mean()
        loss.backward()
        opt.step()
    np.testing.assert_allclose(w.array, w_true.array, atol=1e-2)
    assert loss.item() < 1e-4


@pytest.mark.parametrize("make,match", [
    (lambda p: SGD([], lr=0.1), "empty"),
    (lambda p: SGD(p[0], lr=0.1), "single Tensor"),
    (lambda p: SGD([p[0], p[0]], lr=0.1), "more than once"),
    (lambda p: SGD([{"params": [p[0]]}, {"params": [p[0]]}], lr=0.1), "more than once"),
    (lambda p: SGD(p, lr=-1.0), "lr"),
    (lambda p: SGD(p, lr=0.1, nesterov=True), "Nesterov"),
    (lambda p: Adam(p, betas=(0.9, 1.0)), "beta"),
    (lambda p: RMSprop(p, alpha=-0.1), "alpha"),
    (lambda p: SGD([p[0] * 2], lr=0.1), "non-leaf"),
    (lambda p: SGD([1.0], lr=0.1), "Tensors"),
])
def test_invalid_arguments_are_refused(make, match):
    params = [rg.tensor([1.0], requires_grad=True)]
    with pytest.raises((ValueError, TypeError), match=match):
        make(params)


def test_load_state_dict_refuses_a_different_layout():
    a, b = (rg.tensor([1.0, 2.0], requires_grad=True) for _ in range(2))
    opt = Adam([a, b])
    a.grad = b.grad = rg.tensor([1.0, 1.0])
    opt.step()
    with pytest.raises(ValueError, match="parameter group 0 has 2"):
        Adam([a]).load_state_dict(opt.state_dict())
    c = rg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"shape \(2,\).*\(3,\)"):
        Adam([a, c]).load_state_dict(opt.state_dict())


def test_repr_lists_the_groups():
    text = repr(SGD([rg.tensor([1.0], requires_grad=True)], lr=0.1, momentum=0.9))
    assert text.startswith("SGD (") and "lr: 0.1" in text and "momentum: 0.9" in text


def test_default_hyperparameters_are_torchs():
    p = [rg.tensor([1.0], requires_grad=True)]
    assert SGD(p).defaults["lr"] == 1e-3
    assert Adagrad(p).defaults["lr"] == 1e-2 and Adagrad(p).defaults["eps"] == 1e-10
    assert RMSprop(p).defaults["alpha"] == 0.99
    assert Adam(p).defaults["betas"] == (0.9, 0.999) and Adam(p).defaults["weight_decay"] == 0
    assert AdamW(p).defaults["weight_decay"] == 1e-2
    assert math.isclose(Adam(p).defaults["eps"], 1e-8)


@pytest.mark.parametrize("name", ["retrograd.optim.sgd", "retrograd.optim.lr_scheduler",
                                  "retrograd.nn.utils.clip_grad"])
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
