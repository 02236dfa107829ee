"""Plots: run titles, axis labels, integer epoch ticks, a labelled colour bar, and a log-scale
ROC plot when every AUC is near 1. Figures are caught before they are written."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from retrograd.train import plots  # noqa: E402


@pytest.fixture
def caught(monkeypatch, tmp_path):
    figures = []

    def keep(fig, path, dpi=120):
        figures.append(fig)
        fig.savefig(tmp_path / "check.png")  # still renders
        return path

    monkeypatch.setattr(plots, "save_figure", keep)
    return figures


def test_curves_have_run_title_labels_and_integer_epochs(caught):
    history = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.6, 0.4], "accuracy": [0.5, 0.7, 0.8],
               "lr": [0.1, 0.1, 0.1]}
    plots.plot_history(history, "curves.png", title="lenet5 on mnist-sample")
    fig = caught[0]
    assert fig._suptitle.get_text() == "lenet5 on mnist-sample"
    loss_ax, acc_ax = fig.axes
    assert (loss_ax.get_xlabel(), loss_ax.get_ylabel(), acc_ax.get_ylabel()) == ("epoch", "loss", "accuracy")
    ticks = [t for t in loss_ax.get_xticks() if 1 <= t <= 3]
    assert ticks and all(float(t).is_integer() for t in ticks)


def test_confusion_matrix_colour_bar_is_labelled(caught):
    plots.plot_confusion_matrix(np.array([[5, 1], [2, 7]]), "cm.png", ["cat", "dog"], title="run")
    image_ax, bar_ax = caught[0].axes
    assert bar_ax.get_ylabel() == "number of images"
    assert image_ax.get_title() == "confusion matrix: run"
    assert image_ax.get_xlabel() == "predicted class"


def test_roc_zooms_with_log_scale_only_when_every_auc_is_near_one(caught):
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 200)
    perfect = np.eye(3)[y] * 0.9 + rng.uniform(0, 0.05, size=(600, 3))
    plots.plot_roc(y, perfect, "roc.png", title="run")
    assert caught[-1].axes[0].get_xscale() == "log"
    noisy = rng.uniform(size=(600, 3))
    plots.plot_roc(y, noisy, "roc.png")
    assert caught[-1].axes[0].get_xscale() == "linear"
