"""The strong-Wolfe line search and L-BFGS against PyTorch's own, step by step (holes a mutation
run of retrograd.optim found: the Rosenbrock trajectories pass through few of the search's
branches). 400 random one-dimensional searches reach bracketing, extrapolation, zooming,
the 'too close to an end' safeguard and the evaluation limit; L-BFGS runs cover three
parameters, one unused, small histories, evaluation limits and tolerances."""
import numpy as np
import pytest

import retrograd as rg
from retrograd import optim
from retrograd.optim.line_search import cubic_minimum, strong_wolfe
from closure_driver import as_numpy, drive

torch = pytest.importorskip("torch")
from torch.optim import lbfgs as torch_lbfgs  # noqa: E402


def test_cubic_minimum_matches_torch():
    rng = np.random.default_rng(0)
    for _ in range(300):
        x1, x2 = rng.normal(size=2) * 3
        f1, g1, f2, g2 = rng.normal(size=4) * 5
        bounds = None if rng.random() < 0.5 else tuple(sorted(rng.normal(size=2) * 4))
        ours = cubic_minimum(x1, f1, g1, x2, f2, g2, bounds)
        theirs = torch_lbfgs._cubic_interpolate(x1, f1, torch.tensor(g1), x2, f2, torch.tensor(g2),
                                                bounds)
        assert ours == pytest.approx(float(theirs), rel=1e-12, abs=1e-12)


def _problem(seed):
    """A wavy quadratic in 3-d: f(x) = 1/2 x'Ax + sum(c sin(k x)), its gradient, a start and a
    descent direction."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(3, 3))
    a = a @ a.T + 0.1 * np.eye(3)
    c, k = rng.normal(size=3) * rng.uniform(0, 4), rng.uniform(0.5, 6, size=3)

    def fg(x):
        return 0.5 * x @ a @ x + np.sum(c * np.sin(k * x)), a @ x + c * k * np.cos(k * x)

    x0 = rng.normal(size=3) * 2
    f0, g0 = fg(x0)
    d = -g0 if rng.random() < 0.7 else -g0 + rng.normal(size=3) * np.abs(g0).mean()
    if g0 @ d >= 0:
        d = -g0
    t0 = 10.0 ** rng.uniform(-4, 1.5)  # small first steps make the search extrapolate
    c2 = float(rng.choice([0.9, 0.5, 0.1, 0.01]))  # tight curvature conditions make it zoom
    c1 = float(rng.choice([1e-4, 1e-2, min(0.3, c2 / 2)]))
    return fg, x0, f0, g0, d, t0, int(rng.choice([3, 6, 25])), c1, c2


def test_strong_wolfe_matches_torch_on_random_searches():
    steps = set()
    for seed in range(400):
        fg, x0, f0, g0, d, t0, max_ls, c1, c2 = _problem(seed)

        def ours_obj(x, t, d_):
            return fg(x0 + t * d_)

        def torch_obj(x, t, d_):
            f, g = fg(x0 + float(t) * d_.numpy())
            return float(f), torch.from_numpy(g)

        kw = dict(c1=c1, c2=c2, tolerance_change=1e-9, max_ls=max_ls)
        f, g, t, evals = strong_wolfe(ours_obj, [], t0, d, f0, g0, float(g0 @ d), **kw)
        tf, tg, tt, tevals = torch_lbfgs._strong_wolfe(
            torch_obj, None, t0, torch.from_numpy(d), float(f0), torch.from_numpy(g0),
            torch.tensor(float(g0 @ d), dtype=torch.float64), **kw)
        assert evals == tevals, seed
        assert t == pytest.approx(float(tt), rel=1e-9, abs=1e-12), seed
        assert f == pytest.approx(float(tf), rel=1e-9, abs=1e-12), seed
        np.testing.assert_allclose(g, tg.numpy(), rtol=1e-9, atol=1e-12)
        steps.add((evals, t > t0, t < t0))
    assert len(steps) >= 8  # many kinds of search: expanded, shrunk, long and short


def _lbfgs_run(module, tensor, steps, **kw):
    """Three parameters (the third unused by the loss) on a stretched quadratic with a
    quartic term, from near the optimum (gradient sum below 1: the first step is not scaled)."""
    x = tensor(np.array([0.05, -0.02]))
    w = tensor(np.array([[0.03, 0.01], [-0.02, 0.04]]))
    unused = tensor(np.array([1.0, 2.0, 3.0]))
    opt = module.LBFGS([x, w, unused], **kw)
    losses = drive(opt, lambda: 3 * x[0] ** 2 + 0.5 * x[1] ** 2 + (w ** 4).sum() * 10
                   + (w * w).sum() + x[0] * w[0, 1], steps)
    to_np = as_numpy(module, optim)
    state = opt.state_dict()["state"]
    return [to_np(p).copy() for p in (x, w, unused)], losses, state[0]["n_iter"], state[0]["func_evals"]


@pytest.mark.parametrize("kw", [
    dict(),
    dict(history_size=2, max_iter=9, lr=0.7),
    dict(max_iter=30, max_eval=11, history_size=4),
    dict(tolerance_grad=0.05),
    dict(tolerance_change=1e-3, max_iter=40),
    dict(line_search_fn="strong_wolfe", history_size=2, max_iter=9),
    dict(line_search_fn="strong_wolfe", max_iter=30, max_eval=11),
])
def test_lbfgs_with_three_parameters_matches_torch(kw):
    as_ours = lambda a: rg.tensor(a, dtype=rg.float64, requires_grad=True)  # noqa: E731
    as_torch = lambda a: torch.tensor(a, dtype=torch.float64, requires_grad=True)  # noqa: E731
    params, losses, n_iter, evals = _lbfgs_run(optim, as_ours, 2, **kw)
    tparams, tlosses, tn_iter, tevals = _lbfgs_run(torch.optim, as_torch, 2, **kw)
    assert (n_iter, evals, len(losses)) == (tn_iter, tevals, len(tlosses))
    np.testing.assert_allclose(losses, tlosses, rtol=1e-9, atol=1e-15)
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p, tp, rtol=1e-9, atol=1e-15)
    np.testing.assert_array_equal(params[2], [1.0, 2.0, 3.0])
