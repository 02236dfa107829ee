"""Data-parallel training over MPI on this machine: all-reduce bandwidth by message size, and
training throughput of one process with 2 threads against 2 processes with 1 thread each (and
one process with one thread, the baseline of both).

    python benchmarks/bench_distributed.py [--rounds 3] [--steps-seconds 2] [--skip-allreduce]

Needs mpi4py and an mpiexec (pip install -e ".[distributed]").

all-reduce: ``mpiexec -n 2``, float32 messages of 4 KiB to 64 MiB through
``retrograd.distributed.all_reduce``: median time, algorithm bandwidth (bytes / time) and bus
bandwidth (2(N-1)/N bytes / time, what a ring moves per link), then the least-squares fit
time = latency + bytes / bandwidth (the alpha-beta model of the README's scaling section).

training: the MLP 784-512-256-10 and LeNet-5 workloads of bench_train.py (forward +
cross-entropy + backward + SGD momentum, float32) at a global batch of 128: one process with 2
threads and batch 128, against ``mpiexec -n 2`` with 1 thread and batch 64 per rank under
DistributedDataParallel. The configurations take turns round by round so that a shared
machine's load falls on both alike; medians over the rounds are printed. For the 2-process runs
it also times the same steps under ``no_sync()`` (computation only) and all-reducing the
gradient buckets alone (communication only): the share of communication hidden behind the
backward pass is 1 - (step - computation) / communication, clipped to [0, 1]. "exposed" is the
time backward spent at its end finishing the all-reduces (measured inside
DistributedDataParallel): communication not hidden plus waiting for the slower rank.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
GLOBAL_BATCH = 128
MODELS = ("mlp", "lenet5")


def _mpiexec() -> str:
    import shutil

    beside = Path(sys.executable).parent / "mpiexec"
    found = str(beside) if beside.exists() else shutil.which("mpiexec")
    if found is None:
        sys.exit("bench_distributed: no mpiexec found (pip install -e '.[distributed]')")
    return found


def _run_worker(ranks: int, threads: int, *args: str) -> list[dict]:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE.parents[1] / "src"),
                                                    env.get("PYTHONPATH")) if p)
    command = [sys.executable, str(HERE), "--worker", *args, "--threads", str(threads)]
    if ranks > 1:
        command = [_mpiexec(), "-n", str(ranks)] + command
    out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    if out.returncode:
        sys.exit(f"bench_distributed: worker failed:\n{out.stdout}\n{out.stderr}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


# ----- workers (one process per rank) ------------------------------------------------------------
def _init(threads: int):
    import retrograd as rg
    import retrograd.distributed as dist
    from retrograd.train.launch import launched_world_size

    rg.set_num_threads(threads)
    if launched_world_size() > 1:
        dist.init_process_group("mpi")
        return dist, dist.get_rank(), dist.get_world_size()
    return dist, 0, 1


def worker_allreduce(threads: int) -> None:
    import retrograd as rg

    dist, rank, size = _init(threads)
    rows = []
    for exponent in range(12, 27, 2):  # 4 KiB .. 64 MiB
        nbytes = 2 ** exponent
        t = rg.tensor(np.ones(nbytes // 4, dtype=np.float32))
        repeats = int(min(200, max(5, 2 ** 24 // nbytes)))
        times = []
        for i in range(repeats + 2):
            dist.barrier()
            t0 = time.perf_counter()
            dist.all_reduce(t)
            if i >= 2:
                times.append(time.perf_counter() - t0)
        seconds = [None] * size
        dist.all_gather_object(seconds, statistics.median(times))
        rows.append({"bytes": nbytes, "seconds": max(seconds)})
    if rank == 0:
        for row in rows:
            print(json.dumps(row))


def _model(name: str):
    import retrograd as rg
    from retrograd.models.registry import build_model

    rg.manual_seed(0)
    if name == "mlp":
        return build_model("mlp", 10, 1, 28, hidden=(512, 256))
    return build_model(name, 10, 1, 28)


def _timed(step, steps: int, dist, size: int) -> float:
    """Seconds per step, the slowest rank's, after all ranks start together."""
    if size > 1:
        dist.barrier()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    seconds = (time.perf_counter() - t0) / steps
    if size == 1:
        return seconds
    everyone = [None] * size
    dist.all_gather_object(everyone, seconds)
    return max(everyone)


def worker_train(threads: int, steps_seconds: float) -> None:
    import retrograd as rg
    from retrograd import nn, optim

    dist, rank, size = _init(threads)
    for name in MODELS:
        model = _model(name)
        if size > 1:
            model = nn.parallel.DistributedDataParallel(model)
        opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loss_fn = nn.CrossEntropyLoss()
        g = np.random.default_rng(rank)
        x = rg.tensor(g.standard_normal((GLOBAL_BATCH // size, 1, 28, 28)).astype(np.float32))
        y = rg.tensor(g.integers(0, 10, GLOBAL_BATCH // size))

        def step():
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()

        def compute_only():
            with model.no_sync():
                step()

        def communicate_only():
            for bucket in model.reducer.buckets:
                dist.all_reduce(bucket.buffer)

        warm = _timed(step, 3, dist, size)
        steps = [max(5, int(steps_seconds / warm))]
        if size > 1:
            dist.broadcast_object_list(steps)  # every rank must run as many steps
        exposed = model.reducer.exposed_seconds if size > 1 else 0.0
        row = {"model": name, "ranks": size, "threads": threads,
               "samples_per_s": GLOBAL_BATCH / _timed(step, steps[0], dist, size)}
        if size > 1:
            row["exposed_ms"] = 1e3 * (model.reducer.exposed_seconds - exposed) / steps[0]
            row["step_ms"] = 1e3 * GLOBAL_BATCH / row["samples_per_s"]
            row["compute_ms"] = 1e3 * _timed(compute_only, steps[0], dist, size)
            row["comm_ms"] = 1e3 * _timed(communicate_only, steps[0], dist, size)
            row["buckets"] = len(model.reducer.buckets)
            row["grad_mb"] = sum(b.buffer.array.nbytes for b in model.reducer.buckets) / 2 ** 20
        if rank == 0:
            print(json.dumps(row), flush=True)


# ----- the report --------------------------------------------------------------------------------
def report_allreduce() -> tuple[float, float]:
    rows = _run_worker(2, 1, "allreduce")
    n = 2
    print("all-reduce over 2 processes (float32, in place)")
    print(f"{'bytes':>10} {'time us':>10} {'alg GB/s':>9} {'bus GB/s':>9}")
    for r in rows:
        alg = r["bytes"] / r["seconds"] / 1e9
        print(f"{r['bytes']:>10} {r['seconds'] * 1e6:>10.1f} {alg:>9.2f} "
              f"{alg * 2 * (n - 1) / n:>9.2f}")
    sizes = np.array([r["bytes"] for r in rows], dtype=float)
    times = np.array([r["seconds"] for r in rows])
    slope, latency = np.polyfit(sizes, times, 1, w=1 / times)  # relative errors
    bandwidth = 2 * (n - 1) / n / slope
    print(f"fit: time = {latency * 1e6:.1f} us + 2(N-1)/N * bytes / ({bandwidth / 1e9:.2f} GB/s)\n")
    return latency, bandwidth


def report_training(rounds: int, steps_seconds: float) -> None:
    results: dict[tuple, list[dict]] = {}
    for _ in range(rounds):
        for ranks, threads in ((1, 1), (1, 2), (2, 1)):
            for row in _run_worker(ranks, threads, "train", "--steps-seconds", str(steps_seconds)):
                results.setdefault((row["model"], ranks, threads), []).append(row)
    print(f"training throughput, global batch {GLOBAL_BATCH}, medians of {rounds} rounds")
    print(f"{'model':8} {'1 x 1 thread':>13} {'1 proc x 2 thr':>15} {'2 procs x 1 thr':>16} "
          f"{'2x1 / 1x2':>10} {'step ms':>8} {'compute ms':>11} {'comm ms':>8} {'exposed':>8} "
          f"{'hidden':>7} "
          f"{'grads':>9}")
    med = lambda rows, key: statistics.median(r[key] for r in rows)  # noqa: E731
    for name in MODELS:
        base, one, two = results[(name, 1, 1)], results[(name, 1, 2)], results[(name, 2, 1)]
        a, b = med(one, "samples_per_s"), med(two, "samples_per_s")
        hidden = statistics.median(
            min(1.0, max(0.0, 1 - (r["step_ms"] - r["compute_ms"]) / r["comm_ms"])) for r in two)
        print(f"{name:8} {med(base, 'samples_per_s'):>11.0f}/s {a:>13.0f}/s {b:>14.0f}/s "
              f"{b / a:>9.2f}x {med(two, 'step_ms'):>8.2f} "
              f"{med(two, 'compute_ms'):>11.2f} {med(two, 'comm_ms'):>8.2f} "
              f"{med(two, 'exposed_ms'):>8.2f} {hidden:>6.0%} "
              f"{two[0]['grad_mb']:>6.2f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps-seconds", type=float, default=2.0)
    parser.add_argument("--skip-allreduce", action="store_true")
    parser.add_argument("--worker", choices=["allreduce", "train"], help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "allreduce":
        return worker_allreduce(args.threads)
    if args.worker == "train":
        return worker_train(args.threads, args.steps_seconds)
    print(f"{os.cpu_count()} CPUs; load average (1 min) before: {os.getloadavg()[0]:.1f}\n")
    if not args.skip_allreduce:
        report_allreduce()
    report_training(args.rounds, args.steps_seconds)
    print(f"\nload average (1 min) after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
