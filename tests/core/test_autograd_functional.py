"""autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp) against PyTorch's."""
import numpy as np
import pytest

import retrograd as rg

torch = pytest.importorskip("torch")


def _f(m, x, y):
    return (x.sin() * y).sum(-1), x.exp() + y


def _scalar(m, x, y):
    return (x * x * y).sum() + (x * y.sin()).sum()


def _inputs(m, seed=0):
    rng = np.random.default_rng(seed)
    return tuple(m.tensor(rng.standard_normal(s)) for s in [(2, 3), (3,)])


def _np(tree):
    if isinstance(tree, (tuple, list)):
        return [_np(t) for t in tree]
    return tree.detach().numpy()


def _same(ours, theirs):
    a, b = _np(ours), _np(theirs)
    if isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same_np(x, y)
    else:
        _same_np(a, b)


def _same_np(a, b):
    if isinstance(a, list):
        for x, y in zip(a, b):
            _same_np(x, y)
    else:
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


CALLS = {
    "jacobian_tuple": lambda m, F, ins: F.jacobian(lambda x, y: _f(m, x, y), ins),
    "jacobian_single": lambda m, F, ins: F.jacobian(lambda x: (x * x).cumsum(1), ins[0]),
    "hessian_tuple": lambda m, F, ins: F.hessian(lambda x, y: _scalar(m, x, y), ins),
    "hessian_single": lambda m, F, ins: F.hessian(lambda x: (x ** 3).sum(), ins[1]),
    "vjp": lambda m, F, ins: F.vjp(lambda x, y: _f(m, x, y), ins, (m.ones(2), m.ones(2, 3) * 0.5)),
    "vjp_scalar": lambda m, F, ins: F.vjp(lambda x: (x * x).sum(), ins[0]),
    "jvp": lambda m, F, ins: F.jvp(lambda x, y: _f(m, x, y), ins, (m.ones(2, 3), m.ones(3) * 2)),
    "hvp": lambda m, F, ins: F.hvp(lambda x, y: _scalar(m, x, y), ins, (m.ones(2, 3), m.ones(3))),
    "vhp": lambda m, F, ins: F.vhp(lambda x, y: _scalar(m, x, y), ins, (m.ones(2, 3), m.ones(3))),
    "jacobian_unused_input": lambda m, F, ins: F.jacobian(lambda x, y: x * 2, ins),
}


@pytest.mark.parametrize("name", CALLS)
def test_matches_pytorch(name):
    ours = CALLS[name](rg, rg.autograd.functional, _inputs(rg))
    theirs = CALLS[name](torch, torch.autograd.functional, _inputs(torch))
    _same(ours, theirs)


def test_create_graph_lets_results_be_differentiated():
    x = rg.tensor([1.0, 2.0], dtype=rg.float64, requires_grad=True)
    jac = rg.autograd.functional.jacobian(lambda v: v ** 3, x, create_graph=True)
    jac.sum().backward()  # d/dx of sum(diag(3 x^2)) = 6 x
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 12.0])
    plain = rg.autograd.functional.jacobian(lambda v: v ** 3, x)
    assert not plain.requires_grad


def test_strict_refuses_an_unused_input():
    with pytest.raises(RuntimeError, match="strict"):
        rg.autograd.functional.jacobian(lambda x, y: x * 2, (rg.ones(2), rg.ones(2)), strict=True)
