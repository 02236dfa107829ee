"""The cells against torch (float64, copied weights), gradcheck and gradgradcheck of the modules
and cells on small cases, and which backward serves which order."""
from __future__ import annotations

import numpy as np
import pytest

import retrograd as rg
from retrograd import nn
from retrograd.autograd import gradcheck, gradgradcheck
from retrograd.nn.utils.rnn import pack_sequence

CELLS = {"rnn_tanh": ("RNNCell", {}), "rnn_relu": ("RNNCell", {"nonlinearity": "relu"}),
         "lstm": ("LSTMCell", {}), "gru": ("GRUCell", {})}


@pytest.mark.parametrize("kind", list(CELLS))
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_torch(kind, bias, batched):
    torch = pytest.importorskip("torch")
    name, extra = CELLS[kind]
    theirs = getattr(torch.nn, name)(4, 5, bias=bias, **extra).double()
    ours = getattr(nn, name)(4, 5, bias=bias, dtype=rg.float64, **extra)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(0)
    shape = (3,) if batched else ()
    arrays = [rng.standard_normal(shape + (4,))] + [rng.standard_normal(shape + (5,))
                                                      for _ in range(2 if kind == "lstm" else 1)]
    a = [rg.tensor(x, requires_grad=True) for x in arrays]
    b = [torch.tensor(x, requires_grad=True) for x in arrays]
    state_a = (a[1], a[2]) if kind == "lstm" else a[1]
    state_b = (b[1], b[2]) if kind == "lstm" else b[1]
    out_a, out_b = ours(a[0], state_a), theirs(b[0], state_b)
    out_a = out_a if isinstance(out_a, tuple) else (out_a,)
    out_b = out_b if isinstance(out_b, tuple) else (out_b,)
    loss_a, loss_b = 0, 0
    for x, y in zip(out_a, out_b):
        np.testing.assert_allclose(x.detach().numpy(), y.detach().numpy(), atol=1e-12)
        w = rng.standard_normal(tuple(y.shape))
        loss_a, loss_b = loss_a + (x * rg.tensor(w)).sum(), loss_b + (y * torch.tensor(w)).sum()
    loss_a.backward()
    loss_b.backward()
    for x, y in zip(a, b):
        np.testing.assert_allclose(x.grad.numpy(), y.grad.numpy(), atol=1e-12)
    named = dict(theirs.named_parameters())
    for n, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), named[n].grad.numpy(), atol=1e-12, err_msg=n)


def test_cell_state_defaults_to_zeros():
    cell = nn.LSTMCell(3, 2)
    x = rg.randn(4, 3)
    h, c = cell(x)
    h0, c0 = cell(x, (rg.zeros(4, 2), rg.zeros(4, 2)))
    np.testing.assert_array_equal(h.detach().numpy(), h0.detach().numpy())
    np.testing.assert_array_equal(c.detach().numpy(), c0.detach().numpy())
    with pytest.raises(RuntimeError, match="input_size"):
        cell(rg.randn(4, 5))


MODULES = {"rnn_tanh": ("RNN", {}), "rnn_relu": ("RNN", {"nonlinearity": "relu"}),
           "lstm": ("LSTM", {}), "lstm_proj": ("LSTM", {"proj_size": 1}), "gru": ("GRU", {})}


def _module_function(kind, packed=False, **options):
    """(function of (x, h0 [, c0], *params) -> outputs, inputs) for gradcheck on a small case."""
    name, extra = MODULES[kind]
    model = getattr(nn, name)(2, 2, dtype=rg.float64, **extra, **options)
    params = list(model.parameters())
    rng = np.random.default_rng(0)
    count = (2 if options.get("bidirectional") else 1) * options.get("num_layers", 1)
    P = extra.get("proj_size", 2)
    x = rg.tensor(rng.standard_normal((3, 2, 2)), requires_grad=True)
    states = [rg.tensor(rng.standard_normal((count, 2, P)), requires_grad=True)]
    if name == "LSTM":
        states.append(rg.tensor(rng.standard_normal((count, 2, 2)), requires_grad=True))

    def run(x, *rest):
        hs, ps = rest[:len(states)], rest[len(states):]
        for p, value in zip(model._flat_weights_names, ps):
            model._parameters[p] = value  # the tensors gradcheck perturbs and differentiates
        inp = pack_sequence([x[:3, 0], x[:2, 1]]) if packed else x
        out, state = model(inp, hs if name == "LSTM" else hs[0])
        out = out.data if packed else out
        return (out, *(state if isinstance(state, tuple) else (state,)))

    return run, (x, *states, *[rg.tensor(p.detach().numpy().copy(), requires_grad=True) for p in params])


@pytest.mark.parametrize("kind", list(MODULES))
def test_module_gradcheck_and_gradgradcheck(kind):
    assert gradcheck(*_module_function(kind, bidirectional=True))
    assert gradgradcheck(*_module_function(kind))  # one direction: second order costs more


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_packed_module_gradgradcheck(kind):
    assert gradcheck(*_module_function(kind, packed=True, bidirectional=True))
    # the reverse direction's composed steps with a GRU, the cheaper of the two
    assert gradgradcheck(*_module_function(kind, packed=True, bidirectional=kind == "gru"))


def test_first_order_backward_runs_on_arrays_without_graph_nodes():
    """Without create_graph the recurrence's gradient is one array computation (no graph is
    built); with it, the gradient has a graph that reaches the weights."""
    model = nn.GRU(2, 3, dtype=rg.float64)
    x = rg.randn(4, 2, 2, dtype=rg.float64, requires_grad=True)
    out = model(x)[0].sum()
    (gx,) = rg.autograd.grad(out, [x], retain_graph=True)
    assert gx.grad_fn is None
    (gx2,) = rg.autograd.grad(out, [x], create_graph=True)
    assert gx2.grad_fn is not None
    np.testing.assert_allclose(gx.numpy(), gx2.detach().numpy(), atol=1e-12)
    (gw,) = rg.autograd.grad(gx2.sum(), [model.weight_hh_l0])
    assert np.abs(gw.numpy()).sum() > 0


def test_truncated_bptt_by_detaching_the_state():
    """Carrying a detached state between chunks stops gradients at the chunk boundary."""
    model = nn.LSTM(2, 3)
    x = rg.randn(6, 1, 2, requires_grad=True)
    _, (h, c) = model(x[:3])
    out, _ = model(x[3:], (h.detach(), c.detach()))
    out.sum().backward()
    assert np.all(x.grad.numpy()[:3] == 0) and np.abs(x.grad.numpy()[3:]).sum() > 0
