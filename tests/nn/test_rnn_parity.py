"""RNN, LSTM and GRU against torch.nn with copied weights, in float64: outputs, final states and
the gradients of the input, the initial states and every parameter, for every option."""
from __future__ import annotations

import numpy as np
import pytest

import retrograd as rg
from retrograd import nn

torch = pytest.importorskip("torch")
from rnn_torch_pair import B, H, I, KINDS, T, as_pair, check_parity, make_pair  # noqa: E402

OPTIONS = [
    {},
    {"num_layers": 2},
    {"bias": False},
    {"batch_first": True},
    {"bidirectional": True},
    {"num_layers": 2, "bidirectional": True, "batch_first": True},
    {"num_layers": 3, "dropout": 0.5},  # compared in eval mode: dropout off
]


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()) or "default")
def test_module_matches_torch(kind, options):
    ours, theirs = make_pair(kind, **options)
    ours.eval(), theirs.eval()
    rng = np.random.default_rng(1)
    shape = (B, T, I) if options.get("batch_first") else (T, B, I)
    x = as_pair(rng.standard_normal(shape))
    count = options.get("num_layers", 1) * (2 if options.get("bidirectional") else 1)
    states = [as_pair(rng.standard_normal((count, B, H)))]
    if kind == "lstm":
        states.append(as_pair(rng.standard_normal((count, B, H))))
    check_parity(ours, theirs, *x, states)


@pytest.mark.parametrize("kind", list(KINDS))
def test_without_initial_state_and_unbatched(kind):
    ours, theirs = make_pair(kind, num_layers=2, bidirectional=True)
    rng = np.random.default_rng(2)
    check_parity(ours, theirs, *as_pair(rng.standard_normal((T, B, I))))
    unbatched = as_pair(rng.standard_normal((T, I)))
    states = [as_pair(rng.standard_normal((4, H)))]
    if kind == "lstm":
        states.append(as_pair(rng.standard_normal((4, H))))
    ours, theirs = make_pair(kind, num_layers=2, bidirectional=True)
    check_parity(ours, theirs, *unbatched, states)


@pytest.mark.parametrize("options", [{}, {"num_layers": 2, "bidirectional": True},
                                     {"batch_first": True, "bias": False}])
def test_lstm_projection_matches_torch(options):
    ours, theirs = make_pair("lstm", proj_size=2, **options)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    rng = np.random.default_rng(3)
    count = options.get("num_layers", 1) * (2 if options.get("bidirectional") else 1)
    shape = (B, T, I) if options.get("batch_first") else (T, B, I)
    states = [as_pair(rng.standard_normal((count, B, 2))), as_pair(rng.standard_normal((count, B, H)))]
    check_parity(ours, theirs, *as_pair(rng.standard_normal(shape)), states)


def test_parameter_names_shapes_and_init_bounds():
    for kind in KINDS:
        ours, theirs = make_pair(kind, num_layers=2, bidirectional=True)
        fresh = getattr(nn, KINDS[kind][0])(I, H, num_layers=2, bidirectional=True,
                                            **KINDS[kind][1])
        assert list(fresh.state_dict()) == list(theirs.state_dict())
        bound = 1 / np.sqrt(H)
        for name, p in fresh.named_parameters():
            assert tuple(p.shape) == tuple(theirs.state_dict()[name].shape), name
            assert np.abs(p.detach().numpy()).max() <= bound
            assert np.abs(p.detach().numpy()).max() > 0.5 * bound  # spread over the range
            assert p.dtype == rg.float32


def test_state_dict_loads_into_torch():
    ours = nn.GRU(I, H, num_layers=2, dtype=rg.float64)
    theirs = torch.nn.GRU(I, H, num_layers=2).double()
    theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(4).standard_normal((T, B, I))
    with rg.no_grad():
        mine = ours(rg.tensor(x))[0].numpy()
    np.testing.assert_allclose(mine, theirs(torch.tensor(x))[0].detach().numpy(), atol=1e-12)


def test_dropout_between_layers_in_training_only():
    model = nn.LSTM(I, H, num_layers=2, dropout=0.5)
    x = rg.randn(T, B, I)
    rg.manual_seed(0)
    first = model(x)[0].detach().numpy()
    rg.manual_seed(1)
    second = model(x)[0].detach().numpy()
    assert not np.allclose(first, second)
    model.eval()
    assert np.allclose(model(x)[0].detach().numpy(), model(x)[0].detach().numpy())


@pytest.mark.parametrize("make,message", [
    (lambda: nn.RNN(3, 4, nonlinearity="sigmoid"), "nonlinearity"),
    (lambda: nn.RNNBase("GRU", 3, 4, proj_size=2), "proj_size"),
    (lambda: nn.LSTM(3, 4, proj_size=4), "proj_size"),
    (lambda: nn.LSTM(3, 4, dropout=1.5), "dropout"),
    (lambda: nn.LSTM(3, 0), "hidden_size"),
])
def test_bad_arguments_raise_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_shapes_are_named():
    model = nn.LSTM(3, 4)
    with pytest.raises(RuntimeError, match="input_size. Expected 3, got 5"):
        model(rg.randn(2, 2, 5))
    with pytest.raises(ValueError, match="2D or 3D"):
        model(rg.randn(2, 2, 2, 3))
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(1, 2, 4\), got \[1, 3, 4\]"):
        model(rg.randn(2, 2, 3), (rg.zeros(1, 3, 4), rg.zeros(1, 2, 4)))
