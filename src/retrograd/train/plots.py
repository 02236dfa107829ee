"""Plots to PNG: training curves, confusion matrix, ROC curves (matplotlib, an optional extra)."""
from __future__ import annotations

import os

import numpy as np


def pyplot():
    """matplotlib.pyplot on the non-interactive Agg backend (for writing files); a clear
    ImportError when matplotlib, an optional extra, is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plotting needs matplotlib, an optional extra: pip install "
                          "'retrograd[plot]' (or pip install matplotlib)") from None
    return plt


def save_figure(fig, path: str, dpi: int = 120) -> str:
    """Write ``fig`` as a PNG at ``path`` (folders made as needed) in one step, never half a
    file, then close it; returns ``path``."""
    import matplotlib.pyplot as plt  # a figure exists, so matplotlib is there

    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp.png"
    fig.savefig(tmp, dpi=dpi, bbox_inches="tight")
    os.replace(tmp, path)
    plt.close(fig)
    return path


def new_figure(**kwargs):
    """A matplotlib Figure drawn off screen, without pyplot (so the caller's backend, a
    notebook's inline one included, is left alone)."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plotting needs matplotlib, an optional extra: pip install "
                          "'retrograd[plot]' (or pip install matplotlib)") from None
    return Figure(**kwargs)


def _titled(text: str, title: str | None) -> str:
    return f"{text}: {title}" if title else text


def plot_history(history, path: str, keys: list[str] | None = None, title: str | None = None) -> str:
    """One panel per figure (loss, accuracy, ...), training and validation curves together,
    epochs on integer ticks; ``title`` names the run (e.g. 'lenet5 on mnist-sample')."""
    from matplotlib.ticker import MaxNLocator

    hist = history.history if hasattr(history, "history") else history
    bases = keys or [k for k in hist if not k.startswith("val_") and k not in ("lr", "samples_per_s")]
    fig = new_figure(figsize=(4.5 * len(bases), 3.8))
    axes = fig.subplots(1, len(bases), squeeze=False)
    for ax, key in zip(axes[0], bases):
        epochs = np.arange(1, len(hist[key]) + 1)
        ax.plot(epochs, hist[key], marker="o", label=f"train {key}")
        if f"val_{key}" in hist:
            ax.plot(epochs, hist[f"val_{key}"], marker="s", label=f"validation {key}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(key.replace("_", " "))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(key)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    return save_figure(fig, path)


def plot_confusion_matrix(matrix, path: str, class_names: list[str] | None = None,
                          title: str | None = None) -> str:
    """Counts (or fractions) per (true, predicted) class, with a labelled colour bar."""
    matrix = np.asarray(matrix)
    n = matrix.shape[0]
    fig = new_figure(figsize=(0.5 * n + 3.5, 0.5 * n + 2.5))
    ax = fig.subplots()
    im = ax.imshow(matrix, cmap="Blues")
    bar = fig.colorbar(im, ax=ax)
    bar.set_label("fraction of the true class" if matrix.dtype.kind == "f" else "number of images")
    names = class_names or [str(i) for i in range(n)]
    ax.set_xticks(range(n), names)
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    limit = matrix.max() / 2 if matrix.size else 0
    for i in range(n):
        for j in range(n):
            value = matrix[i, j]
            text = f"{value:.2f}" if matrix.dtype.kind == "f" else str(value)
            ax.text(j, i, text, ha="center", va="center", fontsize=7,
                    color="white" if value > limit else "black")
    ax.set_title(_titled("confusion matrix", title))
    return save_figure(fig, path)


NEAR_PERFECT_AUC = 0.98  # above it for every class, the ROC plot zooms into small FP rates


def plot_roc(y_true, scores, path: str, class_names: list[str] | None = None,
             title: str | None = None) -> str:
    """ROC curve per class (one-vs-rest) with its AUC, from class probabilities (N, C). When
    every AUC is near 1 the false-positive axis is logarithmic, where the curves differ."""
    from ..metrics import roc_auc_score, roc_curve

    y_true, scores = np.asarray(y_true), np.asarray(scores)
    fig = new_figure(figsize=(5.5, 4.8))
    ax = fig.subplots()
    columns = range(scores.shape[1]) if scores.ndim == 2 else [None]
    aucs, smallest_fpr = [], 1.0
    for c in columns:
        target = (y_true == c).astype(int) if c is not None else y_true
        score = scores[:, c] if c is not None else scores
        if target.min() == target.max():
            continue
        fpr, tpr, _ = roc_curve(target, score)
        auc = roc_auc_score(target, score)
        aucs.append(auc)
        smallest_fpr = min(smallest_fpr, 1.0 / max(int((target == 0).sum()), 1))
        label = (class_names[c] if class_names else str(c)) if c is not None else "positive"
        ax.plot(fpr, tpr, label=f"{label} (AUC {auc:.3f})")
    zoom = bool(aucs) and min(aucs) >= NEAR_PERFECT_AUC
    if zoom:
        ax.set_xscale("log")
        ax.set_xlim(smallest_fpr / 2, 1.0)
        ax.set_xlabel("false positive rate (log scale)")
    else:
        ax.plot([0, 1], [0, 1], "k--", lw=0.8)
        ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title(_titled("ROC curves (one vs rest)", title))
    ax.legend(fontsize=7)
    return save_figure(fig, path)
