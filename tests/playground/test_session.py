"""The playground's session without a server: tasks, settings, every optimizer, warm-up, frames."""
import base64

import numpy as np
import pytest

from retrograd.playground import Config, ConfigError, Session, parse_config
from retrograd.playground.config import OPTIMIZERS
from retrograd.playground.tasks import make_task, surface


@pytest.mark.parametrize("task", ["circle", "xor", "spirals", "gaussian"])
def test_class_tasks_are_balanced_and_in_the_plane(task):
    x, y = make_task(task, 400, 0.2, seed=1)
    assert x.shape == (400, 2) and x.dtype == np.float32 and y.dtype == np.int64
    assert np.abs(x).max() <= 1 and 120 < y.sum() < 280
    again = make_task(task, 400, 0.2, seed=1)
    np.testing.assert_array_equal(x, again[0])


def test_circle_labels_follow_the_radius_without_noise():
    x, y = make_task("circle", 300, 0.0, seed=0)
    np.testing.assert_array_equal(y, (np.hypot(x[:, 0], x[:, 1]) < 0.5).astype(np.int64))


def test_regression_targets_are_the_surface_without_noise():
    x, y = make_task("regression", 100, 0.0, seed=0)
    np.testing.assert_allclose(y, surface(x), rtol=1e-5, atol=1e-6)


def test_settings_keep_the_base_and_check_each_field():
    c = parse_config({"lr": 0.5}, Config(hidden=[3]))
    assert c.lr == 0.5 and c.hidden == [3]
    for bad in ({"points": 5}, {"dropout": True}, {"batch_size": 2.5}, {"hidden": [1] * 7}):
        with pytest.raises(ConfigError, match=next(iter(bad))):
            parse_config(bad)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimizer_lowers_the_loss(optimizer):
    lr = {"sgd": 0.5, "momentum": 0.1, "nesterov": 0.1, "adagrad": 0.1}.get(optimizer, 0.02)
    s = Session(Config(task="gaussian", optimizer=optimizer, lr=lr, hidden=[4], points=200))
    before = s.frame()["train_loss"]
    s.train(60)
    assert s.frame()["train_loss"] < 0.8 * before


@pytest.mark.parametrize("changes", [
    {"activation": "relu", "init": "he"}, {"activation": "leaky_relu", "init": "random"},
    {"activation": "sigmoid", "loss": "mse"}, {"dropout": 0.3, "l2": 0.01},
    {"task": "regression", "loss": "mse", "batch_size": 0}, {"hidden": []}])
def test_networks_train_and_draw(changes):
    s = Session(parse_config({"hidden": [5, 3], "points": 100, **changes}))
    s.train(3)
    f = s.frame()
    sizes = [2, *s.config.hidden, 1 if s.regression else 2]
    assert [len(layer) for layer in f["neurons"]] == sizes[1:]
    assert len(base64.b64decode(f["map"])) == f["map_size"] ** 2
    assert len(base64.b64decode(f["neurons"][0][0])) == f["neuron_map_size"] ** 2
    assert np.isfinite(f["train_loss"]) and (f["test_acc"] is None) == s.regression
    assert [np.array(w).shape for w in f["weights"]] == [(o, i) for i, o in zip(sizes, sizes[1:])]


def test_warm_up_raises_the_learning_rate_linearly():
    s = Session(Config(optimizer="sgd", lr=0.4, warmup=4))
    lrs = []
    for _ in range(5):
        lrs.append(s.optimizer.param_groups[0]["lr"])
        s.train(1)
    np.testing.assert_allclose(lrs, [0.1, 0.2, 0.3, 0.4, 0.4])


def test_batch_sizes_one_and_whole():
    s = Session(Config(batch_size=1))
    s.train(1)
    assert s.record.x.shape == (1, 2)
    s = Session(Config(batch_size=0, points=100, test_fraction=0.3))
    s.train(1)
    assert s.record.x.shape == (70, 2)


@pytest.mark.parametrize("model", ["mlp", "lenet5"])
def test_mnist_trains_and_opens_a_step_per_layer(model):
    s = Session(parse_config({"task": "mnist", "model": model, "hidden": [16], "lr": 0.003}))
    before = s.frame()
    s.train(30)
    after, summary, described = s.frame(), s.inspect(), s.describe()
    assert after["train_loss"] < 0.8 * before["train_loss"] and len(after["predicted"]) == 32
    kinds = ["Conv2d", "Conv2d", "Linear", "Linear", "Linear"] if model == "lenet5" else ["Linear"] * 2
    assert [layer.split("(")[0] for layer in described["layers"]] == kinds
    assert len(summary["layers"]) == len(kinds) == len(after["grad_norms"])
    first = s.record.layers[0]
    assert summary["layers"][0]["delta_norm"] == pytest.approx(float(np.linalg.norm(first.delta)))
    assert summary["layers"][0]["Z_shape"] == list(first.z.shape)


def test_lenet5_is_for_mnist_only():
    with pytest.raises(ConfigError, match="lenet5"):
        parse_config({"model": "lenet5"})
