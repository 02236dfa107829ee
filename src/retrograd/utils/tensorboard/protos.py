"""The protobufs TensorBoard reads, built from the ``tensorboard`` package's own message
classes: events, scalar, histogram, image and text summaries, and the HParams plugin's
experiment / session records."""
from __future__ import annotations

import time

import numpy as np
from tensorboard.compat.proto.event_pb2 import Event, SessionLog
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto

_TF_EDGES = None  # TensorFlow's default histogram buckets, built on first use


def event(summary=None, step=None, walltime=None, graph_def: bytes | None = None) -> Event:
    e = Event(wall_time=time.time() if walltime is None else walltime)
    if step is not None:
        e.step = int(step)
    if summary is not None:
        e.summary.CopyFrom(summary)
    if graph_def is not None:
        e.graph_def = graph_def
    return e


def session_log_start(step: int) -> Event:
    return Event(wall_time=time.time(), step=int(step), session_log=SessionLog(status=SessionLog.START))


def scalar(tag: str, value: float) -> Summary:
    return Summary(value=[Summary.Value(tag=tag, simple_value=float(value))])


def _tensorflow_edges() -> np.ndarray:
    """Bucket limits -1e20 .. -1e-12, 0, 1e-12 .. 1e20, growing by 10% (TensorFlow's)."""
    global _TF_EDGES
    if _TF_EDGES is None:
        positive = 1e-12 * 1.1 ** np.arange(0, int(np.log(1e32) / np.log(1.1)) + 2)
        _TF_EDGES = np.concatenate([-positive[::-1], [0.0], positive, [np.finfo(np.float64).max]])
    return _TF_EDGES


def histogram(tag: str, values: np.ndarray, bins, max_bins: int | None) -> Summary:
    """Counts per bucket; ``bucket_limit`` holds each bucket's right edge."""
    if isinstance(bins, str) and bins == "tensorflow":
        limits = _tensorflow_edges()
        counts = np.bincount(np.searchsorted(limits, values, side="left"), minlength=len(limits))
        used = np.flatnonzero(counts)
        lo, hi = used[0], used[-1] + 1
        counts, limits = counts[lo:hi], limits[lo:hi]
    else:
        counts, edges = np.histogram(values, bins=bins)
        limits = edges[1:]
    if max_bins is not None and len(counts) > max_bins:
        group = -(-len(counts) // max_bins)
        pad = (-len(counts)) % group
        counts = np.pad(counts, (0, pad)).reshape(-1, group).sum(1)
        limits = np.pad(limits, (0, pad), mode="edge").reshape(-1, group)[:, -1]
    proto = HistogramProto(min=float(values.min()), max=float(values.max()), num=float(values.size),
                           sum=float(values.sum()), sum_squares=float(np.dot(values, values)),
                           bucket_limit=[float(x) for x in limits], bucket=[float(c) for c in counts])
    return Summary(value=[Summary.Value(tag=tag, histo=proto)])


def image(tag: str, hwc: np.ndarray) -> Summary:
    from .writer import encode_png

    h, w, c = hwc.shape
    img = Summary.Image(height=h, width=w, colorspace=c, encoded_image_string=encode_png(hwc))
    return Summary(value=[Summary.Value(tag=tag, image=img)])


def _plugin(name: str, content: bytes = b"") -> SummaryMetadata:
    return SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name=name, content=content))


def text(tag: str, string: str) -> Summary:
    tensor = TensorProto(dtype="DT_STRING", string_val=[string.encode("utf-8")],
                         tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]))
    return Summary(value=[Summary.Value(tag=tag, metadata=_plugin("text"), tensor=tensor)])


def hparams(hparam_dict: dict, metric_dict: dict, domains: dict) -> list[Summary]:
    """The experiment (names of hyperparameters and metrics), the session's values, its end."""
    from google.protobuf import struct_pb2
    from tensorboard.plugins.hparams import api_pb2, metadata, plugin_data_pb2

    start = plugin_data_pb2.SessionStartInfo()
    infos = []
    for key, value in hparam_dict.items():
        if value is None:
            continue
        if isinstance(value, bool):
            start.hparams[key].bool_value, kind = value, "DATA_TYPE_BOOL"
        elif isinstance(value, (int, float, np.integer, np.floating)):
            start.hparams[key].number_value, kind = float(value), "DATA_TYPE_FLOAT64"
        else:
            start.hparams[key].string_value, kind = str(value), "DATA_TYPE_STRING"
        info = api_pb2.HParamInfo(name=key, type=api_pb2.DataType.Value(kind))
        if key in domains:
            info.domain_discrete.CopyFrom(struct_pb2.ListValue(values=[
                struct_pb2.Value(bool_value=d) if isinstance(d, bool)
                else struct_pb2.Value(number_value=d) if isinstance(d, (int, float))
                else struct_pb2.Value(string_value=str(d)) for d in domains[key]]))
        infos.append(info)
    experiment = api_pb2.Experiment(
        hparam_infos=infos,
        metric_infos=[api_pb2.MetricInfo(name=api_pb2.MetricName(tag=k)) for k in metric_dict])
    end = plugin_data_pb2.SessionEndInfo(status=api_pb2.Status.Value("STATUS_SUCCESS"))

    def record(tag, **part):
        data = plugin_data_pb2.HParamsPluginData(version=metadata.PLUGIN_DATA_VERSION, **part)
        meta = _plugin(metadata.PLUGIN_NAME, data.SerializeToString())
        return Summary(value=[Summary.Value(tag=tag, metadata=meta)])

    return [record(metadata.EXPERIMENT_TAG, experiment=experiment),
            record(metadata.SESSION_START_INFO_TAG, session_start_info=start),
            record(metadata.SESSION_END_INFO_TAG, session_end_info=end)]
