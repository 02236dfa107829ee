"""SummaryWriter: PyTorch's TensorBoard writer, writing event files with the ``tensorboard``
package's ``EventFileWriter`` and its protobufs (``pip install 'retrograd[tensorboard]'``).

>>> with SummaryWriter("runs/demo") as w:  # doctest: +SKIP
...     for step in range(100):
...         w.add_scalar("loss/train", 1 / (step + 1), step)
"""
from __future__ import annotations

import io
import os
import socket
import time
from datetime import datetime

import numpy as np

from . import protos


def _numpy(value) -> np.ndarray:
    """A Tensor, array, list or number as a NumPy array (detached)."""
    array = getattr(value, "array", value)
    return np.asarray(array)


def _scalar(value) -> float:
    array = _numpy(value)
    if array.size != 1:
        raise ValueError(f"add_scalar: expected a single number, got an array of shape {array.shape}")
    return float(array.reshape(()))


class SummaryWriter:
    """Writes scalars, histograms, images, figures, hyperparameters and a model graph to event
    files under ``log_dir`` (default ``runs/<date>_<host><comment>``) for TensorBoard."""

    def __init__(self, log_dir: str | None = None, comment: str = "", purge_step: int | None = None,
                 max_queue: int = 10, flush_secs: int = 120, filename_suffix: str = ""):
        try:
            from tensorboard.summary.writer.event_file_writer import EventFileWriter
        except ImportError:
            raise ImportError("SummaryWriter needs the tensorboard package: "
                              "pip install 'retrograd[tensorboard]'") from None
        if log_dir is None:
            stamp = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", f"{stamp}_{socket.gethostname()}{comment}")
        self.log_dir = str(log_dir)
        self._make_writer = lambda folder: EventFileWriter(folder, max_queue, flush_secs,
                                                           filename_suffix)
        self.all_writers = {self.log_dir: self._make_writer(self.log_dir)}
        self.purge_step = purge_step
        if purge_step is not None:  # TensorBoard drops later events of an earlier run
            self._write(protos.session_log_start(purge_step))

    def get_logdir(self) -> str:
        return self.log_dir

    # ----- plumbing -------------------------------------------------------------------------
    def _write(self, event, folder: str | None = None) -> None:
        folder = folder or self.log_dir
        if folder not in self.all_writers:
            self.all_writers[folder] = self._make_writer(folder)
        self.all_writers[folder].add_event(event)

    def _summary(self, summary, global_step, walltime, folder: str | None = None) -> None:
        self._write(protos.event(summary=summary, step=global_step, walltime=walltime), folder)

    # ----- what can be logged ---------------------------------------------------------------
    def add_scalar(self, tag: str, scalar_value, global_step: int | None = None,
                   walltime: float | None = None, new_style: bool = False,
                   double_precision: bool = False) -> None:
        """One number (a float, int or one-element Tensor) under ``tag`` at ``global_step``
        (written as TensorBoard's float32 simple value; ``new_style`` and ``double_precision``
        are accepted for PyTorch's signature and change nothing)."""
        self._summary(protos.scalar(tag, _scalar(scalar_value)), global_step, walltime)

    def add_scalars(self, main_tag: str, tag_scalar_dict: dict, global_step: int | None = None,
                    walltime: float | None = None) -> None:
        """Several curves in one chart: each ``tag`` goes to its own run folder
        ``<log_dir>/<main_tag>_<tag>`` under the tag ``main_tag`` (PyTorch's layout)."""
        walltime = time.time() if walltime is None else walltime
        for tag, value in tag_scalar_dict.items():
            folder = os.path.join(self.log_dir, f"{main_tag}_{tag}".replace("/", "_"))
            self._summary(protos.scalar(main_tag, _scalar(value)), global_step, walltime, folder)

    def add_histogram(self, tag: str, values, global_step: int | None = None, bins="tensorflow",
                      walltime: float | None = None, max_bins: int | None = None) -> None:
        """The distribution of ``values`` (any shape). ``bins``: 'tensorflow' (exponential
        buckets, as TensorFlow and PyTorch), a NumPy bins name ('auto', 'fd', ...) or a count."""
        array = _numpy(values).astype(np.float64).ravel()
        if array.size == 0:
            raise ValueError(f"add_histogram: {tag!r}: the values are empty")
        if not np.all(np.isfinite(array)):
            raise ValueError(f"add_histogram: {tag!r}: the values hold NaN or infinity")
        self._summary(protos.histogram(tag, array, bins, max_bins), global_step, walltime)

    def add_image(self, tag: str, img_tensor, global_step: int | None = None,
                  walltime: float | None = None, dataformats: str = "CHW") -> None:
        """An image: floats in [0, 1] or uint8 in [0, 255], laid out as ``dataformats``
        ('CHW', 'HWC', 'HW'), 1, 3 or 4 channels; stored as PNG (needs Pillow)."""
        self._summary(protos.image(tag, _to_hwc(_numpy(img_tensor), dataformats)), global_step,
                      walltime)

    def add_images(self, tag: str, img_tensor, global_step: int | None = None,
                   walltime: float | None = None, dataformats: str = "NCHW") -> None:
        """A batch of images tiled into one grid (``dataformats`` 'NCHW' or 'NHWC')."""
        batch = _numpy(img_tensor)
        if dataformats == "NHWC":
            batch = batch.transpose(0, 3, 1, 2)
        elif dataformats != "NCHW":
            raise ValueError(f"add_images: dataformats must be 'NCHW' or 'NHWC', got {dataformats!r}")
        self.add_image(tag, _grid(batch), global_step, walltime, "CHW")

    def add_figure(self, tag: str, figure, global_step: int | None = None, close: bool = True,
                   walltime: float | None = None) -> None:
        """A matplotlib figure (or a list of them, tiled), rendered to an image."""
        figures = figure if isinstance(figure, (list, tuple)) else [figure]
        images = np.stack([_render(f, close) for f in figures])  # (N, 3, H, W)
        self.add_image(tag, images[0] if len(images) == 1 else _grid(images), global_step,
                       walltime, "CHW")

    def add_text(self, tag: str, text_string: str, global_step: int | None = None,
                 walltime: float | None = None) -> None:
        self._summary(protos.text(tag, text_string), global_step, walltime)

    def add_hparams(self, hparam_dict: dict, metric_dict: dict, hparam_domain_discrete=None,
                    run_name: str | None = None, global_step: int | None = None) -> None:
        """One run's hyperparameters and final metrics for TensorBoard's HParams tab, written
        (as PyTorch does) to the sub-run ``<log_dir>/<run_name or time>``."""
        if not isinstance(hparam_dict, dict) or not isinstance(metric_dict, dict):
            raise TypeError("add_hparams: hparam_dict and metric_dict must be dicts")
        folder = os.path.join(self.log_dir, run_name or str(time.time()))
        for summary in protos.hparams(hparam_dict, metric_dict, hparam_domain_discrete or {}):
            self._summary(summary, global_step, None, folder)
        for key, value in metric_dict.items():
            self._summary(protos.scalar(key, _scalar(value)), global_step, None, folder)

    def add_graph(self, model, input_to_model=None, verbose: bool = False,
                  use_strict_trace: bool = True) -> None:
        """The model's graph (layers as nodes in their module scopes, the ops between them)
        traced on ``input_to_model`` (a Tensor or tuple of Tensors)."""
        from .graph import graph_def

        if input_to_model is None:
            raise ValueError("add_graph: give input_to_model, an example input to trace with")
        graph = graph_def(model, input_to_model)
        if verbose:
            print(graph)
        self._write(protos.event(graph_def=graph.SerializeToString()))

    # ----- lifetime -------------------------------------------------------------------------
    def flush(self) -> None:
        for writer in self.all_writers.values():
            writer.flush()

    def close(self) -> None:
        for writer in self.all_writers.values():
            writer.close()

    def __enter__(self) -> "SummaryWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _to_hwc(array: np.ndarray, dataformats: str) -> np.ndarray:
    """(H, W, C) uint8 with C in 1, 3, 4, from floats in [0, 1] or uint8."""
    fmt = dataformats.upper()
    if sorted(fmt) not in (sorted("CHW"), sorted("HW")) or array.ndim != len(fmt):
        raise ValueError(f"add_image: image of shape {array.shape} does not match dataformats "
                         f"{dataformats!r} ('CHW', 'HWC' or 'HW')")
    if fmt == "HW":
        array, fmt = array[..., None], "HWC"
    array = array.transpose([fmt.index(c) for c in "HWC"])
    if array.shape[2] not in (1, 3, 4):
        raise ValueError(f"add_image: expected 1, 3 or 4 channels, got {array.shape[2]}")
    if array.dtype != np.uint8:
        array = (np.clip(array.astype(np.float64), 0, 1) * 255 + 0.5).astype(np.uint8)
    return array


def _grid(batch: np.ndarray, columns: int = 8) -> np.ndarray:
    """(N, C, H, W) images tiled row by row into one (C, H', W') image, 2 pixels apart."""
    n, c, h, w = batch.shape
    cols = min(columns, n)
    rows = -(-n // cols)
    grid = np.zeros((c, rows * (h + 2) + 2, cols * (w + 2) + 2), dtype=batch.dtype)
    for i, img in enumerate(batch):
        r, k = divmod(i, cols)
        grid[:, 2 + r * (h + 2):2 + r * (h + 2) + h, 2 + k * (w + 2):2 + k * (w + 2) + w] = img
    return grid


def _render(figure, close: bool) -> np.ndarray:
    """A matplotlib figure as a (3, H, W) uint8 array."""
    figure.canvas.draw()
    rgb = np.asarray(figure.canvas.buffer_rgba())[..., :3].transpose(2, 0, 1).copy()
    if close:
        import matplotlib.pyplot as plt

        plt.close(figure)
    return rgb


def encode_png(hwc: np.ndarray) -> bytes:
    """PNG bytes of an (H, W, C) uint8 image (Pillow)."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("add_image needs Pillow: pip install 'retrograd[image]'") from None
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[hwc.shape[2]]
    buf = io.BytesIO()
    Image.fromarray(hwc[..., 0] if mode == "L" else hwc, mode).save(buf, format="PNG")
    return buf.getvalue()
