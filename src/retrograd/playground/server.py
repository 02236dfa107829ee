"""The playground's web server: the static page, and a WebSocket per browser tab, each with its
own ``Session``. Training runs in a worker thread, one call at a time per tab; the event loop
stays free for other tabs and for pause.

Messages from the page (JSON objects): ``{"type": "reset", "config": {...}}``, ``play``,
``pause``, ``step``, ``inspect``, ``export`` (with ``"what"``). Replies: ``reset``, ``frame``,
``record``, ``export``, ``state`` and ``error`` (a message for the page; the server carries on).
"""
from __future__ import annotations

import asyncio
import base64
import json
import time
from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from .config import Config, ConfigError, parse_config
from .session import Session

FRAMES_PER_SECOND = 20
STATIC = files("retrograd.playground") / "static"


class Tab:
    """One WebSocket's session and its play loop."""

    def __init__(self, socket: WebSocket):
        self.socket, self.session = socket, Session(Config())
        self.lock = asyncio.Lock()
        self.player: asyncio.Task | None = None
        self.stopping = False

    async def run(self, fn, *args):
        async with self.lock:
            return await asyncio.to_thread(fn, *args)

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send_text(json.dumps(message))

    async def play(self) -> None:
        """Train and send a frame, about FRAMES_PER_SECOND times a second, until paused (after
        the frame in progress, so that the page shows the state the session is in)."""
        while not self.stopping:
            start = time.perf_counter()
            try:
                frame = await self.run(self._advance, self.session.config.steps_per_frame)
            except Exception as e:  # shown in the page; the tab stays usable
                await self.send({"type": "error", "message": f"training stopped: {e}"})
                await self.send({"type": "state", "playing": False})
                return
            await self.send(frame)
            if frame.get("diverged"):
                await self.send({"type": "error", "message": "the loss is not finite any more "
                                 "(diverged): lower the learning rate and reset"})
                await self.send({"type": "state", "playing": False})
                return
            await asyncio.sleep(max(0.0, 1 / FRAMES_PER_SECOND - (time.perf_counter() - start)))

    def _advance(self, steps: int) -> dict[str, Any]:
        self.session.train(steps)
        frame = self.session.frame()
        frame["diverged"] = frame["train_loss"] is None and len(self.session.x_train) > 0
        return frame

    async def pause(self) -> None:
        if self.player is not None:
            self.stopping = True
            try:
                await self.player
            except Exception:  # noqa: BLE001  the tab closed while a frame was being sent
                pass
            finally:
                self.player, self.stopping = None, False

    async def handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "reset":
            config = parse_config(message.get("config", {}))
            await self.pause()
            self.session = await asyncio.to_thread(Session, config)
            await self.send(self.session.describe())
            await self.send(await self.run(self.session.frame))
            await self.send({"type": "state", "playing": False})
        elif kind == "play":
            if self.player is None or self.player.done():
                self.player = asyncio.create_task(self.play())
            await self.send({"type": "state", "playing": True})
        elif kind == "pause":
            await self.pause()
            await self.send({"type": "state", "playing": False})
        elif kind == "step":
            await self.pause()
            await self.send(await self.run(self._advance, 1))
            await self.send({"type": "state", "playing": False})
        elif kind == "inspect":
            await self.send(await self.run(self.session.inspect))
        elif kind == "export":
            name, mime, data = await self.run(self.session.export, str(message.get("what")))
            await self.send({"type": "export", "filename": name, "mime": mime,
                             "base64": base64.b64encode(data).decode("ascii")})
        else:
            raise ValueError(f"unknown message type {kind!r}; expected reset, play, pause, "
                             "step, inspect or export")


def _same_origin(socket: WebSocket) -> bool:
    """A page of another site open in the same browser may not drive this server."""
    origin = socket.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == socket.headers.get("host")


async def socket_endpoint(socket: WebSocket) -> None:
    """One tab: a ``Session``, the messages it answers, and its play loop."""
    if not _same_origin(socket):
        await socket.close(code=1008)
        return
    await socket.accept()
    tab = Tab(socket)
    await tab.send(tab.session.describe())
    await tab.send(tab.session.frame())
    try:
        while True:
            text = await socket.receive_text()
            try:
                message = json.loads(text)
                if not isinstance(message, dict):
                    raise ValueError("a message must be a JSON object such as {\"type\": \"play\"}")
                await tab.handle(message)
            except json.JSONDecodeError as e:
                await tab.send({"type": "error", "message": f"malformed message (not JSON): {e}"})
            except (ConfigError, ValueError) as e:
                await tab.send({"type": "error", "message": str(e)})
            except Exception as e:  # a bug must not end the tab's session, let alone the server
                await tab.send({"type": "error", "message": f"internal error: {type(e).__name__}: {e}"})
    except WebSocketDisconnect:
        pass
    finally:
        await tab.pause()


async def index(request) -> HTMLResponse:
    """The page."""
    return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"))


def create_app() -> Starlette:
    """The ASGI app: ``/`` the page, ``/static/...`` its files, ``/ws`` the WebSocket."""
    routes = [Route("/", index), WebSocketRoute("/ws", socket_endpoint),
              Mount("/static", StaticFiles(directory=str(STATIC)), name="static")]
    # Host names other than these (a DNS-rebinding page, say) are refused
    hosts = ["127.0.0.1", "localhost", "testserver"]
    return Starlette(routes=routes, middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts)])
