"""retrograd.summary: per-layer output shapes and parameter counts (hand-counted), totals,
trainable vs frozen, multiply-adds and memory, in torchinfo's layout."""
from __future__ import annotations

import retrograd as rg
from retrograd import nn
from retrograd.models import LeNet5


def test_lenet5_counts_by_hand(capsys):
    stats = rg.summary(LeNet5(), (2, 1, 28, 28))
    table = capsys.readouterr().out
    conv1, conv2 = 6 * 1 * 5 * 5 + 6, 16 * 6 * 5 * 5 + 16
    fc = [400 * 120 + 120, 120 * 84 + 84, 84 * 10 + 10]
    assert stats.total_params == conv1 + conv2 + sum(fc) == 61_706
    assert stats.trainable_params == stats.total_params and stats.non_trainable_params == 0
    rows = {(l.class_name, l.depth_index): l for l in stats.layers}
    assert rows["Conv2d", 1].output_shape == [2, 6, 28, 28] and rows["Conv2d", 1].params == conv1
    assert rows["Flatten", 7].output_shape == [2, 400]
    assert rows["Linear", 8].params == fc[0]
    assert stats.output_shape == [2, 10]
    # multiply-adds: each conv weight at every output position, each Linear weight per sample
    macs = 2 * (6 * 25 * 28 * 28 + 16 * 150 * 10 * 10 + 400 * 120 + 120 * 84 + 84 * 10)
    assert stats.total_mult_adds == macs
    assert stats.total_param_bytes == 4 * 61_706 and stats.input_bytes == 4 * 2 * 28 * 28
    assert "Total params: 61,706" in table and "│    └─Conv2d: 2-1" in table
    assert "[2, 6, 28, 28]" in table


def test_frozen_parameters_and_depth_folding():
    model = nn.Sequential(nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)), nn.Linear(4, 2))
    model[1].weight.requires_grad_(False)
    stats = rg.summary(model, (5, 3), depth=1, verbose=0)
    assert stats.total_params == (12 + 4) + (4 + 4) + (8 + 2)
    assert stats.non_trainable_params == 8
    assert [l.class_name for l in stats.layers] == ["Sequential", "Linear"]
    assert "24" in str(stats).splitlines()[4]  # the folded Sequential shows its 24 parameters


def test_input_data_and_modes_restored():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    model.train()
    stats = rg.summary(model, input_data=rg.randn(7, 2), verbose=0)
    assert stats.output_shape == [7, 2] and model.training
