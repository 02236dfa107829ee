"""``retrograd playground``: serves the page on 127.0.0.1 and stops cleanly on Ctrl-C."""
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytest.importorskip("starlette", reason="the playground needs Starlette (pip install -e '.[playground]')")
pytest.importorskip("uvicorn", reason="the playground needs uvicorn (pip install -e '.[playground]')")


def test_serves_the_page_and_stops_on_ctrl_c():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "retrograd.cli", "playground", "--port", str(port),
                             "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(200):
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read().decode()
                break
            except OSError:
                assert proc.poll() is None
                time.sleep(0.05)
        assert "retrograd playground" in page
        proc.send_signal(signal.SIGINT)
        out = proc.communicate(timeout=20)[0].decode()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert "stopped" in out and "Traceback" not in out


def test_a_bad_port_is_a_one_line_error(capsys):
    from retrograd.cli import main

    assert main(["playground", "--port", "70000", "--no-browser"]) == 2
    assert "--port must be between 1 and 65535" in capsys.readouterr().err


def test_a_port_in_use_is_a_one_line_error(capsys):
    from retrograd.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert main(["playground", "--port", str(taken.getsockname()[1]), "--no-browser"]) == 2
    assert "choose another port with --port" in capsys.readouterr().err
