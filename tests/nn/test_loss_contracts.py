"""What test_losses.py left open (found by a mutation run, tests/mutation/): the differentiable
backward rules (used with create_graph=True) give the plain first derivatives (gradgradcheck
alone cannot see a wrong one: it differentiates the rule's own output, right or wrong); the
deprecated size_average/reduce arguments; every reduction of every loss, with default options,
against PyTorch (gradcheck cannot see a wrong reduction: it checks gradients of whatever the
loss computes)."""
import numpy as np
import pytest
import test_losses
from test_losses import CASES, _t

import retrograd as rg


@pytest.mark.parametrize("name", CASES)
def test_create_graph_gives_the_plain_first_derivatives(name):
    fn, values = CASES[name]
    weights = None
    results = []
    for create_graph in (False, True):
        inputs = [_t(v) for v in values]
        out = fn(*inputs)
        if weights is None:  # a weighted sum, so every output element matters
            weights = np.random.default_rng(5).uniform(0.5, 1.5, out.shape)
        grads = rg.autograd.grad((out * rg.tensor(weights)).sum(), inputs, create_graph=create_graph)
        results.append([g.detach().numpy() for g in grads])
    for plain, differentiable in zip(*results):
        np.testing.assert_allclose(differentiable, plain, rtol=1e-12, atol=1e-14)


# every loss with the deprecated arguments, against the same call with ``reduction``
LEGACY = {
    "mse_loss": (lambda **kw: rg.nn.functional.mse_loss(_t(X_), _t(Y_), **kw)),
    "l1_loss": (lambda **kw: rg.nn.functional.l1_loss(_t(X_), _t(Y_), **kw)),
    "smooth_l1_loss": (lambda **kw: rg.nn.functional.smooth_l1_loss(_t(X_), _t(Y_), **kw)),
    "cross_entropy": (lambda **kw: rg.nn.functional.cross_entropy(_t(X_), rg.tensor([0, 3, 1]), **kw)),
    "nll_loss": (lambda **kw: rg.nn.functional.nll_loss(_t(X_), rg.tensor([0, 3, 1]), **kw)),
    "binary_cross_entropy": (lambda **kw: rg.nn.functional.binary_cross_entropy(
        _t(1 / (1 + np.exp(-X_))), _t(np.abs(np.tanh(Y_))), **kw)),
    "binary_cross_entropy_with_logits": (lambda **kw: rg.nn.functional.binary_cross_entropy_with_logits(
        _t(X_), _t(np.abs(np.tanh(Y_))), **kw)),
    "kl_div": (lambda **kw: rg.nn.functional.kl_div(_t(X_), _t(np.abs(Y_)), **kw)),
}
X_ = np.random.default_rng(7).standard_normal((3, 4))
Y_ = np.random.default_rng(8).standard_normal((3, 4))


@pytest.mark.parametrize("name", LEGACY)
@pytest.mark.parametrize("size_average,reduce,reduction", [
    (False, None, "sum"), (True, None, "mean"), (None, False, "none"), (False, False, "none"),
    (None, True, "mean"), (False, True, "sum")])
def test_deprecated_size_average_and_reduce(name, size_average, reduce, reduction):
    """PyTorch's mapping: reduce=False gives 'none', else size_average=False gives 'sum'."""
    call = LEGACY[name]
    legacy = call(size_average=size_average, reduce=reduce)
    np.testing.assert_allclose(legacy.detach().numpy(), call(reduction=reduction).detach().numpy(),
                               rtol=1e-12)


@pytest.mark.parametrize("name,kind", [
    ("mse_loss", "regression"), ("l1_loss", "regression"), ("smooth_l1_loss", "regression"),
    ("huber_loss", "regression"), ("cross_entropy", "indices"), ("cross_entropy", "probabilities"),
    ("nll_loss", "indices"), ("binary_cross_entropy", "binary"),
    ("binary_cross_entropy_with_logits", "regression"), ("kl_div", "distribution")])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss:UserWarning")  # torch's kl_div
def test_every_reduction_with_default_options_matches_torch(name, kind, reduction):
    test_losses.test_matches_torch(name, dict(reduction=reduction), kind)
