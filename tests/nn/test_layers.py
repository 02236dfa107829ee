"""Layers: gradients (float64 central differences), references, errors, dropout, MLP training, and
parity with torch.nn when PyTorch is installed."""
import numpy as np
import pytest

import retrograd as rg
import retrograd.nn as nn
import retrograd.nn.functional as F
from retrograd.autograd import gradcheck, gradgradcheck
from retrograd.autograd.function import ShapeError
from retrograd.models import MLP

RTOL, ATOL = 1e-6, 1e-7


def _t(*shape, seed=0):
    return rg.tensor(np.random.default_rng(seed).standard_normal(shape), dtype=rg.float64,
                     requires_grad=True)


# ----- Linear ------------------------------------------------------------------------------------
def test_linear_forward_matches_numpy_and_shapes():
    lin = nn.Linear(4, 3)
    assert lin.weight.shape == (3, 4) and lin.bias.shape == (3,) and lin.weight.dtype == rg.float32
    x = rg.randn(2, 5, 4)
    y = lin(x)
    assert y.shape == (2, 5, 3) and y.dtype == rg.float32
    np.testing.assert_allclose(y.array, x.array @ lin.weight.array.T + lin.bias.array, rtol=1e-6)
    assert nn.Linear(4, 3, bias=False).bias is None


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,)], ids=["2d", "3d", "1d"])
def test_linear_gradients(bias, shape):
    """First order (computed on arrays) for inputs of 1, 2 and 3 dims; second order (on
    Tensors, recorded)."""
    lin = nn.Linear(4, 3, bias=bias, dtype=rg.float64)
    params = [lin.weight] + ([lin.bias] if bias else [])
    assert gradcheck(lambda x, *ps: lin(x), [_t(*shape), *params], rtol=RTOL, atol=ATOL)
    assert gradgradcheck(lambda x, *ps: lin(x), [_t(2, 4, seed=1), *params], rtol=1e-5, atol=1e-6)


def test_stacked_linear_layers_pass_column_major_activations_correctly():
    """A Linear's 2-D output is column-major (computed as W x^T); the next layer, the ReLU
    between and both backward passes must give the same numbers as on row-major arrays, and
    parameter gradients stay row-major like their parameters (in-place optimizer updates)."""
    first, second = nn.Linear(4, 6, dtype=rg.float64), nn.Linear(6, 3, dtype=rg.float64)
    net = lambda x, *ps: second(F.relu(first(x)))  # noqa: E731
    params = [first.weight, first.bias, second.weight, second.bias]
    x = _t(5, 4)
    assert gradcheck(net, [x, *params], rtol=RTOL, atol=ATOL)
    hidden = first(x)
    assert hidden.array.flags.f_contiguous
    ref = np.maximum(x.array @ first.weight.array.T + first.bias.array, 0)
    np.testing.assert_allclose(second(F.relu(hidden)).array,
                               ref @ second.weight.array.T + second.bias.array, rtol=1e-12)
    x.grad = None
    second(F.relu(first(x))).sum().backward()
    for p in params:
        assert p.grad.array.flags.c_contiguous and p.grad.shape == p.shape
    g_hidden = (ref > 0) * second.weight.array.sum(0)
    np.testing.assert_allclose(x.grad.array, g_hidden @ first.weight.array, rtol=1e-12)


def test_linear_rejects_wrong_input_naming_layer_and_shapes():
    with pytest.raises(ShapeError, match=r"Linear\(in_features=4, out_features=3.*\(\*, 4\).*\(2, 5\)"):
        nn.Linear(4, 3)(rg.randn(2, 5))


# ----- Embedding ---------------------------------------------------------------------------------
def test_embedding_lookup_and_gradient():
    emb = nn.Embedding(6, 3, dtype=rg.float64)
    idx = rg.tensor([[0, 2, 2], [5, 1, 0]])
    out = emb(idx)
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(out.array, emb.weight.array[idx.array])
    assert gradcheck(lambda w: F.embedding(idx, w), [emb.weight], rtol=RTOL, atol=ATOL)
    out.sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.array[:, 0], [2, 1, 2, 0, 0, 1])  # counts


def test_embedding_padding_idx_gets_no_gradient():
    emb = nn.Embedding(5, 2, padding_idx=1)
    assert np.all(emb.weight.array[1] == 0)
    emb.weight.array[1] = 3.0  # even a non-zero padding row is returned but never updated
    out = emb(rg.tensor([1, 2, 1]))
    np.testing.assert_array_equal(out.array[0], [3.0, 3.0])
    out.sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.array[1], [0, 0])
    np.testing.assert_array_equal(emb.weight.grad.array[2], [1, 1])


def test_embedding_errors_name_the_layer():
    emb = nn.Embedding(4, 2)
    with pytest.raises(IndexError, match=r"Embedding\(4, 2\).*\[0, 7\]"):
        emb(rg.tensor([0, 7]))
    with pytest.raises(TypeError, match="integer indices"):
        emb(rg.tensor([0.0, 1.0]))


def test_embedding_from_pretrained_is_frozen():
    w = rg.randn(3, 2)
    emb = nn.Embedding.from_pretrained(w)
    assert not emb.weight.requires_grad and emb.num_embeddings == 3
    np.testing.assert_array_equal(emb(rg.tensor([2])).array[0], w.array[2])


# ----- Dropout -----------------------------------------------------------------------------------
def test_dropout_train_statistics_and_eval_identity():
    drop = nn.Dropout(0.3)
    x = rg.ones(200, 500)
    y = drop(x)
    zeros = (y.array == 0).mean()
    assert abs(zeros - 0.3) < 0.01
    np.testing.assert_allclose(y.array[y.array != 0], 1 / 0.7, rtol=1e-6)
    assert abs(y.array.mean() - 1.0) < 0.01  # inverted dropout keeps the expectation
    drop.eval()
    assert drop(x) is x
    assert nn.Dropout(0.0)(x) is x


def test_dropout_keeps_dtype_and_is_reproducible():
    for dtype in (rg.float32, rg.float64, rg.float16):
        x = rg.ones(10, 10, dtype=dtype)
        assert F.dropout(x, 0.5).dtype == dtype
    rg.manual_seed(3)
    a = F.dropout(rg.ones(50), 0.5).array
    rg.manual_seed(3)
    np.testing.assert_array_equal(a, F.dropout(rg.ones(50), 0.5).array)
    assert np.all(F.dropout(rg.ones(5), 1.0).array == 0)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


def test_dropout_gradient_with_a_fixed_mask():
    def fn(x):
        rg.manual_seed(7)  # the same mask at every evaluation
        return F.dropout(x, 0.4, training=True)

    x = _t(4, 5)
    assert gradcheck(fn, [x], rtol=RTOL, atol=ATOL)
    assert gradgradcheck(fn, [x], rtol=1e-5, atol=1e-6)
    y = fn(x)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array, (y.array != 0) / 0.6)


def test_dropout2d_zeroes_whole_channels():
    y = nn.Dropout2d(0.5)(rg.ones(8, 16, 3, 3)).array
    per_channel = y.reshape(8, 16, -1)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))
    assert 0.2 < (per_channel[..., 0] == 0).mean() < 0.8


# ----- activations, flatten ----------------------------------------------------------------------
ACTIVATIONS = [
    (nn.ReLU(), "ReLU", {}), (nn.LeakyReLU(0.2), "LeakyReLU", {"negative_slope": 0.2}),
    (nn.ELU(1.5), "ELU", {"alpha": 1.5}), (nn.GELU(), "GELU", {}),
    (nn.GELU("tanh"), "GELU", {"approximate": "tanh"}), (nn.SiLU(), "SiLU", {}),
    (nn.Sigmoid(), "Sigmoid", {}), (nn.Tanh(), "Tanh", {}), (nn.Softplus(2.0, 5.0), "Softplus",
                                                                  {"beta": 2.0, "threshold": 5.0}),
    (nn.Softmax(dim=1), "Softmax", {"dim": 1}), (nn.LogSoftmax(dim=0), "LogSoftmax", {"dim": 0}),
]


@pytest.mark.parametrize("ours,name,kwargs", ACTIVATIONS, ids=[a[1] for a in ACTIVATIONS])
def test_activation_modules_match_torch(ours, name, kwargs):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((4, 6)) * 3
    theirs = getattr(torch.nn, name)(**kwargs)
    xt = torch.tensor(x, requires_grad=True)
    theirs(xt).pow(2).sum().backward()
    xr = rg.tensor(x, requires_grad=True)
    y = ours(xr)
    (y * y).sum().backward()
    np.testing.assert_allclose(y.array, theirs(xt).detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(xr.grad.array, xt.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_silu_gradients():
    assert gradcheck(F.silu, [_t(3, 4)], rtol=RTOL, atol=ATOL)


def test_softmax_without_dim_warns_and_uses_legacy_choice():
    with pytest.warns(UserWarning, match="Implicit dimension"):
        y = nn.Softmax()(rg.randn(2, 3))
    np.testing.assert_allclose(y.array.sum(1), 1, rtol=1e-6)


def test_flatten_and_unflatten():
    x = rg.randn(2, 3, 4, 5)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 1)(x).shape == (6, 4, 5)
    assert nn.Unflatten(1, (3, 20))(nn.Flatten()(x)).shape == (2, 3, 20)
    with pytest.raises(ShapeError, match=r"Unflatten\(dim=1, unflattened_size=\(7, 2\)\)"):
        nn.Unflatten(1, (7, 2))(rg.randn(2, 6))
    with pytest.raises(ShapeError, match="Flatten"):
        nn.Flatten()(rg.randn(3))


def test_identity_passes_through():
    x = rg.randn(3)
    assert nn.Identity(54, unused="x")(x) is x


def test_functional_one_hot_and_namespace():
    np.testing.assert_array_equal(F.one_hot(rg.tensor([0, 2]), 3).array, [[1, 0, 0], [0, 0, 1]])
    for name in ("linear", "relu", "softmax", "dropout", "batch_norm", "layer_norm", "embedding", "pad"):
        assert callable(getattr(F, name))


# ----- MLP ---------------------------------------------------------------------------------------
def test_mlp_structure_and_flattening():
    m = MLP([12, 8, 8, 3], activation="tanh", dropout=0.1, batch_norm=True)
    kinds = [type(layer).__name__ for layer in m]
    assert kinds == ["Flatten", "Linear", "BatchNorm1d", "Tanh", "Dropout", "Linear", "BatchNorm1d",
                     "Tanh", "Dropout", "Linear"]
    assert m(rg.randn(5, 3, 4)).shape == (5, 3)
    with pytest.raises(ValueError, match="sizes"):
        MLP([4])
    with pytest.raises(ValueError, match="unknown activation"):
        MLP([4, 2], activation="swishy")


def test_mlp_overfits_a_fixed_batch_with_plain_gradient_descent():
    rng = np.random.default_rng(0)
    x = rg.tensor(rng.standard_normal((16, 10)).astype(np.float32))
    y = rg.tensor(rng.standard_normal((16, 2)).astype(np.float32))
    model = MLP([10, 64, 2])
    lr, loss = 0.1, None
    for _ in range(500):
        model.zero_grad()
        diff = model(x) - y
        loss = (diff * diff).mean()
        loss.backward()
        for p in model.parameters():
            p.array -= lr * p.grad.array
    assert loss.item() < 1e-4


def test_state_dict_loads_into_torch_sequential_with_same_outputs():
    torch = pytest.importorskip("torch")
    ours = MLP([6, 5, 4, 3], batch_norm=True)
    ours(rg.randn(10, 6))  # make the running statistics non-trivial
    ours.eval()
    tn = torch.nn
    theirs = tn.Sequential(tn.Flatten(), tn.Linear(6, 5), tn.BatchNorm1d(5), tn.ReLU(), tn.Linear(5, 4),
                           tn.BatchNorm1d(4), tn.ReLU(), tn.Linear(4, 3)).eval()
    theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((7, 6)).astype(np.float32)
    np.testing.assert_allclose(ours(rg.tensor(x)).array, theirs(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    back = MLP([6, 5, 4, 3], batch_norm=True)
    back.load_state_dict(theirs.state_dict())  # and torch's tensors load back
    back.eval()
    np.testing.assert_allclose(back(rg.tensor(x)).array, ours(rg.tensor(x)).array, rtol=1e-6)


def test_reexports_from_other_modules_when_present():
    import importlib.util

    if importlib.util.find_spec("retrograd.ops.loss") is not None:
        assert callable(F.cross_entropy) and callable(F.mse_loss)
    if importlib.util.find_spec("retrograd.nn.losses") is not None:
        assert issubclass(nn.CrossEntropyLoss, nn.Module)
    if importlib.util.find_spec("retrograd.nn.layers.conv") is not None:
        assert issubclass(nn.Conv2d, nn.Module) and callable(F.conv2d)
    if importlib.util.find_spec("retrograd.nn.utils") is not None:
        assert callable(nn.utils.clip_grad_norm_)
