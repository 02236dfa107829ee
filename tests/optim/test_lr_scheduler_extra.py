"""CyclicLR, CosineAnnealingWarmRestarts, PolynomialLR and ChainedScheduler: lr (and momentum)
sequences against torch.optim.lr_scheduler and hand formulas, state_dict round trips."""
import doctest
import importlib
import math

import numpy as np
import pytest
from test_lr_scheduler import _lrs, _momenta, _opt  # the shared optimizers and recorders

from retrograd.optim import lr_scheduler as S

STEPS = 30

CASES = [
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=4)),
    ("CyclicLR", dict(base_lr=[0.01, 0.02], max_lr=0.2, step_size_up=3, step_size_down=5,
                      mode="triangular2")),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=4, mode="exp_range", gamma=0.95)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=5, scale_fn=lambda x: 1 / (1 + x),
                      scale_mode="iterations", cycle_momentum=False)),
    ("CosineAnnealingWarmRestarts", dict(T_0=5)),
    ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=2, eta_min=0.001)),
    ("PolynomialLR", dict()),
    ("PolynomialLR", dict(total_iters=12, power=2.5)),
]


@pytest.mark.parametrize("name,kw", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_schedule_matches_torch(name, kw):
    torch = pytest.importorskip("torch")
    ours_opt, theirs_opt = _opt(groups=2, momentum=0.9), _opt(torch.optim, groups=2, momentum=0.9)
    ours = _lrs(ours_opt, getattr(S, name)(ours_opt, **kw))
    theirs = _lrs(theirs_opt, getattr(torch.optim.lr_scheduler, name)(theirs_opt, **kw))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("kind", ["SGD", "Adam"])
def test_cyclic_momentum_matches_torch(kind):
    torch = pytest.importorskip("torch")
    kw = dict(base_lr=0.01, max_lr=0.1, step_size_up=4, mode="triangular2")
    extra = dict(momentum=0.9) if kind == "SGD" else {}
    ours_opt, theirs_opt = _opt(kind=kind, **extra), _opt(torch.optim, kind=kind, **extra)
    ours = _momenta(ours_opt, S.CyclicLR(ours_opt, **kw), STEPS)
    theirs = _momenta(theirs_opt, torch.optim.lr_scheduler.CyclicLR(theirs_opt, **kw), STEPS)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert ours.min() < 0.85 < ours.max()  # it does cycle


def test_cyclic_triangle_by_hand():
    opt = _opt(momentum=0.9)
    lrs = _lrs(opt, S.CyclicLR(opt, base_lr=0.1, max_lr=0.5, step_size_up=2), steps=9)[:, 0]
    np.testing.assert_allclose(lrs, [0.1, 0.3, 0.5, 0.3, 0.1, 0.3, 0.5, 0.3, 0.1], rtol=1e-12)
    with pytest.raises(ValueError, match="momentum or betas"):
        S.CyclicLR(_opt(kind="Adagrad"), base_lr=0.1, max_lr=0.5)
    with pytest.raises(ValueError, match="mode"):
        S.CyclicLR(opt, base_lr=0.1, max_lr=0.5, mode="sawtooth")


def test_warm_restarts_by_hand_and_fractional_epochs():
    opt = _opt(lr=1.0)
    lrs = _lrs(opt, S.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2), steps=8)[:, 0]
    # periods 2, 4, 8: restarts at epochs 2 and 6
    half_cos = lambda t, period: (1 + math.cos(math.pi * t / period)) / 2  # noqa: E731
    expected = [1, 0.5, 1, half_cos(1, 4), 0.5, half_cos(3, 4), 1, half_cos(1, 8)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-12, atol=1e-15)
    opt = _opt(lr=1.0)
    sched = S.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2)
    for epoch in (0.5, 4.25, 13.0):  # per-batch stepping; 13 lies in the third period (12-28)
        sched.step(epoch)
    np.testing.assert_allclose(sched.get_last_lr(), [(1 + math.cos(math.pi / 16)) / 2])
    with pytest.raises(ValueError, match="T_0"):
        S.CosineAnnealingWarmRestarts(opt, T_0=0)


def test_fractional_epochs_match_torch():
    torch = pytest.importorskip("torch")
    ours_opt, theirs_opt = _opt(), _opt(torch.optim)
    ours = S.CosineAnnealingWarmRestarts(ours_opt, T_0=3, T_mult=2)
    theirs = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(theirs_opt, T_0=3, T_mult=2)
    for epoch in np.arange(0, 20, 0.37):
        ours.step(float(epoch))
        theirs.step(float(epoch))
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)


def test_polynomial_closed_form():
    opt = _opt(lr=1.0)
    lrs = _lrs(opt, S.PolynomialLR(opt, total_iters=4, power=2.0), steps=7)[:, 0]
    t = np.minimum(np.arange(7), 4)
    np.testing.assert_allclose(lrs, (1 - t / 4) ** 2, atol=1e-15)


def test_chained_matches_torch():
    torch = pytest.importorskip("torch")

    def make(module, opt):
        return module.ChainedScheduler([module.LinearLR(opt, start_factor=0.5, total_iters=3),
                                        module.ExponentialLR(opt, gamma=0.9)])

    ours_opt, theirs_opt = _opt(groups=2), _opt(torch.optim, groups=2)
    ours = _lrs(ours_opt, make(S, ours_opt))
    theirs = _lrs(theirs_opt, make(torch.optim.lr_scheduler, theirs_opt))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    t = np.arange(STEPS)  # by hand: the two factors multiply
    by_hand = 0.1 * (0.5 + 0.5 * np.minimum(t, 3) / 3) * 0.9 ** t
    np.testing.assert_allclose(ours[:, 0], by_hand, rtol=1e-12)


def test_chained_refuses_plateau_and_other_optimizers():
    opt, other = _opt(), _opt()
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        S.ChainedScheduler([S.ExponentialLR(opt, 0.9), S.ReduceLROnPlateau(opt)])
    with pytest.raises(ValueError, match="another optimizer"):
        S.ChainedScheduler([S.ExponentialLR(opt, 0.9), S.ExponentialLR(other, 0.9)])
    with pytest.raises(ValueError, match="at least one"):
        S.ChainedScheduler([])


@pytest.mark.parametrize("make", [
    lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3, mode="triangular2"),
    lambda o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2),
    lambda o: S.PolynomialLR(o, total_iters=12),
    lambda o: S.ChainedScheduler([S.LinearLR(o, start_factor=0.5, total_iters=10),
                                  S.ExponentialLR(o, gamma=0.9)]),
], ids=["cyclic", "warm-restarts", "polynomial", "chained"])
def test_state_dict_round_trip(make):
    """Save optimizer and scheduler mid-run, load both into fresh ones: the same lrs follow."""
    def advance(opt, sched, n):
        out = []
        for _ in range(n):
            opt.step()
            sched.step()
            out.append(sched.get_last_lr() + [opt.param_groups[0]["momentum"]])
        return out

    opt = _opt(momentum=0.9)
    sched = make(opt)
    advance(opt, sched, 8)
    opt_state, sched_state = opt.state_dict(), sched.state_dict()
    expected = advance(opt, sched, 8)
    opt2 = _opt(momentum=0.9)
    sched2 = make(opt2)
    opt2.load_state_dict(opt_state)
    sched2.load_state_dict(sched_state)
    np.testing.assert_allclose(advance(opt2, sched2, 8), expected, rtol=1e-12)
    assert "optimizer" not in sched_state


@pytest.mark.parametrize("name", ["retrograd.optim.cyclic", "retrograd.optim.polynomial",
                                  "retrograd.optim.chained", "retrograd.optim.lbfgs"])
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
