"""Adadelta, Adamax, NAdam, RAdam, ASGD and LBFGS: 10-step trajectories against torch.optim
(live when PyTorch is installed, and against golden_trajectories.json, recorded from
torch.optim 2.13, everywhere), state_dict round trips that continue the same trajectory, and
argument checks."""
import copy
import json
from pathlib import Path

import numpy as np
import pytest
from test_optimizers import STEPS, _problem, _run  # the shared quadratic problem and runner

import retrograd as rg
from retrograd import optim
from retrograd.optim import ASGD, LBFGS, Adadelta, Adamax, NAdam, RAdam
from closure_driver import as_numpy, drive

CASES = [
    (Adadelta, dict()),
    (Adadelta, dict(lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1)),
    (Adadelta, dict(maximize=True)),
    (Adamax, dict(lr=0.1)),
    (Adamax, dict(lr=0.1, betas=(0.8, 0.9), weight_decay=0.1, maximize=True)),
    (NAdam, dict(lr=0.1)),
    (NAdam, dict(lr=0.1, weight_decay=0.1, momentum_decay=0.01)),
    (NAdam, dict(lr=0.1, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    (RAdam, dict(lr=0.1)),  # rho_t > 5 from step 6 on: both branches are exercised
    (RAdam, dict(lr=0.1, betas=(0.8, 0.9), weight_decay=0.1)),
    (RAdam, dict(lr=0.1, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    (ASGD, dict(lr=0.1)),
    (ASGD, dict(lr=0.1, lambd=0.01, alpha=0.5, t0=3, weight_decay=0.1)),  # averaging from t0
    (ASGD, dict(lr=0.1, t0=0, maximize=True)),
]
IDS = [f"{c.__name__}-" + "-".join(f"{k}={v}" for k, v in kw.items()) for c, kw in CASES]
GOLDEN = json.loads((Path(__file__).parent / "golden_trajectories.json").read_text())


def _torch_history(torch, cls, kwargs, steps=STEPS):
    init, grad = _problem()
    params = [torch.tensor(a, requires_grad=True) for a in init]
    opt = getattr(torch.optim, cls.__name__)(params, **kwargs)
    history = []
    for t in range(steps):
        values = [p.detach().numpy().copy() for p in params]
        for i, p in enumerate(params):
            p.grad = torch.tensor(grad(i, values, t))
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history, opt


@pytest.mark.parametrize("cls,kwargs", CASES, ids=IDS)
def test_trajectory_matches_torch(cls, kwargs):
    torch = pytest.importorskip("torch")
    history, _, opt = _run(cls, kwargs)
    theirs, topt = _torch_history(torch, cls, kwargs)
    # rtol 1e-6: PyTorch keeps scalar state (step, NAdam's mu_product, ASGD's eta) in float32
    for ours_step, theirs_step in zip(history, theirs):
        for a, b in zip(ours_step, theirs_step):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8)
    for ours, ref in zip(opt.state_dict()["state"].values(), topt.state_dict()["state"].values()):
        assert set(ours) == set(ref)  # the same state entries, under PyTorch's names
        for key in ours:
            np.testing.assert_allclose(np.asarray(getattr(ours[key], "array", ours[key])),
                                       ref[key].numpy(), rtol=1e-6, atol=1e-8, err_msg=key)


@pytest.mark.parametrize("cls,kwargs", CASES, ids=IDS)
def test_trajectory_matches_golden_values(cls, kwargs, request):
    """torch.optim's trajectory, recorded (regenerate with torch: see _torch_history)."""
    history, params, opt = _run(cls, kwargs)
    golden = GOLDEN[request.node.callspec.id]
    for step, expected in zip(history, golden["params"], strict=True):
        ours = np.concatenate([a.ravel() for a in step])
        np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-8)
    for name, expected in golden["state"].items():  # e.g. ASGD's averaged iterate 'ax'
        ours = np.concatenate([opt.state[p][name].array.ravel() for p in params])
        np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-8, err_msg=name)


def test_moves_differ_from_plain_sgd():
    """Each rule does something of its own (a wrong dispatch to SGD would pass trivially)."""
    finals = {cls.__name__: _run(cls, kw)[0][-1][0] for cls, kw in CASES[::3]}
    sgd = _run(optim.SGD, dict(lr=0.1))[0][-1][0]
    for name, final in finals.items():
        assert not np.allclose(final, sgd), name


@pytest.mark.parametrize("cls,kwargs", CASES, ids=IDS)
def test_state_dict_round_trip_continues_the_same_trajectory(cls, kwargs):
    full, _, _ = _run(cls, kwargs, steps=8)
    _, params, opt = _run(cls, kwargs, steps=4)
    saved = copy.deepcopy(opt.state_dict())
    fresh = [rg.tensor(a, dtype=rg.float64, requires_grad=True) for a in _problem()[0]]
    new_opt = cls(fresh, lr=123.0)
    for p, values in zip(fresh, full[3]):
        p.array[...] = values
    new_opt.load_state_dict(saved)
    assert new_opt.param_groups[0]["lr"] == kwargs.get("lr", new_opt.defaults["lr"]) or \
        "lr" not in kwargs
    resumed, _, _ = _run(cls, kwargs, steps=4, params=fresh, opt=new_opt, start=4)
    for ours, theirs in zip(resumed, full[4:]):
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("cls", [Adadelta, Adamax, NAdam, RAdam, ASGD])
def test_loads_torch_state_dict(cls):
    """A state dict saved by torch.optim (0-d tensors for step, eta, mu, mu_product) resumes."""
    torch = pytest.importorskip("torch")
    kwargs = dict(lr=0.1) if cls is not Adadelta else {}
    full, _, _ = _run(cls, kwargs, steps=8)
    _, topt = _torch_history(torch, cls, kwargs, steps=4)
    fresh = [rg.tensor(a, dtype=rg.float64, requires_grad=True) for a in _problem()[0]]
    opt = cls(fresh, **kwargs)
    for p, values in zip(fresh, full[3]):
        p.array[...] = values
    state = {k: {n: rg.tensor(v.numpy()) for n, v in s.items()}
             for k, s in topt.state_dict()["state"].items()}
    opt.load_state_dict({"state": state, "param_groups": topt.state_dict()["param_groups"]})
    resumed, _, _ = _run(cls, kwargs, steps=4, params=fresh, opt=opt, start=4)
    np.testing.assert_allclose(resumed[-1][0], full[-1][0], rtol=1e-6)


@pytest.mark.parametrize("make,match", [
    (lambda p: Adadelta(p, rho=1.5), "rho"),
    (lambda p: Adamax(p, betas=(0.9, 1.0)), "beta"),
    (lambda p: NAdam(p, momentum_decay=-1), "momentum_decay"),
    (lambda p: RAdam(p, lr=-1), "lr"),
    (lambda p: ASGD(p, weight_decay=-1), "weight_decay"),
    (lambda p: LBFGS(p, line_search_fn="armijo"), "line_search_fn"),
    (lambda p: LBFGS([{"params": p[:1]}, {"params": p[1:]}]), "groups"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make([rg.zeros(2, requires_grad=True), rg.zeros(1, requires_grad=True)])


# ----- LBFGS ------------------------------------------------------------------------------------
def _rosenbrock_run(module, tensor, line_search_fn, steps=3, **kw):
    """LBFGS on the 2-d Rosenbrock function plus a small quadratic on a second parameter."""
    x = tensor(np.array([-1.5, 2.0]), requires_grad=True)
    w = tensor(np.array([[0.5, -0.3], [0.2, 0.1]]), requires_grad=True)
    opt = module.LBFGS([x, w], line_search_fn=line_search_fn, **kw)
    losses = drive(opt, lambda: (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2 + (w * w).sum() * 0.5,
                   steps)
    to_np = as_numpy(module, optim)
    return to_np(x).copy(), to_np(w).copy(), losses, opt


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
@pytest.mark.parametrize("kw", [dict(), dict(history_size=3, max_iter=7, lr=0.5)])
def test_lbfgs_matches_torch(line_search_fn, kw):
    torch = pytest.importorskip("torch")
    as_torch = lambda a, requires_grad: torch.tensor(a, dtype=torch.float64,  # noqa: E731
                                                     requires_grad=requires_grad)
    as_ours = lambda a, requires_grad: rg.tensor(a, dtype=rg.float64,  # noqa: E731
                                                 requires_grad=requires_grad)
    x, w, losses, opt = _rosenbrock_run(optim, as_ours, line_search_fn, **kw)
    tx, tw, tlosses, topt = _rosenbrock_run(torch.optim, as_torch, line_search_fn, **kw)
    assert len(losses) == len(tlosses)  # the same closure calls
    # float64 throughout; rounding (dot products summed in another order) grows along the
    # curved valley to ~1e-6 by the 60th evaluation
    np.testing.assert_allclose(losses, tlosses, rtol=1e-5, atol=1e-12)
    np.testing.assert_allclose(x, tx, rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(w, tw, rtol=1e-5, atol=1e-9)
    ours, theirs = opt.state_dict()["state"][0], topt.state_dict()["state"][0]
    assert set(ours) == set(theirs) - {"al"}  # 'al': PyTorch's scratch list for the two loops
    assert ours["n_iter"] == theirs["n_iter"]
    assert ours["func_evals"] == theirs["func_evals"]


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_matches_golden_values(line_search_fn):
    as_ours = lambda a, requires_grad: rg.tensor(a, dtype=rg.float64,  # noqa: E731
                                                 requires_grad=requires_grad)
    x, w, losses, _ = _rosenbrock_run(optim, as_ours, line_search_fn)
    golden = GOLDEN[f"LBFGS-{line_search_fn}"]
    assert len(losses) == golden["evaluations"]
    np.testing.assert_allclose(x, golden["x"], rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(w.ravel(), golden["w"], rtol=1e-5, atol=1e-9)


def test_lbfgs_strong_wolfe_solves_rosenbrock():
    as_ours = lambda a, requires_grad: rg.tensor(a, dtype=rg.float64,  # noqa: E731
                                                 requires_grad=requires_grad)
    x, w, _, _ = _rosenbrock_run(optim, as_ours, "strong_wolfe", steps=5)
    np.testing.assert_allclose(x, [1.0, 1.0], atol=1e-5)
    np.testing.assert_allclose(w, 0.0, atol=1e-5)


def test_lbfgs_state_dict_round_trip():
    as_ours = lambda a, requires_grad: rg.tensor(a, dtype=rg.float64,  # noqa: E731
                                                 requires_grad=requires_grad)
    full_x, _, full_losses, _ = _rosenbrock_run(optim, as_ours, None, steps=2)
    x, w, _, opt = _rosenbrock_run(optim, as_ours, None, steps=1)
    saved = copy.deepcopy(opt.state_dict())
    x2, w2 = as_ours(x, True), as_ours(w, True)
    opt2 = LBFGS([x2, w2])
    opt2.load_state_dict(saved)

    def closure():
        opt2.zero_grad()
        loss = (1 - x2[0]) ** 2 + 100 * (x2[1] - x2[0] ** 2) ** 2 + (w2 * w2).sum() * 0.5
        loss.backward()
        return loss

    opt2.step(closure)
    np.testing.assert_allclose(x2.array, full_x, rtol=1e-12)


def test_lbfgs_needs_a_closure():
    with pytest.raises(RuntimeError, match="closure"):
        LBFGS([rg.zeros(1, requires_grad=True)]).step(None)
