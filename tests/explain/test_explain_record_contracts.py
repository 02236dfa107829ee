"""record_step's contracts that the numeric tests do not reach (holes a mutation run found):
layer descriptions, the record being a snapshot, dtypes of array inputs, frozen layers, the
optimizer's name and rate, the loss check, and the renderers' defaults."""
import json
import re

import numpy as np
import pytest

import retrograd as rg
import retrograd.nn.functional as F
from retrograd import nn, optim
from retrograd.explain import layer_graph, record_step
from retrograd.explain.record import describe
from retrograd.explain.render import fmt


@pytest.mark.parametrize("module, text", [
    (nn.Linear(3, 2), "Linear(3 -> 2)"),
    (nn.Conv2d(1, 6, 5), "Conv2d(1 -> 6, 5x5)"),
    (nn.Conv2d(2, 4, (3, 5)), "Conv2d(2 -> 4, 3x5)"),
    (nn.Conv1d(2, 4, 3), "Conv1d(2 -> 4, 3)"),
    # weights of shape (out, in / groups, ...) and (in, out, ...): sizes come from the layer
    (nn.Conv2d(4, 8, 3, groups=2), "Conv2d(4 -> 8, 3x3)"),
    (nn.ConvTranspose2d(3, 8, 3), "ConvTranspose2d(3 -> 8, 3x3)"),
    (nn.Embedding(10, 3), "Embedding(10 -> 3)"),
    (nn.BatchNorm1d(4), "BatchNorm1d"),
    (nn.ReLU(), "ReLU"),
])
def test_describe(module, text):
    assert describe(module) == text


def test_layer_graph_sizes_of_a_transposed_convolution():
    model = nn.Sequential(nn.ConvTranspose2d(3, 8, 3), nn.ReLU(), nn.Conv2d(8, 5, 1))
    text = layer_graph(model)
    assert "size 3" in text and "size 8" in text and "size 5" in text


def mlp():
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()


def data():
    rng = np.random.default_rng(2)
    return rng.normal(size=(5, 3)), rng.normal(size=(5, 2))


def test_the_record_is_a_snapshot():
    """Later in-place changes to the inputs and parameters (the next step) leave it as it was."""
    model = mlp()
    x, y = data()
    opt = optim.SGD(model.parameters(), lr=0.5)
    rec = record_step(model, x, y, F.mse_loss, opt)
    kept = [(lay.a_prev.copy(), lay.W_after.copy(), lay.b_after.copy(), lay.W.copy())
            for lay in rec.layers]
    x_kept, y_kept = rec.x.copy(), rec.y.copy()
    record_step(model, x, y, F.mse_loss, opt)  # SGD updates the parameters in place
    x[...] = 7.0
    y[...] = 7.0
    for lay, (a_prev, w_after, b_after, w) in zip(rec.layers, kept):
        np.testing.assert_array_equal(lay.a_prev, a_prev)
        np.testing.assert_array_equal(lay.W_after, w_after)
        np.testing.assert_array_equal(lay.b_after, b_after)
        np.testing.assert_array_equal(lay.W, w)
    np.testing.assert_array_equal(rec.x, x_kept)
    np.testing.assert_array_equal(rec.y, y_kept)


def test_array_inputs_take_the_models_float_dtype_and_integer_targets_stay_integers():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 3))  # float32
    x = np.random.default_rng(0).normal(size=(4, 3))  # float64 array
    y = np.array([0, 2, 1, 2])
    rec = record_step(model, x, y, F.cross_entropy, optim.SGD(model.parameters(), lr=0.1))
    assert rec.x.dtype == np.float32 and rec.layers[0].z.dtype == np.float32
    assert rec.y.dtype.kind == "i"
    targets = np.array([[0.1, 0.7], [0.3, 0.3], [0.9, 0.2], [0.6, 0.05]])  # not float32 numbers
    model = nn.Sequential(nn.Linear(3, 2))
    rec = record_step(model, x, targets, F.mse_loss, optim.SGD(model.parameters(), lr=0.0))
    assert rec.y.dtype == np.float32
    out = rec.output
    expected = np.mean((out - targets.astype(np.float32)) ** 2, dtype=np.float32)
    assert rec.loss_before == float(expected)


def test_a_frozen_layer_gets_zero_deltas_and_gradients():
    model = mlp()
    model[0].requires_grad_(False)  # its output needs no gradient, nor do its parameters
    x, y = data()
    w0 = model[0].weight.array.copy()
    rec = record_step(model, x, y, F.mse_loss, optim.SGD(model.parameters(), lr=0.1))
    first, second = rec.layers
    assert first.delta.shape == first.z.shape and not first.delta.any()
    assert first.dW.shape == w0.shape and not first.dW.any() and not first.db.any()
    np.testing.assert_array_equal(first.W_after, w0)
    assert second.dW.any()


def test_a_model_that_is_one_layer():
    model = nn.Linear(3, 2).double()
    rec = record_step(model, *data(), F.mse_loss, optim.SGD(model.parameters(), lr=0.1))
    assert [(lay.name, lay.module) for lay in rec.layers] == [("", "Linear(3 -> 2)")]


def test_optimizer_name_and_rate_and_one_without_groups():
    model = mlp()
    rec = record_step(model, *data(), F.mse_loss, optim.Adam(model.parameters(), lr=0.02))
    assert (rec.optimizer, rec.lr) == ("Adam", 0.02)

    class Manual:  # anything with zero_grad and step
        def zero_grad(self):
            pass

        def step(self):
            for p in model.parameters():
                p.array -= 0.1 * p.grad.array

    rec = record_step(model, *data(), F.mse_loss, Manual())
    assert (rec.optimizer, rec.lr) == ("Manual", None)
    np.testing.assert_allclose(rec.layers[1].W_after, rec.layers[1].W - 0.1 * rec.layers[1].dW)


def test_a_loss_that_is_not_a_scalar_is_refused():
    model = mlp()
    with pytest.raises(ValueError, match="scalar Tensor"):
        record_step(model, *data(), lambda o, t: F.mse_loss(o, t, reduction="none"),
                    optim.SGD(model.parameters(), lr=0.1))


@pytest.fixture
def rec():
    model = mlp()
    return record_step(model, *data(), F.mse_loss, optim.SGD(model.parameters(), lr=0.1))


def _longest_mantissa(text):
    return max(len(re.sub(r"e[-+]\d+", "", s).replace("-", "").replace(".", "").lstrip("0"))
               for s in re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?", text))


def test_digits_reach_every_renderer(rec):
    assert _longest_mantissa(rec.to_markdown(digits=3)) == 3
    assert _longest_mantissa(rec.to_latex()) == 6
    assert _longest_mantissa(rec.to_latex(digits=3)) == 3
    assert fmt(rec.layers[0].dW[0, 0], 3) in rec.to_latex(digits=3)


def test_json_indent_and_to_dict(rec):
    text = rec.to_json()
    assert text == json.dumps(rec.to_dict(6), indent=2, ensure_ascii=False)
    assert json.loads(rec.to_json(indent=None)) == json.loads(text) and "\n" not in rec.to_json(indent=None)
    full = rec.to_dict()
    assert full["layers"][0]["delta"] == rec.layers[0].delta.tolist()
    assert full["optimizer"] == "SGD" and full["lr"] == 0.1


class Scale2d(nn.Module):
    """A layer with a 2-D weight (out, in) and none of the usual size attributes."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(rg.zeros(3, 2))


def test_describe_reads_a_plain_two_dimensional_weight():
    assert describe(Scale2d()) == "Scale2d(2 -> 3)"
    odd = Scale2d()
    odd.weight = nn.Parameter(rg.zeros(3, 2, 2))  # 3-D with no sizes known: the name only
    assert describe(odd) == "Scale2d"


def test_layers_from_a_state_dict_in_numeric_order():
    from retrograd.explain.worked_example import layers_from_state_dict

    state = {f"net.{i}.weight": rg.zeros(2, 2) + i for i in (0, 2, 10)}
    state["net.10.bias"] = np.full(2, 10.0)  # arrays as well as Tensors
    layers = layers_from_state_dict(state)
    assert [float(w[0, 0]) for w, _ in layers] == [0.0, 2.0, 10.0]  # 10 after 2, not before
    assert layers[0][1] is None and layers[2][1].tolist() == [10.0, 10.0]
