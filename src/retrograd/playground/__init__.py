"""``retrograd playground``: watch a network learn in the browser, and open any step.

A local web app (Starlette and uvicorn: ``pip install -e ".[playground]"``) bound to
127.0.0.1: 2-D tasks, a network and an optimizer set in the page, training in retrograd on the
server, frames streamed over a WebSocket per tab; a paused step opens into the numbers of
``explain.record_step``.

- ``config.py``: the settings and their checks; ``tasks.py``: the 2-D data sets;
  ``session.py``: one tab's run; ``images.py``: the MNIST task (an MLP or LeNet-5);
  ``server.py``: the app; ``cli.py``: the command; ``static/``: the page.
"""
from __future__ import annotations

from .config import Config, ConfigError, parse_config
from .session import Session

__all__ = ["Config", "ConfigError", "Session", "parse_config"]
