"""Gradient diagnostics: per-layer gradient norms, their plot, and anomaly detection naming the
op and the user's line."""
import inspect
import sys

import numpy as np
import pytest

import retrograd as rg
import retrograd.nn.functional as F
from retrograd import nn, optim
from retrograd.autograd import detect_anomaly
from retrograd.autograd.anomaly import AnomalyError
from retrograd.explain import GradientNormRecorder, plot_gradient_norms


def setup():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    return model, optim.SGD(model.parameters(), lr=0.1), rg.randn(8, 3), rg.randn(8, 2)


def expected_norms(model):
    return {name: float(np.sqrt(sum(np.sum(p.grad.array.astype(np.float64) ** 2)
                                    for p in m.parameters())))
            for name, m in model.named_children() if any(True for _ in m.parameters())}


def test_records_per_layer_norms_each_step():
    model, opt, x, y = setup()
    rec = GradientNormRecorder(model)
    for _ in range(3):
        opt.zero_grad()
        F.mse_loss(model(x), y).backward()
        want = expected_norms(model)
        got = rec.record()
        assert got == pytest.approx(want, rel=1e-6)
        opt.step()
    assert set(rec.history) == {"0", "2"} and all(len(v) == 3 for v in rec.history.values())


def test_hooks_see_gradients_even_when_grad_is_cleared():
    model, opt, x, y = setup()
    rec = GradientNormRecorder(model, per="parameter")
    opt.zero_grad()
    F.mse_loss(model(x), y).backward()
    want = {n: float(np.linalg.norm(p.grad.array)) for n, p in model.named_parameters()}
    opt.step()
    opt.zero_grad(set_to_none=True)  # a loop that clears grads right after the step
    rec.on_train_batch_end(None, None, {})  # the Trainer callback entry point
    assert {k: v[0] for k, v in rec.history.items()} == pytest.approx(want, rel=1e-6)
    # without hooks, record() falls back to .grad
    plain = GradientNormRecorder(model, use_hooks=False)
    F.mse_loss(model(x), y).backward()
    assert plain.record() == pytest.approx(expected_norms(model), rel=1e-6)
    rec.record()
    rec.remove()  # unhooked: later backward passes are not seen
    F.mse_loss(model(x), y).backward()
    assert not rec._pending


def test_accumulated_backward_calls_are_summed():
    model, opt, x, y = setup()
    rec = GradientNormRecorder(model)
    opt.zero_grad()
    F.mse_loss(model(x), y).backward()
    F.mse_loss(model(x * 2), y).backward()  # gradient accumulation: .grad holds the sum
    assert rec.record() == pytest.approx(expected_norms(model), rel=1e-6)


def test_as_a_trainer_callback():
    from retrograd.train import Trainer

    model, opt, x, y = setup()
    rec = GradientNormRecorder(model)
    trainer = Trainer(model, opt, F.mse_loss, metrics=(), callbacks=[rec], verbose=0,
                      batch_size=4)
    trainer.fit((x.array, y.array), epochs=2)
    assert {k: len(v) for k, v in rec.history.items()} == {"0": 4, "2": 4}  # 2 batches x 2 epochs
    assert all(v > 0 for vs in rec.history.values() for v in vs)


def test_plot_gradient_norms(tmp_path):
    pytest.importorskip("matplotlib")
    history = {"0": [1.0, 0.5, 0.25], "2": [2.0, 1.0, 0.1]}
    path = tmp_path / "norms.png"
    fig = plot_gradient_norms(history, str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["0", "2"]
    assert fig.axes[0].get_yscale() == "log"


def test_plot_without_matplotlib(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="needs matplotlib"):
        plot_gradient_norms({"0": [1.0]}, "x.png")


def test_detect_anomaly_names_log_and_the_user_line():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    x = rg.randn(2, 3)
    with pytest.raises(AnomalyError) as info, np.errstate(divide="ignore"), detect_anomaly():
        h = model(x)
        line = inspect.currentframe().f_lineno + 1
        bad = rg.log(h * 0)  # log(0) planted in the forward pass
        bad.sum().backward()
    msg = str(info.value)
    assert "'Log'" in msg
    assert f"{__file__}:{line}" in msg and "rg.log(h * 0)" in msg


def test_norms_are_kept_when_grads_are_zeroed_in_place_and_do_not_overflow():
    """Exploding gradients are what the recorder is for: 1e20 squared overflows float32."""
    model = nn.Sequential(nn.Linear(2, 1))
    rec = GradientNormRecorder(model, per="parameter")
    (model(rg.ones(1, 2)) * 1e20).sum().backward()
    want = {n: float(np.linalg.norm(p.grad.array.astype(np.float64)))
            for n, p in model.named_parameters()}
    optim.SGD(model.parameters(), lr=0.1).zero_grad(set_to_none=False)  # zeroes .grad in place
    got = rec.record()
    assert got == pytest.approx(want, rel=1e-6) and got["0.bias"] == pytest.approx(1e20, rel=1e-6)
    rec.remove()
    rec.remove()  # twice is harmless


def test_without_hooks_cleared_grads_give_zero_and_nested_layers_keep_their_names():
    model = nn.Sequential(nn.Sequential(nn.Linear(3, 4), nn.ReLU()), nn.Linear(4, 2))
    plain = GradientNormRecorder(model, use_hooks=False)
    hooked = GradientNormRecorder(model)
    F.mse_loss(model(rg.randn(5, 3)), rg.randn(5, 2)).backward()
    want = hooked.record()
    assert set(want) == {"0.0", "1"} and all(v > 0 for v in want.values())
    assert plain.record() == pytest.approx(want, rel=1e-6)
    model.zero_grad(set_to_none=True)
    assert plain.record() == {"0.0": 0.0, "1": 0.0}  # no backward seen, no .grad: zero


def test_plot_shows_each_layers_norms_against_steps_from_one():
    pytest.importorskip("matplotlib")
    fig = plot_gradient_norms({"0": [1.0, 0.5, 0.25], "": [0.0, 0.0, 0.0]}, title="run 3")
    ax = fig.axes[0]
    first, model = ax.get_lines()
    assert list(first.get_xdata()) == [1, 2, 3] and list(first.get_ydata()) == [1.0, 0.5, 0.25]
    assert model.get_label() == "model"  # a model with parameters of its own, unnamed
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("step", "gradient L2 norm", "run 3")
    assert ax.get_legend().get_title().get_text() == "layer"
    assert plot_gradient_norms({"0": [0.0, 0.0]}).axes[0].get_yscale() == "linear"  # all zero
    assert plot_gradient_norms({"0": [1.0]}, logy=False).axes[0].get_yscale() == "linear"
