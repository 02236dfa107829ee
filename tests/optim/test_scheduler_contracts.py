"""Scheduler paths the lr-sequence tests did not reach (holes a mutation run of retrograd.optim
found), each against torch.optim.lr_scheduler: resuming with ``last_epoch``, the deprecated
``step(epoch)`` (closed forms), the constructors' defaults, ReduceLROnPlateau's thresholds at
their boundaries, and CyclicLR's momentum and state."""
import warnings

import numpy as np
import pytest
from test_lr_scheduler import _lrs, _momenta, _opt

from retrograd.optim import lr_scheduler as S

torch = pytest.importorskip("torch")
TS = torch.optim.lr_scheduler

RESUMABLE = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 9, 9], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=6, eta_min=0.001)),
    ("LinearLR", dict(start_factor=0.2, end_factor=0.9, total_iters=8)),
    ("PolynomialLR", dict(total_iters=9, power=1.5)),
    ("LambdaLR", dict(lr_lambda=lambda t: 0.95 ** t)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=3, mode="triangular2")),
]


def _both(name, kw, last_epoch=-1, groups=2, **opt_kw):
    ours_opt, theirs_opt = _opt(groups=groups, **opt_kw), _opt(torch.optim, groups=groups, **opt_kw)
    if last_epoch != -1:
        for opt in (ours_opt, theirs_opt):
            for g in opt.param_groups:
                g["initial_lr"] = g["lr"]
    ours = getattr(S, name)(ours_opt, last_epoch=last_epoch, **kw)
    theirs = getattr(TS, name)(theirs_opt, last_epoch=last_epoch, **kw)
    return (ours_opt, ours), (theirs_opt, theirs)


@pytest.mark.parametrize("name,kw", RESUMABLE, ids=[n for n, _ in RESUMABLE])
def test_resuming_with_last_epoch_matches_torch(name, kw):
    (o1, s1), (o2, s2) = _both(name, kw, last_epoch=5, momentum=0.9)
    assert s1.last_epoch == s2.last_epoch == 6
    np.testing.assert_allclose(_lrs(o1, s1, 15), _lrs(o2, s2, 15), rtol=1e-12, atol=1e-15)
    assert o1.param_groups[0]["momentum"] == pytest.approx(o2.param_groups[0]["momentum"])


@pytest.mark.parametrize("name,kw", RESUMABLE[:6], ids=[n for n, _ in RESUMABLE[:6]])
def test_step_with_an_epoch_uses_the_closed_form_like_torch(name, kw):
    (o1, s1), (o2, s2) = _both(name, kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in [4, 1, 12, 7, 0, 20, 3]:
            s1.step(epoch)
            s2.step(epoch)
            np.testing.assert_allclose(s1.get_last_lr(), s2.get_last_lr(), rtol=1e-12, atol=1e-15)


def test_defaults_match_torch():
    (o1, s1), (o2, s2) = _both("StepLR", dict(step_size=2))
    np.testing.assert_allclose(_lrs(o1, s1, 6), _lrs(o2, s2, 6), rtol=1e-12)
    for bad in (0.0, 1.5):
        with pytest.raises(ValueError):
            S.LinearLR(_opt(), start_factor=bad)
    S.LinearLR(_opt(), start_factor=1.0)
    (o1, s1), (o2, s2) = _both("MultiStepLR", dict(milestones=[2, 4]))
    np.testing.assert_allclose(_lrs(o1, s1, 6), _lrs(o2, s2, 6), rtol=1e-12)
    (o1, s1), (o2, s2) = _both("LinearLR", {})
    np.testing.assert_allclose(_lrs(o1, s1, 8), _lrs(o2, s2, 8), rtol=1e-12)
    # CyclicLR: step_size_up=2000, triangular, gamma=1, scale per cycle, momentum 0.8..0.9
    o1, o2 = _opt(momentum=0.9), _opt(torch.optim, momentum=0.9)
    s1 = S.CyclicLR(o1, base_lr=0.01, max_lr=0.1)
    s2 = TS.CyclicLR(o2, base_lr=0.01, max_lr=0.1)
    for _ in range(4003):
        o1.step()
        o2.step()
        s1.step()
        s2.step()
        if s1.last_epoch % 997 in (0, 1):
            assert s1.get_last_lr() == pytest.approx(s2.get_last_lr(), rel=1e-12)
            assert o1.param_groups[0]["momentum"] == pytest.approx(o2.param_groups[0]["momentum"])
    o1, o2 = _opt(momentum=0.9), _opt(torch.optim, momentum=0.9)  # scale_fn: per cycle by default
    kw = dict(base_lr=0.01, max_lr=0.1, step_size_up=2, scale_fn=lambda x: 0.5 ** x)
    np.testing.assert_allclose(_lrs(o1, S.CyclicLR(o1, **kw), 12),
                               _lrs(o2, TS.CyclicLR(o2, **kw), 12), rtol=1e-12)
    for mode in ("triangular2", "exp_range"):
        o1, o2 = _opt(momentum=0.9), _opt(torch.optim, momentum=0.9)
        kw = dict(base_lr=0.01, max_lr=0.1, step_size_up=3, mode=mode)
        np.testing.assert_allclose(_lrs(o1, S.CyclicLR(o1, **kw), 20),
                                   _lrs(o2, TS.CyclicLR(o2, **kw), 20), rtol=1e-12)
    # ReduceLROnPlateau: patience 10, factor 0.1, threshold 1e-4 relative, no cooldown
    o1, o2 = _opt(), _opt(torch.optim)
    metrics = [1.0] * 30
    np.testing.assert_allclose(_lrs(o1, S.ReduceLROnPlateau(o1), 30, metrics),
                               _lrs(o2, TS.ReduceLROnPlateau(o2), 30, metrics), rtol=1e-12)


@pytest.mark.parametrize("kw", [
    dict(mode="min", threshold_mode="abs", threshold=0.25, patience=0, cooldown=2),
    dict(mode="max", threshold_mode="abs", threshold=0.25, patience=1),
    dict(mode="min", threshold_mode="rel", threshold=0.5, patience=0),
    dict(mode="max", threshold_mode="rel", threshold=0.5, patience=0, factor=0.5, eps=0.03),
])
def test_plateau_threshold_boundaries_match_torch(kw):
    """Metrics exactly at best -/+ threshold (exact in binary) are not improvements."""
    metrics = [1.0, 0.75, 0.5, 0.5, 0.25, 1.0, 1.25, 1.5, 1.5, 2.25, 3.0, 4.5, 4.5, 2.0, 1.0, 0.5]
    o1, o2 = _opt(lr=0.1), _opt(torch.optim, lr=0.1)
    ours = _lrs(o1, S.ReduceLROnPlateau(o1, **kw), len(metrics), metrics)
    theirs = _lrs(o2, TS.ReduceLROnPlateau(o2, **kw), len(metrics), metrics)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert len(np.unique(ours)) > 1


def test_plateau_refuses_factor_one():
    with pytest.raises(ValueError):
        S.ReduceLROnPlateau(_opt(), factor=1.0)
    S.ReduceLROnPlateau(_opt(), factor=0.99)


def test_cyclic_momentum_of_a_resumed_and_a_restored_scheduler():
    class Halving:  # a callable object: its state travels in state_dict
        def __init__(self):
            self.base = 0.5

        def __call__(self, x):
            return self.base ** x

    kw = dict(base_lr=0.01, max_lr=0.1, step_size_up=2, scale_mode="cycle")
    o1 = _opt(momentum=0.9)
    s1 = S.CyclicLR(o1, scale_fn=Halving(), **kw)
    _lrs(o1, s1, 5)
    fn = Halving()
    fn.base = 0.25
    s1._scale_fn_custom = fn
    state = s1.state_dict()
    assert state["_scale_fn_custom"] == {"base": 0.25}
    o2 = _opt(momentum=0.9)
    s2 = S.CyclicLR(o2, scale_fn=Halving(), **kw)
    s2.load_state_dict(state)
    assert s2._scale_fn_custom.base == 0.25
    o2.load_state_dict(o1.state_dict())
    np.testing.assert_allclose(_lrs(o2, s2, 8), _lrs(o1, s1, 8), rtol=1e-12)
    # momentum cycles from max at the start, also for Adam's beta1
    o3, o4 = _opt(kind="Adam"), _opt(torch.optim, kind="Adam")
    ours = _momenta(o3, S.CyclicLR(o3, base_lr=0.01, max_lr=0.1, step_size_up=3,
                                   base_momentum=0.7, max_momentum=0.95), 10)
    theirs = _momenta(o4, TS.CyclicLR(o4, base_lr=0.01, max_lr=0.1, step_size_up=3,
                                      base_momentum=0.7, max_momentum=0.95), 10)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_plateau_eps_boundary_and_epoch_argument():
    kw = dict(mode="min", patience=0, factor=0.5, eps=0.05)  # 0.1 -> 0.05 differs by exactly eps
    metrics = [1.0, 2.0, 3.0, 4.0]
    o1, o2 = _opt(lr=0.1), _opt(torch.optim, lr=0.1)
    np.testing.assert_allclose(_lrs(o1, S.ReduceLROnPlateau(o1, **kw), 4, metrics),
                               _lrs(o2, TS.ReduceLROnPlateau(o2, **kw), 4, metrics))
    sched = S.ReduceLROnPlateau(_opt(), patience=0)
    assert sched.last_epoch == 0 and sched.get_last_lr() == [0.1]
    sched.step(1.0)
    assert sched.last_epoch == 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched.step(1.0, epoch=7)
    assert sched.last_epoch == 7


def test_sequential_with_a_one_epoch_first_scheduler_matches_torch():
    o1, o2 = _opt(groups=2), _opt(torch.optim, groups=2)
    s1 = S.SequentialLR(o1, [S.LinearLR(o1, start_factor=0.5, end_factor=0.5, total_iters=3),
                             S.ExponentialLR(o1, 0.8)], milestones=[1])
    s2 = TS.SequentialLR(o2, [TS.LinearLR(o2, start_factor=0.5, end_factor=0.5, total_iters=3),
                              TS.ExponentialLR(o2, 0.8)], milestones=[1])
    np.testing.assert_allclose(_lrs(o1, s1, 8), _lrs(o2, s2, 8), rtol=1e-12)
    assert s1.get_last_lr() == pytest.approx(s2.get_last_lr())


def test_chained_single_scheduler_and_lambda_state():
    o1, o2 = _opt(), _opt(torch.optim)
    np.testing.assert_allclose(_lrs(o1, S.ChainedScheduler([S.ExponentialLR(o1, 0.7)]), 5),
                               _lrs(o2, TS.ChainedScheduler([TS.ExponentialLR(o2, 0.7)]), 5))
    sched = S.LambdaLR(_opt(groups=2), [lambda t: 0.5 ** t, lambda t: 1.0 / (t + 1)])
    state = sched.state_dict()
    assert state["base_lrs"] == [0.1, 0.2] and state["last_epoch"] == 0
    assert "optimizer" not in state and state["lr_lambdas"] == [None, None]


def test_one_cycle_arguments_at_their_limits():
    for kw in (dict(total_steps=1), dict(total_steps=10, pct_start=0.0),
               dict(total_steps=10, pct_start=1.0), dict(epochs=2, steps_per_epoch=3)):
        o1, o2 = _opt(momentum=0.9), _opt(torch.optim, momentum=0.9)
        steps = kw.get("total_steps", 6)
        np.testing.assert_allclose(_lrs(o1, S.OneCycleLR(o1, max_lr=1.0, **kw), steps - 1),
                                   _lrs(o2, TS.OneCycleLR(o2, max_lr=1.0, **kw), steps - 1),
                                   rtol=1e-12)
    for kw in (dict(total_steps=0), dict(total_steps=2.5), dict(epochs=2),
               dict(steps_per_epoch=2), dict(total_steps=10, pct_start=1.5),
               dict(total_steps=10, anneal_strategy="cubic")):
        with pytest.raises(ValueError):
            S.OneCycleLR(_opt(momentum=0.9), max_lr=1.0, **kw)


@pytest.mark.parametrize("kw", [dict(T_0=3, T_mult=1), dict(T_0=2, T_mult=3, eta_min=0.01),
                                dict(T_0=1, T_mult=2)])
def test_warm_restarts_with_other_periods_match_torch(kw):
    o1, o2 = _opt(groups=2), _opt(torch.optim, groups=2)
    np.testing.assert_allclose(_lrs(o1, S.CosineAnnealingWarmRestarts(o1, **kw), 20),
                               _lrs(o2, TS.CosineAnnealingWarmRestarts(o2, **kw), 20), rtol=1e-12)
    o1, o2 = _opt(), _opt(torch.optim)
    s1, s2 = S.CosineAnnealingWarmRestarts(o1, **kw), TS.CosineAnnealingWarmRestarts(o2, **kw)
    for epoch in [0.5, 1.0, 2.0, 3.0, 3.5, 7.25, 8.0, 26.0, 30.5, 2.0]:
        s1.step(epoch)
        s2.step(epoch)
        np.testing.assert_allclose(s1.get_last_lr(), s2.get_last_lr(), rtol=1e-12)
    for bad in (dict(T_0=0), dict(T_0=2.5), dict(T_0=2, T_mult=0), dict(T_0=2, T_mult=1.5)):
        with pytest.raises(ValueError):
            S.CosineAnnealingWarmRestarts(_opt(), **bad)
