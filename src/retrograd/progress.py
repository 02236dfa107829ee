"""Progress where people run things: a tqdm bar in a terminal or a Jupyter notebook (tqdm's
notebook-aware ``tqdm.auto``), nothing in a log file (the caller prints a line per epoch)."""
from __future__ import annotations

import sys
from typing import Any, Iterable


def in_notebook() -> bool:
    """True inside a Jupyter kernel (IPython's kernel app is running)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def interactive(stream=None) -> bool:
    """Whether a live bar can be shown: a terminal on ``stream`` (stderr), or a notebook."""
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return in_notebook() or bool(isatty and isatty())


def progress_bar(iterable: Iterable | None = None, **kwargs: Any):
    """``tqdm.auto.tqdm(iterable, **kwargs)``: a widget in notebooks, text in terminals."""
    from tqdm.auto import tqdm

    return tqdm(iterable, **kwargs)


def format_seconds(seconds: float) -> str:
    """3725 -> '1:02:05', 65 -> '1:05'."""
    seconds = int(round(max(seconds, 0)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
