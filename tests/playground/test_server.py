"""The playground server through Starlette's test client: the page, settings checks, stepping,
play/pause/reset, and a step's record equal to ``explain.record_step``'s."""
import importlib.util
import json
from contextlib import contextmanager

import numpy as np
import pytest

pytest.importorskip("starlette", reason="the playground needs Starlette (pip install -e '.[playground]')")
if importlib.util.find_spec("httpx2") is None:  # Starlette's TestClient takes either (httpx2 first)
    pytest.importorskip("httpx", reason="Starlette's TestClient needs httpx2 or httpx")
from starlette.testclient import TestClient  # noqa: E402

from retrograd import nn, optim  # noqa: E402
from retrograd.explain import record_step  # noqa: E402
from retrograd.nn import functional as F  # noqa: E402
from retrograd.playground.server import create_app  # noqa: E402


@pytest.fixture
def client():
    with TestClient(create_app()) as c:
        yield c


def receive_until(ws, kind, limit=50):
    """Messages up to and including the first of type ``kind``."""
    seen = []
    for _ in range(limit):
        seen.append(ws.receive_json())
        if seen[-1]["type"] == kind:
            return seen
    raise AssertionError(f"no {kind!r} message among {[m['type'] for m in seen]}")


@contextmanager
def opened(client):
    """A tab: the WebSocket, after the reset and first frame every tab is sent."""
    with client.websocket_connect("/ws") as socket:
        first, frame = socket.receive_json(), socket.receive_json()
        assert first["type"] == "reset" and frame["type"] == "frame" and frame["step"] == 0
        yield socket


def test_page_and_its_files_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and "retrograd playground" in page.text
    for name in ("app.js", "draw.js", "style.css"):
        assert client.get(f"/static/{name}").status_code == 200
    assert "cdn" not in page.text.lower() and "https://" not in page.text


@pytest.mark.parametrize("config, words", [
    ({"hidden": [8, 0]}, "hidden[1]"), ({"lr": -1}, "lr"), ({"task": "moons"}, "task"),
    ({"hidden": "8"}, "hidden"), ({"lr": "fast"}, "must be a number"), ({"colour": 1}, "colour"),
    ({"task": "regression", "loss": "cross_entropy"}, "mse")])
def test_bad_settings_get_a_message_and_the_session_goes_on(client, config, words):
    with opened(client) as s:
        s.send_text(json.dumps({"type": "reset", "config": config}))
        error = s.receive_json()
        assert error["type"] == "error" and words in error["message"]
        s.send_text(json.dumps({"type": "step"}))  # still usable, with the old settings
        assert receive_until(s, "frame")[-1]["step"] == 1


@pytest.mark.parametrize("text, words", [("{not json", "malformed"), ("[1, 2]", "JSON object"),
                                         ('{"type": "fly"}', "unknown message type")])
def test_malformed_messages_get_a_message(client, text, words):
    with opened(client) as s:
        s.send_text(text)
        error = s.receive_json()
        assert error["type"] == "error" and words in error["message"]


def test_step_play_pause_and_reset(client):
    with opened(client) as s:
        s.send_text(json.dumps({"type": "reset", "config": {"steps_per_frame": 3, "hidden": [4]}}))
        reset = receive_until(s, "state")[-3]
        assert reset["sizes"] == [2, 4, 2] and reset["config"]["steps_per_frame"] == 3
        s.send_text(json.dumps({"type": "step"}))
        frame = receive_until(s, "frame")[-1]
        assert frame["step"] == 1 and len(frame["neurons"]) == 2 and len(frame["neurons"][0]) == 4
        assert np.array(frame["weights"][0]).shape == (4, 2) and len(frame["grad_norms"]) == 2
        s.send_text(json.dumps({"type": "play"}))
        steps = [m["step"] for m in receive_until(s, "frame") + receive_until(s, "frame")
                 + receive_until(s, "frame") if m["type"] == "frame"]
        assert steps[:3] == [4, 7, 10]  # steps_per_frame steps per frame
        s.send_text(json.dumps({"type": "pause"}))
        paused = [m for m in receive_until(s, "state") if m["type"] == "frame"]
        last = paused[-1]["step"] if paused else steps[-1]
        s.send_text(json.dumps({"type": "step"}))
        assert receive_until(s, "frame")[-1]["step"] == last + 1  # nothing ran while paused
        s.send_text(json.dumps({"type": "reset", "config": {}}))
        assert receive_until(s, "frame")[-1]["step"] == 0


def test_a_steps_record_equals_record_step(client):
    config = {"task": "xor", "hidden": [3], "activation": "sigmoid", "optimizer": "sgd",
              "lr": 0.5, "batch_size": 8, "loss": "cross_entropy"}
    with opened(client) as s:
        s.send_text(json.dumps({"type": "reset", "config": config}))
        receive_until(s, "state")
        s.send_text(json.dumps({"type": "inspect"}))
        assert "no step" in s.receive_json()["message"]
        s.send_text(json.dumps({"type": "step"}))
        receive_until(s, "state")
        s.send_text(json.dumps({"type": "inspect"}))
        got = s.receive_json()
    assert got["type"] == "record" and got["step"] == 1
    rec = got["record"]
    model = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 2))
    state = {f"{2 * i}.{n}": np.array(p["before"], np.float32)
             for i, layer in enumerate(rec["layers"]) for n, p in layer["params"].items()}
    model.load_state_dict(state)
    x, y = np.array(rec["x"], np.float32), np.array(rec["y"], np.int64)
    assert x.shape == (8, 2)
    want = record_step(model, x, y, F.cross_entropy, optim.SGD(model.parameters(), lr=0.5))
    assert rec["loss_before"] == pytest.approx(want.loss_before, rel=1e-6)
    assert rec["loss_after"] == pytest.approx(want.loss_after, rel=1e-6)
    for shown, layer in zip(rec["layers"], want.layers):
        for key, value in (("Z", layer.z), ("A", layer.a), ("delta", layer.delta)):
            np.testing.assert_allclose(shown[key], value, rtol=1e-5, atol=1e-7)
        for name in ("weight", "bias"):
            np.testing.assert_allclose(shown["params"][name]["grad"], layer.grads[name], rtol=1e-5, atol=1e-7)
            np.testing.assert_allclose(shown["params"][name]["after"], layer.params_after[name],
                                       rtol=1e-6, atol=1e-7)


def test_worked_example_preset_shows_the_explain_numbers(client):
    with opened(client) as s:
        s.send_text(json.dumps({"type": "reset", "config": {"preset": "worked_example"}}))
        messages = receive_until(s, "state")
        assert messages[-3]["sizes"] == [2, 2, 2, 2]
        assert messages[-2]["train_loss"] == pytest.approx(6.82377, abs=5e-6)
        s.send_text(json.dumps({"type": "step"}))
        receive_until(s, "state")
        s.send_text(json.dumps({"type": "inspect"}))
        rec = s.receive_json()["record"]
    assert rec["loss_before"] == pytest.approx(6.82377, abs=5e-6)
    assert rec["loss_after"] == pytest.approx(6.81191, abs=5e-6)
    assert rec["lr"] == 0.1 and rec["optimizer"] == "SGD"


def test_exports(client, tmp_path):
    import base64

    from retrograd.io import load

    with opened(client) as s:
        s.send_text(json.dumps({"type": "export", "what": "record_json"}))
        assert "no step" in s.receive_json()["message"]
        s.send_text(json.dumps({"type": "step"}))
        receive_until(s, "state")
        got = {}
        for what in ("model", "record_json", "record_markdown"):
            s.send_text(json.dumps({"type": "export", "what": what}))
            got[what] = s.receive_json()
    path = tmp_path / got["model"]["filename"]
    path.write_bytes(base64.b64decode(got["model"]["base64"]))
    assert sorted(load(str(path))) == ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"]
    record = json.loads(base64.b64decode(got["record_json"]["base64"]))
    assert len(record["layers"]) == 3
    assert base64.b64decode(got["record_markdown"]["base64"]).decode().startswith("## One training step")


def test_each_tab_has_its_own_session(client):
    with opened(client) as a, opened(client) as b:
        a.send_text(json.dumps({"type": "step"}))
        assert receive_until(a, "frame")[-1]["step"] == 1
        b.send_text(json.dumps({"type": "reset", "config": {"hidden": [2]}}))
        assert receive_until(b, "state")[-3]["sizes"] == [2, 2, 2]
        a.send_text(json.dumps({"type": "step"}))
        assert receive_until(a, "frame")[-1]["step"] == 2


def test_other_sites_and_host_names_are_refused(client):
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect):
        with client.websocket_connect("/ws", headers={"origin": "http://evil.example"}) as s:
            s.receive_json()
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400
    with client.websocket_connect("/ws", headers={"origin": "http://testserver"}) as s:
        assert s.receive_json()["type"] == "reset"


def test_a_diverged_run_stops_with_a_message(client):
    with opened(client) as s:
        s.send_text(json.dumps({"type": "reset", "config": {"optimizer": "sgd", "lr": 10,
                                                             "task": "regression", "loss": "mse",
                                                             "activation": "relu", "init": "he",
                                                             "hidden": [16, 16, 16, 16]}}))
        receive_until(s, "state")
        s.send_text(json.dumps({"type": "play"}))
        messages = receive_until(s, "error", limit=500)
    assert "diverged" in messages[-1]["message"]
