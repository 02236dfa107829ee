"""Ops keep for backward only what they declare (saves_inputs, saves_output): an activation that
no backward rule reads is freed after the forward pass, and gradients stay exact."""
import gc
import weakref

import numpy as np

import retrograd as rg
from retrograd import nn
from retrograd.autograd import gradcheck, gradgradcheck


def test_an_intermediate_no_backward_reads_is_freed_after_forward():
    x = rg.randn(4, 5, requires_grad=True)
    s = x * 2 + 1  # Add reads no values: s is kept by ReLU only as an edge
    kept = x.exp()  # Exp reads its output: kept alive by the consumer
    freed, alive = weakref.ref(s), weakref.ref(kept)
    loss = (s.relu() + kept).sum()
    del s, kept
    gc.collect()
    assert freed() is None and alive() is not None
    loss.backward()
    xa = x.array
    np.testing.assert_allclose(x.grad.array, 2 * (2 * xa + 1 > 0) + np.exp(xa), rtol=1e-6)


def test_a_conv_batchnorm_relu_stack_keeps_two_activations_per_layer():
    """BatchNorm's output feeding ReLU is freed; conv outputs (read by BatchNorm) and ReLU
    outputs (read by ReLU and the next conv) stay."""
    model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU())
    x = rg.randn(2, 3, 8, 8)
    seen = []
    model[1].register_forward_hook(lambda m, i, o: seen.append(weakref.ref(o)))
    out = model(x)
    gc.collect()
    assert seen[0]() is None  # the BatchNorm output
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_gradients_through_edges_match_finite_differences_to_second_order():
    def f(a, b):
        h = (a + b).relu() - a.reshape(3, 2).permute(1, 0).reshape(2, 3)
        return (h * h).sum()

    a = rg.tensor(np.random.default_rng(0).standard_normal((2, 3)) + 0.1, requires_grad=True)
    b = rg.tensor(np.random.default_rng(1).standard_normal((2, 3)), requires_grad=True)
    assert gradcheck(f, (a * 1.0, b * 1.0))  # non-leaf inputs, so edges are made
    assert gradgradcheck(f, (a, b))


def test_an_edge_reads_as_nan_never_as_stale_data():
    from retrograd.autograd.function import _edge

    x = rg.randn(3, requires_grad=True) * 2
    edge = _edge(x)
    assert edge.shape == x.shape and edge.dtype == x.dtype and edge.grad_fn is x.grad_fn
    assert np.isnan(edge.array).all() and not edge.array.flags.writeable
