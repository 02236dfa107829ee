"""Shared by the recurrent tests: a retrograd module and its torch twin with the same weights
(float64), and a check that outputs and all gradients agree."""
from __future__ import annotations

import numpy as np
import pytest

import retrograd as rg
from retrograd import nn

torch = pytest.importorskip("torch")

T, B, I, H = 5, 3, 4, 6
KINDS = {"rnn_tanh": ("RNN", {}), "rnn_relu": ("RNN", {"nonlinearity": "relu"}),
         "lstm": ("LSTM", {}), "gru": ("GRU", {})}


def make_pair(kind: str, **options):
    """The same module in retrograd and torch, float64, torch's weights copied into ours."""
    cls, extra = KINDS[kind]
    kwargs = {**extra, **options}
    theirs = getattr(torch.nn, cls)(I, H, **kwargs).double()
    ours = getattr(nn, cls)(I, H, dtype=rg.float64, **kwargs)
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def as_pair(array: np.ndarray):
    return rg.tensor(array.copy(), requires_grad=True), torch.tensor(array.copy(), requires_grad=True)


def flatten_outputs(output, state):
    states = state if isinstance(state, tuple) else (state,)
    data = output.data if hasattr(output, "batch_sizes") else output
    return [data, *states]


def check_parity(ours, theirs, x_ours, x_theirs, hx_pairs=(), seed=0, atol=1e-10):
    """Compare every output, then backpropagate the same random weighting of all outputs and
    compare the gradients of the inputs and parameters."""
    hx_ours = tuple(p[0] for p in hx_pairs)
    hx_theirs = tuple(p[1] for p in hx_pairs)
    pick = (lambda hs: None if not hs else (hs if len(hs) == 2 else hs[0]))
    out_ours = flatten_outputs(*ours(x_ours, pick(hx_ours)))
    out_theirs = flatten_outputs(*theirs(x_theirs, pick(hx_theirs)))
    assert len(out_ours) == len(out_theirs)
    rng = np.random.default_rng(seed)
    loss_ours, loss_theirs = 0, 0
    for a, b in zip(out_ours, out_theirs):
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=atol, rtol=1e-9)
        w = rng.standard_normal(tuple(b.shape))
        loss_ours = loss_ours + (a * rg.tensor(w)).sum()
        loss_theirs = loss_theirs + (b * torch.tensor(w)).sum()
    loss_ours.backward()
    loss_theirs.backward()
    leaves = [(x_ours, x_theirs), *hx_pairs]
    for a, b in leaves:
        if isinstance(b, torch.Tensor) and b.requires_grad:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=atol, rtol=1e-9)
    named = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), named[name].grad.numpy(), atol=atol,
                                   rtol=1e-9, err_msg=name)
