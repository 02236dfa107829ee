"""Tensor.register_post_accumulate_grad_hook and autograd's queue_callback: a leaf's hook runs
as soon as its gradient is final, while the rest of the backward pass is still to come."""
import numpy as np
import pytest

import retrograd as rg
from retrograd.autograd.engine import queue_callback
from retrograd.nn import functional as F


def _two_layers():
    x = rg.tensor(np.linspace(-1, 1, 6).reshape(2, 3))
    w1 = rg.tensor(np.arange(12.0).reshape(4, 3) / 10 - 0.5, requires_grad=True)
    w2 = rg.tensor(np.arange(4.0).reshape(1, 4) / 4, requires_grad=True)
    return x, w1, w2


def test_hook_runs_mid_pass_with_the_final_gradient():
    x, w1, w2 = _two_layers()
    seen = []
    w2.register_post_accumulate_grad_hook(
        lambda t: seen.append(("w2", t.grad.numpy().copy(), w1.grad is None)))
    w1.register_post_accumulate_grad_hook(lambda t: seen.append(("w1", None, w2.grad is None)))
    loss = F.linear(F.linear(x, w1).relu(), w2).sum()
    loss.backward()
    assert [s[0] for s in seen] == ["w2", "w1"]  # the layer nearer the loss first
    assert seen[0][2] is True and seen[1][2] is False  # w2's hook ran before w1 had a gradient
    np.testing.assert_array_equal(seen[0][1], w2.grad.numpy())


def test_hook_sees_accumulated_gradient_and_matches_torch():
    torch = pytest.importorskip("torch")
    x, w1, w2 = _two_layers()
    tx, tw1, tw2 = (torch.tensor(t.numpy() if not t.requires_grad else t.detach().numpy(),
                                 requires_grad=t.requires_grad) for t in (x, w1, w2))
    ours, theirs = [], []
    w1.register_post_accumulate_grad_hook(lambda t: ours.append(t.grad.numpy().copy()))
    tw1.register_post_accumulate_grad_hook(lambda t: theirs.append(t.grad.numpy().copy()))
    for _ in range(2):  # the second pass accumulates onto the first
        ((x @ w1.T).tanh() * (x @ w1.T)).sum().backward()  # w1 used twice: one call per pass
        ((tx @ tw1.T).tanh() * (tx @ tw1.T)).sum().backward()
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_hook_not_run_by_autograd_grad_and_removable():
    x, w1, w2 = _two_layers()
    calls = []
    handle = w1.register_post_accumulate_grad_hook(calls.append)
    rg.autograd.grad((x @ w1.T).sum(), [w1])
    assert calls == []
    handle.remove()
    (x @ w1.T).sum().backward()
    assert calls == [] and w1.grad is not None


def test_hook_only_on_leaves_that_require_grad():
    x, w1, _ = _two_layers()
    with pytest.raises(RuntimeError, match="non-leaf"):
        (x @ w1.T).register_post_accumulate_grad_hook(lambda t: None)
    with pytest.raises(RuntimeError, match="require"):
        x.register_post_accumulate_grad_hook(lambda t: None)


def test_queued_callback_runs_after_every_gradient_is_in():
    x, w1, w2 = _two_layers()
    done = []

    def hook(t):
        queue_callback(lambda: done.append(w1.grad is not None and w2.grad is not None))

    w2.register_post_accumulate_grad_hook(hook)
    ((x @ w1.T) @ w2.T).sum().backward()
    assert done == [True]
    with pytest.raises(RuntimeError, match="no backward pass"):
        queue_callback(lambda: None)
