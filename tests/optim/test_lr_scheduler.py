"""Learning-rate schedulers: lr sequences against hand formulas and torch.optim.lr_scheduler."""
import math

import numpy as np
import pytest

import retrograd as rg
from retrograd import optim
from retrograd.optim import lr_scheduler as S

STEPS = 30


def _opt(module=optim, kind="SGD", lr=0.1, groups=1, **kw):
    """An optimizer (ours, or torch's when ``module`` is torch.optim) with ``groups`` groups of
    one parameter each, group i at lr * (i + 1)."""
    if module is optim:
        params = [rg.tensor([1.0], requires_grad=True) for _ in range(groups)]
    else:
        torch = pytest.importorskip("torch")
        params = [torch.zeros(1, requires_grad=True) for _ in range(groups)]
    spec = [{"params": [p], "lr": lr * (i + 1)} for i, p in enumerate(params)]
    return getattr(module, kind)(spec, lr=lr, **kw)


def _lrs(opt, sched, steps=STEPS, metrics=None):
    """lr of every group before each step, as torch's docs tabulate them."""
    out = []
    for t in range(steps):
        out.append([g["lr"] for g in opt.param_groups])
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[t])
    return np.array(out)


def _momenta(opt, sched, steps):
    out = []
    for _ in range(steps):
        g = opt.param_groups[0]
        out.append(g["betas"][0] if "betas" in g else g["momentum"])
        opt.step()
        sched.step()
    return np.array(out)


CASES = [
    ("StepLR", dict(step_size=7, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[3, 8, 8, 20], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=10, eta_min=0.001)),
    ("CosineAnnealingLR", dict(T_max=7)),
    ("LinearLR", dict()),
    ("LinearLR", dict(start_factor=0.1, end_factor=0.8, total_iters=12)),
    ("LambdaLR", dict(lr_lambda=lambda t: 1.0 / (1 + t))),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=STEPS + 1)),
    ("OneCycleLR", dict(max_lr=[0.5, 2.0], epochs=4, steps_per_epoch=8, pct_start=0.25,
                        anneal_strategy="linear", div_factor=10.0)),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=STEPS, three_phase=True, final_div_factor=100.0)),
]


@pytest.mark.parametrize("name,kw", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_schedule_matches_torch(name, kw):
    torch = pytest.importorskip("torch")
    ours_opt = _opt(groups=2, momentum=0.9)
    theirs_opt = _opt(torch.optim, groups=2, momentum=0.9)
    ours = _lrs(ours_opt, getattr(S, name)(ours_opt, **kw))
    theirs = _lrs(theirs_opt, getattr(torch.optim.lr_scheduler, name)(theirs_opt, **kw))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    assert ours_opt.param_groups[0].keys() >= {"initial_lr"}


def test_closed_forms():
    t = np.arange(STEPS)
    cases = [
        (lambda o: S.StepLR(o, 7, 0.5), 0.1 * 0.5 ** (t // 7)),
        (lambda o: S.MultiStepLR(o, [3, 8, 8], 0.3),
         0.1 * 0.3 ** ((t >= 3) + 2 * (t >= 8))),
        (lambda o: S.ExponentialLR(o, 0.9), 0.1 * 0.9 ** t),
        (lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
         0.001 + (0.1 - 0.001) * (1 + np.cos(np.pi * t / 10)) / 2),
        (lambda o: S.LinearLR(o, start_factor=0.25, total_iters=4),
         0.1 * (0.25 + 0.75 * np.minimum(t, 4) / 4)),
        (lambda o: S.LambdaLR(o, lambda e: 0.5 ** e), 0.1 * 0.5 ** t),
    ]
    for make, expected in cases:
        opt = _opt()
        np.testing.assert_allclose(_lrs(opt, make(opt))[:, 0], expected, rtol=1e-10)


def test_one_cycle_by_hand_and_its_momentum_cycle():
    total, max_lr = 20, 1.0
    opt = _opt(momentum=0.9)
    sched = S.OneCycleLR(opt, max_lr=max_lr, total_steps=total, pct_start=0.3)
    lrs = _lrs(opt, sched, steps=total)[:, 0]
    up = 0.3 * total - 1  # the step at which the peak is reached
    cos = lambda a, b, pct: b + (a - b) / 2 * (1 + math.cos(math.pi * pct))  # noqa: E731
    start, end = max_lr / 25, max_lr / 25 / 1e4
    expected = [cos(start, max_lr, t / up) if t <= up else cos(max_lr, end, (t - up) / (total - 1 - up))
                for t in range(total)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-12)
    assert lrs.argmax() == round(up) and lrs[-1] == pytest.approx(end)
    opt = _opt(kind="Adam")
    sched = S.OneCycleLR(opt, max_lr=max_lr, total_steps=total)
    momenta = _momenta(opt, sched, total)
    assert momenta[0] == pytest.approx(0.95) and momenta[round(up)] == pytest.approx(0.85)
    assert opt.param_groups[0]["betas"][1] == 0.999
    with pytest.raises(ValueError, match="total_steps"):
        sched.step()
        sched.step()


@pytest.mark.parametrize("kind", ["SGD", "Adam"])
def test_one_cycle_momentum_matches_torch(kind):
    torch = pytest.importorskip("torch")
    ours_opt, theirs_opt = _opt(kind=kind), _opt(torch.optim, kind=kind)
    kw = dict(max_lr=0.5, total_steps=STEPS, base_momentum=0.8)
    ours = _momenta(ours_opt, S.OneCycleLR(ours_opt, **kw), STEPS)
    theirs = _momenta(theirs_opt, torch.optim.lr_scheduler.OneCycleLR(theirs_opt, **kw), STEPS)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_one_cycle_needs_momentum_or_betas():
    with pytest.raises(ValueError, match="cycle_momentum"):
        S.OneCycleLR(_opt(kind="Adagrad"), max_lr=1.0, total_steps=10)
    with pytest.raises(ValueError, match="total_steps"):
        S.OneCycleLR(_opt(), max_lr=1.0)


PLATEAU = [1.0, 0.9, 0.9, 0.9, 0.9, 0.95, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.6, 0.5, 0.5, 0.49999,
           0.5, 0.5, 0.5, 0.5]


def test_reduce_on_plateau_by_hand():
    opt = _opt(lr=1.0)
    sched = S.ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1, min_lr=0.1)
    lrs = _lrs(opt, sched, steps=len(PLATEAU), metrics=PLATEAU)[:, 0]
    # bad epochs after 0.9 at t=1: t=2,3,4 -> reduce after t=4; cooldown swallows t=5;
    # 0.5 at t=6 is better; t=7,8,9 bad -> reduce after t=9; cooldown t=10; t=11,12,13 -> after
    # t=13; cooldown t=14; 0.49999 is within the 1e-4 relative threshold, so t=15.. are bad
    expected = [1.0] * 5 + [0.5] * 5 + [0.25] * 4 + [0.125] * 4 + [0.1] * 2
    np.testing.assert_allclose(lrs, expected)
    assert sched.get_last_lr() == [0.1]


@pytest.mark.parametrize("kw", [dict(mode="min", patience=1), dict(mode="max", patience=0,
                                threshold_mode="abs", threshold=0.05, factor=0.3, min_lr=[0.01, 0.2])])
def test_reduce_on_plateau_matches_torch(kw):
    torch = pytest.importorskip("torch")
    metrics = np.random.default_rng(0).random(STEPS)
    ours_opt, theirs_opt = _opt(groups=2), _opt(torch.optim, groups=2)
    ours = _lrs(ours_opt, S.ReduceLROnPlateau(ours_opt, **kw), metrics=metrics)
    theirs = _lrs(theirs_opt, torch.optim.lr_scheduler.ReduceLROnPlateau(theirs_opt, **kw),
                  metrics=metrics)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def _warmup_then_cosine(module, opt):
    warm = module.LinearLR(opt, start_factor=0.1, total_iters=5)
    cos = module.CosineAnnealingLR(opt, T_max=20, eta_min=0.0)
    return module.SequentialLR(opt, [warm, cos], milestones=[5])


def test_sequential_warmup_then_cosine_by_hand():
    opt = _opt()
    lrs = _lrs(opt, _warmup_then_cosine(S, opt))[:, 0]
    t = np.arange(STEPS)
    warm = 0.1 * (0.1 + 0.9 * t / 5)
    cos = 0.1 * (1 + np.cos(np.pi * (t - 5) / 20)) / 2
    np.testing.assert_allclose(lrs, np.where(t < 5, warm, cos), rtol=1e-10, atol=1e-15)


def test_sequential_matches_torch():
    torch = pytest.importorskip("torch")
    ours_opt, theirs_opt = _opt(groups=2), _opt(torch.optim, groups=2)
    ours = _lrs(ours_opt, _warmup_then_cosine(S, ours_opt))
    theirs = _lrs(theirs_opt, _warmup_then_cosine(torch.optim.lr_scheduler, theirs_opt))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    ours_opt, theirs_opt = _opt(), _opt(torch.optim)
    make = lambda m, o: m.SequentialLR(o, [m.ExponentialLR(o, 0.9), m.StepLR(o, 3, 0.5),  # noqa
                                           m.LambdaLR(o, lambda e: 1 + e)], milestones=[4, 11])
    np.testing.assert_allclose(_lrs(ours_opt, make(S, ours_opt)),
                               _lrs(theirs_opt, make(torch.optim.lr_scheduler, theirs_opt)),
                               rtol=1e-12)


@pytest.mark.parametrize("make", [
    lambda o: S.CosineAnnealingLR(o, T_max=6),
    lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=20),
    lambda o: _warmup_then_cosine(S, o),
    lambda o: S.ReduceLROnPlateau(o, patience=1),
], ids=["cosine", "onecycle", "sequential", "plateau"])
def test_scheduler_state_dict_round_trip(make):
    """Save optimizer and scheduler mid-run, load both into fresh ones: the same lrs follow."""
    metrics = [1.0, 0.9, 0.95, 0.95, 0.8, 0.85, 0.9, 0.9] * 2

    def advance(opt, sched, epochs):
        lrs = []
        for t in epochs:
            opt.step()
            sched.step(metrics[t]) if isinstance(sched, S.ReduceLROnPlateau) else sched.step()
            lrs.append(sched.get_last_lr() + [opt.param_groups[0]["momentum"]])
        return lrs

    opt = _opt(momentum=0.9)
    sched = make(opt)
    advance(opt, sched, range(8))
    opt_state, sched_state = opt.state_dict(), sched.state_dict()
    expected = advance(opt, sched, range(8, 16))
    opt2 = _opt(momentum=0.9)
    sched2 = make(opt2)
    opt2.load_state_dict(opt_state)
    sched2.load_state_dict(sched_state)
    np.testing.assert_allclose(advance(opt2, sched2, range(8, 16)), expected, rtol=1e-12)
    assert "optimizer" not in sched_state


def test_resuming_needs_initial_lr():
    with pytest.raises(KeyError, match="initial_lr"):
        S.StepLR(_opt(), step_size=2, last_epoch=3)


def test_lambda_state_dict_skips_plain_functions():
    class Decay:
        def __init__(self):
            self.rate = 0.5

        def __call__(self, epoch):
            return self.rate ** epoch

    opt = _opt(groups=2)
    sched = S.LambdaLR(opt, [lambda e: 1.0, Decay()])
    state = sched.state_dict()
    assert state["lr_lambdas"] == [None, {"rate": 0.5}]
    state["lr_lambdas"][1]["rate"] = 0.25
    sched.load_state_dict(state)
    assert sched.lr_lambdas[1].rate == 0.25
