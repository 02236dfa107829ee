"""Recurrent models in the command: row-by-row classifiers, their training defaults, gradient
clipping in the Trainer."""
from __future__ import annotations

import numpy as np

import retrograd as rg
from retrograd import nn, optim
from retrograd.cli import build_parser
from retrograd.cli_train import _fill_model_defaults
from retrograd.models.registry import build_model
from retrograd.train import Trainer


def test_row_models_read_images_row_by_row():
    for kind in ("lstm", "gru", "rnn"):
        model = build_model(kind, 10, 1, 28)
        assert model(rg.randn(3, 1, 28, 28)).shape == (3, 10)
    model = build_model("lstm", 10, 1, 4)
    x = rg.randn(2, 1, 4, 4)
    out, _ = model.rnn(x.reshape(2, 4, 4))  # row r of the image is step r
    np.testing.assert_allclose(model(x).detach().numpy(),
                               model.fc(out[:, -1]).detach().numpy(), atol=1e-6)


def test_recurrent_models_get_their_own_defaults_unless_told_otherwise():
    args = build_parser().parse_args(["train", "--model", "lstm"])
    _fill_model_defaults(args)
    assert (args.optimizer, args.lr, args.clip_grad_norm, args.weight_decay) == ("adam", 3e-3, 1.0, 0.0)
    args = build_parser().parse_args(["train", "--model", "gru", "--optimizer", "sgd", "--epochs", "2"])
    _fill_model_defaults(args)
    assert (args.optimizer, args.epochs, args.clip_grad_norm) == ("sgd", 2, 1.0)
    args = build_parser().parse_args(["train"])
    _fill_model_defaults(args)
    assert (args.model, args.optimizer, args.epochs, args.weight_decay, args.clip_grad_norm) == (
        "lenet5", "sgd", 8, 5e-4, None)


def test_trainer_clips_the_gradient_norm():
    rg.manual_seed(0)
    x, y = np.random.default_rng(0).standard_normal((16, 3)).astype(np.float32) * 100, np.zeros((16, 1), np.float32)
    steps = []
    for clip in (None, 0.5):
        model = nn.Linear(3, 1)
        before = [p.detach().numpy().copy() for p in model.parameters()]
        Trainer(model, optim.SGD(model.parameters(), lr=1.0), nn.MSELoss(), metrics=[], verbose=0,
                clip_grad_norm=clip, batch_size=16).fit((x, y), epochs=1)
        after = [p.detach().numpy() for p in model.parameters()]
        steps.append(np.sqrt(sum(((a - b) ** 2).sum() for a, b in zip(after, before))))
    assert steps[0] > 10 and abs(steps[1] - 0.5) < 1e-4  # one step of lr 1: the clipped norm
