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


def plot_history(history, path: str, keys: list[str] | None = None) -> str:
    """One panel per figure (loss, accuracy, ...), training and validation curves together."""
    plt = pyplot()
    hist = history.history if hasattr(history, "history") else history
    bases = keys or [k for k in hist if not k.startswith("val_") and k not in ("lr", "samples_per_s")]
    fig, axes = plt.subplots(1, len(bases), figsize=(4.5 * len(bases), 3.5), squeeze=False)
    for ax, key in zip(axes[0], bases):
        epochs = np.arange(1, len(hist[key]) + 1)
        ax.plot(epochs, hist[key], marker="o", label=f"train {key}")
        if f"val_{key}" in hist:
            ax.plot(epochs, hist[f"val_{key}"], marker="s", label=f"validation {key}")
        ax.set_xlabel("epoch")
        ax.set_title(key)
        ax.grid(alpha=0.3)
        ax.legend()
    return save_figure(fig, path)


def plot_confusion_matrix(matrix, path: str, class_names: list[str] | None = None) -> str:
    plt = pyplot()
    matrix = np.asarray(matrix)
    n = matrix.shape[0]
    fig, ax = plt.subplots(figsize=(0.5 * n + 3, 0.5 * n + 2.5))
    im = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(im, ax=ax)
    names = class_names or [str(i) for i in range(n)]
    ax.set_xticks(range(n), names)
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    limit = matrix.max() / 2 if matrix.size else 0
    for i in range(n):
        for j in range(n):
            value = matrix[i, j]
            text = f"{value:.2f}" if matrix.dtype.kind == "f" else str(value)
            ax.text(j, i, text, ha="center", va="center", fontsize=7,
                    color="white" if value > limit else "black")
    ax.set_title("confusion matrix")
    return save_figure(fig, path)


def plot_roc(y_true, scores, path: str, class_names: list[str] | None = None) -> str:
    """ROC curve per class (one-vs-rest) with its AUC, from class probabilities (N, C)."""
    from ..metrics import roc_auc_score, roc_curve

    plt = pyplot()
    y_true, scores = np.asarray(y_true), np.asarray(scores)
    fig, ax = plt.subplots(figsize=(5, 4.5))
    columns = range(scores.shape[1]) if scores.ndim == 2 else [None]
    for c in columns:
        target = (y_true == c).astype(int) if c is not None else y_true
        score = scores[:, c] if c is not None else scores
        if target.min() == target.max():
            continue
        fpr, tpr, _ = roc_curve(target, score)
        auc = roc_auc_score(target, score)
        label = (class_names[c] if class_names else str(c)) if c is not None else "positive"
        ax.plot(fpr, tpr, label=f"{label} (AUC {auc:.3f})")
    ax.plot([0, 1], [0, 1], "k--", lw=0.8)
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title("ROC curves (one vs rest)")
    ax.legend(fontsize=7)
    return save_figure(fig, path)
