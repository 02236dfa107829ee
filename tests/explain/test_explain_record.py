"""record_step: the recorded numbers are autograd's (checked against .grad on a copy of the
model) and right (checked against an independent NumPy backprop)."""
import copy
import itertools
import json
import re

import numpy as np
import pytest
from explain_reference import backprop

import retrograd as rg
import retrograd.nn.functional as F
from retrograd import nn, optim
from retrograd.explain import StepRecord, record_step
from retrograd.explain.render import fmt

ACTS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}


def mlp(act: str = "sigmoid", sizes=(3, 4, 3, 2)):
    mods = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        mods += [nn.Linear(n_in, n_out), ACTS[act]()]
    return nn.Sequential(*mods).double()


def layers_of(model):
    return [(m.weight.array.copy(), m.bias.array.copy()) for m in model if isinstance(m, nn.Linear)]


def data(n=5, n_in=3, n_out=2):
    rng = np.random.default_rng(1)
    return rng.normal(size=(n, n_in)), rng.normal(size=(n, n_out))


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
def test_matches_numpy_backprop(act):
    model = mlp(act)
    x, y = data()
    ref, L, L_after = backprop(layers_of(model), x, y, [act] * 3, loss="mse_mean", lr=0.1)
    rec = record_step(model, x, y, F.mse_loss, optim.SGD(model.parameters(), lr=0.1))
    assert isinstance(rec, StepRecord) and len(rec.layers) == 3
    assert rec.loss_before == pytest.approx(L, rel=1e-12)
    assert rec.loss_after == pytest.approx(L_after, rel=1e-12)
    for lay, r in zip(rec.layers, ref):
        assert lay.activation == [ACTS[act].__name__]
        for key, got in [("a_prev", lay.a_prev), ("z", lay.z), ("a", lay.a), ("delta", lay.delta),
                         ("dW", lay.dW), ("db", lay.db), ("W_after", lay.W_after),
                         ("b_after", lay.b_after)]:
            np.testing.assert_allclose(got, r[key], rtol=1e-10, atol=1e-12, err_msg=key)


def test_matches_grad_after_backward_on_a_copy():
    model = mlp("tanh")
    twin = copy.deepcopy(model)
    x, y = data()
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    rec = record_step(model, x, y, F.mse_loss, opt)
    # the copy: a plain training step, pre-activations kept with retain_grad
    zs, h = [], rg.tensor(x)
    for m in twin:
        h = m(h)
        if isinstance(m, nn.Linear):
            h.retain_grad()
            zs.append(h)
    loss = F.mse_loss(h, rg.tensor(y))
    loss.backward()
    assert rec.loss_before == loss.item()
    linears = [m for m in twin if isinstance(m, nn.Linear)]
    for lay, lin, z in zip(rec.layers, linears, zs):
        np.testing.assert_array_equal(lay.z, z.array)
        np.testing.assert_array_equal(lay.delta, z.grad.array)
        np.testing.assert_array_equal(lay.dW, lin.weight.grad.array)
        np.testing.assert_array_equal(lay.db, lin.bias.grad.array)
    optim.SGD(twin.parameters(), lr=0.05, momentum=0.9).step()
    for lay, lin in zip(rec.layers, linears):
        np.testing.assert_array_equal(lay.W_after, lin.weight.array)
        np.testing.assert_array_equal(lay.b_after, lin.bias.array)
    # the model itself was updated, exactly like a training step
    for p, q in zip(model.parameters(), twin.parameters()):
        np.testing.assert_array_equal(p.array, q.array)


def test_params_before_are_snapshots():
    model = mlp()
    w0 = model[0].weight.array.copy()
    rec = record_step(model, *data(), F.mse_loss, optim.SGD(model.parameters(), lr=1.0))
    np.testing.assert_array_equal(rec.layers[0].W, w0)
    assert not np.array_equal(rec.layers[0].W_after, w0)


class FunctionalNet(nn.Module):
    """Not a Sequential: activations applied as functions inside forward."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(3, 4), nn.Linear(4, 2)

    def forward(self, x):
        return self.fc2(self.fc1(x).relu())


def test_custom_module_with_functional_activation():
    model = FunctionalNet().double()
    x, y = data()
    ref, L, _ = backprop(layers_of_named(model), x, y, ["relu", "none"], loss="mse_mean")
    rec = record_step(model, x, y, F.mse_loss, optim.SGD(model.parameters(), lr=0.1))
    assert [lay.name for lay in rec.layers] == ["fc1", "fc2"]
    np.testing.assert_allclose(rec.layers[0].a, ref[0]["a"])  # A_1 = relu(Z_1), the next input
    np.testing.assert_allclose(rec.layers[0].delta, ref[0]["delta"], rtol=1e-10)
    assert rec.loss_before == pytest.approx(L)


def layers_of_named(model):
    return [(model.fc1.weight.array.copy(), model.fc1.bias.array.copy()),
            (model.fc2.weight.array.copy(), model.fc2.bias.array.copy())]


def test_leading_flatten_is_part_of_the_input():
    model = nn.Sequential(nn.Flatten(), nn.Linear(6, 2), nn.Sigmoid()).double()
    x = np.random.default_rng(0).normal(size=(4, 2, 3))
    rec = record_step(model, x, np.zeros((4, 2)), F.mse_loss, optim.SGD(model.parameters(), lr=0.1))
    assert len(rec.layers) == 1 and rec.layers[0].a_prev.shape == (4, 6)


@pytest.mark.skipif(not hasattr(nn, "Conv2d") or not hasattr(nn, "MaxPool2d"),
                    reason="nn.Conv2d / nn.MaxPool2d not available")
def test_conv_pool_flatten_layers():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(8, 3)).double()
    twin = copy.deepcopy(model)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(2, 1, 6, 6)), rng.normal(size=(2, 3))
    rec = record_step(model, x, y, F.mse_loss, optim.SGD(model.parameters(), lr=0.1))
    conv, lin = rec.layers
    assert conv.activation == ["ReLU", "MaxPool2d", "Flatten"] and lin.activation == []
    assert conv.z.shape == (2, 2, 4, 4) and conv.a.shape == (2, 8) and lin.a_prev.shape == (2, 8)
    z = twin[0](rg.tensor(x))
    z.retain_grad()
    loss = F.mse_loss(twin[1:](z), rg.tensor(y))
    loss.backward()
    np.testing.assert_array_equal(conv.delta, z.grad.array)
    np.testing.assert_array_equal(conv.dW, twin[0].weight.grad.array)
    np.testing.assert_array_equal(lin.db, twin[4].bias.grad.array)
    torch = pytest.importorskip("torch")  # optional oracle for the conv gradient
    tm = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                             torch.nn.Flatten(), torch.nn.Linear(8, 3)).double()
    with torch.no_grad():
        for (_, p), q in zip(tm.named_parameters(), [conv.W, conv.b, lin.W, lin.b]):
            p.copy_(torch.from_numpy(q))
    torch.nn.functional.mse_loss(tm(torch.from_numpy(x)), torch.from_numpy(y)).backward()
    np.testing.assert_allclose(conv.dW, tm[0].weight.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_errors():
    with pytest.raises(ValueError, match="no parameters"):
        record_step(nn.Sequential(nn.ReLU()), [[1.0]], [[1.0]], F.mse_loss, None)
    lin = nn.Linear(2, 2).double()
    twice = nn.Sequential(lin, nn.Tanh(), lin)
    with pytest.raises(ValueError, match="ran twice"):
        record_step(twice, [[1.0, 2.0]], [[0.0, 1.0]], F.mse_loss,
                    optim.SGD(twice.parameters(), lr=0.1))
    assert not lin._forward_hooks  # hooks removed even on error


# ----- rendering ----------------------------------------------------------------------------
@pytest.fixture
def rec():
    model = mlp(sizes=(2, 3, 2))
    return record_step(model, [[1.0, 2.0]], [[0.0, 1.0]], F.mse_loss,
                       optim.SGD(model.parameters(), lr=0.1))


def _numbers(text):
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]\d+)?", text)]


def test_markdown_tables_show_the_recorded_values(rec):
    md = rec.to_markdown()
    assert md.count("| symbol | meaning | shape | value |") == 2
    row = next(line for line in md.splitlines() if line.startswith("| `delta_1`"))
    shown = _numbers(row.split("|")[4])
    assert shown == [float(fmt(v)) for v in rec.layers[0].delta.ravel()]
    assert f"**{fmt(rec.loss_after)}**" in md
    mantissas = [re.sub(r"e[-+]\d+", "", s).replace("-", "").replace(".", "").lstrip("0")
                 for s in re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?", md)]
    assert mantissas and max(map(len, mantissas)) == 6  # 6 significant digits


def test_latex_is_balanced_and_shows_the_values(rec):
    tex = rec.to_latex()
    assert tex.count(r"\begin{tabular}") == tex.count(r"\end{tabular}") == 2
    assert tex.count(r"\begin{bmatrix}") == tex.count(r"\end{bmatrix}") == 20
    assert r"\frac{\partial L}{\partial W_{2}}" in tex and r"\delta_{1}" in tex
    assert fmt(rec.layers[1].dW[0, 0]) in tex


def test_json_round_trip(rec):
    d = json.loads(rec.to_json())
    assert d["loss_before"] == float(fmt(rec.loss_before))
    lay = d["layers"][1]
    assert lay["params"]["weight"]["grad"] == [[float(fmt(v)) for v in r] for r in rec.layers[1].dW]
    full = json.loads(rec.to_json(digits=None))
    np.testing.assert_array_equal(np.array(full["layers"][0]["delta"]), rec.layers[0].delta)
    assert full["layers"][0]["activation"] == ["Sigmoid"]
