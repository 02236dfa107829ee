"""Progress: tqdm.auto's bar in notebooks and terminals, a line per epoch with ETA in logs, and
a bar for downloads."""
from __future__ import annotations

import io
import sys
import types

import numpy as np
import pytest

import retrograd as rg
from retrograd import nn, optim, progress
from retrograd.train import Trainer


class _Recorder:
    """Stands in for tqdm.auto.tqdm: records that a bar was made and passes items through."""

    made: list = []

    def __init__(self, iterable=None, **kwargs):
        self.iterable, self.kwargs = iterable, kwargs
        _Recorder.made.append(kwargs)

    def __iter__(self):
        return iter(self.iterable)

    def set_postfix(self, **kwargs):
        pass

    def update(self, n):
        self.kwargs["seen"] = self.kwargs.get("seen", 0) + n

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


@pytest.fixture
def recorder(monkeypatch):
    import tqdm.auto

    _Recorder.made = []
    monkeypatch.setattr(tqdm.auto, "tqdm", _Recorder)
    return _Recorder


def _fake_notebook(monkeypatch):
    shell = types.SimpleNamespace(config={"IPKernelApp": {"connection_file": "kernel.json"}})
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))


def _trainer():
    rg.manual_seed(0)
    model = nn.Linear(3, 2)
    return Trainer(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), batch_size=8)


def _data():
    return rg.randn(32, 3), rg.tensor(np.arange(32) % 2)


def test_notebook_is_detected_and_gets_tqdm_auto_bar(monkeypatch, recorder, capsys):
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a terminal
    assert not progress.in_notebook()
    _trainer().fit(_data(), epochs=1)
    assert recorder.made == []  # a log file: no bar
    _fake_notebook(monkeypatch)
    assert progress.in_notebook() and progress.interactive()
    _trainer().fit(_data(), epochs=1)
    assert len(recorder.made) == 1 and recorder.made[0]["unit"] == "batch"


def test_log_file_gets_one_line_per_epoch_with_lr_throughput_and_eta(monkeypatch, recorder, capsys):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    _trainer().fit(_data(), epochs=3)
    lines = [l for l in capsys.readouterr().out.splitlines() if l.startswith("epoch")]
    assert [l.split()[1] for l in lines] == ["1/3", "2/3", "3/3"]
    for line in lines:
        for field in ("loss", "accuracy", "lr 0.1", "samples_per_s", "elapsed", "eta"):
            assert field in line
    assert lines[-1].endswith("eta 0:00")


def test_downloads_show_a_bar_sized_by_content_length(monkeypatch, recorder, tmp_path):
    from retrograd.data.datasets import download as D

    body = b"x" * 3000

    class Response(io.BytesIO):
        headers = {"Content-Length": str(len(body))}

    monkeypatch.setattr(D.urllib.request, "urlopen", lambda url, timeout: Response(body))
    D.download_file("https://example.org/file.bin", tmp_path / "file.bin")
    assert (tmp_path / "file.bin").read_bytes() == body
    assert recorder.made[0]["total"] == 3000 and recorder.made[0]["unit"] == "B"


def test_format_seconds():
    assert progress.format_seconds(65) == "1:05" and progress.format_seconds(3725) == "1:02:05"
