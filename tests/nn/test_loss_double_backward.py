"""The losses' differentiable backward rules (used with create_graph=True) give the same first
derivatives as the plain ones. gradgradcheck alone cannot see a wrong first derivative in that
rule: it differentiates the rule's own output, right or wrong (a mutation run showed it)."""
import numpy as np
import pytest
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
