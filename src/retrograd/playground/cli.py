"""The ``retrograd playground`` command: serve the page on 127.0.0.1 and open a browser."""
from __future__ import annotations

import argparse
import socket
import threading
import webbrowser

HOST = "127.0.0.1"  # the playground runs code on request: never reachable from other machines


def add_playground_parser(sub) -> None:
    """The ``playground`` subcommand on the ``retrograd`` parser's subparsers."""
    p = sub.add_parser("playground", help="watch a network learn in the browser and open any step")
    p.add_argument("--port", type=int, default=8765, help="the local port to serve on")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.set_defaults(run=run_playground)


def run_playground(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C; 0 when stopped."""
    try:
        import uvicorn

        from .server import create_app
    except ImportError as e:
        raise ImportError(f"the playground needs Starlette and uvicorn ({e}); install them with "
                          "pip install 'retrograd[playground]'") from None
    if not 0 < args.port < 65536:
        raise ValueError(f"--port must be between 1 and 65535, got {args.port}")
    with socket.socket() as probe:  # a clear message rather than uvicorn's exit status 3
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((HOST, args.port))
        except OSError as e:
            raise OSError(f"cannot serve on {HOST}:{args.port} ({e.strerror}); choose another "
                          "port with --port") from None
    url = f"http://{HOST}:{args.port}/"
    print(f"retrograd playground: {url}  (Ctrl-C stops it)", flush=True)
    if not args.no_browser:
        threading.Timer(1.0, webbrowser.open, (url,)).start()
    try:  # uvicorn shuts down gracefully on Ctrl-C, then raises it again
        uvicorn.run(create_app(), host=HOST, port=args.port, log_level="warning", lifespan="off")
    except KeyboardInterrupt:
        pass
    print("retrograd playground: stopped", flush=True)
    return 0
