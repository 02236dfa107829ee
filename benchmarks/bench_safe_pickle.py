"""safe_load beside pickle.loads on a CIFAR-sized batch (10,000 images of 3,072 bytes, labels,
file names), and the time to refuse a "billion laughs" pickle.

    python benchmarks/bench_safe_pickle.py
"""
from __future__ import annotations

import pickle
import time

import numpy as np

from retrograd.data.datasets import UnsafeFileError, safe_load


def best_of(fn, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def laughs(levels: int = 30, width: int = 10) -> bytes:
    """Each list holds ``width`` references to the previous one: width**levels values."""
    out = b"\x80\x02]q\x00"
    for i in range(levels):
        out += b"(" + (b"h" + bytes([i])) * width + b"lq" + bytes([i + 1])
    return out + b"."


def main() -> None:
    rng = np.random.default_rng(0)
    batch = {b"batch_label": b"training batch 1 of 5",
             b"labels": rng.integers(0, 10, 10_000).tolist(),
             b"data": rng.integers(0, 256, (10_000, 3072), dtype=np.uint8),
             b"filenames": [b"img_%d.png" % i for i in range(10_000)]}
    for protocol in (2, 4):
        data = pickle.dumps(batch, protocol=protocol)
        ours, theirs = best_of(lambda: safe_load(data)), best_of(lambda: pickle.loads(data))
        print(f"protocol {protocol}, {len(data) / 1e6:.1f} MB: safe_load {ours:.3f} s, "
              f"pickle.loads {theirs:.3f} s ({ours / theirs:.1f}x)")
    bomb = laughs()

    def refuse():
        try:
            safe_load(bomb)
        except UnsafeFileError:
            return
        raise AssertionError("billion laughs accepted")

    print(f"billion laughs ({len(bomb)} bytes, 10**30 values): refused in "
          f"{best_of(refuse) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
