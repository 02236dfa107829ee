"""History: the per-epoch figures of a training run."""
from __future__ import annotations

import csv


class History:
    """``history.history['val_accuracy'][epoch]``; also ``history['loss']``, ``len``, ``to_csv``."""

    def __init__(self):
        self.history: dict[str, list] = {}
        self.epochs: list[int] = []

    def append(self, epoch: int, logs: dict) -> None:
        self.epochs.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, [None] * (len(self.epochs) - 1)).append(value)
        for values in self.history.values():
            while len(values) < len(self.epochs):
                values.append(None)

    def __getitem__(self, key: str) -> list:
        return self.history[key]

    def __contains__(self, key: str) -> bool:
        return key in self.history

    def __len__(self) -> int:
        return len(self.epochs)

    def to_csv(self, path: str) -> None:
        keys = list(self.history)
        with open(path, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["epoch", *keys])
            for i, epoch in enumerate(self.epochs):
                writer.writerow([epoch + 1, *(self.history[k][i] for k in keys)])

    def __repr__(self) -> str:
        return f"History(epochs={len(self)}, keys={list(self.history)})"
