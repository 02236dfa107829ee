"""Fixtures for the data tests: no network, a private cache folder, a fake web server."""
from __future__ import annotations

import io
import urllib.error
import urllib.request

import pytest


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """Every test runs offline, with RETROGRAD_HOME pointing into its tmp_path."""
    def refuse(url, *args, **kwargs):
        raise urllib.error.URLError(f"network disabled in tests ({url})")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setenv("RETROGRAD_HOME", str(tmp_path / "home"))


@pytest.fixture
def serve(monkeypatch):
    """``serve(routes)`` makes ``urlopen`` answer URL -> bytes, a response factory, or an
    exception to raise (unknown URLs fail like a dead network); returns the URLs asked for."""
    def install(routes: dict) -> list[str]:
        calls: list[str] = []

        def fake(url, *args, **kwargs):
            calls.append(url)
            answer = routes.get(url, urllib.error.URLError(f"no route to {url}"))
            if isinstance(answer, BaseException):
                raise answer
            return answer() if callable(answer) else io.BytesIO(answer)

        monkeypatch.setattr(urllib.request, "urlopen", fake)
        return calls

    return install
