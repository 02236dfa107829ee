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


def test_curves_plot_the_history_against_epoch_numbers(caught):
    history = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.6, 0.4], "val_accuracy": [0.4, 0.6, 0.7],
               "accuracy": [0.5, 0.7, 0.8], "lr": [0.1] * 3, "samples_per_s": [900.0] * 3}
    assert plots.plot_history(history, "curves.png") == "curves.png"
    loss_ax, acc_ax = caught[0].axes  # no panel for lr or samples_per_s
    train, val = loss_ax.get_lines()
    np.testing.assert_array_equal(train.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(train.get_ydata(), [1.0, 0.5, 0.3])
    np.testing.assert_array_equal(val.get_ydata(), [1.1, 0.6, 0.4])
    assert (train.get_label(), val.get_label()) == ("train loss", "validation loss")
    assert (train.get_marker(), val.get_marker()) == ("o", "s")
    assert [t.get_text() for t in loss_ax.get_legend().get_texts()] == ["train loss", "validation loss"]
    assert acc_ax.get_title() == "accuracy" and caught[0]._suptitle is None
    plots.plot_history(type("H", (), {"history": {"val_loss": [1.0], "top_5_error": [0.5]}})(),
                       "curves.png")
    (ax,) = caught[1].axes
    assert ax.get_ylabel() == "top 5 error" and len(ax.get_lines()) == 1


def test_confusion_matrix_cells_show_the_values(caught):
    matrix = np.array([[5, 1, 0], [2, 7, 1], [0, 0, 9]])
    assert plots.plot_confusion_matrix(matrix, "cm.png") == "cm.png"
    image_ax, bar_ax = caught[0].axes
    np.testing.assert_array_equal(image_ax.get_images()[0].get_array(), matrix)
    cells = {(t.get_position(), t.get_text(), t.get_color()) for t in image_ax.texts}
    assert ((1, 0), "1", "black") in cells and ((2, 2), "9", "white") in cells
    assert ((1, 1), "7", "white") in cells and ((0, 1), "2", "black") in cells  # above 9 / 2
    assert [t.get_text() for t in image_ax.get_xticklabels()] == ["0", "1", "2"]
    assert image_ax.get_ylabel() == "true class" and image_ax.get_title() == "confusion matrix"
    fractions = matrix / matrix.sum(axis=1, keepdims=True)
    plots.plot_confusion_matrix(fractions, "cm.png", class_names=["a", "b", "c"])
    image_ax, bar_ax = caught[1].axes
    assert bar_ax.get_ylabel() == "fraction of the true class"
    assert "0.83" in {t.get_text() for t in image_ax.texts}
    assert [t.get_text() for t in image_ax.get_yticklabels()] == ["a", "b", "c"]


def test_roc_curves_are_the_metrics_curves(caught):
    from retrograd.metrics import roc_auc_score, roc_curve

    rng = np.random.default_rng(1)
    y = np.repeat([0, 1, 2], 30)
    scores = rng.dirichlet(np.ones(3), size=90) + np.eye(3)[y] * 0.3
    assert plots.plot_roc(y, scores, "roc.png", class_names=["cat", "dog", "cow"]) == "roc.png"
    ax = caught[0].axes[0]
    curves = ax.get_lines()[:3]
    for c, line in enumerate(curves):
        fpr, tpr, _ = roc_curve((y == c).astype(int), scores[:, c])
        np.testing.assert_allclose(line.get_xdata(), fpr)
        np.testing.assert_allclose(line.get_ydata(), tpr)
        auc = roc_auc_score((y == c).astype(int), scores[:, c])
        assert line.get_label() == f"{['cat', 'dog', 'cow'][c]} (AUC {auc:.3f})"
    diagonal = ax.get_lines()[3]  # the chance diagonal
    assert diagonal.get_linestyle() == "--"
    assert list(diagonal.get_xdata()) == [0, 1] and list(diagonal.get_ydata()) == [0, 1]
    assert ax.get_xlabel() == "false positive rate" and ax.get_ylabel() == "true positive rate"
    plots.plot_roc(np.array([1, 1, 0, 1]), np.array([0.7, 0.9, 0.4, 0.6]), "roc.png")
    ax = caught[1].axes[0]
    assert ax.get_lines()[0].get_label() == "positive (AUC 1.000)"
    assert ax.get_xscale() == "log"
    assert ax.get_xlim() == pytest.approx((0.5, 1.0))  # half of 1 / (1 negative), to 1
    y = np.repeat([1, 2], 10)  # class 0 never occurs: no curve for it, the others still drawn
    plots.plot_roc(y, np.c_[np.full(20, 0.2), rng.dirichlet(np.ones(2), size=20) * 0.8], "roc.png")
    labels = [line.get_label() for line in caught[2].axes[0].get_lines()[:2]]
    assert [label.split(" (")[0] for label in labels] == ["1", "2"]


def test_save_figure_writes_a_png_atomically(tmp_path):
    from retrograd.train.plots import new_figure, save_figure

    fig = new_figure(figsize=(2, 2))
    fig.subplots().plot([0, 1], [0, 1])
    path = tmp_path / "deep" / "er" / "fig.png"
    assert save_figure(fig, str(path)) == str(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in path.parent.iterdir()] == ["fig.png"]  # no temporary file left
    width = int.from_bytes(path.read_bytes()[16:20], "big")
    fig = new_figure(figsize=(2, 2))
    fig.subplots().plot([0, 1], [0, 1])
    fig.savefig(tmp_path / "direct.png", dpi=120, bbox_inches="tight")  # 120 dpi, cropped
    assert int.from_bytes((tmp_path / "direct.png").read_bytes()[16:20], "big") == width
    save_figure(fig, str(path))  # an existing folder is fine
    import matplotlib

    assert plots.pyplot() is matplotlib.pyplot
