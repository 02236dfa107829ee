"""Training steps beside PyTorch measured in process CPU time at one thread, both frameworks in
this one process, in interleaved blocks (medians of 7): on a machine shared with other jobs this
is steadier than wall-clock throughput, which the load moves by several times.

    python benchmarks/bench_cpu_time.py [mlp lenet5 resnet8 resnet20 lstm tiny]

The models and steps are bench_train.py's; ``tiny`` is bench_engine.py's 2-16-16-1 MLP.
"""
from __future__ import annotations

import argparse
import statistics
import time

import retrograd as rg
from bench_train import CASES, _retrograd_step, _torch_step

STEPS_PER_BLOCK = {"mlp": 20, "lenet5": 10, "resnet8": 2, "resnet20": 1, "lstm": 5, "tiny": 1000}


def _steps(torch, name):
    if name == "tiny":
        import bench_engine

        return bench_engine.retrograd_step(), bench_engine.torch_step(torch)
    shape, batch = CASES[name]
    return _retrograd_step(name, shape, batch), _torch_step(name, shape, batch)


def main():
    import torch

    parser = argparse.ArgumentParser()
    parser.add_argument("models", nargs="*", default=[*CASES, "tiny"])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    rg.set_num_threads(1)
    torch.set_num_threads(1)
    for name in args.models:
        ours, theirs = _steps(torch, name)
        n = STEPS_PER_BLOCK[name]
        for step in (ours, theirs):
            for _ in range(3):
                step()
        times: tuple[list, list] = ([], [])
        for _ in range(args.rounds):
            for step, acc in zip((ours, theirs), times):
                t0 = time.process_time()
                for _ in range(n):
                    step()
                acc.append((time.process_time() - t0) / n)
        o, t = (statistics.median(x) for x in times)
        print(f"{name:8s} retrograd {o * 1e3:9.3f} ms  PyTorch {t * 1e3:9.3f} ms  "
              f"ratio {t / o:.2f}x  (CPU time per step, 1 thread)")


if __name__ == "__main__":
    main()
