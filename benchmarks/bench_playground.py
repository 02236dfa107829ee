"""Frames per second of ``retrograd playground`` while playing, over its WebSocket (Starlette's
test client, in process), and the compute time of one frame, for a few networks.

    python benchmarks/bench_playground.py [--seconds 3]
"""
from __future__ import annotations

import argparse
import json
import time

from starlette.testclient import TestClient

from retrograd.playground import Config, Session
from retrograd.playground.server import create_app

NETWORKS = {"circle, 2-8-8-2 (default)": {},
            "spirals, 2-16x6-2 (the largest)": {"task": "spirals", "hidden": [16] * 6},
            "regression, 2-8-8-1, batch 0 (200 points)": {"task": "regression", "loss": "mse",
                                                           "batch_size": 0},
            "mnist, MLP 784-16-16-10": {"task": "mnist", "hidden": [16, 16]},
            "mnist, LeNet-5": {"task": "mnist", "model": "lenet5"}}


def frames_per_second(client: TestClient, config: dict, seconds: float) -> float:
    with client.websocket_connect("/ws") as ws:
        ws.receive_json(), ws.receive_json()
        ws.send_text(json.dumps({"type": "reset", "config": config}))
        while ws.receive_json()["type"] != "state":
            pass
        ws.send_text(json.dumps({"type": "play"}))
        frames, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            frames += ws.receive_json()["type"] == "frame"
        rate = frames / (time.perf_counter() - start)
        ws.send_text(json.dumps({"type": "pause"}))
        while ws.receive_json()["type"] != "state":
            pass
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    with TestClient(create_app()) as client:
        for name, config in NETWORKS.items():
            s = Session(Config(**config))
            start = time.perf_counter()
            for _ in range(20):
                s.train(s.config.steps_per_frame)
                s.frame()
            compute_ms = (time.perf_counter() - start) / 20 * 1000
            fps = frames_per_second(client, config, args.seconds)
            print(f"{name:45s} {fps:5.1f} frames/s over the WebSocket (target 20), "
                  f"{compute_ms:5.1f} ms to compute a frame of {s.config.steps_per_frame} steps")


if __name__ == "__main__":
    main()
